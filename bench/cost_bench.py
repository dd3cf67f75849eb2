"""Benchmark 8: what a page costs in service calls and wall time, as the account's history grows.

Every call is counted by the emulator (``/_emulator/state`` "calls", read before and after each
operation; the control endpoint's own requests are not counted), so a row's call count is exact,
per operation. The operations run through the shared core over HTTP on loopback against the
emulator child process, as an adapter would.

The alternative measured in the same run is the previous design ("find first"): ListEngagements
over the whole 24 h window, one DescribeEngagement per candidate of the same contact and sender,
then StartEngagement + DescribeEngagement if nothing matched. It is reproduced with the core's own
``find()`` with its bounds lifted, so both sides go through the same client.

The emulator's clock is frozen for the benchmark and moved on by hand between steps (a re-run
comes a few seconds after the page, as in life): the service's clock, as the HTTP ``Date`` shows
it, has one-second resolution, and the core judges "started during this call" on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi_engagement.core import EngagementClient, LocalState, StartRequest
from pulumi_engagement.core.operations import MAX_LOOKUP_PAGES

from .cost_model import (
    CHECK_MODE_BOUND,
    SENDER,
    STEP_SECONDS,
    Counter,
    Sample,
    alert,
    core_client,
    find_first,
    label,
    prepare,
    repeat,
    row,
    seed_other_alerts,
    state_dirs,
)
from .harness import Emulator, Result, fake_credentials


def changed(sample: Sample) -> list[bool]:
    """Whether each repetition paged (or, in check mode, predicted a page)."""
    return [o.changed for o in sample.outcomes]


# -- 0 / 300 / 10,000 earlier engagements of other alerts ------------------------------------------


@dataclass
class HistoryRun:
    """The samples of one history size, and how many engagements the emulator held at each step."""

    n: int
    reps: int
    seed_s: float = 0.0
    history: dict[str, int] = field(default_factory=dict)
    samples: dict[str, Sample] = field(default_factory=dict)
    paged: int = 0
    rerun_paged: int = 0


class _HistorySteps:
    """The steps of one history size, in the order that matters (see ``bench_history``)."""

    def __init__(
        self, emu: Emulator, fresh: Callable[[], LocalState], run: HistoryRun, old_reps: int
    ) -> None:
        self.emu, self.fresh, self.run, self.old_reps = emu, fresh, run, old_reps
        self.counter = Counter(emu)
        self.tag = uuid.uuid4().hex[:6]
        self.requests = [alert(f"{self.tag} new #{i}") for i in range(run.reps)]
        self.unseen = [alert(f"{self.tag} never paged #{i}") for i in range(run.reps)]
        self.hints: list[LocalState] = []

    def clients(self, count: int, states: list[LocalState] | None = None) -> list[EngagementClient]:
        """A new client (connection, process) per measurement, built before the clock starts."""
        return [core_client(self.emu, states[i] if states else self.fresh()) for i in range(count)]

    def engagements(self) -> int:
        return self.emu.control.engagements()

    def page_new_alerts(self) -> None:
        run, control = self.run, self.emu.control
        run.history["find_first_new_alert"] = self.engagements()
        first = alert(f"{self.tag} find-first new")
        run.samples["old_new"] = repeat(self.counter, self.clients(1), lambda c, i: find_first(c, first))
        control.advance(STEP_SECONDS)
        pagers = self.clients(run.reps)  # each alert's own state directory, where its hint will be
        run.history["new_alert"] = self.engagements()
        # One second apart, so each starts later than the one before (find-first sorts on it).
        run.samples["new"] = repeat(
            self.counter, pagers, lambda c, i: c.ensure_started(self.requests[i]), lambda: control.advance(1)
        )
        run.paged = self.engagements() - run.history["new_alert"]
        control.advance(STEP_SECONDS)
        self.hints = [c.local_state for c in pagers]

    def rerun_open_alerts(self) -> None:
        """A later run by the same user (same state directory, so the hint), or by another host."""
        run, requests, hints = self.run, self.requests, self.hints
        s = run.samples
        s["again_hint"] = repeat(
            self.counter, self.clients(run.reps, hints), lambda c, i: c.ensure_started(requests[i])
        )
        s["again"] = repeat(self.counter, self.clients(run.reps), lambda c, i: c.ensure_started(requests[i]))
        s["check_open_hint"] = repeat(
            self.counter,
            self.clients(run.reps, hints),
            lambda c, i: c.ensure_started(requests[i], check_mode=True),
        )
        run.history["check_mode"] = self.engagements()
        s["check_open"] = repeat(
            self.counter, self.clients(run.reps), lambda c, i: c.ensure_started(requests[i], check_mode=True)
        )
        s["check_new"] = repeat(
            self.counter,
            self.clients(run.reps),
            lambda c, i: c.ensure_started(self.unseen[i], check_mode=True),
        )
        run.rerun_paged = self.engagements() - run.history["check_mode"]

    def find_first_lookups(self) -> None:
        """find-first for the same steps, favourably placed: the open alert is the newest engagement."""
        run, s = self.run, self.run.samples
        s["old_again"] = repeat(
            self.counter, self.clients(self.old_reps), lambda c, i: find_first(c, self.requests[-1])
        )
        s["old_check_new"] = repeat(
            self.counter,
            self.clients(self.old_reps),
            lambda c, i: find_first(c, self.unseen[i], check_mode=True),
        )
        run.history["find_first_lookups"] = self.engagements()


def _page_rows(run: HistoryRun, common: dict[str, Any]) -> list[Result]:
    """New alert; re-run while open, without and with the hint."""
    s, n = run.samples, run.n
    new, again, again_hint = s["new"], s["again"], s["again_hint"]
    steady = new.steady and again.steady and again_hint.steady
    rows = [
        row(
            f"8. Cost: new alert, {label(n)}",
            new,
            "<= 2 calls, pages",
            steady and new.total <= 2 and all(changed(new)) and run.paged == run.reps,
            s["old_new"],
            extra={**common, "engagements_created": run.paged, "changed": changed(new)},
        )
    ]
    # A later run by another host (no hint) or by the same user (the hint): nobody is paged again.
    for hint, sample in (("no hint", again), ("with hint", again_hint)):
        rows.append(
            row(
                f"8. Cost: re-run while open, {label(n)}, {hint}",
                sample,
                "<= 2 calls, no page",
                steady and sample.total <= 2 and not any(changed(sample)) and run.rerun_paged == 0,
                s["old_again"],
                extra={**common, "changed": changed(sample)},
            )
        )
    return rows


def _check_mode_rows(run: HistoryRun, common: dict[str, Any]) -> list[Result]:
    """Check mode for a new alert and for an open one."""
    s, n, reps = run.samples, run.n, run.reps
    check_new, check_open, check_open_hint = s["check_new"], s["check_open"], s["check_open_hint"]
    wrong_open = sum(changed(check_open))
    return [
        row(
            f"8. Cost: check mode, new alert, {label(n)}",
            check_new,
            f"<= {CHECK_MODE_BOUND} calls (documented bound), predicts a page, never pages",
            check_new.total <= CHECK_MODE_BOUND and all(changed(check_new)) and run.rerun_paged == 0,
            s["old_check_new"],
            extra={**common, "predicted_page": changed(check_new)},
        ),
        row(
            f"8. Cost: check mode, open alert, {label(n)}, no hint",
            check_open,
            f"<= {CHECK_MODE_BOUND} calls, predicts no page",
            check_open.total <= CHECK_MODE_BOUND and wrong_open == 0 and run.rerun_paged == 0,
            s["old_again"],
            old_note=(
                f"; WRONG prediction: 'would page' {wrong_open}/{reps} times (the open engagement is "
                f"beyond the look-up's first {MAX_LOOKUP_PAGES} ListEngagements pages)"
                if wrong_open
                else ""
            ),
            extra={
                **common,
                "predicted_page": changed(check_open),
                "with_hint": check_open_hint.to_dict() | {"predicted_page": changed(check_open_hint)},
            },
        ),
    ]


def bench_history(emu: Emulator, n: int, reps: int = 5, old_reps: int = 3) -> list[Result]:
    """New alert, re-run while open (with and without the hint), check mode; find-first beside each.

    Order matters, since every page the benchmark sends joins the history of the same contact and
    sender: find-first's new alert goes first, on exactly ``n`` earlier engagements; the new
    design's pages follow (their calls do not depend on history, which each repetition checks);
    look-ups that grow with history are reported at their worst, with the history they saw.
    """
    prepare(emu)
    run = HistoryRun(n, reps)
    with fake_credentials(), state_dirs() as fresh:
        run.seed_s = seed_other_alerts(emu, n)
        emu.control.advance(STEP_SECONDS)
        steps = _HistorySteps(emu, fresh, run, old_reps)
        steps.page_new_alerts()
        steps.rerun_open_alerts()
        steps.find_first_lookups()
    common = {
        "earlier_engagements_seeded": n,
        "engagements_in_the_emulator_at": run.history,
        "seeding_s": round(run.seed_s, 1),
    }
    return _page_rows(run, common) + _check_mode_rows(run, common)


# -- an alert that has fired and ended k times -------------------------------------------------------


def fire_and_end(emu: Emulator, client: EngagementClient, request: StartRequest, k: int) -> list[str]:
    """Page and stop the same alert k times (k episodes), the clock moving on between them."""
    arns = []
    for episode in range(k):
        outcome = client.ensure_started(request)
        if not outcome.changed or outcome.engagement is None:
            raise RuntimeError(f"episode {episode} of the flapping alert did not page: {outcome}")
        arns.append(outcome.engagement.engagement_arn)
        client.stop(arns[-1], reason="resolved (bench)")
        emu.control.advance(STEP_SECONDS)
    if len(set(arns)) != k:
        raise RuntimeError(f"{k} episodes gave {len(set(arns))} engagements")
    return arns


def own_sender(i: int, kind: str) -> str:
    """Each flapping alert has a sender of its own, so find-first's look-up sees only its episodes."""
    return f"{SENDER}-{kind.replace(' ', '-')}-{i}"


@dataclass
class FlappingAlerts:
    """Alerts for every measured repetition, each with k ended episodes: with the client (and its
    state directory, so its hint) that paged them, without one, and for find-first."""

    hinted: list[tuple[EngagementClient, StartRequest]] = field(default_factory=list)
    unhinted: list[StartRequest] = field(default_factory=list)
    find_first: list[StartRequest] = field(default_factory=list)


def _flapping_alerts(emu: Emulator, fresh: Callable[[], LocalState], k: int, reps: int) -> FlappingAlerts:
    tag = uuid.uuid4().hex[:6]
    alerts = FlappingAlerts()
    for i in range(reps):
        client = core_client(emu, fresh())
        request = alert(f"{tag} flapping (hint) #{i}", own_sender(i, "hint"))
        fire_and_end(emu, client, request, k)
        alerts.hinted.append((client, request))
        request = alert(f"{tag} flapping (no hint) #{i}", own_sender(i, "no hint"))
        fire_and_end(emu, core_client(emu, fresh()), request, k)
        alerts.unhinted.append(request)
        request = alert(f"{tag} flapping (find-first) #{i}", own_sender(i, "find-first"))
        fire_and_end(emu, core_client(emu, fresh()), request, k)
        alerts.find_first.append(request)
    return alerts


def _measure_flapping(
    emu: Emulator, fresh: Callable[[], LocalState], alerts: FlappingAlerts, reps: int
) -> tuple[dict[str, Sample], int]:
    """The alerts fire again, each through a new client built untimed: with the state directory
    that saw the k episodes, or a fresh one; returns the samples and the engagements the two
    re-fires created (counted before the check-mode and find-first steps)."""
    counter = Counter(emu)
    hinted = alerts.hinted
    before = emu.control.engagements()
    rerun = [core_client(emu, client.local_state) for client, _ in hinted]
    unhinted = [core_client(emu, fresh()) for _ in range(reps)]
    samples = {
        "with_hint": repeat(counter, rerun, lambda c, i: c.ensure_started(hinted[i][1])),
        "without": repeat(counter, unhinted, lambda c, i: c.ensure_started(alerts.unhinted[i])),
    }
    created = emu.control.engagements() - before
    samples["check_hint"] = repeat(
        counter,
        [core_client(emu, client.local_state) for client, _ in hinted],
        lambda c, i: c.ensure_started(hinted[i][1], check_mode=True),
    )
    samples["old"] = repeat(
        counter,
        [core_client(emu, fresh()) for _ in range(reps)],
        lambda c, i: find_first(c, alerts.find_first[i]),
    )
    return samples, created


def _flapping_rows(samples: dict[str, Sample], k: int, reps: int, common: dict[str, Any]) -> list[Result]:
    with_hint, without, old = samples["with_hint"], samples["without"], samples["old"]
    created = common["engagements_created"]
    old_paged = sum(changed(old))
    old_note = (
        ""
        if old_paged == reps
        else f"; find-first paged nobody {reps - old_paged}/{reps} times (issue 10, item 1)"
    )
    documented = 2 * k + 2
    return [
        row(
            f"8. Cost: alert ended k={k} times fires again, with hint",
            with_hint,
            "<= 3 calls, pages",
            with_hint.steady and with_hint.total <= 3 and all(changed(with_hint)) and created == 2 * reps,
            old,
            old_note,
            extra={
                **common,
                "changed": changed(with_hint),
                "check_mode_with_hint": samples["check_hint"].to_dict(),
            },
        ),
        row(
            f"8. Cost: alert ended k={k} times fires again, no hint",
            without,
            f"documented: 2k+2 = {documented} calls, pages",
            without.steady and without.total == documented and all(changed(without)) and created == 2 * reps,
            old,
            old_note,
            extra={**common, "changed": changed(without)},
        ),
    ]


def bench_flapping(emu: Emulator, k: int = 50, reps: int = 3) -> list[Result]:
    """An alert that has fired and ended k times fires again: with the hint (the same state
    directory that saw the earlier episodes) and without (a fresh one), and find-first beside them."""
    prepare(emu)
    counter = Counter(emu)
    with fake_credentials(), state_dirs() as fresh:
        setup_start = counter.calls()
        alerts = _flapping_alerts(emu, fresh, k, reps)
        setup_calls = {op: n - setup_start.get(op, 0) for op, n in counter.calls().items()}
        emu.control.advance(STEP_SECONDS)
        samples, created = _measure_flapping(emu, fresh, alerts, reps)
    return _flapping_rows(
        samples, k, reps, {"k": k, "setup_calls": setup_calls, "engagements_created": created}
    )


def bench_cost(
    emu: Emulator, histories: tuple[int, ...] = (0, 300, 10_000), k: int = 50, reps: int = 5
) -> list[Result]:
    """Every row of benchmark 8; find-first at 10,000 makes ~10,100 calls, so it runs once there."""
    rows: list[Result] = []
    try:
        for n in histories:
            rows += bench_history(emu, n, reps=reps, old_reps=1 if n >= 1000 else 3)
        rows += bench_flapping(emu, k=k, reps=3)
    finally:
        emu.reset()  # the clock back to real time for whatever runs next
    return rows
