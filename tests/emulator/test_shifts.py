"""Shift computation (pure): a table of cases worked by hand, and properties over random rotations.

The table's rotations are the shapes of the AWS documentation's examples (the Incident Manager user
guide's daily, weekly-with-business-hours and monthly rotations; the Pulumi/CloudFormation
``AWS::SSMContacts::Rotation`` examples: daily 09:00 in Australia/Sydney, weekly with coverage,
monthly on given days); each expected shift was worked out by hand from the rules in
:mod:`pulumi_engagement.emulator.service.shifts`, in UTC, with the zone's offsets written beside it.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_engagement.emulator.service.shifts import (
    DAYS_OF_WEEK,
    Override,
    RecurrenceError,
    on_call_at,
    rotation_shifts,
    time_zone,
)

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def hand_off(hour: int, minute: int = 0) -> dict[str, int]:
    return {"HourOfDay": hour, "MinuteOfHour": minute}


def daily(*times: tuple[int, int], on_calls: int = 1, every: int = 1, **more: Any) -> dict[str, Any]:
    settings_ = [hand_off(*t) for t in times]
    return {"DailySettings": settings_, "NumberOfOnCalls": on_calls, "RecurrenceMultiplier": every, **more}


BUSINESS_HOURS = {day: [{"Start": hand_off(9), "End": hand_off(17)}] for day in DAYS_OF_WEEK[:5]}

# (name, members, recurrence, zone, rotation start, window, overrides, expected [(start, end, who, type)])
CASES: list[tuple[str, list[str], dict[str, Any], str, str, tuple[str, str], list[Override], list[Any]]] = [
    (
        # Sydney leaves daylight saving on Sun 7 Apr 2024 03:00 AEDT (+11) -> 02:00 AEST (+10):
        # 09:00 local is 22:00Z before, 23:00Z after; the shift across the change lasts 25 hours.
        "daily 09:00 Australia/Sydney across the end of DST",
        ["a", "b"],
        daily((9, 0)),
        "Australia/Sydney",
        "2024-04-04T22:00",
        ("2024-04-04T22:00", "2024-04-07T23:30"),
        [],
        [
            ("2024-04-04T22:00", "2024-04-05T22:00", ["a"], "REGULAR"),
            ("2024-04-05T22:00", "2024-04-06T23:00", ["b"], "REGULAR"),
            ("2024-04-06T23:00", "2024-04-07T23:00", ["a"], "REGULAR"),
            ("2024-04-07T23:00", "2024-04-08T23:00", ["b"], "REGULAR"),
        ],
    ),
    (
        # New York springs forward Sun 10 Mar 2024 02:00 EST (-5) -> 03:00 EDT (-4): a 23-hour shift.
        "daily 09:00 America/New_York across the start of DST",
        ["a", "b", "c"],
        daily((9, 0)),
        "America/New_York",
        "2024-03-09T14:00",
        ("2024-03-09T14:00", "2024-03-11T12:00"),
        [],
        [
            ("2024-03-09T14:00", "2024-03-10T13:00", ["a"], "REGULAR"),
            ("2024-03-10T13:00", "2024-03-11T13:00", ["b"], "REGULAR"),
        ],
    ),
    (
        # Weekly hand-off Monday 09:00 PST (-8), covered on weekdays 09:00-17:00 only: one shift per
        # covered day, the member changing on Monday; nothing at night or at the weekend.
        "weekly Monday hand-off with business-hours coverage",
        ["a", "b"],
        {
            "WeeklySettings": [{"DayOfWeek": "MON", "HandOffTime": hand_off(9)}],
            "NumberOfOnCalls": 1,
            "RecurrenceMultiplier": 1,
            "ShiftCoverages": BUSINESS_HOURS,
        },
        "America/Los_Angeles",
        "2024-01-08T17:00",  # Mon 8 Jan 09:00 PST
        ("2024-01-11T00:00", "2024-01-16T00:00"),
        [],
        [
            ("2024-01-10T17:00", "2024-01-11T01:00", ["a"], "REGULAR"),  # Wed: overlaps the window
            ("2024-01-11T17:00", "2024-01-12T01:00", ["a"], "REGULAR"),  # Thu
            ("2024-01-12T17:00", "2024-01-13T01:00", ["a"], "REGULAR"),  # Fri
            ("2024-01-15T17:00", "2024-01-16T01:00", ["b"], "REGULAR"),  # Mon: b's week
        ],
    ),
    (
        # Monthly on the 31st at 08:00 UTC: months without a 31st hand off on their last day.
        "monthly on the 31st",
        ["a", "b", "c"],
        {
            "MonthlySettings": [{"DayOfMonth": 31, "HandOffTime": hand_off(8)}],
            "NumberOfOnCalls": 1,
            "RecurrenceMultiplier": 1,
        },
        "UTC",
        "2024-01-31T08:00",
        ("2024-01-31T08:00", "2024-04-01T00:00"),
        [],
        [
            ("2024-01-31T08:00", "2024-02-29T08:00", ["a"], "REGULAR"),
            ("2024-02-29T08:00", "2024-03-31T08:00", ["b"], "REGULAR"),
            ("2024-03-31T08:00", "2024-04-30T08:00", ["c"], "REGULAR"),
        ],
    ),
    (
        "two on call at once, three members",
        ["a", "b", "c"],
        daily((0, 0), on_calls=2),
        "UTC",
        "2024-05-01T00:00",
        ("2024-05-01T00:00", "2024-05-04T00:00"),
        [],
        [
            ("2024-05-01T00:00", "2024-05-02T00:00", ["a", "b"], "REGULAR"),
            ("2024-05-02T00:00", "2024-05-03T00:00", ["c", "a"], "REGULAR"),
            ("2024-05-03T00:00", "2024-05-04T00:00", ["b", "c"], "REGULAR"),
        ],
    ),
    (
        # Started mid-morning: the first shift runs to the first hand-off after the start; every 2 days.
        "every second day, started between hand-offs",
        ["a", "b"],
        daily((9, 0), every=2),
        "UTC",
        "2024-05-01T11:00",
        ("2024-05-01T11:00", "2024-05-06T00:00"),
        [],
        [
            ("2024-05-01T11:00", "2024-05-03T09:00", ["a"], "REGULAR"),
            ("2024-05-03T09:00", "2024-05-05T09:00", ["b"], "REGULAR"),
            ("2024-05-05T09:00", "2024-05-07T09:00", ["a"], "REGULAR"),
        ],
    ),
    (
        # Two hand-offs a day (follow the sun), and an override for the afternoon; the later of two
        # overlapping overrides wins where they overlap.
        "overrides split a shift; the later override wins",
        ["a", "b"],
        daily((9, 0), (21, 0)),
        "UTC",
        "2024-05-01T09:00",
        ("2024-05-01T09:00", "2024-05-01T21:00"),
        [
            Override(at("2024-05-01T12:00"), at("2024-05-01T15:00"), ("x",)),
            Override(at("2024-05-01T14:00"), at("2024-05-01T16:00"), ("y", "z")),
        ],
        [
            ("2024-05-01T09:00", "2024-05-01T12:00", ["a"], "REGULAR"),
            ("2024-05-01T12:00", "2024-05-01T14:00", ["x"], "OVERRIDDEN"),
            ("2024-05-01T14:00", "2024-05-01T16:00", ["y", "z"], "OVERRIDDEN"),
            ("2024-05-01T16:00", "2024-05-01T21:00", ["a"], "REGULAR"),
        ],
    ),
    (
        # Night coverage 22:00-06:00 runs past midnight; the daily hand-off at 12:00 is in the gap.
        "overnight coverage",
        ["a", "b"],
        daily(
            (12, 0),
            ShiftCoverages={day: [{"Start": hand_off(22), "End": hand_off(6)}] for day in DAYS_OF_WEEK},
        ),
        "UTC",
        "2024-05-01T12:00",
        ("2024-05-01T12:00", "2024-05-03T12:00"),
        [],
        [
            ("2024-05-01T22:00", "2024-05-02T06:00", ["a"], "REGULAR"),
            ("2024-05-02T22:00", "2024-05-03T06:00", ["b"], "REGULAR"),
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_hand_worked_cases(case: Any) -> None:
    _, members, recurrence, zone, start, (low, high), overrides, expected = case
    shifts = rotation_shifts(members, recurrence, zone, at(start), at(low), at(high), overrides)
    got = [(s.start, s.end, list(s.contact_ids), s.type) for s in shifts]
    assert got == [(at(b), at(e), who, kind) for b, e, who, kind in expected]


def test_an_overridden_shift_names_the_members_it_replaced() -> None:
    shifts = rotation_shifts(
        ["a", "b"],
        daily((9, 0)),
        "UTC",
        at("2024-05-01T09:00"),
        at("2024-05-01T09:30"),
        at("2024-05-01T11:30"),
        [Override(at("2024-05-01T10:00"), at("2024-05-01T11:00"), ("x",))],
    )
    assert [s.to_api().get("ShiftDetails") for s in shifts] == [None, {"OverriddenContactIds": ["a"]}, None]


def test_cost_does_not_grow_with_the_rotation_age() -> None:
    # Ten years on, the member on call is the one counting hand-offs one by one would give.
    start = at("2014-01-01T09:00")
    recurrence = daily((9, 0))
    members = [f"m{i}" for i in range(7)]
    days = (at("2024-06-15T12:00") - start).days
    shift = on_call_at(members, recurrence, "UTC", start, at("2024-06-15T12:00"))
    assert shift is not None and shift.contact_ids == (members[days % 7],)


def test_nothing_before_the_rotation_starts_and_bad_recurrence_is_named() -> None:
    assert on_call_at(["a"], daily((9, 0)), "UTC", at("2024-05-01T09:00"), at("2024-04-30T09:00")) is None
    with pytest.raises(RecurrenceError) as error:
        rotation_shifts(
            ["a"], {"NumberOfOnCalls": 1, "RecurrenceMultiplier": 1}, "UTC", *[at("2024-05-01")] * 3
        )
    assert error.value.field == "Recurrence"
    with pytest.raises(RecurrenceError) as error:
        rotation_shifts(
            ["a"], daily((9, 0)), "Mars/Olympus", at("2024-05-01"), at("2024-05-01"), at("2024-05-02")
        )
    assert error.value.field == "TimeZoneId"


# -- properties -----------------------------------------------------------------------------------

ZONES = ["UTC", "America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns"]
_TIMES = st.builds(hand_off, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
_COVERAGE = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(DAYS_OF_WEEK),
        st.lists(st.fixed_dictionaries({"Start": _TIMES, "End": _TIMES}), min_size=1, max_size=2),
        min_size=1,
    ),
)
_RECURRENCE = st.one_of(
    st.fixed_dictionaries({"DailySettings": st.lists(_TIMES, min_size=1, max_size=3)}),
    st.fixed_dictionaries(
        {
            "WeeklySettings": st.lists(
                st.fixed_dictionaries({"DayOfWeek": st.sampled_from(DAYS_OF_WEEK), "HandOffTime": _TIMES}),
                min_size=1,
                max_size=3,
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "MonthlySettings": st.lists(
                st.fixed_dictionaries({"DayOfMonth": st.integers(1, 31), "HandOffTime": _TIMES}),
                min_size=1,
                max_size=2,
            )
        }
    ),
)
# 2024 holds DST changes in every zone above but Kolkata and UTC; minutes keep instants on a grid.
_INSTANTS = st.integers(0, 366 * 24 * 4).map(lambda q: at("2024-01-01T00:00") + timedelta(minutes=15 * q))


@st.composite
def rotations(draw: st.DrawFn) -> dict[str, Any]:
    members = [f"m{i}" for i in range(draw(st.integers(1, 6)))]
    recurrence = {
        **draw(_RECURRENCE),
        "NumberOfOnCalls": draw(st.integers(1, len(members))),
        "RecurrenceMultiplier": draw(st.integers(1, 3)),
    }
    coverage = draw(_COVERAGE)
    if coverage is not None:
        recurrence["ShiftCoverages"] = coverage
    start = draw(_INSTANTS)
    low = draw(_INSTANTS)
    high = low + timedelta(hours=draw(st.integers(1, 24 * 21)))
    return {
        "members": members,
        "recurrence": recurrence,
        "zone": draw(st.sampled_from(ZONES)),
        "rotation_start": start,
        "window": (low, high),
    }


@settings(max_examples=150, deadline=None)
@given(rotation=rotations(), probes=st.lists(st.integers(0, 10_000), min_size=1, max_size=20))
def test_shifts_tile_the_covered_window_with_exactly_the_on_calls(
    rotation: dict[str, Any], probes: list[int]
) -> None:
    low, high = rotation["window"]
    args = (rotation["members"], rotation["recurrence"], rotation["zone"], rotation["rotation_start"])
    shifts = rotation_shifts(*args, low, high)
    on_calls = rotation["recurrence"]["NumberOfOnCalls"]
    for earlier, later in itertools.pairwise(shifts):
        assert earlier.end <= later.start, "shifts overlap"
    for shift in shifts:
        assert shift.start < shift.end and shift.end > low and shift.start < high
        assert len(set(shift.contact_ids)) == on_calls and shift.type == "REGULAR"
    # Every probed instant: covered -> exactly one shift, with NumberOfOnCalls members; else none.
    zone = time_zone(rotation["zone"])
    coverage = rotation["recurrence"].get("ShiftCoverages")
    for probe in probes:
        instant = low + (high - low) * probe / 10_000
        holding = [s for s in shifts if s.start <= instant < s.end]
        covered = instant >= rotation["rotation_start"] and _covered(coverage, zone, instant)
        assert len(holding) == (1 if covered else 0), (instant, holding)
        assert on_call_at(*args, instant) == (holding[0] if holding else None)


def _covered(coverage: dict[str, Any] | None, zone: Any, instant: datetime) -> bool:
    """Whether ``instant`` is inside the coverage map: worked out independently, by local wall time."""
    if not coverage:
        return True
    for days_back in (0, 1):
        local_day = (instant.astimezone(zone) - timedelta(days=days_back)).date()
        for window in coverage.get(DAYS_OF_WEEK[local_day.weekday()], []):
            begins = datetime.combine(local_day, datetime.min.time()).replace(
                hour=window["Start"]["HourOfDay"], minute=window["Start"]["MinuteOfHour"]
            )
            ends = begins.replace(hour=window["End"]["HourOfDay"], minute=window["End"]["MinuteOfHour"])
            if ends <= begins:
                ends += timedelta(days=1)
            b = begins.replace(tzinfo=zone).astimezone(UTC)
            e = ends.replace(tzinfo=zone).astimezone(UTC)
            if b <= instant < e:
                return True
    return False


@settings(max_examples=100, deadline=None)
@given(rotation=rotations(), data=st.data())
def test_overrides_replace_members_only_inside_their_window(rotation: dict[str, Any], data: Any) -> None:
    low, high = rotation["window"]
    begins = data.draw(_INSTANTS)
    override = Override(begins, begins + timedelta(hours=data.draw(st.integers(1, 72))), ("stand-in",))
    args = (rotation["members"], rotation["recurrence"], rotation["zone"], rotation["rotation_start"])
    plain = rotation_shifts(*args, low, high)
    shifts = rotation_shifts(*args, low, high, [override])
    for shift in shifts:
        inside = override.start <= shift.start and shift.end <= override.end
        assert (shift.type == "OVERRIDDEN") == inside
        assert (shift.contact_ids == ("stand-in",)) == inside
    # Outside the override the same members are on call as without it.
    for probe in range(0, 1000, 37):
        instant = low + (high - low) * probe / 1000
        if override.start <= instant < override.end:
            continue
        before = [s.contact_ids for s in plain if s.start <= instant < s.end]
        after = [s.contact_ids for s in shifts if s.start <= instant < s.end]
        assert before == after
