"""Start, describe, stop, list, find and wait: every call the adapters make, in one place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from .client import ClientConfig, make_client
from .errors import EngagementError, ServiceValidationError, WaitTimeout, translate
from .timeutil import iso, to_utc, utcnow
from .token import resolve_token
from .validation import field_name, validate

DEFAULT_FIND_WINDOW = timedelta(hours=24)
#: Least tolerated clock difference between this machine and the service when filtering by time.
CLOCK_SKEW = timedelta(minutes=5)


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
        validate("StartEngagement", self.given_params())
        return self.api_params(token_scope)

    def token(self, token_scope: str | None = None) -> str:
        return self.api_params(token_scope)["IdempotencyToken"]


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
    """Result of ensure_started: the engagement (None only for a check-mode page) and whether it paged."""

    changed: bool
    engagement: Engagement | None
    idempotency_token: str


@dataclass(frozen=True)
class WaitResult:
    status: str  # "acknowledged" or "stopped"
    engagement: Engagement
    pages: tuple[Page, ...]

    @property
    def acknowledged_by(self) -> list[str]:
        return [p.contact_arn for p in self.pages if p.acknowledged and p.contact_arn]


class EngagementClient:
    """The core's operations over one boto3 ssm-contacts client.

    Every input is validated against the service model before a request leaves;
    botocore errors come out as the core's error hierarchy.
    """

    def __init__(
        self,
        client: Any,
        now: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        #: Wall clock for find()'s time window; injectable so tests can use the emulator's clock.
        self.now = now
        #: Backoff between attempts the core adds to botocore's (see _call); injectable for tests.
        self.sleep = sleep
        self.rng = rng or random.Random()

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
                return method(**params)
            except Exception as exc:
                # botocore's retry quota is shared by every call of a client: under sustained
                # throttling a busy shared client gives up before this call used its own attempts.
                # Go on, with the same parameters (so the same idempotency token), until it has.
                metadata = getattr(exc, "response", {}).get("ResponseMetadata", {})
                used += int(metadata.get("RetryAttempts", 0)) + 1
                if not metadata.get("RetryQuotaReached") or used >= budget:
                    raise translate(exc, operation) from None
                self.sleep(min(20.0, self.rng.uniform(0, 2.0**used)))

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
    ) -> list[EngagementSummary]:
        """All engagements (every page of results), optionally filtered by incident and time."""
        params: dict[str, Any] = {"IncidentId": incident_id, "MaxResults": page_size}
        if start_time is not None or end_time is not None:
            params["TimeRangeValue"] = {
                k: v
                for k, v in (("StartTime", to_utc(start_time)), ("EndTime", to_utc(end_time)))
                if v is not None
            }
        return [
            EngagementSummary.from_api(item)
            for item in self._paginate("ListEngagements", params, "Engagements")
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

    def _paginate(self, operation: str, params: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
        params = {k: v for k, v in params.items() if v is not None}
        seen_tokens: set[str] = set()
        while True:
            response = self._call(operation, params)
            yield from response.get(key, [])
            token = response.get("NextToken")
            if not token or token in seen_tokens:  # a repeated token would loop forever
                return
            seen_tokens.add(token)
            params = {**params, "NextToken": token}

    # -- composite operations --------------------------------------------------------------

    def find(
        self,
        request: StartRequest,
        window: timedelta = DEFAULT_FIND_WINDOW,
        now: datetime | None = None,
    ) -> Engagement | None:
        """The newest engagement within window that is the page request describes, if any.

        Cheap candidates come from ListEngagements (contact, sender, incident and
        time); only those are described to compare subject and content.
        """
        now = now or self.now()
        summaries = self.list(
            incident_id=request.incident_id or None,
            start_time=now - window,
            # The service's clock may run ahead of ours (an emulator at --time-scale far ahead):
            # look as far forward as back, so a page is still found and "changed" stays truthful.
            end_time=now + max(window, CLOCK_SKEW),
        )
        candidates = [
            s
            for s in summaries
            if s.contact_arn == request.contact_id
            and (s.start_time is None or s.start_time >= now - window)
            and (s.sender or "") == (request.sender or "")
            and (s.incident_id or "") == (request.incident_id or "")
        ]
        candidates.sort(key=lambda s: s.start_time or now, reverse=True)
        for summary in candidates:
            engagement = self.describe(summary.engagement_arn)
            if engagement.matches(request):
                return engagement
        return None

    def ensure_started(
        self,
        request: StartRequest,
        *,
        window: timedelta = DEFAULT_FIND_WINDOW,
        check_mode: bool = False,
        token_scope: str | None = None,
        serialize: bool = True,
    ) -> StartOutcome:
        """Page unless the same page already exists; report truthfully whether it paged.

        The token makes a duplicate page impossible at the service. To keep the
        reported change truthful when several processes on this machine race
        (Ansible forks), find-then-start is serialised by a lock file per token.
        """
        params = request.validate(token_scope)
        token = params["IdempotencyToken"]
        lock = _token_lock(token) if serialize and not check_mode else contextlib.nullcontext()
        with lock:
            existing = self.find(request, window)
            if existing is not None:
                return StartOutcome(changed=False, engagement=existing, idempotency_token=token)
            if check_mode:
                return StartOutcome(changed=True, engagement=None, idempotency_token=token)
            arn = self._call("StartEngagement", params)["EngagementArn"]
            return StartOutcome(changed=True, engagement=self.describe(arn), idempotency_token=token)

    def ensure_stopped(
        self, engagement_arn: str, reason: str | None = None, check_mode: bool = False
    ) -> tuple[bool, Engagement, Engagement]:
        """(changed, before, after); check mode reports what a real run would do without stopping."""
        before = self.describe(engagement_arn)
        if before.stopped:
            return False, before, before
        if check_mode:
            return True, before, before
        changed = self.stop(engagement_arn, reason)
        return changed, before, self.describe(engagement_arn)

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
        """Poll with backoff until a page is acknowledged (READ), the engagement stops, or timeout.

        Raises WaitTimeout carrying the engagement and pages seen last.
        """
        if timeout < 0:
            raise EngagementError("timeout: must not be negative")
        rng = rng or random.Random()
        deadline = clock() + timeout
        delay = max(interval, 0.01)
        while True:
            pages = self.pages(engagement_arn)
            engagement = self.describe(engagement_arn)
            if on_poll is not None:
                on_poll(engagement, pages)
            if any(p.acknowledged for p in pages):
                return WaitResult("acknowledged", engagement, tuple(pages))
            if engagement.stopped:
                return WaitResult("stopped", engagement, tuple(pages))
            remaining = deadline - clock()
            if remaining <= 0:
                raise WaitTimeout(
                    f"{engagement_arn}: not acknowledged within {timeout:g} seconds "
                    f"({len(pages)} page(s) sent, none read)",
                    engagement=engagement,
                    pages=pages,
                )
            # Full jitter on the upper half keeps many waiters from polling in lockstep.
            sleep(min(remaining, delay * rng.uniform(0.5, 1.0)))
            delay = min(delay * 1.5, max_interval)


@contextlib.contextmanager
def _token_lock(token: str) -> Iterator[None]:
    """An exclusive lock shared by every process on this machine using the same token."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the service-side token still prevents a second page
        yield
        return
    directory = os.path.join(tempfile.gettempdir(), "pulumi-engagement-locks")
    os.makedirs(directory, mode=0o700, exist_ok=True)
    name = hashlib.sha256(token.encode()).hexdigest()[:32]
    with open(os.path.join(directory, name + ".lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
