"""State and behaviour of the emulated ssm-contacts service.

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
import hashlib
import heapq
import itertools
import json
import math
import random
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from moto.core.base_backend import BackendDict, BaseBackend
from moto.utilities.utils import get_partition

from . import faults, settings
from .clock import clock
from .exceptions import ConflictException, ResourceNotFoundException, ValidationException, field_error

__all__ = [
    "DELAY_DISTRIBUTIONS",
    "Responder",
    "SSMContactsBackend",
    "accept_code_for",
    "activation_code_for",
    "get_backend",
    "ssmcontacts_backends",
]

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
DEFAULT_PAGE_SIZE = 100
# Delivery is simulated as succeeding one virtual second after sending.
DELIVERY_DELAY = timedelta(seconds=1)

STATE_LOCK = threading.RLock()

# A simulated responder's delay distributions and the parameters each one takes (in seconds).
DELAY_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("seconds",),
    "uniform": ("min_seconds", "max_seconds"),
    "lognormal": ("median_seconds", "sigma"),
}
RESPONDER_NOTE = "Acknowledged by the simulated responder"

_F = TypeVar("_F", bound=Callable[..., Any])

_E164 = re.compile(r"\+[1-9][0-9]{1,14}\Z")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_ARN = re.compile(
    r"arn:(?P<partition>aws|aws-cn|aws-us-gov):ssm-contacts:(?P<region>[a-z0-9-]+):(?P<account>[0-9]+):"
    r"(?P<kind>contact|contact-channel|engagement|page|rotation)/(?P<rest>[^\s]+)\Z"
)


def _code(kind: str, arn: str) -> str:
    digest = hashlib.sha256(f"{kind}:{arn}".encode()).hexdigest()
    return f"{int(digest, 16) % 1_000_000:06d}"


def activation_code_for(channel_arn: str) -> str:
    """The channel's activation code: sha256("activation:" + ARN) as an integer, mod 10**6, 6 digits."""
    return _code("activation", channel_arn)


def accept_code_for(page_arn: str) -> str:
    """The page's accept code: sha256("accept:" + ARN) as an integer, mod 10**6, 6 digits."""
    return _code("accept", page_arn)


def _touching(method: _F) -> _F:
    """Hold the state lock and run due events before the call: lazy escalation."""

    @functools.wraps(method)
    def wrapper(self: SSMContactsBackend, *args: Any, **kwargs: Any) -> Any:
        with STATE_LOCK:
            self.process_due()
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass
class Responder:
    """A simulated person: answers each page after a drawn delay, or (with a probability) never.

    Per page, at its first message, two things are drawn from ``random.Random(seed)`` in this
    order: ``u = random()`` (no answer when ``u < no_answer_probability``), then the delay
    (``fixed``: no draw; ``uniform``: ``uniform(min_seconds, max_seconds)``; ``lognormal``:
    ``lognormvariate(log(median_seconds), sigma)``), rounded to the millisecond (the wire's
    resolution). Both are drawn for every page, so the delays a seed gives do not depend on
    ``no_answer_probability``. The same seed gives the same answers for the same sequence of pages.
    """

    distribution: str = "fixed"
    params: dict[str, float] = field(default_factory=dict)
    no_answer_probability: float = 0.0
    seed: int | str = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.distribution not in DELAY_DISTRIBUTIONS:
            raise ValueError(f"distribution: one of {', '.join(DELAY_DISTRIBUTIONS)}")
        missing = [name for name in DELAY_DISTRIBUTIONS[self.distribution] if name not in self.params]
        if missing and self.no_answer_probability < 1:
            raise ValueError(f"{self.distribution} delay needs {', '.join(missing)}")
        self._rng = random.Random(self.seed)

    @classmethod
    def fixed(cls, seconds: float) -> Responder:
        return cls("fixed", {"seconds": float(seconds)})

    def draw(self) -> float | None:
        """Seconds until this page is acknowledged, or None: this page goes unanswered."""
        silent = self._rng.random() < self.no_answer_probability
        params = self.params
        if self.distribution == "uniform":
            delay = self._rng.uniform(params["min_seconds"], params["max_seconds"])
        elif self.distribution == "lognormal":
            delay = self._rng.lognormvariate(math.log(params["median_seconds"]), params["sigma"])
        else:
            delay = params.get("seconds", 0.0)
        return None if silent else round(delay, 3)

    def describe(self) -> dict[str, Any]:
        """For the inbox: what this simulated person does."""
        return {
            "distribution": self.distribution,
            **self.params,
            "no_answer_probability": self.no_answer_probability,
            "seed": self.seed,
        }


class Contact:
    def __init__(self, arn: str, alias: str, display_name: str | None, type_: str, plan: dict[str, Any]):
        self.arn = arn
        self.alias = alias
        self.display_name = display_name
        self.type = type_
        self.plan = plan

    @property
    def stages(self) -> list[dict[str, Any]]:
        return list(self.plan.get("Stages") or [])

    def summary(self) -> dict[str, Any]:
        out = {"ContactArn": self.arn, "Alias": self.alias, "Type": self.type}
        if self.display_name is not None:
            out["DisplayName"] = self.display_name
        return out

    def describe(self) -> dict[str, Any]:
        out = self.summary()
        plan: dict[str, Any] = {"Stages": self.stages}
        if self.plan.get("RotationIds"):
            plan["RotationIds"] = list(self.plan["RotationIds"])
        out["Plan"] = plan
        return out


class ContactChannel:
    def __init__(self, arn: str, contact_arn: str, name: str, type_: str, address: str):
        self.arn = arn
        self.contact_arn = contact_arn
        self.name = name
        self.type = type_
        self.address = address
        self.activated = False
        self.code_sent = False

    @property
    def activation_status(self) -> str:
        return "ACTIVATED" if self.activated else "NOT_ACTIVATED"

    def describe(self) -> dict[str, Any]:
        return {
            "ContactArn": self.contact_arn,
            "ContactChannelArn": self.arn,
            "Name": self.name,
            "Type": self.type,
            "DeliveryAddress": {"SimpleAddress": self.address},
            "ActivationStatus": self.activation_status,
        }


class Engagement:
    def __init__(self, arn: str, contact: Contact, params: dict[str, Any], start_time: datetime):
        self.arn = arn
        self.contact_arn = contact.arn
        self.contact_type = contact.type
        # The plan is frozen at start: later UpdateContact calls do not change a running engagement.
        self.stages = contact.stages
        self.params = params
        self.start_time = start_time
        self.stop_time: datetime | None = None
        self.stop_reason: str | None = None
        self.pages: list[Page] = []

    def _optional(self, out: dict[str, Any], *names: str) -> dict[str, Any]:
        for name in names:
            if self.params.get(name) is not None:
                out[name] = self.params[name]
        return out

    def summary(self) -> dict[str, Any]:
        out = {"EngagementArn": self.arn, "ContactArn": self.contact_arn, "Sender": self.params["Sender"]}
        self._optional(out, "IncidentId")
        out["StartTime"] = self.start_time
        if self.stop_time is not None:
            out["StopTime"] = self.stop_time
        return out

    def describe(self) -> dict[str, Any]:
        out = {
            "ContactArn": self.contact_arn,
            "EngagementArn": self.arn,
            "Sender": self.params["Sender"],
            "Subject": self.params["Subject"],
            "Content": self.params["Content"],
        }
        self._optional(out, "PublicSubject", "PublicContent", "IncidentId")
        out["StartTime"] = self.start_time
        if self.stop_time is not None:
            out["StopTime"] = self.stop_time
        return out


class Page:
    def __init__(
        self, arn: str, engagement: Engagement, contact: Contact, essential: bool, created: datetime
    ):
        self.arn = arn
        self.engagement = engagement
        self.contact_arn = contact.arn
        self.contact_alias = contact.alias
        self.contact_stages = contact.stages
        self.essential = essential
        self.created = created
        self.accept_code = accept_code_for(arn)
        self.sent_time: datetime | None = None
        self.delivery_time: datetime | None = None
        self.read_time: datetime | None = None
        self.receipts: list[dict[str, Any]] = []

    def _times(self, out: dict[str, Any]) -> dict[str, Any]:
        for key, value in (
            ("SentTime", self.sent_time),
            ("DeliveryTime", self.delivery_time),
            ("ReadTime", self.read_time),
        ):
            if value is not None:
                out[key] = value
        return out

    def summary(self) -> dict[str, Any]:
        params = self.engagement.params
        out = {
            "PageArn": self.arn,
            "EngagementArn": self.engagement.arn,
            "ContactArn": self.contact_arn,
            "Sender": params["Sender"],
        }
        if params.get("IncidentId") is not None:
            out["IncidentId"] = params["IncidentId"]
        return self._times(out)

    def describe(self) -> dict[str, Any]:
        params = self.engagement.params
        out = {
            "PageArn": self.arn,
            "EngagementArn": self.engagement.arn,
            "ContactArn": self.contact_arn,
            "Sender": params["Sender"],
            "Subject": params["Subject"],
            "Content": params["Content"],
        }
        for name in ("PublicSubject", "PublicContent", "IncidentId"):
            if params.get(name) is not None:
                out[name] = params[name]
        return self._times(out)

    def add_receipt(
        self, receipt_type: str, at: datetime, channel_arn: str | None = None, info: str | None = None
    ) -> None:
        receipt: dict[str, Any] = {"ReceiptType": receipt_type, "ReceiptTime": at}
        if channel_arn:
            receipt["ContactChannelArn"] = channel_arn
        if info:
            receipt["ReceiptInfo"] = info
        self.receipts.append(receipt)


def _paginate(
    items: list[Any], next_token: str | None, max_results: int | None
) -> tuple[list[Any], str | None]:
    """Offset pagination; the token is base64 of ``offset:N`` (opaque to clients)."""
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
    chunk = items[start : start + size]
    end = start + size
    token = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
    return chunk, token


class SSMContactsBackend(BaseBackend):
    """One account and region of ssm-contacts."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.partition = get_partition(region_name)
        self.contacts: dict[str, Contact] = {}
        self.channels: dict[str, ContactChannel] = {}
        self.engagements: dict[str, Engagement] = {}
        self.pages: dict[str, Page] = {}
        self.tags: dict[str, dict[str, str]] = {}
        self.engagement_tokens: dict[str, tuple[str, str]] = {}
        self.create_tokens: dict[tuple[str, str], tuple[str, str]] = {}
        # Simulated responders by contact ARN: each page's first message draws when (or if) they answer.
        self.responders: dict[str, Responder] = {}
        # Every message the emulator "sent" (activation codes and pages), for the control endpoint.
        self.outbox: list[dict[str, Any]] = []
        self._events: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._seq = itertools.count()

    # -- ARNs -------------------------------------------------------------------------------------

    def _arn(self, resource: str) -> str:
        return f"arn:{self.partition}:ssm-contacts:{self.region_name}:{self.account_id}:{resource}"

    def contact_arn(self, alias: str) -> str:
        return self._arn(f"contact/{alias}")

    def _find(self, table: dict[str, Any], value: str, resource_type: str) -> Any:
        found = table.get(value)
        if found is None:
            raise ResourceNotFoundException(resource_type, value)
        return found

    def get_contact_obj(self, contact_id: str) -> Contact:
        contact = self.contacts.get(contact_id)
        if contact is None:
            # The emulator also accepts a bare alias from its own seed/control code paths.
            contact = self.contacts.get(self.contact_arn(contact_id))
        if contact is None:
            raise ResourceNotFoundException("CONTACT", contact_id)
        return contact

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

    # -- contacts ---------------------------------------------------------------------------------

    def _check_token(self, kind: str, token: str | None, fingerprint: str) -> str | None:
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

    def _validate_plan(self, contact_type: str, plan: dict[str, Any], contact_arn: str) -> dict[str, Any]:
        plan = json.loads(json.dumps(plan or {}))
        stages = plan.get("Stages") or []
        if contact_type == "ONCALL_SCHEDULE":
            raise ValidationException(
                "ONCALL_SCHEDULE contacts (rotations) are not supported by the emulator", reason="OTHER"
            )
        if plan.get("RotationIds"):
            raise field_error("Plan.RotationIds", "RotationIds are only valid for ONCALL_SCHEDULE contacts")
        for s_index, stage in enumerate(stages):
            for t_index, target in enumerate(stage.get("Targets") or []):
                name = f"Plan.Stages[{s_index}].Targets[{t_index}]"
                channel = target.get("ChannelTargetInfo")
                contact = target.get("ContactTargetInfo")
                if (channel is None) == (contact is None):
                    raise field_error(
                        name, "Exactly one of ChannelTargetInfo or ContactTargetInfo must be set"
                    )
                if contact_type == "PERSONAL":
                    if channel is None:
                        raise field_error(name, "A PERSONAL contact's plan can only target contact channels")
                    found = self.channels.get(channel["ContactChannelId"])
                    if found is None or found.contact_arn != contact_arn:
                        raise field_error(
                            f"{name}.ChannelTargetInfo.ContactChannelId",
                            f"Contact channel {channel['ContactChannelId']} does not belong to this contact",
                        )
                else:
                    if contact is None:
                        raise field_error(name, "An ESCALATION plan can only target contacts")
                    target_id = contact.get("ContactId")
                    found_contact = self.contacts.get(target_id or "")
                    if found_contact is None:
                        raise field_error(
                            f"{name}.ContactTargetInfo.ContactId", f"Contact {target_id} not found"
                        )
                    if found_contact.type != "PERSONAL":
                        raise field_error(
                            f"{name}.ContactTargetInfo.ContactId",
                            "An ESCALATION plan can only target PERSONAL contacts in the emulator",
                        )
        out: dict[str, Any] = {"Stages": stages}
        return out

    @_touching
    def create_contact(
        self,
        alias: str,
        contact_type: str,
        plan: dict[str, Any],
        display_name: str | None = None,
        tags: list[dict[str, str]] | None = None,
        idempotency_token: str | None = None,
    ) -> str:
        fingerprint = json.dumps([alias, contact_type, plan, display_name, tags], sort_keys=True)
        replay = self._check_token("contact", idempotency_token, fingerprint)
        if replay is not None and replay in self.contacts:
            return replay
        arn = self.contact_arn(alias)
        if arn in self.contacts:
            raise ConflictException("CONTACT", arn, f"A contact with alias {alias} already exists")
        checked = self._validate_plan(contact_type, plan, arn)
        self.contacts[arn] = Contact(arn, alias, display_name, contact_type, checked)
        self.tags[arn] = {t["Key"]: t["Value"] for t in tags or []}
        if idempotency_token:
            self.create_tokens[("contact", idempotency_token)] = (fingerprint, arn)
        return arn

    @_touching
    def get_contact(self, contact_id: str) -> dict[str, Any]:
        return self.get_contact_obj(contact_id).describe()

    @_touching
    def list_contacts(
        self,
        alias_prefix: str | None = None,
        contact_type: str | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        found = sorted(
            (
                c
                for c in self.contacts.values()
                if (not alias_prefix or c.alias.startswith(alias_prefix))
                and (not contact_type or c.type == contact_type)
            ),
            key=lambda c: c.alias,
        )
        chunk, token = _paginate(found, next_token, max_results)
        return [c.summary() for c in chunk], token

    @_touching
    def update_contact(
        self, contact_id: str, display_name: str | None = None, plan: dict[str, Any] | None = None
    ) -> None:
        contact = self.get_contact_obj(contact_id)
        if plan is not None:
            contact.plan = self._validate_plan(contact.type, plan, contact.arn)
        if display_name is not None:
            contact.display_name = display_name

    @_touching
    def delete_contact(self, contact_id: str) -> None:
        contact = self.get_contact_obj(contact_id)
        dependents = [
            other.arn
            for other in self.contacts.values()
            if other.type == "ESCALATION"
            and any(
                (t.get("ContactTargetInfo") or {}).get("ContactId") == contact.arn
                for s in other.stages
                for t in s.get("Targets") or []
            )
        ]
        if dependents:
            raise ConflictException(
                "CONTACT",
                contact.arn,
                f"Contact {contact.alias} is used by escalation plans",
                dependent_entities=[
                    {"RelationType": "ESCALATION_PLAN_TARGET", "DependentResourceIds": dependents}
                ],
            )
        del self.contacts[contact.arn]
        self.tags.pop(contact.arn, None)
        self.responders.pop(contact.arn, None)
        for arn in [a for a, ch in self.channels.items() if ch.contact_arn == contact.arn]:
            del self.channels[arn]

    # -- channels ---------------------------------------------------------------------------------

    @staticmethod
    def _check_address(channel_type: str, address: str) -> None:
        if channel_type in ("SMS", "VOICE") and not _E164.match(address):
            raise field_error(
                "DeliveryAddress.SimpleAddress", f"{channel_type} addresses must be E.164 numbers"
            )
        if channel_type == "EMAIL" and not _EMAIL.match(address):
            raise field_error(
                "DeliveryAddress.SimpleAddress", "EMAIL addresses must look like name@domain.tld"
            )

    def _send_activation_code(self, channel: ContactChannel) -> None:
        channel.code_sent = True
        self.outbox.append(
            {
                "Time": clock.now(),
                "Kind": "ACTIVATION_CODE",
                "ContactChannelArn": channel.arn,
                "ChannelType": channel.type,
                "Address": channel.address,
                "Code": activation_code_for(channel.arn),
            }
        )

    @_touching
    def create_contact_channel(
        self,
        contact_id: str,
        name: str,
        channel_type: str,
        address: str,
        defer_activation: bool | None = None,
        idempotency_token: str | None = None,
    ) -> str:
        contact = self.get_contact_obj(contact_id)
        fingerprint = json.dumps([contact.arn, name, channel_type, address, bool(defer_activation)])
        replay = self._check_token("channel", idempotency_token, fingerprint)
        if replay is not None and replay in self.channels:
            return replay
        if contact.type != "PERSONAL":
            raise field_error("ContactId", "Contact channels can only be added to PERSONAL contacts")
        self._check_address(channel_type, address)
        for other in self.channels.values():
            if other.contact_arn == contact.arn and other.type == channel_type and other.address == address:
                raise ConflictException(
                    "CONTACT_CHANNEL",
                    other.arn,
                    f"The contact already has a {channel_type} channel for this address",
                )
        arn = self._arn(f"contact-channel/{contact.alias}/{uuid.uuid4()}")
        channel = ContactChannel(arn, contact.arn, name, channel_type, address)
        self.channels[arn] = channel
        if not defer_activation:
            self._send_activation_code(channel)
        if idempotency_token:
            self.create_tokens[("channel", idempotency_token)] = (fingerprint, arn)
        return arn

    @_touching
    def get_contact_channel(self, channel_id: str) -> dict[str, Any]:
        return self._find(self.channels, channel_id, "CONTACT_CHANNEL").describe()

    @_touching
    def list_contact_channels(
        self, contact_id: str, next_token: str | None = None, max_results: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        contact = self.get_contact_obj(contact_id)
        found = [ch for ch in self.channels.values() if ch.contact_arn == contact.arn]
        chunk, token = _paginate(found, next_token, max_results)
        return [ch.describe() for ch in chunk], token

    @_touching
    def update_contact_channel(
        self, channel_id: str, name: str | None = None, address: str | None = None
    ) -> None:
        channel: ContactChannel = self._find(self.channels, channel_id, "CONTACT_CHANNEL")
        if address is not None and address != channel.address:
            self._check_address(channel.type, address)
            # A new address must prove it reaches the contact again, as in AWS.
            channel.address = address
            channel.activated = False
            self._send_activation_code(channel)
        if name is not None:
            channel.name = name

    @_touching
    def activate_contact_channel(self, channel_id: str, activation_code: str) -> None:
        channel: ContactChannel = self._find(self.channels, channel_id, "CONTACT_CHANNEL")
        if not channel.code_sent:
            raise field_error(
                "ActivationCode", "No activation code was sent to this channel: call SendActivationCode first"
            )
        if activation_code != activation_code_for(channel.arn):
            raise field_error("ActivationCode", "The activation code is not valid for this contact channel")
        channel.activated = True

    @_touching
    def deactivate_contact_channel(self, channel_id: str) -> None:
        channel: ContactChannel = self._find(self.channels, channel_id, "CONTACT_CHANNEL")
        channel.activated = False

    @_touching
    def send_activation_code(self, channel_id: str) -> None:
        self._send_activation_code(self._find(self.channels, channel_id, "CONTACT_CHANNEL"))

    @_touching
    def delete_contact_channel(self, channel_id: str) -> None:
        self._find(self.channels, channel_id, "CONTACT_CHANNEL")
        del self.channels[channel_id]

    def activate_channel_directly(self, channel_arn: str) -> None:
        """Seed/control path: activate without the code round trip."""
        with STATE_LOCK:
            channel: ContactChannel = self._find(self.channels, channel_arn, "CONTACT_CHANNEL")
            channel.code_sent = True
            channel.activated = True

    # -- engagements ------------------------------------------------------------------------------

    @_touching
    def start_engagement(
        self,
        contact_id: str,
        sender: str,
        subject: str,
        content: str,
        public_subject: str | None = None,
        public_content: str | None = None,
        incident_id: str | None = None,
        idempotency_token: str | None = None,
    ) -> str:
        contact = self.get_contact_obj(contact_id)
        params = {
            "Sender": sender,
            "Subject": subject,
            "Content": content,
            "PublicSubject": public_subject,
            "PublicContent": public_content,
            "IncidentId": incident_id,
        }
        fingerprint = json.dumps([contact.arn, params], sort_keys=True)
        if idempotency_token:
            known = self.engagement_tokens.get(idempotency_token)
            if known is not None and self._token_expired(known[1]):
                # Past the retention the service no longer knows the token: a new engagement.
                del self.engagement_tokens[idempotency_token]
                known = None
            if known is not None:
                if known[0] != fingerprint:
                    raise field_error(
                        "IdempotencyToken",
                        f"IdempotencyToken {idempotency_token} was already used with different parameters",
                    )
                return known[1]
        if contact.type == "ONCALL_SCHEDULE":  # pragma: no cover - such contacts cannot be created yet
            raise ValidationException(
                "ONCALL_SCHEDULE contacts are not supported by the emulator", reason="OTHER"
            )
        now = clock.now()
        arn = self._arn(f"engagement/{contact.alias}/{uuid.uuid4()}")
        engagement = Engagement(arn, contact, params, now)
        self.engagements[arn] = engagement
        if idempotency_token:
            self.engagement_tokens[idempotency_token] = (fingerprint, arn)
        faults.record_engagement_created()
        self._begin(engagement, contact, now)
        self.process_due()
        return arn

    def _token_expired(self, engagement_arn: str) -> bool:
        retention = settings.token_retention()
        if retention is None:
            return False
        engagement = self.engagements.get(engagement_arn)
        if engagement is None:
            return True
        return (clock.now() - engagement.start_time).total_seconds() > retention

    def _begin(self, engagement: Engagement, contact: Contact, at: datetime) -> None:
        direct_page = None
        if contact.type == "PERSONAL":
            direct_page = self._new_page(engagement, contact, essential=True, at=at)
        if not engagement.stages:
            # No plan: a PERSONAL contact gets every activated channel at once; the engagement is done.
            if direct_page is not None:
                self._send_all_channels(direct_page, at)
            self._end(engagement, at)
            return
        self._schedule(at, lambda t: self._run_stage(engagement, direct_page, 0, t))

    def _run_stage(self, engagement: Engagement, direct_page: Page | None, index: int, at: datetime) -> None:
        if engagement.stop_time is not None:
            return
        stage = engagement.stages[index]
        for target in stage.get("Targets") or []:
            if direct_page is not None and target.get("ChannelTargetInfo"):
                self._send(direct_page, target["ChannelTargetInfo"]["ContactChannelId"], at)
            elif direct_page is None and target.get("ContactTargetInfo"):
                info = target["ContactTargetInfo"]
                contact = self.contacts.get(info.get("ContactId") or "")
                if contact is None:
                    continue  # deleted since the plan was written: nobody to page
                page = self._new_page(engagement, contact, essential=bool(info.get("IsEssential")), at=at)
                self._run_page_stage(page, 0, at)
        finish = at + timedelta(minutes=stage.get("DurationInMinutes") or 0)
        if index + 1 < len(engagement.stages):
            self._schedule(finish, lambda t: self._run_stage(engagement, direct_page, index + 1, t))
        else:
            self._schedule(finish, lambda t: self._end(engagement, t))

    def _run_page_stage(self, page: Page, index: int, at: datetime) -> None:
        """A contact paged by an escalation plan works through its own plan's stages."""
        if page.engagement.stop_time is not None or page.read_time is not None:
            return
        if not page.contact_stages:
            self._send_all_channels(page, at)
            return
        stage = page.contact_stages[index]
        for target in stage.get("Targets") or []:
            if target.get("ChannelTargetInfo"):
                self._send(page, target["ChannelTargetInfo"]["ContactChannelId"], at)
        if index + 1 < len(page.contact_stages):
            finish = at + timedelta(minutes=stage.get("DurationInMinutes") or 0)
            self._schedule(finish, lambda t: self._run_page_stage(page, index + 1, t))

    def _new_page(self, engagement: Engagement, contact: Contact, essential: bool, at: datetime) -> Page:
        arn = self._arn(f"page/{contact.alias}/{uuid.uuid4()}")
        page = Page(arn, engagement, contact, essential, at)
        self.pages[arn] = page
        engagement.pages.append(page)
        return page

    def _send_all_channels(self, page: Page, at: datetime) -> None:
        for channel in list(self.channels.values()):
            if channel.contact_arn == page.contact_arn:
                self._send(page, channel.arn, at)

    def _send(self, page: Page, channel_arn: str, at: datetime) -> None:
        channel = self.channels.get(channel_arn)
        if channel is None or not channel.activated or channel.contact_arn != page.contact_arn:
            return  # a channel that is gone or not activated cannot be engaged
        first = page.sent_time is None
        page.add_receipt("SENT", at, channel.arn)
        if first:
            page.sent_time = at
        params = page.engagement.params
        self.outbox.append(
            {
                "Time": at,
                "Kind": "PAGE",
                "PageArn": page.arn,
                "ContactChannelArn": channel.arn,
                "ChannelType": channel.type,
                "Address": channel.address,
                "Subject": params["Subject"],
                "Code": page.accept_code,
            }
        )
        self._schedule(at + DELIVERY_DELAY, lambda t: self._deliver(page, channel.arn, t))
        responder = self.responders.get(page.contact_arn)
        if first and responder is not None:
            delay = responder.draw()
            if delay is not None:
                self._schedule(
                    at + timedelta(seconds=delay), lambda t: self._simulated_answer(page, channel.arn, t)
                )

    def _simulated_answer(self, page: Page, channel_arn: str, at: datetime) -> None:
        """A simulated person answers, unless the page was withdrawn before they got to it.

        Withdrawn: StopEngagement (a STOP receipt) or another essential acknowledgement of the same
        engagement. A page whose plan merely ran out is still answered, late, as a person would.
        """
        if any(r["ReceiptType"] == "STOP" for r in page.receipts):
            return
        if any(p is not page and p.essential and p.read_time is not None for p in page.engagement.pages):
            return
        self._accept(page, "READ", at, channel_arn, RESPONDER_NOTE)

    def _deliver(self, page: Page, channel_arn: str, at: datetime) -> None:
        page.add_receipt("DELIVERED", at, channel_arn)
        if page.delivery_time is None:
            page.delivery_time = at

    def _accept(
        self, page: Page, accept_type: str, at: datetime, channel_arn: str | None, note: str | None
    ) -> None:
        if accept_type == "DELIVERED":
            if page.delivery_time is None:
                page.delivery_time = at
            page.add_receipt("DELIVERED", at, channel_arn, note)
            return
        if page.read_time is not None:
            return  # acknowledging twice changes nothing
        page.read_time = at
        if page.delivery_time is None:
            page.delivery_time = at
        page.add_receipt("READ", at, channel_arn, note)
        if page.essential:
            # An essential acknowledgement ends the engagement: no further stages, StopTime set.
            self._end(page.engagement, at)

    def _end(self, engagement: Engagement, at: datetime) -> None:
        if engagement.stop_time is None:
            engagement.stop_time = at

    def _get_engagement(self, engagement_id: str) -> Engagement:
        return self._find(self.engagements, engagement_id, "ENGAGEMENT")

    def _get_page(self, page_id: str) -> Page:
        return self._find(self.pages, page_id, "PAGE")

    @_touching
    def describe_engagement(self, engagement_id: str) -> dict[str, Any]:
        return self._get_engagement(engagement_id).describe()

    @_touching
    def stop_engagement(self, engagement_id: str, reason: str | None = None) -> None:
        engagement = self._get_engagement(engagement_id)
        if engagement.stop_time is not None:
            return  # already over: stopping again is a no-op
        now = clock.now()
        engagement.stop_time = now
        engagement.stop_reason = reason
        for page in engagement.pages:
            if page.read_time is None:
                page.add_receipt("STOP", now, None, reason or None)

    @_touching
    def list_engagements(
        self,
        incident_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        found = [
            e
            for e in self.engagements.values()
            if (incident_id is None or e.params.get("IncidentId") == incident_id)
            and (start is None or e.start_time >= start)
            and (end is None or e.start_time <= end)
        ]
        chunk, token = _paginate(found, next_token, max_results)
        return [e.summary() for e in chunk], token

    # -- pages ------------------------------------------------------------------------------------

    @_touching
    def list_pages_by_engagement(
        self, engagement_id: str, next_token: str | None = None, max_results: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        engagement = self._get_engagement(engagement_id)
        chunk, token = _paginate(engagement.pages, next_token, max_results)
        return [p.summary() for p in chunk], token

    @_touching
    def list_pages_by_contact(
        self, contact_id: str, next_token: str | None = None, max_results: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        contact = self.get_contact_obj(contact_id)
        found = [p for p in self.pages.values() if p.contact_arn == contact.arn]
        chunk, token = _paginate(found, next_token, max_results)
        return [p.summary() for p in chunk], token

    @_touching
    def describe_page(self, page_id: str) -> dict[str, Any]:
        return self._get_page(page_id).describe()

    @_touching
    def list_page_receipts(
        self, page_id: str, next_token: str | None = None, max_results: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        page = self._get_page(page_id)
        receipts = sorted(page.receipts, key=lambda r: r["ReceiptTime"])
        chunk, token = _paginate(receipts, next_token, max_results)
        return [dict(r) for r in chunk], token

    @_touching
    def list_page_resolutions(self, page_id: str) -> list[dict[str, Any]]:
        page = self._get_page(page_id)
        engagement = page.engagement
        out: list[dict[str, Any]] = []
        if engagement.contact_type == "ESCALATION":
            out.append({"ContactArn": engagement.contact_arn, "Type": "ESCALATION"})
        out.append({"ContactArn": page.contact_arn, "Type": "PERSONAL"})
        return out

    @_touching
    def accept_page(
        self,
        page_id: str,
        accept_type: str,
        accept_code: str,
        contact_channel_id: str | None = None,
        note: str | None = None,
        accept_code_validation: str | None = None,
    ) -> None:
        page = self._get_page(page_id)
        if contact_channel_id is not None:
            channel = self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL")
            if channel.contact_arn != page.contact_arn:
                raise field_error(
                    "ContactChannelId", "The contact channel does not belong to the paged contact"
                )
        # IGNORE is the service default: the code is only compared under ENFORCE.
        if accept_code_validation == "ENFORCE" and accept_code != page.accept_code:
            raise field_error("AcceptCode", "The accept code is not valid for this page")
        self._accept(page, accept_type, clock.now(), contact_channel_id, note)

    # -- tags -------------------------------------------------------------------------------------

    def _taggable(self, arn: str) -> dict[str, str]:
        if arn not in self.contacts:
            raise ResourceNotFoundException("CONTACT", arn)
        return self.tags.setdefault(arn, {})

    @_touching
    def tag_resource(self, arn: str, tags: list[dict[str, str]]) -> None:
        current = self._taggable(arn)
        merged = {**current, **{t["Key"]: t["Value"] for t in tags}}
        if len(merged) > 50:
            raise field_error("Tags", "A resource can have at most 50 tags")
        current.update(merged)

    @_touching
    def untag_resource(self, arn: str, keys: list[str]) -> None:
        current = self._taggable(arn)
        for key in keys:
            current.pop(key, None)

    @_touching
    def list_tags_for_resource(self, arn: str) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self._taggable(arn).items()]

    # -- emulator-only helpers --------------------------------------------------------------------

    def set_responder(self, contact_id: str, responder: Responder | float) -> None:
        """Simulate the contact's person: a :class:`Responder`, or a fixed delay in seconds."""
        if not isinstance(responder, Responder):
            responder = Responder.fixed(float(responder))
        with STATE_LOCK:
            self.responders[self.get_contact_obj(contact_id).arn] = responder

    def codes(self) -> dict[str, dict[str, str]]:
        with STATE_LOCK:
            self.process_due()
            return {
                "activation_codes": {arn: activation_code_for(arn) for arn in self.channels},
                "accept_codes": {arn: page.accept_code for arn, page in self.pages.items()},
            }


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


def process_all_due() -> None:
    """Clock listener: a move of the clock runs due events everywhere."""
    with STATE_LOCK:
        for backend in all_backends():
            backend.process_due()


clock.add_listener(process_all_due)
