"""The values the core deals in: the page to send (StartRequest) and what the service reports back.

StartRequest is the one place the page's fields are written. Everything else that lists them
(the token's identifying fields, matching, the adapters' options and properties) derives from
:func:`page_fields`, which checks each field against botocore's model of StartEngagement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from .errors import FieldViolation, ValidationError, WaitTimeout
from .timeutil import iso, to_utc
from .validation import field_name, input_shape, validate

START_OPERATION = "StartEngagement"
DEDUP_KEY_MAX = 256
# Lone surrogates: what Python makes of bytes in argv or a log tail that are not UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]+")
#: Field metadata: one of the API's "secure" fields (secret in Pulumi, no_log in Ansible).
_SECURE = {"secure": True}
#: Field metadata: the member botocore's model marks as the idempotency token.
_TOKEN = {"token": True}
#: Field metadata: the core's own field, not a StartEngagement member.
_CORE_ONLY = {"member": False}


def clean_text(value: Any) -> Any:
    """Undecodable bytes become U+FFFD; anything that is not a string is returned as it is."""
    if not isinstance(value, str) or not _SURROGATES.search(value):
        return value
    try:  # bytes smuggled in by surrogateescape decode back to what they were, then replaced
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", value)


@dataclass(frozen=True)
class StartRequest:
    """What StartEngagement needs, in snake_case; the token is derived when not given.

    The field order is the token's canonical order (see token.py): a new member goes last.
    """

    contact_id: str
    sender: str
    subject: str = field(metadata=_SECURE)
    content: str = field(metadata=_SECURE)
    public_subject: str | None = field(default=None, metadata=_SECURE)
    public_content: str | None = field(default=None, metadata=_SECURE)
    incident_id: str | None = None
    idempotency_token: str | None = field(default=None, metadata=_TOKEN)
    #: Pages to the same contact with the same key share episodes whatever their text.
    dedup_key: str | None = field(default=None, metadata=_CORE_ONLY)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            cleaned = clean_text(value)
            if cleaned is not value:
                object.__setattr__(self, f.name, cleaned)

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> StartRequest:
        """Build from a snake_case mapping, ignoring keys that are not request fields."""
        names = request_field_names()
        return cls(**{k: v for k, v in values.items() if k in names})  # type: ignore[arg-type]

    def given_params(self) -> dict[str, Any]:
        """The StartEngagement members as given (API names), absent ones left out."""
        params = {_api_name(name): getattr(self, name) for name in MEMBER_FIELDS}
        if not params.get(TOKEN_MEMBER):
            params.pop(TOKEN_MEMBER, None)  # "" counts as absent
        return {k: v for k, v in params.items() if v is not None}

    def api_params(self, token_scope: str | None = None) -> dict[str, Any]:
        """StartEngagement parameters, with the explicit or derived token."""
        return _with_token(self.given_params(), token_scope)

    def validated_params(self, token_scope: str | None = None) -> dict[str, Any]:
        """The StartEngagement parameters, token included; raises ValidationError naming every broken rule."""
        violations = []
        given = self.given_params()
        try:
            validate(START_OPERATION, given)
        except ValidationError as exc:
            violations.extend(exc.violations)
        violations.extend(self.dedup_key_violations())
        if violations:
            raise ValidationError(START_OPERATION, violations)
        return _with_token(given, token_scope)

    #: The name adapters outside the core still call.
    validate = validated_params

    def dedup_key_violations(self) -> list[FieldViolation]:
        """Broken rules of ``dedup_key`` (not a service member: the core's own rules)."""
        key = self.dedup_key
        if key is None:
            return []

        def broken(rule: str, message: str) -> list[FieldViolation]:
            return [FieldViolation("dedup_key", TOKEN_MEMBER, rule, message, DEDUP_KEY_MAX)]

        if not isinstance(key, str):
            return broken("type", "must be a string")
        if not key:
            return broken("min_length", "shorter than 1 character")
        if len(key) > DEDUP_KEY_MAX:
            return broken("max_length", f"longer than {DEDUP_KEY_MAX} characters")
        if any(ord(c) < 32 or ord(c) == 127 for c in key):
            return broken("pattern", "must not contain control characters")
        if self.idempotency_token:
            return broken("exclusive", "cannot be combined with idempotency_token (the token names the page)")
        return []

    def token(self, token_scope: str | None = None) -> str:
        """The token of the alert's first episode (or the explicit token)."""
        return self.api_params(token_scope)[TOKEN_MEMBER]

    def base_token(self, token_scope: str | None = None) -> str:
        """The token of the alert's first episode: from the dedup key if given, else from the page."""
        from .token import dedup_token, derive_token

        if self.idempotency_token:
            return self.idempotency_token
        if self.dedup_key:
            return dedup_token(self.contact_id, self.dedup_key, token_scope)
        return derive_token(self.given_params(), token_scope)


def _with_token(given: dict[str, Any], token_scope: str | None) -> dict[str, Any]:
    """``given`` (StartRequest.given_params) with the explicit or derived token."""
    from .token import resolve_token  # token.py reads the field order from this module

    return {**given, TOKEN_MEMBER: resolve_token(given, token_scope)}


def _api_name(name: str) -> str:
    """The StartEngagement member a request field carries ("incident_id" -> "IncidentId")."""
    return "".join(part.capitalize() for part in name.split("_"))


#: StartRequest's fields that are StartEngagement members, in its order.
MEMBER_FIELDS = tuple(f.name for f in fields(StartRequest) if f.metadata.get("member", True))
TOKEN_MEMBER = next(_api_name(f.name) for f in fields(StartRequest) if f.metadata.get("token"))
#: The API's "secure" fields: secret in Pulumi's state, no_log and left out of Ansible's results.
SECURE_FIELDS = tuple(f.name for f in fields(StartRequest) if f.metadata.get("secure"))
#: The members that identify a page (all but the token), in the token's canonical order.
IDENTIFYING_FIELDS = tuple(_api_name(name) for name in MEMBER_FIELDS if _api_name(name) != TOKEN_MEMBER)


class PageField(NamedTuple):
    """One StartEngagement member as the request, the adapters and the service name it."""

    api_name: str
    name: str
    required: bool
    secure: bool
    max_length: int | None


@lru_cache(maxsize=1)
def page_fields() -> tuple[PageField, ...]:
    """StartRequest's StartEngagement members, in its order, as botocore's model describes them.

    A request field the model does not know is an error here; a model member the request lacks
    is caught by tests/core/test_page_fields.py (a newer botocore must not break a page).
    """
    shape = input_shape(START_OPERATION)
    described = []
    for f in fields(StartRequest):
        if f.name not in MEMBER_FIELDS:
            continue
        api = _api_name(f.name)
        if api not in shape.members or field_name(api) != f.name:
            raise LookupError(f"StartRequest.{f.name} is not the member {api} of {START_OPERATION}")
        required = api in shape.required_members
        secure = bool(f.metadata.get("secure"))
        described.append(PageField(api, f.name, required, secure, shape.members[api].metadata.get("max")))
    return tuple(described)


def request_field_names() -> tuple[str, ...]:
    """Every StartRequest field (the page's members, then the core's own such as dedup_key)."""
    return tuple(f.name for f in fields(StartRequest))


def _matched_names(cls: type) -> tuple[str, ...]:
    """The page's identifying fields that ``cls`` reports under the same name."""
    own = {f.name for f in fields(cls)}
    return tuple(name for name in MEMBER_FIELDS if name in own and _api_name(name) in IDENTIFYING_FIELDS)


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and datetimes as plain JSON-ready values (ISO 8601 UTC strings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _ToDict:
    """What every reported value (and the metrics) shares: one way of becoming JSON-ready."""

    def to_dict(self) -> dict[str, Any]:
        """snake_case keys, timestamps as ISO 8601 UTC strings, durations as float seconds."""
        return _plain(self)

    def field_dict(self, *names: str) -> dict[str, Any]:
        """The named fields as :meth:`to_dict` has them, without converting all the others."""
        return {name: _plain(getattr(self, name)) for name in names}


_Reported = TypeVar("_Reported", bound="_ServiceRecord")


class _ServiceRecord(_ToDict):
    """A dataclass holding one of the service's answers, its members renamed snake_case."""

    @classmethod
    def from_api(cls: type[_Reported], data: dict[str, Any], **given: Any) -> _Reported:
        """Build from the API-shaped ``data``: timestamps become aware UTC datetimes, members this
        class does not declare are left out, and ``given`` values (already converted) win."""
        declared = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
        values = {}
        for member, value in data.items():
            name = field_name(member)
            if name in declared:  # annotations are strings here (postponed), e.g. "datetime | None"
                values[name] = to_utc(value) if "datetime" in str(declared[name].type) else value
        return cls(**{**values, **given})


@dataclass(frozen=True)
class Engagement(_ServiceRecord):
    """DescribeEngagement's output in snake_case (tests check it against the model)."""

    engagement_arn: str
    contact_arn: str | None = None
    sender: str | None = None
    subject: str | None = None
    content: str | None = None
    public_subject: str | None = None
    public_content: str | None = None
    incident_id: str | None = None
    start_time: datetime | None = None
    stop_time: datetime | None = None

    @property
    def stopped(self) -> bool:
        return self.stop_time is not None

    def matches(self, request: StartRequest) -> bool:
        """True if this engagement is the page the request describes."""
        return self.contact_arn == request.contact_id and same_page_fields(self, request)


def same_page_fields(reported: Any, request: StartRequest) -> bool:
    """Whether ``reported`` (an Engagement or a summary) has the request's identifying fields it shows.

    Absent and empty are the same here: the service leaves an empty optional member out.
    """
    return all(
        (getattr(reported, name) or "") == (getattr(request, name) or "")
        for name in _matched_names(type(reported))
    )


def preview(request: StartRequest) -> dict[str, Any]:
    """The engagement ``request`` would start, shaped as Engagement.to_dict() (no ARN or times yet)."""
    data: dict[str, Any] = {f.name: None for f in fields(Engagement)}
    data.update({name: getattr(request, name) for name in _matched_names(Engagement)})
    data["contact_arn"] = request.contact_id
    return data


@dataclass(frozen=True)
class EngagementSummary(_ServiceRecord):
    engagement_arn: str
    contact_arn: str | None = None
    sender: str | None = None
    incident_id: str | None = None
    start_time: datetime | None = None
    stop_time: datetime | None = None


@dataclass(frozen=True)
class Receipt(_ServiceRecord):
    receipt_type: str
    receipt_time: datetime | None = None
    contact_channel_arn: str | None = None
    receipt_info: str | None = None


@dataclass(frozen=True)
class Page(_ServiceRecord):
    page_arn: str
    engagement_arn: str | None = None
    contact_arn: str | None = None
    sender: str | None = None
    incident_id: str | None = None
    sent_time: datetime | None = None
    delivery_time: datetime | None = None
    read_time: datetime | None = None
    receipts: tuple[Receipt, ...] = field(default_factory=tuple)

    @property
    def acknowledged(self) -> bool:
        return self.read_time is not None or any(r.receipt_type == "READ" for r in self.receipts)

    def to_dict(self) -> dict[str, Any]:
        """As every record, with ``acknowledged`` (derived, not a member) just before the receipts."""
        data = super().to_dict()
        receipts = data.pop("receipts")
        return {**data, "acknowledged": self.acknowledged, "receipts": receipts}


@dataclass(frozen=True)
class StartOutcome:
    """Result of ensure_started.

    ``changed`` is true only when this call paged (or, in check mode, would page). ``engagement``
    is None only for a check-mode page; when the page went out but could not be read back it holds
    the ARN alone and ``read_back`` is False. ``warnings`` are for the user, one line each.
    """

    changed: bool
    engagement: Engagement | None
    idempotency_token: str
    warnings: tuple[str, ...] = ()
    read_back: bool = True


#: Wait outcomes: only the first is success.
ACKNOWLEDGED = "acknowledged"
ENDED_UNACKNOWLEDGED = "ended_unacknowledged"
TIMED_OUT = WaitTimeout.status


@dataclass(frozen=True)
class WaitResult:
    """How a wait ended: ``acknowledged`` (a READ receipt) or ``ended_unacknowledged`` (the plan ran
    out, or someone stopped the engagement, before anyone read a page). A timeout raises WaitTimeout."""

    status: str
    engagement: Engagement
    pages: tuple[Page, ...]

    @property
    def acknowledged(self) -> bool:
        return self.status == ACKNOWLEDGED

    @property
    def acknowledged_by(self) -> list[str]:
        return [p.contact_arn for p in self.pages if p.acknowledged and p.contact_arn]

    @property
    def stop_receipts(self) -> list[Receipt]:
        return [r for p in self.pages for r in p.receipts if r.receipt_type == "STOP"]

    @property
    def stopped_by_request(self) -> bool:
        """True when StopEngagement ended it (the service leaves STOP receipts), not the plan."""
        return bool(self.stop_receipts)

    @property
    def stop_reason(self) -> str | None:
        return next((r.receipt_info for r in self.stop_receipts if r.receipt_info), None)
