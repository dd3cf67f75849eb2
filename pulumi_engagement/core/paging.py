"""Paging one alert: the episode walk behind EngagementClient.ensure_started.

The dedup rule (PagerDuty's): while the alert's engagement runs, the same alert pages nobody;
once it has stopped (by anyone, or its plan ended) the same alert pages again. Each episode has
its own token (token.py); whether this call paged is judged on the service's clock: the HTTP Date
of StartEngagement's own answer, less the call's locally measured duration (retries included) and
the Date's one-second rounding, is a moment no later than the call's start (no extra call).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from .attempts import CallRecord
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
#: Look-ups that only inform (check mode, state=stopped, a dedup-key conflict) read at most this
#: many ListEngagements pages and describe at most MAX_LOOKUP_DESCRIBES candidates.
MAX_LOOKUP_PAGES = 5
LOOKUP_PAGE_SIZE = 100
MAX_LOOKUP_DESCRIBES = 10
#: Reading a page back (and a hint) has a short budget of its own, apart from any wait for an
#: acknowledgement, so a page that went out is reported within seconds whatever DescribeEngagement
#: does: at most READ_BACK_ATTEMPTS single attempts (botocore's own retries could wait 20 s each),
#: paced by the core within READ_BACK_BUDGET seconds, then the ARN alone is reported.
READ_BACK_ATTEMPTS = 6
READ_BACK_BUDGET = 8.0
#: First pause between read-back attempts; it doubles (jittered) each time: 0.25 .. 4 s, 7.75 s at most.
READ_BACK_PAUSE = 0.25
#: The HTTP Date has whole seconds (rounded down).
DATE_ROUNDING = timedelta(seconds=1)


class EpisodePaging:
    """ensure_started and its steps; mixed into EngagementClient, whose calls it uses
    (``_call``, ``describe``, ``find``, ``_service_time_mark``, ``local_state``, ``now``, ``monotonic``,
    ``sleep``, ``rng``).
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
        # Without a dedup key the first episode's token is the one just derived for params.
        base = params[TOKEN_MEMBER] if explicit or not request.dedup_key else request.base_token(token_scope)
        if check_mode:
            return self._predict_explicit(base) if explicit else self._predict(request, base, window)
        if explicit:
            with self._lock(base, serialize) as held:
                return self._page_explicit(params, self._lock_warnings(held))
        # A host that finds the episode open needs no lock (reading never pages), and one waiting
        # for the lock stops as soon as the holder records what the alert resolved to (its hint):
        # racing hosts on one machine do not queue behind each other's look-ups.
        hint, hinted = self._look_by_hint(request, base)
        if hint is not None and hinted is not None and not hinted.stopped:
            return StartOutcome(False, hinted, hint["token"])
        first = hint
        with self._lock(base, serialize, until=lambda: self.local_state.read_hint(base) != first) as held:
            if held is not None:
                return self._page_locked(request, params, base, hint, hinted, held)
        # Another process resolved the alert while this one waited: read what it found, lock-free.
        hint, hinted = self._look_by_hint(request, base)
        if hint is not None and hinted is not None and not hinted.stopped:
            return StartOutcome(False, hinted, hint["token"])
        with self._lock(base, serialize) as held:
            return self._page_locked(request, params, base, hint, hinted, held)

    def _page_locked(
        self,
        request: StartRequest,
        params: dict[str, Any],
        base: str,
        hint: dict[str, str] | None,
        hinted: Engagement | None,
        held: bool | None,
    ) -> StartOutcome:
        """The walk, under the lock (or without one it could not take). A hint written since this
        process read it means another one resolved the alert meanwhile: read that one instead."""
        if self.local_state.read_hint(base) != hint:
            hint, hinted = self._look_by_hint(request, base)
        return self._page_episode(request, params, base, self._lock_warnings(held), hint, hinted)

    def _lock(
        self, key: str, serialize: bool, until: Callable[[], bool] | None = None
    ) -> contextlib.AbstractContextManager[bool | None]:
        return self.local_state.lock(key, until) if serialize else contextlib.nullcontext(True)

    def _lock_warnings(self, held: bool | None) -> list[str]:
        if held:
            return []
        return [
            f"paging without the local lock ({self.local_state.problem}); the token still "
            "prevents a second page, but 'changed' may be reported by more than one process"
        ]

    def _look_by_hint(
        self, request: StartRequest, base: str
    ) -> tuple[dict[str, str] | None, Engagement | None]:
        """The hint this machine keeps for the alert and its engagement as read now (None when there
        is no hint, or it cannot be read in the read-back's budget, or names another contact)."""
        hint = self.local_state.read_hint(base)
        if hint is None:
            return None, None
        hinted = self._read_back(hint["arn"])[0]
        if hinted is None or hinted.contact_arn not in (None, request.contact_id):
            return hint, None
        return hint, hinted

    def _page_explicit(self, params: dict[str, Any], warnings: list[str]) -> StartOutcome:
        """An explicit token is the caller's identity of a page: new pages, known returns its engagement
        (running or not). The hint remembers the token's engagement, so a re-run on this machine is
        told apart from a new page even within the second the service's Date cannot split."""
        token = params[TOKEN_MEMBER]
        known = self._hinted(token)
        if known is not None:
            return StartOutcome(False, known, token, tuple(warnings))
        started = self._start_or_conflict(params, token)
        if started is None:
            raise ServiceValidationError(
                f"IdempotencyToken {token} was already used for a different page; "
                "a new page needs a new token",
                operation="StartEngagement",
            )
        arn, before = started
        outcome = self._outcome(arn, token, before, warnings, known_old=False)
        if outcome.read_back:
            self.local_state.write_hint(token, arn, token)
        return outcome

    def _hinted(self, key: str) -> Engagement | None:
        """The engagement this machine last recorded for ``key``, if it can be read."""
        hint = self.local_state.read_hint(key)
        if hint is None:
            return None
        return self._read_back(hint["arn"])[0]

    def _predict_explicit(self, token: str) -> StartOutcome:
        """Check mode with an explicit token: known on this machine, or (as far as can be told) new."""
        known = self._hinted(token)
        if known is not None:
            return StartOutcome(False, known, token)
        # Nothing else can tell whether the service knows a token without using it.
        note = "check mode cannot tell whether this token was used elsewhere"
        return StartOutcome(True, None, token, (note,))

    def _page_episode(
        self,
        request: StartRequest,
        params: dict[str, Any],
        base: str,
        warnings: list[str],
        hint: dict[str, str] | None,
        hinted: Engagement | None,
    ) -> StartOutcome:
        """StartEngagement with the token of the alert's current episode, then read the result back.

        - Running and started before this call: the episode is open, nothing was paged.
        - Started during this call: this call paged.
        - Stopped and older: that episode is over; the next episode's token is derived from its ARN
          (every host derives the same one) and the walk goes on.
        The local hint (``hinted``: its engagement as just read) starts the walk at the last
        engagement this machine saw for the alert; without it the walk starts at the first episode.
        """
        token, seen = base, set()
        if hint is not None and hinted is not None:
            if not hinted.stopped:
                return StartOutcome(False, hinted, hint["token"], tuple(warnings))
            seen.add(hinted.engagement_arn)
            token = next_episode_token(base, hinted.engagement_arn)
        for _ in range(MAX_EPISODE_WALK):
            started = self._start_or_conflict(params, token)
            if started is None:  # a dedup key whose episode another host opened with other text
                resolved = self._resolve_dedup_conflict(request, params, base, token, seen, warnings)
                if isinstance(resolved, StartOutcome):
                    return resolved
                seen.add(resolved)
                token = next_episode_token(base, resolved)
                continue
            arn, before = started
            outcome = self._outcome(arn, token, before, warnings, known_old=arn in seen)
            if outcome.changed or not outcome.engagement.stopped:  # type: ignore[union-attr]
                self.local_state.write_hint(base, arn, token)
                return outcome
            seen.add(arn)
            token = next_episode_token(base, arn)
        warnings.append(
            f"this alert has ended more than {MAX_EPISODE_WALK} times; paged with a one-off token "
            "(set a dedup_key or an explicit token to keep a flapping alert cheap)"
        )
        return self._start_own(params, f"pe1-once-{uuid.uuid4().hex}", warnings)

    def _start_own(self, params: dict[str, Any], token: str, warnings: list[str]) -> StartOutcome:
        """Page with a token no other page has (a one-off token, or this page's own after a conflict)."""
        arn, before = self._start_or_conflict(params, token) or ("", None)
        return self._outcome(arn, token, before, warnings)

    def _start_or_conflict(self, params: dict[str, Any], token: str) -> tuple[str, datetime | None] | None:
        """StartEngagement with ``token``: (ARN, a service time no later than the call's start), or
        None when the service says the token belongs to other text.

        The service time is the answer's own HTTP Date less the call's duration, measured here with
        retries included (scaled by the service clock's rate: the emulator's --time-scale), less the
        Date's one-second rounding. An engagement that started before it was not started by this call.
        """
        call = {**params, TOKEN_MEMBER: token}
        self._seen.service_time = None
        began = self.monotonic()
        try:
            response = self._start_with_second_look(call)
        except ServiceValidationError as exc:
            named = [f.get("Name") for f in exc.fields] + [exc.message]
            if any(TOKEN_MEMBER in str(n) for n in named):
                return None
            raise
        elapsed = max(0.0, self.monotonic() - began)
        date, rate = self._service_time_mark()
        if date is None:
            return response["EngagementArn"], None
        return response["EngagementArn"], date - timedelta(seconds=elapsed * rate) - DATE_ROUNDING

    def _start_with_second_look(self, call: dict[str, Any]) -> dict[str, Any]:
        """StartEngagement; if its retries ran out after an attempt whose answer was lost (a dropped
        connection, a 5xx), the page may have gone out: the same token once more returns it (or sends
        it now) before the failure is reported, and a failure then says the page may be out."""
        # Every caller passes StartRequest.validated_params with a token that is either the explicit
        # one (checked with them) or derived (pe1- and URL-safe base64, within the model's pattern):
        # checking them again would only repeat the work.
        record = CallRecord()
        try:
            return self._call("StartEngagement", call, record, validated=True)
        except EngagementError as exc:
            if not (record.outcome_unknown and is_transient(exc)):
                raise
        try:
            return self._call("StartEngagement", call, validated=True)
        except EngagementError as again:
            lost = "an earlier attempt's answer was lost: the page may have gone out"
            again.message = f"{again.message} ({lost})"
            again.args = (again.message,)
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
        """DescribeEngagement within the read-back's own short budget (see READ_BACK_BUDGET)."""
        problem = None
        began, pause = self.monotonic(), READ_BACK_PAUSE
        for attempt in range(READ_BACK_ATTEMPTS):
            try:
                return self.describe(arn, attempts=1), None
            except EngagementError as exc:
                problem = str(exc)
                wait = pause * self.rng.uniform(0.5, 1.0)
                last = attempt + 1 == READ_BACK_ATTEMPTS
                if last or not is_transient(exc) or self.monotonic() - began + wait > READ_BACK_BUDGET:
                    break
                self.sleep(wait)
                pause *= 2
        return None, problem

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
        return self._start_own(params, own, [*warnings, note])

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
            running, cut = self._find(request, window, None, running_only=True)
        except EngagementError as exc:
            running = None
            warnings.append(f"could not look for a running engagement ({exc}); a real run would page")
        else:
            if running is None and cut:
                warnings.append(
                    f"the look-up stopped at its bound ({MAX_LOOKUP_PAGES} ListEngagements pages, "
                    f"{MAX_LOOKUP_DESCRIBES} DescribeEngagement calls): an open engagement of this alert "
                    "may exist beyond it, in which case a real run would not page"
                )
        if running is not None:
            return StartOutcome(False, running, base, tuple(warnings))
        return StartOutcome(True, None, base, tuple(warnings))
