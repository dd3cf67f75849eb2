"""The json 1.1 wire protocol of ssm-contacts: parse, validate, call the backend, serialise.

Faults and call counters wrap every operation here (and only here), so the
control endpoint is never throttled, failed or dropped.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from botocore.exceptions import ConnectionClosedError

from ..drill import faults
from ..drill.clock import clock
from ..moto_compat import BaseResponse, camelcase_to_underscores
from .exceptions import (
    DropResponse,
    InternalServerException,
    SerializationException,
    SSMContactsError,
    ThrottlingException,
    UnknownOperationException,
    ValidationException,
)
from .models import SSMContactsBackend, ssmcontacts_backends
from .validation import operation_model, operation_names, parse_timestamp, validate_input

JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}
TARGET_PREFIX = "SSMContacts"
#: Deepest nesting of arrays/objects a request body may have; the model's deepest shape
#: (Plan.Stages[].Targets[].ContactTargetInfo) is 5 levels, so 32 is generous and bounded.
MAX_BODY_DEPTH = 32

_log = logging.getLogger(__name__)

# Set by the emulator's HTTP server on its request threads: a dropped response then closes the
# socket; in-process it raises botocore's ConnectionClosedError instead.
serving = threading.local()


#: Not an AWS header: the emulator's --time-scale, for clients that measure service time.
TIME_SCALE_HEADER = "x-emulator-time-scale"


def service_date() -> str:
    """The HTTP ``Date`` of a response: the virtual clock, as AWS's ``Date`` follows AWS's clock."""
    return format_datetime(clock.now(), usegmt=True)


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


def _too_deep(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/dicts more than ``limit`` levels (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_body(raw: bytes | str | None) -> dict[str, Any]:
    """A json 1.1 request body as a dict, or the protocol error the service would answer.

    Not JSON text at all (bad UTF-8, a syntax error, nesting past the parser's limit) is a
    ValidationException with the model's ``Reason: CANNOT_PARSE``; JSON that cannot be the
    operation's input structure (an array, a scalar, nesting past ``MAX_BODY_DEPTH``) is a
    SerializationException, as AWS's json protocol answers a type mismatch.
    """
    if raw is None:
        return {}
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationException("The request body is not valid UTF-8", reason="CANNOT_PARSE") from None
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ValidationException(
            "The request body is nested too deeply to parse", reason="CANNOT_PARSE"
        ) from None
    except ValueError:
        raise ValidationException("The request body is not valid JSON", reason="CANNOT_PARSE") from None
    if not isinstance(data, dict):
        raise SerializationException(
            f"Start of structure or map expected, found a JSON {type(data).__name__}"
        )
    if _too_deep(data, MAX_BODY_DEPTH):
        raise SerializationException(f"The request body nests deeper than {MAX_BODY_DEPTH} levels")
    return data


#: CreateContact's and ListContacts' ``Type``, as the backend names it (``type`` is Python's).
_CONTACT_TYPE = {"Type": "contact_type"}


def forwarded(
    answer: str | None = None, *, listing: str | None = None, renamed: Mapping[str, str] | None = None
) -> Callable[[SSMContactsResponse], Any]:
    """The handler of an operation that only validates, calls the backend and serialises: see
    :meth:`SSMContactsResponse._forward` (the others have handlers of their own below)."""

    renamed = dict(renamed or {})

    def handler(self: SSMContactsResponse) -> Any:
        return self._forward(answer, listing, renamed)

    handler.renamed = renamed  # type: ignore[attr-defined]  # for the backend-signature test
    return handler


class SSMContactsResponse(BaseResponse):
    """Handler for SSMContacts.* targets.

    Every answer, including a malformed request's, is a json 1.1 response: nothing this class
    is given can make moto's HTTP app answer with its HTML 500 page.
    """

    # The body stays bytes: moto would decode it as UTF-8 before we could answer a bad one.
    use_raw_body = True

    def setup_class(
        self, request: Any, full_url: str, headers: Any, use_raw_body: bool | None = None
    ) -> None:
        # Older moto (before the class attribute) reads only this parameter, defaulting to False.
        super().setup_class(request, full_url, headers, use_raw_body=True)

    def __init__(self) -> None:
        super().__init__(service_name="ssm-contacts")
        self.response_headers: dict[str, Any] = {}
        self.is_werkzeug_request = False
        self.params: dict[str, Any] = {}

    @property
    def backend(self) -> SSMContactsBackend:
        return ssmcontacts_backends[self.current_account][self.region]

    # -- plumbing ---------------------------------------------------------------------------------

    def _dispatch(self, request: Any, full_url: str | None = None, headers: Any = None) -> Any:
        try:
            self.setup_class(request, full_url, headers)
        except Exception:  # e.g. a gzip body that is not gzip: moto's set-up would 500
            self.is_werkzeug_request = bool(getattr(request, "from_wsgi_server", False))
            return self._respond(*self._error(SerializationException("The request body cannot be read")))
        return self.call_action()

    def _respond(self, status: int, headers: dict[str, Any], body: str) -> tuple[int, dict[str, Any], str]:
        merged = {k: v for k, v in self.response_headers.items() if k.lower() != "date"}
        merged.update({k: v for k, v in headers.items() if k.lower() != "date"})
        if not self.is_werkzeug_request:
            # In-process moto is the whole stack and supplies the Date; over HTTP the server does
            # (from the same virtual clock), and a second Date header would be merged into one.
            merged["date"] = service_date()
        # How fast the service's clock runs against real time: a client judging "started during my
        # call" from the Date and its own measured duration scales that duration by it.
        merged[TIME_SCALE_HEADER] = f"{clock.time_scale:g}"
        return status, merged, body

    def _error(self, error: SSMContactsError) -> tuple[int, dict[str, str], str]:
        headers = dict(error.get_headers())
        return error.code, headers, error.get_body()

    def _operation(self) -> str:
        """The operation named by ``X-Amz-Target: SSMContacts.<Operation>``, strictly."""
        target = (self.headers.get("X-Amz-Target") or "").strip()
        prefix, dot, operation = target.partition(".")
        if not dot or prefix != TARGET_PREFIX or operation not in operation_names():
            shown = target[:100] or "(none)"
            raise UnknownOperationException(f"Unknown operation: X-Amz-Target {shown}")
        return operation

    def call_action(self) -> Any:
        try:
            return self._respond(*self._call())
        except (DropResponse, ConnectionClosedError):
            raise  # fault injection's "commit, then drop"
        except Exception:
            # A bug must still answer in the service's shape, never moto's HTML 500.
            _log.exception("ssm-contacts emulator: unexpected error")
            bug = InternalServerException("Internal server error (emulator bug)")
            return self._respond(*self._error(bug))

    def _call(self) -> Any:
        try:
            operation = self._operation()
        except SSMContactsError as error:
            return self._error(error)
        decision = faults.decide(operation)
        if decision.latency_s:
            time.sleep(decision.latency_s)
        try:
            if decision.throttled:
                raise ThrottlingException(operation)
            if decision.error:
                raise InternalServerException()
            name = camelcase_to_underscores(operation)
            # Only this class's operation methods: never one of moto's BaseResponse helpers.
            handler = getattr(self, name) if name in vars(SSMContactsResponse) else None
            if handler is None:
                raise ValidationException(
                    f"{operation} is not implemented by the ssm-contacts emulator", reason="UNKNOWN_OPERATION"
                )
            self.params = parse_body(self.body)
            status, headers, body = handler()
        except SSMContactsError as error:
            return self._error(error)
        if decision.drop:
            self._drop()
        return status, headers, body

    def _drop(self) -> None:
        if getattr(serving, "active", False):
            raise DropResponse()
        raise ConnectionClosedError(endpoint_url=self.uri or "https://ssm-contacts.amazonaws.com/")

    def _params(self) -> dict[str, Any]:
        validate_input(self._operation(), self.params)
        return self.params

    @staticmethod
    def _ok(payload: dict[str, Any] | None = None) -> tuple[int, dict[str, str], str]:
        return 200, dict(JSON_HEADERS), json.dumps(to_wire(payload or {}))

    def _forward(self, answer: str | None, listing: str | None, renamed: Mapping[str, str]) -> Any:
        """Every input member of the operation's model, by keyword (snake_case, unless ``renamed``), to
        the backend method of the operation's name; its result answered under ``answer`` (a whole
        answer if None), or as a page of ``listing``. A member the request sets and the backend does
        not take fails loudly (an InternalServerException), never silently dropped; one it leaves
        out is not passed, so a newer botocore's optional member breaks no request that omits it.
        (tests/emulator/test_backend_signatures.py keeps the backend in step with the model.)"""
        operation = self._operation()
        p = self._params()  # validated before the backend is looked up, as in every handler
        members = operation_model(operation).input_shape.members
        method = getattr(self.backend, camelcase_to_underscores(operation))
        accepted = inspect.signature(method).parameters
        arguments = {renamed.get(name, camelcase_to_underscores(name)): p.get(name) for name in members}
        arguments = {k: v for k, v in arguments.items() if v is not None or k in accepted}
        result = method(**arguments)
        if listing is not None:
            return self._ok(_listing(listing, *result))
        return self._ok({answer: result} if answer else result)

    # -- contacts ---------------------------------------------------------------------------------

    create_contact = forwarded("ContactArn", renamed=_CONTACT_TYPE)
    get_contact = forwarded()
    list_contacts = forwarded(listing="Contacts", renamed=_CONTACT_TYPE)
    update_contact = forwarded()
    delete_contact = forwarded()

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

    get_contact_channel = forwarded()
    list_contact_channels = forwarded(listing="ContactChannels")

    def update_contact_channel(self) -> Any:
        p = self._params()
        address = (p.get("DeliveryAddress") or {}).get("SimpleAddress")
        self.backend.update_contact_channel(p["ContactChannelId"], name=p.get("Name"), address=address)
        return self._ok()

    activate_contact_channel = forwarded()
    deactivate_contact_channel = forwarded()
    send_activation_code = forwarded()
    delete_contact_channel = forwarded()

    # -- engagements ------------------------------------------------------------------------------

    start_engagement = forwarded("EngagementArn")
    describe_engagement = forwarded()
    stop_engagement = forwarded()

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

    list_pages_by_engagement = forwarded(listing="Pages")
    list_pages_by_contact = forwarded(listing="Pages")
    describe_page = forwarded()
    list_page_receipts = forwarded(listing="Receipts")

    def list_page_resolutions(self) -> Any:
        # Not forwarded: the emulator answers every resolution in one page, so NextToken goes unused.
        p = self._params()
        return self._ok({"PageResolutions": self.backend.list_page_resolutions(p["PageId"])})

    accept_page = forwarded()

    # -- rotations, overrides, shifts (on-call schedules) ----------------------------------------

    create_rotation = forwarded("RotationArn")
    get_rotation = forwarded()
    update_rotation = forwarded()
    delete_rotation = forwarded()
    list_rotations = forwarded(listing="Rotations")
    create_rotation_override = forwarded("RotationOverrideId")
    get_rotation_override = forwarded()
    delete_rotation_override = forwarded()
    list_rotation_overrides = forwarded(listing="RotationOverrides")
    list_rotation_shifts = forwarded(listing="RotationShifts")
    list_preview_rotation_shifts = forwarded(listing="RotationShifts")

    # -- contact policies -------------------------------------------------------------------------

    put_contact_policy = forwarded()
    get_contact_policy = forwarded()

    # -- tags -------------------------------------------------------------------------------------

    tag_resource = forwarded()
    untag_resource = forwarded()
    list_tags_for_resource = forwarded("Tags")
