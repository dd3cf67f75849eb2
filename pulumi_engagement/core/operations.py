"""Start, describe, stop, list, find and wait: every call the adapters make, in one place."""

from __future__ import annotations

import contextlib
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from .client import ClientConfig, make_client
from .errors import (
    EngagementError,
    FieldViolation,
    ServiceValidationError,
    ValidationError,
    WaitTimeout,
    is_transient,
    translate,
)
from .localstate import LocalState
from .timeutil import iso, to_utc, utcnow
from .token import dedup_token, derive_token, next_episode_token, resolve_token
from .validation import field_name, validate

DEFAULT_FIND_WINDOW = timedelta(hours=24)
#: Least tolerated clock difference between this machine and the service when filtering by time.
CLOCK_SKEW = timedelta(minutes=5)
#: Episodes of one alert walked through before paging with a one-off token (a flapping alert
#: seen for the first time on a machine with no hint costs 2 calls per earlier episode).
MAX_EPISODE_WALK = 128
#: Look-ups that only inform (check mode, state=stopped, a dedup-key conflict) read at most this
#: many ListEngagements pages and describe at most MAX_LOOKUP_DESCRIBES candidates.
MAX_LOOKUP_PAGES = 5
MAX_LOOKUP_DESCRIBES = 10
#: Attempts to read a started engagement back before reporting it with its ARN only.
READ_BACK_ATTEMPTS = 4
DEDUP_KEY_MAX = 256
# Lone surrogates: what Python makes of bytes in argv or a log tail that are not UTF-8.
_SURROGATES = re.compile("[\ud800-\udfff]+")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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
    """What StartEngagement needs, in snake_case; the token is derived when not given."""

    contact_id: str
    sender: str
    subject: str
    content: str
    public_subject: str | None = None
    public_content: str | None = None
    incident_id: str | None = None
    idempotency_token: str | None = None
    #: Pages to the same contact with the same key share episodes whatever their text.
    dedup_key: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            cleaned = clean_text(value)
            if cleaned is not value:
                object.__setattr__(self, f.name, cleaned)

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> StartRequest:
        """Build from a snake_case mapping, ignoring keys that are not request fields."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})  # type: ignore[arg-type]

    def given_params(self) -> dict[str, Any]:
        """The StartEngagement members as given (API names), absent ones left out."""
        params = {
            "ContactId": self.contact_id,
            "Sender": self.sender,
            "Subject": self.subject,
            "Content": self.content,
            "PublicSubject": self.public_subject,
            "PublicContent": self.public_content,
            "IncidentId": self.incident_id,
            "IdempotencyToken": self.idempotency_token or None,  # "" counts as absent
        }
        return {k: v for k, v in params.items() if v is not None}

    def api_params(self, token_scope: str | None = None) -> dict[str, Any]:
        """StartEngagement parameters, with the explicit or derived token."""
        params = self.given_params()
        params["IdempotencyToken"] = resolve_token(params, token_scope)
        return params

    def validate(self, token_scope: str | None = None) -> dict[str, Any]:
        """The validated API parameters; raises ValidationError naming every broken rule."""
        violations = []
        try:
            validate("StartEngagement", self.given_params())
        except ValidationError as exc:
            violations.extend(exc.violations)
        violations.extend(self.dedup_key_violations())
        if violations:
            raise ValidationError("StartEngagement", violations)
        return self.api_params(token_scope)

    def dedup_key_violations(self) -> list[FieldViolation]:
        """Broken rules of ``dedup_key`` (not a service member: the core's own rules)."""
        key = self.dedup_key
        if key is None:
            return []

        def broken(rule: str, message: str) -> list[FieldViolation]:
            return [FieldViolation("dedup_key", "IdempotencyToken", rule, message, DEDUP_KEY_MAX)]

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
        return self.api_params(token_scope)["IdempotencyToken"]

    def base_token(self, token_scope: str | None = None) -> str:
        """The token of the alert's first episode: from the dedup key if given, else from the page."""
        if self.idempotency_token:
            return self.idempotency_token
        if self.dedup_key:
            return dedup_token(self.contact_id, self.dedup_key, token_scope)
        return derive_token(self.given_params(), token_scope)


@dataclass(frozen=True)
class Engagement:
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

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Engagement:
        values = {field_name(k): v for k, v in data.items() if k != "ResponseMetadata"}
        values["start_time"] = to_utc(values.get("start_time"))
        values["stop_time"] = to_utc(values.get("stop_time"))
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        """snake_case, timestamps as ISO 8601 UTC strings."""
        data = asdict(self)
        data["start_time"] = iso(self.start_time)
        data["stop_time"] = iso(self.stop_time)
        return data

    def matches(self, request: StartRequest) -> bool:
        """True if this engagement is the page the request describes."""
        return (
            self.contact_arn == request.contact_id
            and (self.sender or "") == (request.sender or "")
            and (self.subject or "") == (request.subject or "")
            and (self.content or "") == (request.content or "")
            and (self.public_subject or "") == (request.public_subject or "")
            and (self.public_content or "") == (request.public_content or "")
            and (self.incident_id or "") == (request.incident_id or "")
        )


@dataclass(frozen=True)
class EngagementSummary:
    engagement_arn: str
    contact_arn: str | None = None
    sender: str | None = None
    incident_id: str | None = None
    start_time: datetime | None = None
    stop_time: datetime | None = None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> EngagementSummary:
        return cls(
            engagement_arn=data["EngagementArn"],
            contact_arn=data.get("ContactArn"),
            sender=data.get("Sender"),
            incident_id=data.get("IncidentId"),
            start_time=to_utc(data.get("StartTime")),
            stop_time=to_utc(data.get("StopTime")),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start_time"] = iso(self.start_time)
        data["stop_time"] = iso(self.stop_time)
        return data


@dataclass(frozen=True)
class Receipt:
    receipt_type: str
    receipt_time: datetime | None = None
    contact_channel_arn: str | None = None
    receipt_info: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["receipt_time"] = iso(self.receipt_time)
        return data


@dataclass(frozen=True)
class Page:
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
        return {
            "page_arn": self.page_arn,
            "engagement_arn": self.engagement_arn,
            "contact_arn": self.contact_arn,
            "sender": self.sender,
            "incident_id": self.incident_id,
            "sent_time": iso(self.sent_time),
            "delivery_time": iso(self.delivery_time),
            "read_time": iso(self.read_time),
            "acknowledged": self.acknowledged,
            "receipts": [r.to_dict() for r in self.receipts],
        }


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


class EngagementClient:
    """The core's operations over one botocore ssm-contacts client.

    Every input is validated against the service model before a request leaves;
    botocore errors come out as the core's error hierarchy.
    """

    def __init__(
        self,
        client: Any,
        now: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        local_state: LocalState | None = None,
    ) -> None:
        self.client = client
        #: Wall clock for find()'s time window; injectable so tests can use the emulator's clock.
        self.now = now
        #: Backoff between attempts the core adds to botocore's (see _call); injectable for tests.
        self.sleep = sleep
        self.rng = rng or random.Random()
        #: Per-user lock and hint files (see localstate); injectable so tests can point elsewhere.
        self.local_state = local_state or LocalState()
        # The service's clock as the last response on this thread showed it (its HTTP Date).
        self._seen = threading.local()

    @classmethod
    def from_config(cls, config: ClientConfig | None = None, **options: Any) -> EngagementClient:
        return cls(make_client(config, **options))

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        params = validate(operation, params)
        method = getattr(self.client, field_name(operation))
        retries = getattr(getattr(self.client.meta, "config", None), "retries", None) or {}
        budget = int(retries.get("total_max_attempts") or 1)
        used = 0
        while True:
            try:
                response = method(**params)
            except Exception as exc:
                # A dropped connection raises with no response at all: nothing to read from it.
                metadata = (getattr(exc, "response", None) or {}).get("ResponseMetadata") or {}
                self._note_service_time(metadata)
                # botocore's retry quota is shared by every call of a client: under sustained
                # throttling a busy shared client gives up before this call used its own attempts.
                # Go on, with the same parameters (so the same idempotency token), until it has.
                used += int(metadata.get("RetryAttempts", 0)) + 1
                if not metadata.get("RetryQuotaReached") or used >= budget:
                    raise translate(exc, operation) from None
                self.sleep(min(20.0, self.rng.uniform(0, 2.0**used)))
                continue
            self._note_service_time(response.get("ResponseMetadata") or {})
            return response

    def _note_service_time(self, metadata: dict[str, Any]) -> None:
        date = (metadata.get("HTTPHeaders") or {}).get("date")
        if not date:
            return
        try:
            self._seen.service_time = parsedate_to_datetime(date).astimezone(timezone.utc)
        except (TypeError, ValueError, IndexError, OverflowError):
            return

    def _service_time_mark(self) -> datetime | None:
        """The service's clock at the last response on this thread, to the second (rounded down)."""
        return getattr(self._seen, "service_time", None)

    # -- single calls -------------------------------------------------------------------

    def start(self, request: StartRequest, token_scope: str | None = None) -> str:
        """StartEngagement; returns the engagement ARN. Retries reuse the same token."""
        params = request.validate(token_scope)
        return self._call("StartEngagement", params)["EngagementArn"]

    def describe(self, engagement_arn: str) -> Engagement:
        return Engagement.from_api(self._call("DescribeEngagement", {"EngagementId": engagement_arn}))

    def stop(self, engagement_arn: str, reason: str | None = None) -> bool:
        """Stop a running engagement; False (not an error) when it had already stopped."""
        validate("StopEngagement", {"EngagementId": engagement_arn, "Reason": reason})
        if self.describe(engagement_arn).stopped:
            return False
        return self._stop_running(engagement_arn, reason)

    def _stop_running(self, engagement_arn: str, reason: str | None) -> bool:
        try:
            self._call("StopEngagement", {"EngagementId": engagement_arn, "Reason": reason})
        except ServiceValidationError:
            # Stopped between our describe and our stop (by a person or the last stage ending).
            if self.describe(engagement_arn).stopped:
                return False
            raise
        return True

    def list(
        self,
        incident_id: str | None = None,
        start_time: datetime | str | None = None,
        end_time: datetime | str | None = None,
        page_size: int | None = None,
        max_pages: int | None = None,
    ) -> list[EngagementSummary]:
        """Engagements (every page of results, or the first ``max_pages``), by incident and time."""
        params: dict[str, Any] = {"IncidentId": incident_id, "MaxResults": page_size}
        if start_time is not None or end_time is not None:
            params["TimeRangeValue"] = {
                k: v
                for k, v in (("StartTime", _time_field(start_time)), ("EndTime", _time_field(end_time)))
                if v is not None
            }
        return [
            EngagementSummary.from_api(item)
            for item in self._paginate("ListEngagements", params, "Engagements", max_pages)
        ]

    def pages(self, engagement_arn: str, receipts: bool = True) -> list[Page]:
        """Pages of an engagement, each with its receipts when asked."""
        pages = []
        for item in self._paginate("ListPagesByEngagement", {"EngagementId": engagement_arn}, "Pages"):
            page_receipts: tuple[Receipt, ...] = ()
            if receipts:
                page_receipts = tuple(
                    Receipt(
                        receipt_type=r["ReceiptType"],
                        receipt_time=to_utc(r.get("ReceiptTime")),
                        contact_channel_arn=r.get("ContactChannelArn"),
                        receipt_info=r.get("ReceiptInfo"),
                    )
                    for r in self._paginate("ListPageReceipts", {"PageId": item["PageArn"]}, "Receipts")
                )
            pages.append(
                Page(
                    page_arn=item["PageArn"],
                    engagement_arn=item.get("EngagementArn"),
                    contact_arn=item.get("ContactArn"),
                    sender=item.get("Sender"),
                    incident_id=item.get("IncidentId"),
                    sent_time=to_utc(item.get("SentTime")),
                    delivery_time=to_utc(item.get("DeliveryTime")),
                    read_time=to_utc(item.get("ReadTime")),
                    receipts=page_receipts,
                )
            )
        return pages

    def _paginate(
        self, operation: str, params: dict[str, Any], key: str, max_pages: int | None = None
    ) -> Iterator[dict[str, Any]]:
        params = {k: v for k, v in params.items() if v is not None}
        seen_tokens: set[str] = set()
        fetched = 0
        while True:
            response = self._call(operation, params)
            fetched += 1
            yield from response.get(key, [])
            token = response.get("NextToken")
            if not token or token in seen_tokens:  # a repeated token would loop forever
                return
            if max_pages is not None and fetched >= max_pages:
                return
            seen_tokens.add(token)
            params = {**params, "NextToken": token}

    # -- look-ups that inform (never on the paging path) -----------------------------------

    def find(
        self,
        request: StartRequest,
        window: timedelta = DEFAULT_FIND_WINDOW,
        now: datetime | None = None,
        *,
        running_only: bool = False,
        max_pages: int = MAX_LOOKUP_PAGES,
        max_describes: int = MAX_LOOKUP_DESCRIBES,
    ) -> Engagement | None:
        """The newest engagement within window that is the page ``request`` describes, if any.

        Bounded: at most ``max_pages`` ListEngagements pages and ``max_describes``
        DescribeEngagement calls, newest candidates first, whatever the account's history.
        With a dedup key, any page to the contact from the sender (and incident) matches.
        """
        window = _bounded_window(window)
        now = now or self.now()
        summaries = self.list(
            incident_id=request.incident_id or None,
            start_time=now - window,
            # The service's clock may run ahead of ours (an emulator set far ahead): look as far
            # forward as back, so a page is still found.
            end_time=now + max(window, CLOCK_SKEW),
            max_pages=max_pages,
        )
        candidates = [
            s
            for s in summaries
            if s.contact_arn == request.contact_id
            and (not running_only or s.stop_time is None)
            and (s.sender or "") == (request.sender or "")
            and (s.incident_id or "") == (request.incident_id or "")
        ]
        candidates.sort(key=lambda s: s.start_time or now, reverse=True)
        for summary in candidates[:max_describes]:
            engagement = self.describe(summary.engagement_arn)
            if running_only and engagement.stopped:
                continue
            if request.dedup_key or engagement.matches(request):
                return engagement
        return None

    # -- paging ------------------------------------------------------------------------------

    def ensure_started(
        self,
        request: StartRequest,
        *,
        check_mode: bool = False,
        token_scope: str | None = None,
        serialize: bool = True,
        window: timedelta = DEFAULT_FIND_WINDOW,
    ) -> StartOutcome:
        """Page unless this alert's engagement is still running; report truthfully whether it paged.

        The dedup rule (PagerDuty's): while the alert's engagement runs, the same alert pages
        nobody; once it has stopped (by anyone, or its plan ended) the same alert pages again.
        See :meth:`_page_episode` for how, and the README's "Paging semantics" for the costs.
        ``window`` bounds only check mode's look-up (and nothing that pages).
        """
        params = request.validate(token_scope)
        if request.idempotency_token:
            return self._page_explicit(request, params, check_mode)
        base = request.base_token(token_scope)
        if check_mode:
            return self._predict(request, base, window)
        lock = self.local_state.lock(base) if serialize else contextlib.nullcontext(True)
        with lock as held:
            warnings = []
            if not held:
                warnings.append(
                    f"paging without the local lock ({self.local_state.problem}); the token still "
                    "prevents a second page, but 'changed' may be reported by more than one process"
                )
            return self._page_episode(request, params, base, warnings)

    def _page_explicit(self, request: StartRequest, params: dict[str, Any], check_mode: bool) -> StartOutcome:
        """An explicit token is the caller's identity of a page: new pages, known returns its engagement."""
        token = params["IdempotencyToken"]
        if check_mode:
            # Nothing can tell whether the service knows a token without using it: say it would page.
            return StartOutcome(True, None, token, ("check mode cannot tell whether this token was used",))
        before = self._service_time_before_start()
        arn = self._start_or_conflict(params, token)
        if arn is None:
            raise ServiceValidationError(
                f"IdempotencyToken {token} was already used for a different page; "
                "a new page needs a new token",
                operation="StartEngagement",
            )
        return self._outcome(arn, token, before, (), known_old=False)

    def _page_episode(
        self, request: StartRequest, params: dict[str, Any], base: str, warnings: list[str]
    ) -> StartOutcome:
        """StartEngagement with the token of the alert's current episode, then read the result back.

        - Running and started before this call: the episode is open, nothing was paged.
        - Started during this call: this call paged.
        - Stopped and older: that episode is over; the next episode's token is derived from its ARN
          (every host derives the same one) and the walk goes on.
        The local hint starts the walk at the last engagement this machine saw for the alert.
        """
        token, before, seen = base, None, set()
        hint = self.local_state.read_hint(base)
        if hint is not None:
            try:
                hinted = self.describe(hint["arn"])
            except EngagementError:
                hinted = None  # gone, denied or unreachable: walk from the first episode
            if hinted is not None and hinted.contact_arn in (None, request.contact_id):
                if not hinted.stopped:
                    return StartOutcome(False, hinted, hint["token"], tuple(warnings))
                seen.add(hinted.engagement_arn)
                token, before = next_episode_token(base, hinted.engagement_arn), self._service_time_mark()
        for _ in range(MAX_EPISODE_WALK):
            if before is None:
                before = self._service_time_before_start()
            arn = self._start_or_conflict(params, token)
            if arn is None:  # a dedup key whose episode another host opened with other text
                return self._resolve_dedup_conflict(request, params, token, warnings)
            outcome = self._outcome(arn, token, before, warnings, known_old=arn in seen)
            if outcome.changed or not outcome.engagement.stopped:  # type: ignore[union-attr]
                self.local_state.write_hint(base, arn, token)
                return outcome
            seen.add(arn)
            token, before = next_episode_token(base, arn), self._service_time_mark()
        warnings.append(
            f"this alert has ended more than {MAX_EPISODE_WALK} times; paged with a one-off token "
            "(set a dedup_key or an explicit token to keep a flapping alert cheap)"
        )
        token = f"pe1-once-{uuid.uuid4().hex}"
        outcome = self._outcome(self._start_or_conflict(params, token) or "", token, before, warnings)
        return outcome

    def _start_or_conflict(self, params: dict[str, Any], token: str) -> str | None:
        """StartEngagement with ``token``; None when the service says the token belongs to other text."""
        try:
            return self._call("StartEngagement", {**params, "IdempotencyToken": token})["EngagementArn"]
        except ServiceValidationError as exc:
            named = [f.get("Name") for f in exc.fields] + [exc.message]
            if any("IdempotencyToken" in str(n) for n in named):
                return None
            raise

    def _outcome(
        self,
        arn: str,
        token: str,
        before: datetime | None,
        warnings: list[str] | tuple[str, ...],
        known_old: bool = False,
    ) -> StartOutcome:
        """Read the engagement back and judge whether this call started it (on the service's clock)."""
        engagement, problem = self._read_back(arn)
        if engagement is None:
            note = (
                f"the page was sent ({arn}) but reading it back failed ({problem}); "
                "if it was an earlier engagement of this alert, nothing new was paged"
            )
            return StartOutcome(True, Engagement(arn), token, (*warnings, note), read_back=False)
        new = not known_old and self._started_since(engagement, before)
        return StartOutcome(new, engagement, token, tuple(warnings))

    def _read_back(self, arn: str) -> tuple[Engagement | None, str | None]:
        problem = None
        for attempt in range(READ_BACK_ATTEMPTS):
            try:
                return self.describe(arn), None
            except EngagementError as exc:
                problem = str(exc)
                if not is_transient(exc):
                    break
                self.sleep(min(5.0, self.rng.uniform(0, 0.25 * 2**attempt)))
        return None, problem

    def _service_time_before_start(self) -> datetime | None:
        """The service's clock just before a StartEngagement, from a call that costs nothing to page.

        An empty ListEngagements (a time range in 1970) answers in constant time; its HTTP Date
        is the service's clock. Denied or failing, its error response still carries the Date; with
        no Date at all (a dropped connection) the judgement falls back to this machine's clock.
        """
        self._seen.service_time = None
        with contextlib.suppress(EngagementError):
            self._call(
                "ListEngagements",
                {"MaxResults": 1, "TimeRangeValue": {"StartTime": _EPOCH, "EndTime": _EPOCH}},
            )
        return self._service_time_mark()

    def _started_since(self, engagement: Engagement, before: datetime | None) -> bool:
        """Did ``engagement`` start at or after ``before`` (the service's clock before our call)?"""
        if engagement.start_time is None:
            return not engagement.stopped
        if before is None:
            before = self.now() - CLOCK_SKEW  # no service clock seen: allow for skew, err to "new"
        return engagement.start_time >= before

    def _resolve_dedup_conflict(
        self, request: StartRequest, params: dict[str, Any], token: str, warnings: list[str]
    ) -> StartOutcome:
        """Another host opened this dedup key's episode with other text: find it, or page anyway."""
        try:
            running = self.find(request, DEFAULT_FIND_WINDOW, running_only=True)
        except EngagementError as exc:
            running, warnings = None, [*warnings, f"could not look the open episode up ({exc})"]
        if running is not None:
            note = "this dedup key's engagement was started by another host with other text"
            return StartOutcome(False, running, token, (*warnings, note))
        own = next_episode_token(token, derive_token(request.given_params()))
        note = (
            "this dedup key's episode token was used with other text and no running engagement "
            "was found for it; paged with a token of this page's own"
        )
        before = self._service_time_before_start()
        arn = self._start_or_conflict(params, own) or ""
        return self._outcome(arn, own, before, (*warnings, note))

    def _predict(self, request: StartRequest, base: str, window: timedelta) -> StartOutcome:
        """Check mode: would a real run page? At most 1 + MAX_LOOKUP_PAGES + MAX_LOOKUP_DESCRIBES calls."""
        warnings: list[str] = []
        hint = self.local_state.read_hint(base)
        try:
            if hint is not None:
                hinted = self.describe(hint["arn"])
                if not hinted.stopped:
                    return StartOutcome(False, hinted, hint["token"])
                return StartOutcome(True, None, next_episode_token(base, hinted.engagement_arn))
            running = self.find(request, window, running_only=True)
        except EngagementError as exc:
            running = None
            warnings.append(f"could not look for a running engagement ({exc}); a real run would page")
        if running is not None:
            return StartOutcome(False, running, base, tuple(warnings))
        return StartOutcome(True, None, base, tuple(warnings))

    def ensure_stopped(
        self, engagement_arn: str, reason: str | None = None, check_mode: bool = False
    ) -> tuple[bool, Engagement, Engagement]:
        """(changed, before, after); check mode reports what a real run would do without stopping."""
        validate("StopEngagement", {"EngagementId": engagement_arn, "Reason": reason})
        before = self.describe(engagement_arn)
        if before.stopped:
            return False, before, before
        if check_mode:
            return True, before, before
        changed = self._stop_running(engagement_arn, reason)
        after = self.describe(engagement_arn)
        return changed, before, after

    # -- waiting -----------------------------------------------------------------------------

    def wait(
        self,
        engagement_arn: str,
        timeout: float,
        *,
        interval: float = 2.0,
        max_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_poll: Callable[[Engagement, list[Page]], None] | None = None,
        rng: random.Random | None = None,
    ) -> WaitResult:
        """Poll with backoff until a page is acknowledged (a READ receipt) or the engagement ends.

        Returns ``acknowledged`` or ``ended_unacknowledged``; raises WaitTimeout (what was seen
        last) when ``timeout`` passes first. Transient errors (throttling, 5xx, dropped
        connections) are absorbed until the deadline; a permanent error is raised.
        """
        if not 0 <= timeout < float("inf"):
            raise EngagementError("timeout: must be a finite number of seconds, not negative")
        rng = rng or random.Random()
        deadline = clock() + timeout
        delay = max(interval, 0.01)
        engagement: Engagement | None = None
        pages: list[Page] = []
        last_error = None
        while True:
            try:
                pages = self.pages(engagement_arn)
                engagement = self.describe(engagement_arn)
                last_error = None
            except EngagementError as exc:
                if not is_transient(exc):
                    raise
                last_error = str(exc)
            else:
                if on_poll is not None:
                    on_poll(engagement, pages)
                if any(p.acknowledged for p in pages):
                    return WaitResult(ACKNOWLEDGED, engagement, tuple(pages))
                if engagement.stopped:
                    return WaitResult(ENDED_UNACKNOWLEDGED, engagement, tuple(pages))
            remaining = deadline - clock()
            if remaining <= 0:
                cause = f"; the service was failing: {last_error}" if last_error else ""
                raise WaitTimeout(
                    f"{engagement_arn}: not acknowledged within {timeout:g} seconds "
                    f"({len(pages)} page(s) sent, none read){cause}",
                    engagement=engagement,
                    pages=pages,
                    last_error=last_error,
                )
            # Full jitter on the upper half keeps many waiters from polling in lockstep.
            sleep(min(remaining, delay * rng.uniform(0.5, 1.0)))
            delay = min(delay * 1.5, max_interval)


def _bounded_window(window: timedelta) -> timedelta:
    """A look-up window the datetime arithmetic can hold (at most ten years)."""
    return min(max(window, timedelta(0)), timedelta(days=3650))


def _time_field(value: datetime | str | None) -> datetime | None:
    """A time filter as a datetime; an unreadable one is a validation error naming the member."""
    try:
        return to_utc(value)
    except (TypeError, ValueError) as exc:
        violation = FieldViolation("time_range_value", "TimeRangeValue", "type", f"not a time: {exc}")
        raise ValidationError("ListEngagements", [violation]) from None
