"""The records a backend holds: contacts, their channels, engagements and pages, in the API's shapes.

Each record renders itself as the service's ``summary()`` (list operations) and ``describe()``
(get/describe operations); what happens to them over time is :mod:`.escalation`'s job.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "ARN_PATTERN",
    "Contact",
    "ContactChannel",
    "Engagement",
    "Page",
    "accept_code_for",
    "activation_code_for",
]

ARN_PATTERN = re.compile(
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


@functools.cache
def _carried_params(operation: str, list_member: str | None = None) -> tuple[str, ...]:
    """The StartEngagement parameters that ``operation``'s answer (with ``list_member``: each item of
    that list) carries, read from botocore's model: a page's fields are defined once, by the service."""
    from .validation import operation_model

    shape = operation_model(operation).output_shape
    if list_member is not None:
        shape = shape.members[list_member].member
    start = operation_model("StartEngagement").input_shape.members
    return tuple(name for name in start if name in shape.members)


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


@dataclass(eq=False)
class Contact:
    arn: str
    alias: str
    display_name: str | None
    type: str
    plan: dict[str, Any]

    @property
    def stages(self) -> list[dict[str, Any]]:
        return list(self.plan.get("Stages") or [])

    def summary(self) -> dict[str, Any]:
        return _given(
            {"ContactArn": self.arn, "Alias": self.alias, "Type": self.type, "DisplayName": self.display_name}
        )

    def describe(self) -> dict[str, Any]:
        plan: dict[str, Any] = {"Stages": self.stages}
        if self.plan.get("RotationIds"):
            plan["RotationIds"] = list(self.plan["RotationIds"])
        return {**self.summary(), "Plan": plan}


@dataclass(eq=False)
class ContactChannel:
    arn: str
    contact_arn: str
    name: str
    type: str
    address: str
    activated: bool = False
    code_sent: bool = False

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


@dataclass(eq=False)
class Engagement:
    arn: str
    contact_arn: str
    contact_type: str
    # The plan is frozen at start: later UpdateContact calls do not change a running engagement.
    stages: list[dict[str, Any]]
    params: dict[str, Any]
    start_time: datetime
    stop_time: datetime | None = None
    stop_reason: str | None = None
    pages: list[Page] = field(default_factory=list)

    @classmethod
    def start(cls, arn: str, contact: Contact, params: dict[str, Any], at: datetime) -> Engagement:
        return cls(arn, contact.arn, contact.type, contact.stages, params, at)

    def given_params(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The StartEngagement parameters among ``names`` that were set."""
        return _given({name: self.params.get(name) for name in names})

    def _answer(self, names: tuple[str, ...]) -> dict[str, Any]:
        ids = {"EngagementArn": self.arn, "ContactArn": self.contact_arn}
        times = {"StartTime": self.start_time, "StopTime": self.stop_time}
        return {**ids, **self.given_params(names), **_given(times)}

    def summary(self) -> dict[str, Any]:
        return self._answer(_carried_params("ListEngagements", "Engagements"))

    def describe(self) -> dict[str, Any]:
        return self._answer(_carried_params("DescribeEngagement"))


@dataclass(eq=False)
class Page:
    arn: str
    engagement: Engagement = field(repr=False)
    contact_arn: str
    contact_alias: str
    # The paged contact's own plan, frozen when paged.
    contact_stages: list[dict[str, Any]]
    essential: bool
    created: datetime
    sent_time: datetime | None = None
    delivery_time: datetime | None = None
    read_time: datetime | None = None
    receipts: list[dict[str, Any]] = field(default_factory=list)
    # A page to a member on shift: the on-call schedule and the rotation that put them there.
    schedule_arn: str | None = None
    rotation_arn: str | None = None

    @classmethod
    def open(cls, arn: str, engagement: Engagement, contact: Contact, essential: bool, at: datetime) -> Page:
        return cls(arn, engagement, contact.arn, contact.alias, contact.stages, essential, at)

    @property
    def accept_code(self) -> str:
        return accept_code_for(self.arn)

    def _answer(self, names: tuple[str, ...]) -> dict[str, Any]:
        ids = {"PageArn": self.arn, "EngagementArn": self.engagement.arn, "ContactArn": self.contact_arn}
        times = {"SentTime": self.sent_time, "DeliveryTime": self.delivery_time, "ReadTime": self.read_time}
        return {**ids, **self.engagement.given_params(names), **_given(times)}

    def summary(self) -> dict[str, Any]:
        return self._answer(_carried_params("ListPagesByEngagement", "Pages"))

    def describe(self) -> dict[str, Any]:
        return self._answer(_carried_params("DescribePage"))

    def add_receipt(
        self, receipt_type: str, at: datetime, channel_arn: str | None = None, info: str | None = None
    ) -> None:
        receipt: dict[str, Any] = {"ReceiptType": receipt_type, "ReceiptTime": at}
        if channel_arn:
            receipt["ContactChannelArn"] = channel_arn
        if info:
            receipt["ReceiptInfo"] = info
        self.receipts.append(receipt)
