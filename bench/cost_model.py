"""Measuring what an operation costs for benchmark 8 (``bench/cost_bench.py``): service calls
counted by the emulator, wall time, repeated samples, and the previous design ("find first")
reproduced with the core's own ``find()`` so both sides go through the same client.
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
        return Cost(self.worst.calls, self.wall_s)

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
    # Bounds nothing reaches: the whole window, as the previous design read it.
    existing = client.find(request, DEFAULT_FIND_WINDOW, max_pages=10**9, max_describes=10**9)
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
