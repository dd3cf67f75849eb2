"""Many engagements in one stack, created in parallel by the engine while the service throttles
and drops answers: every page exactly once, every one in the state."""

from __future__ import annotations

from collections import Counter

from . import programs
from .support import Project, Service, changes

COUNT = 50


def test_fifty_engagements_with_parallel_16_under_throttling_and_dropped_answers(
    project: Project, emulator, service: Service
) -> None:
    emulator.control.set_faults(
        throttle_rate=0.2,
        drop_rate=0.1,
        seed=18,
        operations=["StartEngagement", "DescribeEngagement"],
    )
    stack = project.stack("dev", programs.numbered_pages(COUNT))

    result = stack.up(parallel=16)

    injected = emulator.control.injected("StartEngagement")
    assert injected["throttled"] > 0 and injected["dropped"] > 0, "the faults were exercised"
    emulator.control.clear_faults()  # before reading back what the service holds
    assert changes(result) == {"create": COUNT + 1}
    engagements = service.engagements()
    subjects = Counter(e["Subject"] for e in engagements)
    assert len(engagements) == COUNT == emulator.control.engagements()
    assert [s for s, n in subjects.items() if n > 1] == [], "a page went out twice"
    in_state = {r["id"] for r in project.engagements_in_state("dev")}
    assert in_state == {e["EngagementArn"] for e in engagements}
    assert len(in_state) == COUNT
