"""The records a backend holds: contacts, their channels, engagements and pages, in the API's shapes.

Each record renders itself as the service's ``summary()`` (list operations) and ``describe()``
(get/describe operations); what happens to them over time is :mod:`.escalation`'s job.
"""

from __future__ import annotations

import hashlib
import re
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
