"""What every part of an ssm-contacts backend shares: tables, ARNs, look-ups, pagination, events.

One backend per (account, region), in moto's ``BackendDict``. Escalation is
evaluated lazily: every backend call, and every move of the virtual clock,
first runs the events that fell due (stage starts, deliveries, simulated
responders) in time order, stamping each with its scheduled time. No threads.
One process-wide re-entrant lock serialises all backends, which is what makes
IdempotencyToken safe under concurrent requests.
"""

from __future__ import annotations

import base64
import functools
import heapq
import itertools
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypedDict, TypeVar

from ..drill.clock import clock
from ..drill.responders import Responder
from ..moto_compat import BaseBackend, get_partition
from .exceptions import ResourceNotFoundException, field_error
from .records import Contact, ContactChannel, Engagement, Page
from .rotation_records import Rotation

__all__ = ["DEFAULT_PAGE_SIZE", "STATE_LOCK", "BackendState", "Listing", "PageArgs", "paginate", "touching"]

DEFAULT_PAGE_SIZE = 100

STATE_LOCK = threading.RLock()

_F = TypeVar("_F", bound=Callable[..., Any])

#: A list operation's answer: the items in the API's shape and the next token (None: last page).
Listing = tuple[list[dict[str, Any]], str | None]


class PageArgs(TypedDict, total=False):
    """The paging members every List operation takes (``NextToken``, ``MaxResults``), in snake_case:
    declared once, taken as ``**paging`` by each backend list method and passed on to :func:`paginate`."""

    next_token: str | None
    max_results: int | None


def touching(method: _F) -> _F:
    """Hold the state lock and run due events before the call: lazy escalation."""

    @functools.wraps(method)
    def wrapper(self: BackendState, *args: Any, **kwargs: Any) -> Any:
        with STATE_LOCK:
            self.process_due()
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def paginate(
    items: list[Any],
    render: Callable[[Any], dict[str, Any]],
    *,
    next_token: str | None = None,
    max_results: int | None = None,
) -> Listing:
    """One page of ``items``, each rendered, and the next token; the token is base64 of ``offset:N``
    (opaque to clients). The list methods pass their ``**paging`` on: a key that is not a paging
    member is a TypeError here, as it would be in a method that spelled its parameters out."""
    start = 0
    if next_token:
        try:
            kind, _, number = base64.b64decode(next_token.encode(), validate=True).decode().partition(":")
            start = int(number)
            if kind != "offset" or start < 0:
                raise ValueError(next_token)
        except ValueError as exc:
            raise field_error("NextToken", "The pagination token is invalid") from exc
    size = max_results or DEFAULT_PAGE_SIZE
    end = start + size
    token = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
    return [render(item) for item in items[start:end]], token


class BackendState(BaseBackend):
    """One account and region's tables, ARNs, look-ups and event queue; the operations are mixed in."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.partition = get_partition(region_name)
        self.contacts: dict[str, Contact] = {}
        self.channels: dict[str, ContactChannel] = {}
        self.engagements: dict[str, Engagement] = {}
        self.pages: dict[str, Page] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.rotations: dict[str, Rotation] = {}
        # Resource policies (PutContactPolicy) by contact ARN, as given.
        self.policies: dict[str, str] = {}
        self.engagement_tokens: dict[str, tuple[str, str]] = {}
        self.create_tokens: dict[tuple[str, str], tuple[str, str]] = {}
        # Simulated responders by contact ARN: each page's first message draws when (or if) they answer.
        self.responders: dict[str, Responder] = {}
        # Every message the emulator "sent" (activation codes and pages), for the control endpoint.
        self.outbox: list[dict[str, Any]] = []
        self._events: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._seq = itertools.count()
        # Engagements this backend created (idempotent replays not counted), for the control endpoint.
        self.engagements_created = 0

    # -- ARNs and look-ups ----------------------------------------------------------------------------------

    def _arn(self, resource: str) -> str:
        return f"arn:{self.partition}:ssm-contacts:{self.region_name}:{self.account_id}:{resource}"

    def contact_arn(self, alias: str) -> str:
        return self._arn(f"contact/{alias}")

    def _find(self, table: dict[str, Any], value: str, resource_type: str) -> Any:
        found = table.get(value)
        if found is None:
            raise ResourceNotFoundException(resource_type, value)
        return found

    def channels_of(self, contact_arn: str) -> list[ContactChannel]:
        """The contact's channels, oldest first."""
        return [channel for channel in self.channels.values() if channel.contact_arn == contact_arn]

    def get_contact_obj(self, contact_id: str) -> Contact:
        contact = self.contacts.get(contact_id)
        if contact is None:
            # The emulator also accepts a bare alias from its own seed/control code paths.
            contact = self.contacts.get(self.contact_arn(contact_id))
        if contact is None:
            raise ResourceNotFoundException("CONTACT", contact_id)
        return contact

    def on_shift(self, schedule: Contact, at: datetime) -> list[tuple[Contact, str]]:
        """The contacts on shift in the schedule's rotations at ``at``, each once, with the rotation
        that put them there (first rotation first); a contact deleted since is nobody to page."""
        found: list[tuple[Contact, str]] = []
        for rotation_arn in schedule.plan.get("RotationIds") or []:
            rotation = self.rotations.get(rotation_arn)
            shift = rotation.on_call_at(at) if rotation is not None else None
            for contact_arn in shift.contact_ids if shift is not None else ():
                contact = self.contacts.get(contact_arn)
                if contact is not None and all(contact is not seen for seen, _ in found):
                    found.append((contact, rotation_arn))
        return found

    def _check_token(self, kind: str, token: str | None, fingerprint: str) -> str | None:
        """A create call's replay: the ARN (or id) the token made, None if new; reused with other
        parameters, a field error."""
        if not token:
            return None
        known = self.create_tokens.get((kind, token))
        if known is None:
            return None
        if known[0] != fingerprint:
            raise field_error(
                "IdempotencyToken",
                f"IdempotencyToken {token} was already used with different parameters",
            )
        return known[1]

    # -- events -----------------------------------------------------------------------------------

    def _schedule(self, at: datetime, action: Callable[[datetime], None]) -> None:
        heapq.heappush(self._events, (at, next(self._seq), action))

    def process_due(self) -> None:
        """Run every event due by the virtual clock's now, in time order."""
        with STATE_LOCK:
            now = clock.now()
            while self._events and self._events[0][0] <= now:
                at, _, action = heapq.heappop(self._events)
                action(at)
