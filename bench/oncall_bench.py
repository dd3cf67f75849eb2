"""Benchmark 10 (issue 20): ListRotationShifts over a year of a weekly rotation with 20 overrides.

Over HTTP to the emulator child: every page of ``list_rotation_shifts`` for one year, through boto3,
median of interleaved rounds, beside a ``ListContacts`` call on the same client (the round trip
and the json 1.1 plumbing every operation pays), so the shift computation's share shows. The model
caps a rotation at 30 members (``RotationContactsArnList``), so the HTTP rotation has 30; the
issue's 50 members are measured on the pure computation (:mod:`pulumi_engagement.emulator.service.shifts`)
in this process, which no API can reach with more than 30.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

from pulumi_engagement.emulator.sdk_client import emulator_client
from pulumi_engagement.emulator.service.shifts import Override, rotation_shifts

from .harness import Emulator, Result, interleave, median

UTC = timezone.utc
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
YEAR = timedelta(days=365)
WEEKLY = {
    "WeeklySettings": [{"DayOfWeek": "MON", "HandOffTime": {"HourOfDay": 9, "MinuteOfHour": 0}}],
    "NumberOfOnCalls": 1,
    "RecurrenceMultiplier": 1,
}
GOAL_MS = 50.0


def _overrides(count: int) -> list[tuple[datetime, datetime]]:
    """``count`` overrides of 30 hours spread over the year, some across a hand-off."""
    step = YEAR / count
    return [
        (START + step * i + timedelta(days=6), START + step * i + timedelta(days=7, hours=12))
        for i in range(count)
    ]


def _rotation(client: Any, members: int, overrides: int) -> str:
    arns = [
        client.create_contact(Alias=f"bench-oncall-{i}", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
        for i in range(members)
    ]
    rotation = client.create_rotation(
        Name="bench-weekly", ContactIds=arns, StartTime=START, TimeZoneId="Europe/Dublin", Recurrence=WEEKLY
    )["RotationArn"]
    for i, (begins, ends) in enumerate(_overrides(overrides)):
        client.create_rotation_override(
            RotationId=rotation, NewContactIds=[arns[(i * 7) % members]], StartTime=begins, EndTime=ends
        )
    return rotation


def _timed(call: Any) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def bench_rotation_shifts(emu: Emulator, rounds: int = 21) -> Result:
    emu.reset()
    client = emulator_client(emu.endpoint_url)
    rotation = _rotation(client, members=30, overrides=20)
    paginator = client.get_paginator("list_rotation_shifts")
    shift_count = 0

    def list_year(_: int) -> float:
        nonlocal shift_count

        def every_page() -> None:
            nonlocal shift_count
            pages = paginator.paginate(RotationId=rotation, StartTime=START, EndTime=START + YEAR)
            shift_count = sum(len(page["RotationShifts"]) for page in pages)

        return _timed(every_page)

    times = interleave(
        {"list_rotation_shifts": list_year, "list_contacts": lambda _: _timed(client.list_contacts)}, rounds
    )
    http_ms = median(times["list_rotation_shifts"])
    baseline_ms = median(times["list_contacts"])
    # The 50 members, on the computation itself (the API refuses more than 30).
    members = [f"member-{i}" for i in range(50)]
    overrides = [Override(b, e, (members[(i * 7) % 50],)) for i, (b, e) in enumerate(_overrides(20))]
    pure = [
        _timed(
            lambda: rotation_shifts(members, WEEKLY, "Europe/Dublin", START, START, START + YEAR, overrides)
        )
        for _ in range(rounds)
    ]
    return Result(
        "10. ListRotationShifts: a year of a weekly rotation, 20 overrides",
        round(http_ms, 2),
        "ms",
        f"<= {GOAL_MS:g} ms",
        http_ms <= GOAL_MS,
        "ListContacts on the same client (round trip)",
        {
            "members_over_http": 30,
            "shifts_listed": shift_count,
            "list_contacts_ms": round(baseline_ms, 2),
            "ratio_to_list_contacts": round(http_ms / baseline_ms, 2),
            "pure_computation_50_members_ms": round(median(pure), 2),
            "rounds": rounds,
        },
    )
