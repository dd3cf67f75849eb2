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

import functools
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pulumi_engagement.core import (
    ClientConfig,
    EngagementClient,
    LocalState,
    StartOutcome,
    StartRequest,
    make_client,
)
from pulumi_engagement.core.operations import (
    DEFAULT_FIND_WINDOW,
    MAX_LOOKUP_DESCRIBES,
    MAX_LOOKUP_PAGES,
)

from .harness import PLAN_ARN, REGION, Emulator, Result, fake_credentials

SENDER = "bench-cost"
#: Check mode's documented bound: one DescribeEngagement of the hint, or a bounded look-up.
CHECK_MODE_BOUND = 1 + MAX_LOOKUP_PAGES + MAX_LOOKUP_DESCRIBES
#: Seconds the frozen emulator clock is moved between a step and the next (see the module doc).
STEP_SECONDS = 2.0
SHORT = {
    "ListEngagements": "List",
    "StartEngagement": "Start",
    "DescribeEngagement": "Describe",
    "StopEngagement": "Stop",
}


@dataclass
class Cost:
    """Calls per operation and wall seconds of one operation through the core."""

    calls: dict[str, int]
    wall_s: float

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def text(self) -> str:
        parts = " + ".join(f"{n:,} {SHORT.get(op, op)}" for op, n in sorted(self.calls.items()))
        return f"{self.total:,} call{'' if self.total == 1 else 's'} ({parts or 'none'})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.total,
            "by_operation": dict(sorted(self.calls.items())),
            "wall_ms": ms(self.wall_s),
        }


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def wall_text(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


class Counter:
    """Measures one operation: the emulator's call counters before and after, and wall time."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def calls(self) -> dict[str, int]:
        return dict(self.emu.control.state()["calls"])

    def measure(self, fn: Callable[[], Any]) -> tuple[Any, Cost]:
        before = self.calls()
        start = time.perf_counter()
        produced = fn()
        wall = time.perf_counter() - start
        after = self.calls()
        delta = {op: n - before.get(op, 0) for op, n in after.items() if n != before.get(op, 0)}
        return produced, Cost(delta, wall)


@dataclass
class Sample:
    """Several measurements of one step (distinct alerts): the most calls any made, the median wall.

    A page's calls do not depend on history, so its repetitions must agree exactly (``steady``);
    a look-up's (check mode, find-first) grow with the benchmark's own pages, so the worst is kept.
    """

    costs: list[Cost]
    outcomes: list[Any]

    @property
    def worst(self) -> Cost:
        return max(self.costs, key=lambda c: c.total)

    @property
    def calls(self) -> dict[str, int]:
        return self.worst.calls

    @property
    def total(self) -> int:
        return self.worst.total

    @property
    def steady(self) -> bool:
        """Every repetition made exactly the same calls."""
        return all(c.calls == self.costs[0].calls for c in self.costs)

    @property
    def wall_s(self) -> float:
        return statistics.median(c.wall_s for c in self.costs)

    @property
    def cost(self) -> Cost:
        return Cost(self.calls, self.wall_s)

    def text(self) -> str:
        low = min(c.total for c in self.costs)
        spread = "" if self.steady else f" (at most; {low:,} to {self.total:,} over {len(self.costs)} runs)"
        return f"{self.cost.text()}{spread}; {wall_text(self.wall_s)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.cost.to_dict(),
            "wall_ms_median_of": len(self.costs),
            "wall_ms_each": [ms(c.wall_s) for c in self.costs],
            "same_calls_every_time": self.steady,
            "calls_each": [c.total for c in self.costs],
        }


def alert(label: str, sender: str = SENDER) -> StartRequest:
    """A distinct alert of the benchmark's contact and sender (no incident: nothing narrows the list)."""
    return StartRequest(
        contact_id=PLAN_ARN, sender=sender, subject=f"cost bench: {label}", content=f"alert {label} fired"
    )


@contextmanager
def state_dirs() -> Iterator[Callable[[], LocalState]]:
    """Fresh private per-user state directories (0700, as the core requires); removed afterwards."""
    made: list[str] = []

    def fresh() -> LocalState:
        made.append(tempfile.mkdtemp(prefix="bench-cost-state-"))
        return LocalState(directory=made[-1])

    try:
        yield fresh
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


def core_client(emu: Emulator, state: LocalState) -> EngagementClient:
    """A core client as the adapters build one, with the given per-user state."""
    return EngagementClient(
        make_client(ClientConfig(region=REGION, endpoint_url=emu.endpoint_url)), local_state=state
    )


def find_first(client: EngagementClient, request: StartRequest, check_mode: bool = False) -> StartOutcome:
    """The previous design's hot path: the whole 24 h look-up, then StartEngagement + DescribeEngagement."""
    token = request.validate()["IdempotencyToken"]
    existing = client.find(request, DEFAULT_FIND_WINDOW, max_pages=None, max_describes=10**9)  # type: ignore[arg-type]
    if existing is not None:
        return StartOutcome(False, existing, token)
    if check_mode:
        return StartOutcome(True, None, token)
    return StartOutcome(True, client.describe(client.start(request)), token)


def prepare(emu: Emulator) -> None:
    """Empty emulator (seed re-applied), clock frozen so only the benchmark moves it, warmed up."""
    emu.reset()
    emu.control.set_time_scale(0)
    with fake_credentials():
        # One untimed request first, so no row pays for the emulator's first one after a reset.
        core_client(emu, LocalState()).list(
            start_time="1970-01-01T00:00:00Z", end_time="1970-01-01T00:00:00Z"
        )


def seed_other_alerts(emu: Emulator, n: int, threads: int = 4) -> float:
    """n engagements of other alerts, same contact and sender, in the last seconds; wall seconds.

    Sent with plain botocore clients from a few threads (the fastest path the emulator offers over
    HTTP: it has no bulk route for engagements); they are left running, the worst case for check
    mode's look-up (stopped ones are filtered out of it without a DescribeEngagement).
    """
    if n == 0:
        return 0.0
    local = threading.local()
    run = uuid.uuid4().hex[:8]

    def one(i: int) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = make_client(ClientConfig(region=REGION, endpoint_url=emu.endpoint_url))
        client.start_engagement(
            ContactId=PLAN_ARN,
            Sender=SENDER,
            Subject=f"other alert {i}",
            Content=f"another alert of the same sender ({run})",
            IdempotencyToken=f"bench-other-{run}-{i:06d}",
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - start


def ratio(new: float, old: float) -> float | None:
    return round(new / old, 5) if old else None


def row(
    name: str,
    new: Sample,
    goal: str,
    met: bool,
    old: Sample | None,
    old_note: str = "",
    extra: dict[str, Any] | None = None,
) -> Result:
    """One table row: the new design's calls and wall time, the old design's beside it, and ratios."""
    shown = new.text()
    details: dict[str, Any] = {"result_text": shown, "measured": new.to_dict()}
    if old is not None:
        calls_ratio, wall_ratio = ratio(new.total, old.total), ratio(new.wall_s, old.wall_s)
        compared = (
            f"find-first (previous design): {old.text()}; "
            f"ratio {calls_ratio:.4g}x calls, {wall_ratio:.4g}x wall{old_note}"
        )
        details |= {"find_first": old.to_dict(), "ratio_calls": calls_ratio, "ratio_wall": wall_ratio}
    else:
        compared = old_note.lstrip("; ")
    details |= extra or {}
    return Result(name, float(new.total), "calls", goal, met, compared, details)


def repeat(
    counter: Counter,
    clients: list[EngagementClient],
    step: Callable[[EngagementClient, int], Any],
    between: Callable[[], Any] | None = None,
) -> Sample:
    """``step(client, i)`` once per client (each a new one, built untimed), measured one by one;
    ``between`` runs untimed after each (to move the emulator's clock on)."""
    costs, outcomes = [], []
    for i, client in enumerate(clients):
        outcome, cost = counter.measure(functools.partial(step, client, i))
        costs.append(cost)
        outcomes.append(outcome)
        if between is not None:
            between()
    return Sample(costs, outcomes)


def label(n: int) -> str:
    return f"{n:,} earlier"


# -- 0 / 300 / 10,000 earlier engagements of other alerts ------------------------------------------


def bench_history(emu: Emulator, n: int, reps: int = 5, old_reps: int = 3) -> list[Result]:
    """New alert, re-run while open (with and without the hint), check mode; find-first beside each.

    Order matters, since every page the benchmark sends joins the history of the same contact and
    sender: find-first's new alert goes first, on exactly ``n`` earlier engagements; the new
    design's pages follow (their calls do not depend on history, which each repetition checks);
    look-ups that grow with history are reported at their worst, with the history they saw.
    """
    prepare(emu)
    counter = Counter(emu)
    tag = uuid.uuid4().hex[:6]
    with fake_credentials(), state_dirs() as fresh:
        seed_s = seed_other_alerts(emu, n)
        emu.control.advance(STEP_SECONDS)

        def clients(count: int, states: list[LocalState] | None = None) -> list[EngagementClient]:
            """A new client (connection, process) per measurement, built before the clock starts."""
            return [core_client(emu, states[i] if states else fresh()) for i in range(count)]

        history = {"find_first_new_alert": emu.control.engagements()}
        first = alert(f"{tag} find-first new")
        old_new = repeat(counter, clients(1), lambda c, i: find_first(c, first))
        emu.control.advance(STEP_SECONDS)

        requests = [alert(f"{tag} new #{i}") for i in range(reps)]
        pagers = clients(reps)  # each alert's own state directory, where its hint will be
        history["new_alert"] = emu.control.engagements()
        # One second apart, so each starts later than the one before (find-first sorts on it).
        new = repeat(
            counter, pagers, lambda c, i: c.ensure_started(requests[i]), lambda: emu.control.advance(1)
        )
        paged = emu.control.engagements() - history["new_alert"]
        emu.control.advance(STEP_SECONDS)

        # A later run by the same user (same state directory, so the hint), or by another host.
        hints = [c.local_state for c in pagers]
        again_hint = repeat(counter, clients(reps, hints), lambda c, i: c.ensure_started(requests[i]))
        again = repeat(counter, clients(reps), lambda c, i: c.ensure_started(requests[i]))
        check_open_hint = repeat(
            counter, clients(reps, hints), lambda c, i: c.ensure_started(requests[i], check_mode=True)
        )
        history["check_mode"] = emu.control.engagements()
        check_open = repeat(
            counter, clients(reps), lambda c, i: c.ensure_started(requests[i], check_mode=True)
        )
        unseen = [alert(f"{tag} never paged #{i}") for i in range(reps)]
        check_new = repeat(counter, clients(reps), lambda c, i: c.ensure_started(unseen[i], check_mode=True))
        rerun_paged = emu.control.engagements() - history["check_mode"]
        # find-first for the same steps, favourably placed: the open alert is the newest engagement.
        old_again = repeat(counter, clients(old_reps), lambda c, i: find_first(c, requests[-1]))
        old_check_new = repeat(
            counter, clients(old_reps), lambda c, i: find_first(c, unseen[i], check_mode=True)
        )
        history["find_first_lookups"] = emu.control.engagements()

    changed = lambda s: [o.changed for o in s.outcomes]  # noqa: E731
    common = {
        "earlier_engagements_seeded": n,
        "engagements_in_the_emulator_at": history,
        "seeding_s": round(seed_s, 1),
    }
    steady = new.steady and again.steady and again_hint.steady
    rows = [
        row(
            f"8. Cost: new alert, {label(n)}",
            new,
            "<= 3 calls, pages",
            steady and new.total <= 3 and all(changed(new)) and paged == reps,
            old_new,
            extra={**common, "engagements_created": paged, "changed": changed(new)},
        ),
        row(
            f"8. Cost: re-run while open, {label(n)}, no hint",
            again,
            "<= 3 calls, no page",
            steady and again.total <= 3 and not any(changed(again)) and rerun_paged == 0,
            old_again,
            extra={**common, "changed": changed(again)},
        ),
        row(
            f"8. Cost: re-run while open, {label(n)}, with hint",
            again_hint,
            "<= 3 calls, no page",
            steady and again_hint.total <= 3 and not any(changed(again_hint)) and rerun_paged == 0,
            old_again,
            extra={**common, "changed": changed(again_hint)},
        ),
    ]
    wrong_open = sum(changed(check_open))
    rows.append(
        row(
            f"8. Cost: check mode, new alert, {label(n)}",
            check_new,
            f"<= {CHECK_MODE_BOUND} calls (documented bound), predicts a page, never pages",
            check_new.total <= CHECK_MODE_BOUND and all(changed(check_new)) and rerun_paged == 0,
            old_check_new,
            extra={**common, "predicted_page": changed(check_new)},
        )
    )
    rows.append(
        row(
            f"8. Cost: check mode, open alert, {label(n)}, no hint",
            check_open,
            f"<= {CHECK_MODE_BOUND} calls, predicts no page",
            check_open.total <= CHECK_MODE_BOUND and wrong_open == 0 and rerun_paged == 0,
            old_again,
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
        )
    )
    return rows


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


def bench_flapping(emu: Emulator, k: int = 50, reps: int = 3) -> list[Result]:
    """An alert that has fired and ended k times fires again: with the hint (the same state
    directory that saw the earlier episodes) and without (a fresh one), and find-first beside them."""
    prepare(emu)
    counter = Counter(emu)
    tag = uuid.uuid4().hex[:6]
    with fake_credentials(), state_dirs() as fresh:
        setup_start = counter.calls()
        # Alerts for every measured repetition, each with k ended episodes and its own hint directory.
        hinted, fresh_alerts, old_alerts = [], [], []
        for i in range(reps):
            client = core_client(emu, fresh())
            request = alert(f"{tag} flapping (hint) #{i}", own_sender(i, "hint"))
            fire_and_end(emu, client, request, k)
            hinted.append((client, request))
            request = alert(f"{tag} flapping (no hint) #{i}", own_sender(i, "no hint"))
            fire_and_end(emu, core_client(emu, fresh()), request, k)
            fresh_alerts.append(request)
            request = alert(f"{tag} flapping (find-first) #{i}", own_sender(i, "find-first"))
            fire_and_end(emu, core_client(emu, fresh()), request, k)
            old_alerts.append(request)
        setup_calls = {op: n - setup_start.get(op, 0) for op, n in counter.calls().items()}
        emu.control.advance(STEP_SECONDS)
        before = emu.control.engagements()
        # New clients, built untimed: with the state directory that saw the k episodes, or a fresh one.
        rerun = [core_client(emu, client.local_state) for client, _ in hinted]
        unhinted = [core_client(emu, fresh()) for _ in range(reps)]
        with_hint = repeat(counter, rerun, lambda c, i: c.ensure_started(hinted[i][1]))
        without = repeat(counter, unhinted, lambda c, i: c.ensure_started(fresh_alerts[i]))
        created = emu.control.engagements() - before
        check_hint = repeat(
            counter,
            [core_client(emu, client.local_state) for client, _ in hinted],
            lambda c, i: c.ensure_started(hinted[i][1], check_mode=True),
        )
        old = repeat(
            counter,
            [core_client(emu, fresh()) for _ in range(reps)],
            lambda c, i: find_first(c, old_alerts[i]),
        )

    changed = lambda s: [o.changed for o in s.outcomes]  # noqa: E731
    old_paged = sum(changed(old))
    old_note = (
        ""
        if old_paged == reps
        else f"; find-first paged nobody {reps - old_paged}/{reps} times (issue 10, item 1)"
    )
    documented = 2 * k + 3
    common = {"k": k, "setup_calls": setup_calls, "engagements_created": created}
    return [
        row(
            f"8. Cost: alert ended k={k} times fires again, with hint",
            with_hint,
            "<= 3 calls, pages",
            with_hint.steady and with_hint.total <= 3 and all(changed(with_hint)) and created == 2 * reps,
            old,
            old_note,
            extra={**common, "changed": changed(with_hint), "check_mode_with_hint": check_hint.to_dict()},
        ),
        row(
            f"8. Cost: alert ended k={k} times fires again, no hint",
            without,
            f"documented: 2k+3 = {documented} calls, pages",
            without.steady and without.total == documented and all(changed(without)) and created == 2 * reps,
            old,
            old_note,
            extra={**common, "changed": changed(without)},
        ),
    ]


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
