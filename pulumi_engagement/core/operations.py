"""EngagementClient: start, describe, stop, list, find and wait, each one call or one loop.

The values it returns are in model.py and the paging of one alert (ensure_started) in paging.py;
both are re-exported here for callers that import them from this module (the CLI among them).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from .attempts import AttemptsCapped, CallRecord, install, recording
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
from .model import (
    ACKNOWLEDGED,
    DEDUP_KEY_MAX,
    ENDED_UNACKNOWLEDGED,
    TIMED_OUT,
    Engagement,
    EngagementSummary,
    Page,
    Receipt,
    StartOutcome,
    StartRequest,
    WaitResult,
    clean_text,
    same_page_fields,
)
from .paging import (
    CLOCK_SKEW,
    DEFAULT_FIND_WINDOW,
    LOOKUP_PAGE_SIZE,
    MAX_EPISODE_WALK,
    MAX_LOOKUP_DESCRIBES,
    MAX_LOOKUP_PAGES,
    READ_BACK_ATTEMPTS,
    EpisodePaging,
)
from .timeutil import to_utc, utcnow
from .validation import field_name, validate

__all__ = [
    "ACKNOWLEDGED",
    "CLOCK_SKEW",
    "DEDUP_KEY_MAX",
    "DEFAULT_FIND_WINDOW",
    "ENDED_UNACKNOWLEDGED",
    "MAX_EPISODE_WALK",
    "MAX_LOOKUP_DESCRIBES",
    "MAX_LOOKUP_PAGES",
    "READ_BACK_ATTEMPTS",
    "TIMED_OUT",
    "Engagement",
    "EngagementClient",
    "EngagementSummary",
    "Page",
    "Receipt",
    "StartOutcome",
    "StartRequest",
    "WaitResult",
    "clean_text",
]

#: The emulator's clock rate (its --time-scale), sent with every answer; AWS sends none.
CLOCK_RATE_HEADER = "x-emulator-time-scale"


@lru_cache(maxsize=16)
def _http_date(date: str) -> datetime:
    """An HTTP Date as an aware UTC datetime; cached, since calls within one second share it and
    email.utils' parser costs more than the rest of reading an answer."""
    return parsedate_to_datetime(date).astimezone(timezone.utc)


class EngagementClient(EpisodePaging):
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
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        install(client)  # per-attempt accounting: capped read-backs, StartEngagement's lost answers
        #: Wall clock for find()'s time window; injectable so tests can use the emulator's clock.
        self.now = now
        #: Backoff between attempts the core adds to botocore's (see _call); injectable for tests.
        self.sleep = sleep
        self.rng = rng or random.Random()
        #: Measures a StartEngagement's own duration and the read-back's budget; injectable for tests.
        self.monotonic = monotonic
        #: Per-user lock and hint files (see localstate); injectable so tests can point elsewhere.
        self.local_state = local_state or LocalState()
        # The service's clock as the last response on this thread showed it (its HTTP Date).
        self._seen = threading.local()

    @classmethod
    def from_config(cls, config: ClientConfig | None = None, **options: Any) -> EngagementClient:
        return cls(make_client(config, **options))

    def _call(
        self,
        operation: str,
        params: dict[str, Any],
        record: CallRecord | None = None,
        *,
        validated: bool = False,
    ) -> dict[str, Any]:
        """One call, retried by botocore; ``record`` caps its attempts and notes what they did.
        ``validated``: the caller has checked ``params`` against the model already (no None values)."""
        if not validated:
            params = validate(operation, params)
        method = getattr(self.client, field_name(operation))
        retries = getattr(getattr(self.client.meta, "config", None), "retries", None) or {}
        budget = int(retries.get("total_max_attempts") or 1)
        used = 0
        with recording(record or CallRecord()):
            while True:
                try:
                    response = method(**params)
                except Exception as raised:
                    capped = isinstance(raised, AttemptsCapped)
                    exc = raised.original(operation) if capped else raised
                    # A dropped connection raises with no response at all: nothing to read from it.
                    metadata = (getattr(exc, "response", None) or {}).get("ResponseMetadata") or {}
                    self._note_service_time(metadata)
                    # botocore's retry quota is shared by every call of a client: under sustained
                    # throttling a busy shared client gives up before this call used its own attempts.
                    # Go on, with the same parameters (so the same idempotency token), until it has.
                    used += int(metadata.get("RetryAttempts", 0)) + 1
                    if capped or not metadata.get("RetryQuotaReached") or used >= budget:
                        raise translate(exc, operation) from None
                    self.sleep(min(20.0, self.rng.uniform(0, 2.0**used)))
                    continue
                self._note_service_time(response.get("ResponseMetadata") or {})
                return response

    def _note_service_time(self, metadata: dict[str, Any]) -> None:
        headers = metadata.get("HTTPHeaders") or {}
        date = headers.get("date")
        if not date:
            return
        try:
            self._seen.service_time = _http_date(date)
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        try:  # the emulator's --time-scale (AWS's clock runs at real speed and sends no such header)
            rate = float(headers.get(CLOCK_RATE_HEADER, 1.0))
        except ValueError:
            rate = 1.0
        self._seen.clock_rate = rate if 0.0 <= rate < float("inf") else 1.0

    def _service_time_mark(self) -> tuple[datetime | None, float]:
        """The service's clock at the last response on this thread, to the second (rounded down),
        and how fast that clock runs against real time."""
        return getattr(self._seen, "service_time", None), getattr(self._seen, "clock_rate", 1.0)

    def service_now(self) -> datetime:
        """The service's clock at the last answer on this thread (the HTTP ``Date``, to the second),
        or this machine's clock before any answer."""
        return self._service_time_mark()[0] or self.now()

    # -- single calls -------------------------------------------------------------------

    def start(self, request: StartRequest, token_scope: str | None = None) -> str:
        """StartEngagement; returns the engagement ARN. Retries reuse the same token, and a call whose
        retries ran out after a lost answer looks once more before it reports failure."""
        params = request.validated_params(token_scope)
        return self._start_with_second_look(params)["EngagementArn"]

    def describe(self, engagement_arn: str, *, attempts: int | None = None) -> Engagement:
        """DescribeEngagement; ``attempts`` caps botocore's tries (a read with a short budget)."""
        record = CallRecord(cap=attempts)
        return Engagement.from_api(self._call("DescribeEngagement", {"EngagementId": engagement_arn}, record))

    def stop(self, engagement_arn: str, reason: str | None = None) -> bool:
        """Stop a running engagement; False (not an error) when it had already stopped."""
        validate("StopEngagement", {"EngagementId": engagement_arn, "Reason": reason})
        if self.describe(engagement_arn).stopped:
            return False
        return self._stop_running(engagement_arn, reason)[0]

    def _stop_running(self, engagement_arn: str, reason: str | None) -> tuple[bool, Engagement | None]:
        """(whether this call stopped it, the engagement when a conflict made us read it already)."""
        try:
            self._call("StopEngagement", {"EngagementId": engagement_arn, "Reason": reason})
        except ServiceValidationError:
            # Stopped between our describe and our stop (by a person or the last stage ending).
            engagement = self.describe(engagement_arn)
            if engagement.stopped:
                return False, engagement
            raise
        return True, None

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
            params["TimeRangeValue"] = _time_range(start_time, end_time)
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
                    Receipt.from_api(r)
                    for r in self._paginate("ListPageReceipts", {"PageId": item["PageArn"]}, "Receipts")
                )
            pages.append(Page.from_api(item, receipts=page_receipts))
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
        DescribeEngagement calls, whatever the account's history. The window is searched newest
        first, in widening slices (the last hour, day, month, then the rest), since the service
        does not promise an order. With a dedup key, any page to the contact from the sender
        (and incident) matches.
        """
        return self._find(request, window, now, running_only, max_pages, max_describes)[0]

    def _find(
        self,
        request: StartRequest,
        window: timedelta,
        now: datetime | None,
        running_only: bool,
        max_pages: int = MAX_LOOKUP_PAGES,
        max_describes: int = MAX_LOOKUP_DESCRIBES,
    ) -> tuple[Engagement | None, bool]:
        """find(), and whether its bound cut the look-up short (more engagements may lie beyond)."""
        now = now or self.now()
        budget = {"pages": max_pages, "describes": max_describes, "cut": 0}
        for start, end in _newest_first(now, _bounded_window(window)):
            if budget["pages"] <= 0 or budget["describes"] <= 0:
                return None, True
            found = self._find_between(request, start, end, running_only, budget)
            if found is not None:
                return found, False
        return None, bool(budget["cut"])

    def _find_between(
        self,
        request: StartRequest,
        start: datetime,
        end: datetime,
        running_only: bool,
        budget: dict[str, int],
    ) -> Engagement | None:
        summaries = self.list(
            incident_id=request.incident_id or None,
            start_time=start,
            end_time=end,
            page_size=LOOKUP_PAGE_SIZE,
            max_pages=budget["pages"],
        )
        if len(summaries) >= budget["pages"] * LOOKUP_PAGE_SIZE:
            budget["cut"] = 1  # every page allowed came back full: the slice may hold more
        budget["pages"] -= max(1, -(-len(summaries) // LOOKUP_PAGE_SIZE))
        candidates = [
            s
            for s in summaries
            if s.contact_arn == request.contact_id
            and (not running_only or s.stop_time is None)
            and same_page_fields(s, request)
        ]
        candidates.sort(key=lambda s: s.start_time or end, reverse=True)
        if len(candidates) > budget["describes"]:
            budget["cut"] = 1
        for summary in candidates[: budget["describes"]]:
            budget["describes"] -= 1
            engagement = self.describe(summary.engagement_arn)
            if running_only and engagement.stopped:
                continue
            if request.dedup_key or engagement.matches(request):
                return engagement
        return None

    def ensure_stopped(
        self,
        engagement_arn: str,
        reason: str | None = None,
        check_mode: bool = False,
        *,
        described: Engagement | None = None,
    ) -> tuple[bool, Engagement, Engagement]:
        """(changed, before, after); check mode reports what a real run would do without stopping.

        ``described`` is the engagement as the caller just read it (find's result), saving a call.
        """
        validate("StopEngagement", {"EngagementId": engagement_arn, "Reason": reason})
        if described is not None and described.engagement_arn == engagement_arn:
            before = described
        else:
            before = self.describe(engagement_arn)
        if before.stopped:
            return False, before, before
        if check_mode:
            return True, before, before
        changed, after = self._stop_running(engagement_arn, reason)
        return changed, before, after or self.describe(engagement_arn)

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
                # The engagement before its pages: a stop between the two reads then shows as a
                # running engagement (polled again), never as stopped without its STOP receipts.
                # Both are kept only together, so a timeout never reports half of a failed poll.
                read = self.describe(engagement_arn)
                engagement, pages = read, self.pages(engagement_arn)
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


#: Slices of a look-up window, newest first: an open engagement is usually recent.
_SLICES = (timedelta(hours=1), timedelta(days=1), timedelta(days=31))


def _newest_first(now: datetime, window: timedelta) -> list[tuple[datetime, datetime]]:
    """(start, end) time ranges covering ``window`` back from ``now``, the newest first. The first
    also looks ahead (a service clock running ahead of ours, an emulator set far ahead)."""
    edges = [w for w in _SLICES if w < window] + [window]
    ranges = [(now - edges[0], now + max(window, CLOCK_SKEW))]
    ranges += [(now - edges[i + 1], now - edges[i]) for i in range(len(edges) - 1)]
    return ranges


def _bounded_window(window: timedelta) -> timedelta:
    """A look-up window the datetime arithmetic can hold (at most ten years)."""
    return min(max(window, timedelta(0)), timedelta(days=3650))


def _time_range(start_time: datetime | str | None, end_time: datetime | str | None) -> dict[str, datetime]:
    """ListEngagements' TimeRangeValue; an unreadable time is a validation error naming its member."""
    times, violations = {}, []
    for member, value in (("StartTime", start_time), ("EndTime", end_time)):
        try:
            when = to_utc(value)
        except (TypeError, ValueError, OverflowError, OSError):
            path = f"time_range_value.{field_name(member)}"
            violations.append(
                FieldViolation(path, f"TimeRangeValue.{member}", "type", "is not an ISO 8601 timestamp")
            )
            continue
        if when is not None:
            times[member] = when
    if violations:
        raise ValidationError("ListEngagements", violations)
    return times
