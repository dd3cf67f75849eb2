"""The ssm-contacts backend as moto expects it: ``SSMContactsBackend`` and ``ssmcontacts_backends``.

moto finds a service's backends as ``moto.<service>.models`` and its routes in the ``urls``
module beside it, so the backend class is assembled here from its parts: contacts and channels
(:mod:`.contacts`), rotations and their shifts (:mod:`.rotations`), the escalation scheduler
(:mod:`.escalation`) and emulator-only helpers (:mod:`.out_of_band`), over the shared tables of
:mod:`.backend_base`. The functions below view every account and region at once, for the control
endpoint and the pager inbox.
"""

from __future__ import annotations

from typing import Any

from .. import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from ..drill.clock import clock
from ..drill.responders import DELAY_DISTRIBUTIONS, RESPONDER_NOTE, Responder
from ..moto_compat import BackendDict
from .backend_base import DEFAULT_PAGE_SIZE, STATE_LOCK
from .contacts import ContactsBackend
from .escalation import DELIVERY_DELAY, EscalationBackend
from .out_of_band import OutOfBandBackend
from .records import Contact, ContactChannel, Engagement, Page, accept_code_for, activation_code_for
from .rotations import RotationsBackend

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_REGION",
    "DELAY_DISTRIBUTIONS",
    "DELIVERY_DELAY",
    "RESPONDER_NOTE",
    "STATE_LOCK",
    "Contact",
    "ContactChannel",
    "Engagement",
    "Page",
    "Responder",
    "SSMContactsBackend",
    "accept_code_for",
    "activation_code_for",
    "all_backends",
    "all_codes",
    "all_outbox",
    "backends_matching",
    "engagements_created",
    "get_backend",
    "process_all_due",
    "ssmcontacts_backends",
]


class SSMContactsBackend(ContactsBackend, RotationsBackend, EscalationBackend, OutOfBandBackend):
    """One account and region of ssm-contacts."""


ssmcontacts_backends = BackendDict(SSMContactsBackend, "ssm-contacts")


def get_backend(account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION) -> SSMContactsBackend:
    """The backend of one account and region (created on first use)."""
    return ssmcontacts_backends[account_id][region]


def all_backends() -> list[SSMContactsBackend]:
    """Backends that exist already (never creates one)."""
    with STATE_LOCK:
        return [
            backend for account in list(ssmcontacts_backends.values()) for backend in list(account.values())
        ]


def backends_matching(account_id: str | None = None, region: str | None = None) -> list[SSMContactsBackend]:
    """Existing backends of ``account_id`` and ``region`` (``None``: any), never creating one."""
    return [
        backend
        for backend in all_backends()
        if (account_id is None or backend.account_id == account_id)
        and (region is None or backend.region_name == region)
    ]


def all_codes(account_id: str | None = None, region: str | None = None) -> dict[str, dict[str, str]]:
    """Activation and accept codes of every account and region (or those filtered), merged by ARN."""
    merged: dict[str, dict[str, str]] = {"activation_codes": {}, "accept_codes": {}}
    with STATE_LOCK:
        for backend in backends_matching(account_id, region):
            for kind, codes in backend.codes().items():
                merged[kind].update(codes)
    return merged


def all_outbox(account_id: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
    """Every message "sent" in every account and region (or those filtered), oldest first."""
    messages: list[dict[str, Any]] = []
    with STATE_LOCK:
        for backend in backends_matching(account_id, region):
            backend.process_due()
            messages += [
                {**message, "AccountId": backend.account_id, "Region": backend.region_name}
                for message in backend.outbox
            ]
    messages.sort(key=lambda message: message["Time"])  # stable: each backend's order is kept
    return messages


def engagements_created() -> int:
    """Engagements created in every account and region since the last reset (replays not counted)."""
    with STATE_LOCK:
        return sum(backend.engagements_created for backend in all_backends())


def process_all_due() -> None:
    """Clock listener: a move of the clock runs due events everywhere."""
    with STATE_LOCK:
        for backend in all_backends():
            backend.process_due()


clock.add_listener(process_all_due)
