"""The json 1.1 wire protocol of ssm-contacts: parse, validate, call the backend, serialise.

Faults and call counters wrap every operation here (and only here), so the
control endpoint is never throttled, failed or dropped.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from moto.core.responses import BaseResponse
from moto.core.utils import camelcase_to_underscores

from . import clock, faults
from .exceptions import (
    DropResponse,
    InternalServerException,
    SSMContactsError,
    ThrottlingException,
    ValidationException,
)
from .models import SSMContactsBackend, ssmcontacts_backends
from .validation import operation_names, parse_timestamp, validate_input

JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}

# Set by the emulator's HTTP server on its request threads: a dropped response then closes the
# socket; in-process it raises botocore's ConnectionClosedError instead.
serving = threading.local()


def to_wire(value: Any) -> Any:
    """Datetimes become epoch seconds, as json 1.1 sends timestamps."""
    if isinstance(value, datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value


def _listing(key: str, items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {key: items}
    if token:
        out["NextToken"] = token
    return out


class SSMContactsResponse(BaseResponse):
    """Handler for SSMContacts.* targets."""

    def __init__(self) -> None:
        super().__init__(service_name="ssm-contacts")

    @property
    def backend(self) -> SSMContactsBackend:
        return ssmcontacts_backends[self.current_account][self.region]

    # -- plumbing ---------------------------------------------------------------------------------

    def _error(self, error: SSMContactsError) -> tuple[int, dict[str, str], str]:
        headers = dict(error.get_headers())
        return error.code, headers, error.get_body()

    def call_action(self) -> Any:
        status, headers, body = self._call_action()
        # The service's clock is the virtual one: its HTTP Date follows it, as AWS's follows its own.
        headers = dict(headers or {})
        headers["Date"] = format_datetime(clock.now(), usegmt=True)
        return status, headers, body

    def _call_action(self) -> Any:
        operation = self._get_action()
        decision = faults.decide(operation)
        if decision.latency_s:
            time.sleep(decision.latency_s)
        try:
            if decision.throttled:
                raise ThrottlingException(operation)
            if decision.error:
                raise InternalServerException()
            if operation not in operation_names():
                raise ValidationException(f"Unknown operation {operation}", reason="UNKNOWN_OPERATION")
            if not hasattr(self, camelcase_to_underscores(operation)):
                raise ValidationException(
                    f"{operation} is not implemented by the ssm-contacts emulator", reason="UNKNOWN_OPERATION"
                )
        except SSMContactsError as error:
            return self._error(error)
        result = super().call_action()
        if decision.drop:
            self._drop()
        return result

    def _drop(self) -> None:
        if getattr(serving, "active", False):
            raise DropResponse()
        from botocore.exceptions import ConnectionClosedError

        raise ConnectionClosedError(endpoint_url=self.uri or "https://ssm-contacts.amazonaws.com/")

    def _params(self) -> dict[str, Any]:
        operation = self._get_action()
        try:
            params = json.loads(self.body or "{}")
        except ValueError as exc:
            raise ValidationException("The request body is not valid JSON", reason="CANNOT_PARSE") from exc
        validate_input(operation, params)
        return params

    @staticmethod
    def _ok(payload: dict[str, Any] | None = None) -> tuple[int, dict[str, str], str]:
        return 200, dict(JSON_HEADERS), json.dumps(to_wire(payload or {}))

    # -- contacts ---------------------------------------------------------------------------------

    def create_contact(self) -> Any:
        p = self._params()
        arn = self.backend.create_contact(
            alias=p["Alias"],
            contact_type=p["Type"],
            plan=p["Plan"],
            display_name=p.get("DisplayName"),
            tags=p.get("Tags"),
            idempotency_token=p.get("IdempotencyToken"),
        )
        return self._ok({"ContactArn": arn})

    def get_contact(self) -> Any:
        p = self._params()
        return self._ok(self.backend.get_contact(p["ContactId"]))

    def list_contacts(self) -> Any:
        p = self._params()
        items, token = self.backend.list_contacts(
            alias_prefix=p.get("AliasPrefix"),
            contact_type=p.get("Type"),
            next_token=p.get("NextToken"),
            max_results=p.get("MaxResults"),
        )
        return self._ok(_listing("Contacts", items, token))

    def update_contact(self) -> Any:
        p = self._params()
        self.backend.update_contact(p["ContactId"], display_name=p.get("DisplayName"), plan=p.get("Plan"))
        return self._ok()

    def delete_contact(self) -> Any:
        p = self._params()
        self.backend.delete_contact(p["ContactId"])
        return self._ok()

    # -- channels ---------------------------------------------------------------------------------

    def create_contact_channel(self) -> Any:
        p = self._params()
        address = p["DeliveryAddress"].get("SimpleAddress")
        if address is None:
            raise ValidationException(
                "1 validation error detected: DeliveryAddress.SimpleAddress: Member must not be null",
                fields=[{"Name": "DeliveryAddress.SimpleAddress", "Message": "Member must not be null"}],
            )
        arn = self.backend.create_contact_channel(
            contact_id=p["ContactId"],
            name=p["Name"],
            channel_type=p["Type"],
            address=address,
            defer_activation=p.get("DeferActivation"),
            idempotency_token=p.get("IdempotencyToken"),
        )
        return self._ok({"ContactChannelArn": arn})

    def get_contact_channel(self) -> Any:
        p = self._params()
        return self._ok(self.backend.get_contact_channel(p["ContactChannelId"]))

    def list_contact_channels(self) -> Any:
        p = self._params()
        items, token = self.backend.list_contact_channels(
            p["ContactId"], next_token=p.get("NextToken"), max_results=p.get("MaxResults")
        )
        return self._ok(_listing("ContactChannels", items, token))

    def update_contact_channel(self) -> Any:
        p = self._params()
        address = (p.get("DeliveryAddress") or {}).get("SimpleAddress")
        self.backend.update_contact_channel(p["ContactChannelId"], name=p.get("Name"), address=address)
        return self._ok()

    def activate_contact_channel(self) -> Any:
        p = self._params()
        self.backend.activate_contact_channel(p["ContactChannelId"], p["ActivationCode"])
        return self._ok()

    def deactivate_contact_channel(self) -> Any:
        p = self._params()
        self.backend.deactivate_contact_channel(p["ContactChannelId"])
        return self._ok()

    def send_activation_code(self) -> Any:
        p = self._params()
        self.backend.send_activation_code(p["ContactChannelId"])
        return self._ok()

    def delete_contact_channel(self) -> Any:
        p = self._params()
        self.backend.delete_contact_channel(p["ContactChannelId"])
        return self._ok()

    # -- engagements ------------------------------------------------------------------------------

    def start_engagement(self) -> Any:
        p = self._params()
        arn = self.backend.start_engagement(
            contact_id=p["ContactId"],
            sender=p["Sender"],
            subject=p["Subject"],
            content=p["Content"],
            public_subject=p.get("PublicSubject"),
            public_content=p.get("PublicContent"),
            incident_id=p.get("IncidentId"),
            idempotency_token=p.get("IdempotencyToken"),
        )
        return self._ok({"EngagementArn": arn})

    def describe_engagement(self) -> Any:
        p = self._params()
        return self._ok(self.backend.describe_engagement(p["EngagementId"]))

    def stop_engagement(self) -> Any:
        p = self._params()
        self.backend.stop_engagement(p["EngagementId"], reason=p.get("Reason"))
        return self._ok()

    def list_engagements(self) -> Any:
        p = self._params()
        time_range = p.get("TimeRangeValue") or {}
        items, token = self.backend.list_engagements(
            incident_id=p.get("IncidentId"),
            start=parse_timestamp(time_range["StartTime"]) if "StartTime" in time_range else None,
            end=parse_timestamp(time_range["EndTime"]) if "EndTime" in time_range else None,
            next_token=p.get("NextToken"),
            max_results=p.get("MaxResults"),
        )
        return self._ok(_listing("Engagements", items, token))

    # -- pages ------------------------------------------------------------------------------------

    def list_pages_by_engagement(self) -> Any:
        p = self._params()
        items, token = self.backend.list_pages_by_engagement(
            p["EngagementId"], next_token=p.get("NextToken"), max_results=p.get("MaxResults")
        )
        return self._ok(_listing("Pages", items, token))

    def list_pages_by_contact(self) -> Any:
        p = self._params()
        items, token = self.backend.list_pages_by_contact(
            p["ContactId"], next_token=p.get("NextToken"), max_results=p.get("MaxResults")
        )
        return self._ok(_listing("Pages", items, token))

    def describe_page(self) -> Any:
        p = self._params()
        return self._ok(self.backend.describe_page(p["PageId"]))

    def list_page_receipts(self) -> Any:
        p = self._params()
        items, token = self.backend.list_page_receipts(
            p["PageId"], next_token=p.get("NextToken"), max_results=p.get("MaxResults")
        )
        return self._ok(_listing("Receipts", items, token))

    def list_page_resolutions(self) -> Any:
        p = self._params()
        return self._ok({"PageResolutions": self.backend.list_page_resolutions(p["PageId"])})

    def accept_page(self) -> Any:
        p = self._params()
        self.backend.accept_page(
            p["PageId"],
            accept_type=p["AcceptType"],
            accept_code=p["AcceptCode"],
            contact_channel_id=p.get("ContactChannelId"),
            note=p.get("Note"),
            accept_code_validation=p.get("AcceptCodeValidation"),
        )
        return self._ok()

    # -- tags -------------------------------------------------------------------------------------

    def tag_resource(self) -> Any:
        p = self._params()
        self.backend.tag_resource(p["ResourceARN"], p["Tags"])
        return self._ok()

    def untag_resource(self) -> Any:
        p = self._params()
        self.backend.untag_resource(p["ResourceARN"], p["TagKeys"])
        return self._ok()

    def list_tags_for_resource(self) -> Any:
        p = self._params()
        return self._ok({"Tags": self.backend.list_tags_for_resource(p["ResourceARN"])})
