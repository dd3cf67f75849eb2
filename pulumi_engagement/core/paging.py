"""Paging one alert: the episode walk behind EngagementClient.ensure_started.

The dedup rule (PagerDuty's): while the alert's engagement runs, the same alert pages nobody;
once it has stopped (by anyone, or its plan ended) the same alert pages again. Each episode has
its own token (token.py); whether this call paged is judged on the service's clock, read from the
HTTP Date of an empty ListEngagements made just before StartEngagement (the clock probe).
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import EngagementError, ServiceValidationError, is_transient
from .model import TOKEN_MEMBER, Engagement, StartOutcome, StartRequest
from .token import derive_token, next_episode_token

DEFAULT_FIND_WINDOW = timedelta(hours=24)
DEDUP_LOOKBACK = timedelta(days=366)
#: Least tolerated clock difference between this machine and the service when filtering by time.
CLOCK_SKEW = timedelta(minutes=5)
#: Episodes of one alert walked through before paging with a one-off token (a flapping alert
#: seen for the first time on a machine with no hint costs 2 calls per earlier episode).
MAX_EPISODE_WALK = 128
#: Attempts to read a started engagement back before reporting it with its ARN only.
READ_BACK_ATTEMPTS = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class EpisodePaging:
    """ensure_started and its steps; mixed into EngagementClient, whose calls it uses
    (``_call``, ``describe``, ``find``, ``_service_time_mark``, ``local_state``, ``now``, ``sleep``, ``rng``).
    """

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
        params = request.validated_params(token_scope)
        explicit = bool(request.idempotency_token)
        base = params[TOKEN_MEMBER] if explicit else request.base_token(token_scope)
        if check_mode:
            return self._predict_explicit(base) if explicit else self._predict(request, base, window)
        lock = self.local_state.lock(base) if serialize else contextlib.nullcontext(True)
        with lock as held:
            warnings = []
            if not held:
                warnings.append(
                    f"paging without the local lock ({self.local_state.problem}); the token still "
                    "prevents a second page, but 'changed' may be reported by more than one process"
                )
            if explicit:
                return self._page_explicit(params, warnings)
            return self._page_episode(request, params, base, warnings)

    def _page_explicit(self, params: dict[str, Any], warnings: list[str]) -> StartOutcome:
        """An explicit token is the caller's identity of a page: new pages, known returns its engagement
        (running or not). The hint remembers the token's engagement, so a re-run on this machine is
        told apart from a new page even within the second the service's Date cannot split."""
        token = params[TOKEN_MEMBER]
        known = self._hinted(token)
        if known is not None:
            return StartOutcome(False, known, token, tuple(warnings))
        before = self._service_time_before_start()
        arn = self._start_or_conflict(params, token)
        if arn is None:
            raise ServiceValidationError(
                f"IdempotencyToken {token} was already used for a different page; "
                "a new page needs a new token",
                operation="StartEngagement",
            )
        outcome = self._outcome(arn, token, before, warnings, known_old=False)
        if outcome.read_back:
            self.local_state.write_hint(token, arn, token)
        return outcome

    def _hinted(self, key: str) -> Engagement | None:
        """The engagement this machine last recorded for ``key``, if it can be read."""
        hint = self.local_state.read_hint(key)
        if hint is None:
            return None
        try:
            return self.describe(hint["arn"])
        except EngagementError:
            return None

    def _predict_explicit(self, token: str) -> StartOutcome:
        """Check mode with an explicit token: known on this machine, or (as far as can be told) new."""
        known = self._hinted(token)
        if known is not None:
            return StartOutcome(False, known, token)
        # Nothing else can tell whether the service knows a token without using it.
        note = "check mode cannot tell whether this token was used elsewhere"
        return StartOutcome(True, None, token, (note,))

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
                resolved = self._resolve_dedup_conflict(request, params, base, token, seen, warnings)
                if isinstance(resolved, StartOutcome):
                    return resolved
                seen.add(resolved)
                token, before = next_episode_token(base, resolved), self._service_time_mark()
                continue
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
        self,
        request: StartRequest,
        params: dict[str, Any],
        base: str,
        token: str,
        seen: set[str],
        warnings: list[str],
    ) -> StartOutcome | str:
        """Another host holds this dedup key's episode token with other text, so the service will
        not say which engagement it names: look the key's newest engagement up (bounded).

        Running: that is the open episode (no page). Stopped: that episode is over; its ARN is
        returned so the walk goes on with the next episode's token, the one a host that saw it
        derives. Neither (or the look-up failed): page with a token of this page's own.
        """
        try:
            # The key's previous episode may have ended long ago: look back a year (still bounded).
            latest = self.find(request, DEDUP_LOOKBACK)
        except EngagementError as exc:
            latest, warnings = None, [*warnings, f"could not look the open episode up ({exc})"]
        if latest is not None and not latest.stopped:
            note = "this dedup key's engagement was started by another host with other text"
            self.local_state.write_hint(base, latest.engagement_arn, token)
            return StartOutcome(False, latest, token, (*warnings, note))
        if latest is not None and latest.engagement_arn not in seen:
            return latest.engagement_arn
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
