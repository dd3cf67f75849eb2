"""On-call shifts of a rotation: who is on call when, computed from the rotation alone (pure).

The rules, as the service documents them and as this emulator settles what it leaves open:

- Hand-offs happen at the wall-clock times of the recurrence (``DailySettings``, ``WeeklySettings``
  or ``MonthlySettings``: exactly one is set) in the rotation's IANA time zone, so a daily 09:00
  hand-off stays at 09:00 local across a daylight-saving change (that shift is 23 or 25 hours).
  A hand-off time that does not exist that day (spring forward) happens at the same offset as before
  the change (02:30 becomes 03:30); an ambiguous one (fall back) at its first occurrence.
- ``RecurrenceMultiplier`` N: the settings recur every N days, weeks or months, counted from the
  day, week (Monday) or month in which the rotation starts. A monthly day past the month's end
  (31 in April) is the month's last day.
- The first shift begins at the rotation's start; each hand-off after it moves on by
  ``NumberOfOnCalls`` members, in the members' order, wrapping round.
- ``ShiftCoverages`` (day of week -> [{Start, End}] local times) limit when anyone is on call: a shift
  is cut to the covered time and nothing is on call in between. An ``End`` at or before ``Start``
  runs past midnight (00:00 ends the day). No coverage map: covered all the time.
- An override replaces the members for its window (inside coverage): the shift is split there, the
  overridden part is ``OVERRIDDEN`` with the regular members in ``ShiftDetails``. Of overlapping
  overrides the last created wins.
- Shifts are whole (not clipped to the asked window); a listing returns each shift that overlaps it.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DAYS_OF_WEEK",
    "Override",
    "RecurrenceError",
    "Shift",
    "check_rotation",
    "hand_off_kind",
    "on_call_at",
    "rotation_shifts",
    "time_zone",
]

UTC = timezone.utc
DAYS_OF_WEEK = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
#: The recurrence members that set hand-offs, and the unit each repeats in.
_SETTINGS = {"DailySettings": "day", "WeeklySettings": "week", "MonthlySettings": "month"}


class RecurrenceError(ValueError):
    """A rotation that cannot be computed; ``field`` names the request member at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Override:
    """Members that replace the rotation's for ``[start, end)`` (UTC datetimes)."""

    start: datetime
    end: datetime
    contact_ids: tuple[str, ...]


@dataclass(frozen=True)
class Shift:
    start: datetime
    end: datetime
    contact_ids: tuple[str, ...]
    overridden: tuple[str, ...] | None = None  # the regular members, on an OVERRIDDEN shift

    @property
    def type(self) -> str:
        return "REGULAR" if self.overridden is None else "OVERRIDDEN"

    def to_api(self) -> dict[str, Any]:
        """The service's ``RotationShift`` shape."""
        shift: dict[str, Any] = {
            "ContactIds": list(self.contact_ids),
            "StartTime": self.start,
            "EndTime": self.end,
            "Type": self.type,
        }
        if self.overridden is not None:
            shift["ShiftDetails"] = {"OverriddenContactIds": list(self.overridden)}
        return shift


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a fixed-offset designator or an unknown name is a RecurrenceError."""
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise RecurrenceError("TimeZoneId", f"{name} is not an IANA time zone") from None
    return zone


def hand_off_kind(recurrence: Mapping[str, Any]) -> str:
    """Which of Daily/Weekly/MonthlySettings the recurrence uses (exactly one must be non-empty)."""
    given = [name for name in _SETTINGS if recurrence.get(name)]
    if len(given) != 1:
        raise RecurrenceError(
            "Recurrence", "Exactly one of DailySettings, WeeklySettings or MonthlySettings must be set"
        )
    return given[0]


def check_rotation(member_count: int, recurrence: Mapping[str, Any]) -> None:
    """What the model cannot say about a recurrence: one kind of settings, and no more people on call
    at once than the rotation has members (each on-call is a different person)."""
    hand_off_kind(recurrence)
    if int(recurrence["NumberOfOnCalls"]) > member_count:
        raise RecurrenceError(
            "Recurrence.NumberOfOnCalls",
            f"NumberOfOnCalls ({recurrence['NumberOfOnCalls']}) is more than the {member_count} members",
        )


def _clock(hand_off: Mapping[str, int]) -> time:
    return time(hand_off["HourOfDay"], hand_off["MinuteOfHour"])


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall time in ``zone`` as UTC (fold=0: see the module's rules)."""
    return local.replace(tzinfo=zone).astimezone(UTC)


class _HandOffs:
    """The hand-off instants of one recurrence, period by period, from an anchor in local time."""

    def __init__(self, recurrence: Mapping[str, Any], zone: ZoneInfo, rotation_start: datetime) -> None:
        kind = hand_off_kind(recurrence)
        self.unit = _SETTINGS[kind]
        self.every = int(recurrence["RecurrenceMultiplier"])
        self.zone = zone
        self.settings = list(recurrence[kind])
        local = rotation_start.astimezone(zone).date()
        if self.unit == "week":
            local -= timedelta(days=local.weekday())
        self.anchor = local

    def period_of(self, instant: datetime) -> int:
        """The (possibly negative) period the local date of ``instant`` falls in."""
        local = instant.astimezone(self.zone).date()
        if self.unit == "month":
            months = (local.year - self.anchor.year) * 12 + local.month - self.anchor.month
            return months // self.every
        days = (local - self.anchor).days
        return days // (self.every * (7 if self.unit == "week" else 1))

    def in_period(self, period: int) -> list[datetime]:
        """The period's hand-offs, UTC, sorted (a DST gap can reorder two local times; two that
        meet are both kept, so every period holds ``len(settings)`` of them)."""
        return sorted(_to_utc(local, self.zone) for local in self._local(period))

    def _local(self, period: int) -> Iterator[datetime]:
        if self.unit == "month":
            month_index = self.anchor.year * 12 + self.anchor.month - 1 + period * self.every
            year, month = divmod(month_index, 12)
            last_day = calendar.monthrange(year, month + 1)[1]
            for setting in self.settings:
                day = date(year, month + 1, min(setting["DayOfMonth"], last_day))
                yield datetime.combine(day, _clock(setting["HandOffTime"]))
            return
        first = self.anchor + timedelta(days=period * self.every * (7 if self.unit == "week" else 1))
        for setting in self.settings:
            if self.unit == "week":
                day = first + timedelta(days=DAYS_OF_WEEK.index(setting["DayOfWeek"]))
                yield datetime.combine(day, _clock(setting["HandOffTime"]))
            else:
                yield datetime.combine(first, _clock(setting))

    def around(self, rotation_start: datetime, start: datetime, end: datetime) -> tuple[int, list[datetime]]:
        """Hand-offs after ``rotation_start``, from the last one at or before ``start`` (if any) to
        the first one after ``end``, and how many came before them (by arithmetic: the cost does
        not grow with the rotation's age)."""
        first_period = max(self.period_of(max(start, rotation_start)) - 1, 0)
        last_period = self.period_of(end) + 1
        before = 0
        if first_period > 0:  # every period after the first holds len(settings) hand-offs
            in_first = sum(1 for t in self.in_period(0) if t > rotation_start)
            before = in_first + (first_period - 1) * len(self.settings)
        instants = [
            instant
            for period in range(first_period, last_period + 1)
            for instant in self.in_period(period)
            if instant > rotation_start
        ]
        keep_from = max(bisect.bisect_right(instants, start) - 1, 0)
        return before + keep_from, instants[keep_from:]


def _coverage(
    coverages: Mapping[str, Sequence[Mapping[str, Any]]] | None,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, datetime]]:
    """Covered time between ``start`` and ``end`` as merged UTC intervals (all of it without a map)."""
    if not coverages:
        return [(start, end)]
    windows: list[tuple[datetime, datetime]] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last_day:
        for window in coverages.get(DAYS_OF_WEEK[day.weekday()]) or ():
            begins, ends = _clock(window["Start"]), _clock(window["End"])
            end_day = day if ends > begins else day + timedelta(days=1)
            windows.append(
                (
                    _to_utc(datetime.combine(day, begins), zone),
                    _to_utc(datetime.combine(end_day, ends), zone),
                )
            )
        day += timedelta(days=1)
    merged: list[tuple[datetime, datetime]] = []
    for begins, ends in sorted(windows):
        if merged and begins <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], ends))
        else:
            merged.append((begins, ends))
    return [(max(b, start), min(e, end)) for b, e in merged if e > start and b < end]


def _members_of(members: Sequence[str], on_calls: int, hand_offs_so_far: int) -> tuple[str, ...]:
    first = hand_offs_so_far * on_calls
    return tuple(members[(first + offset) % len(members)] for offset in range(on_calls))


def _override_at(overrides: Sequence[Override], instant: datetime) -> Override | None:
    """The override in force at ``instant``: of those covering it, the last given (created)."""
    found = None
    for override in overrides:
        if override.start <= instant < override.end:
            found = override
    return found


def _pieces(
    edges: list[datetime],
    covered: list[tuple[datetime, datetime]],
    overrides: Sequence[Override],
) -> Iterator[tuple[datetime, datetime, int, Override | None]]:
    """Covered stretches between cuts (hand-offs, coverage and override edges): (start, end, index
    of the regular shift in ``edges``, override in force)."""
    low, high = edges[0], edges[-1]
    cuts = set(edges)
    for begins, ends in covered:
        cuts.update((begins, ends))
    for override in overrides:
        cuts.update(t for t in (override.start, override.end) if low < t < high)
    ordered = sorted(cuts)
    starts = [b for b, _ in covered]
    for begins, ends in itertools.pairwise(ordered):
        slot = bisect.bisect_right(starts, begins) - 1
        if slot < 0 or covered[slot][1] <= begins:
            continue  # a coverage gap: nobody is on call
        yield begins, ends, bisect.bisect_right(edges, begins) - 1, _override_at(overrides, begins)


def rotation_shifts(
    members: Sequence[str],
    recurrence: Mapping[str, Any],
    zone: ZoneInfo | str,
    rotation_start: datetime,
    start: datetime,
    end: datetime,
    overrides: Sequence[Override] = (),
) -> list[Shift]:
    """The rotation's shifts that overlap ``[start, end)`` (UTC datetimes), oldest first, whole."""
    zone = time_zone(zone) if isinstance(zone, str) else zone
    check_rotation(len(members), recurrence)
    on_calls = int(recurrence["NumberOfOnCalls"])
    if end <= rotation_start or end <= start:
        return []
    before, hand_offs = _HandOffs(recurrence, zone, rotation_start).around(rotation_start, start, end)
    if hand_offs and hand_offs[0] <= start:
        edges, first_count = hand_offs, before + 1
    else:
        edges, first_count = [rotation_start, *hand_offs], before
    covered = _coverage(recurrence.get("ShiftCoverages"), zone, edges[0], edges[-1])
    shifts: list[Shift] = []
    last_key: tuple[int, Override | None] | None = None
    for begins, ends, slot, override in _pieces(edges, covered, overrides):
        regular = _members_of(members, on_calls, first_count + slot)
        key = (slot, override)
        if shifts and last_key == key and shifts[-1].end == begins:
            shifts[-1] = Shift(shifts[-1].start, ends, shifts[-1].contact_ids, shifts[-1].overridden)
        elif override is None:
            shifts.append(Shift(begins, ends, regular))
        else:
            shifts.append(Shift(begins, ends, override.contact_ids, regular))
        last_key = key
    return [shift for shift in shifts if shift.end > start and shift.start < end]


def on_call_at(
    members: Sequence[str],
    recurrence: Mapping[str, Any],
    zone: ZoneInfo | str,
    rotation_start: datetime,
    instant: datetime,
    overrides: Sequence[Override] = (),
) -> Shift | None:
    """The shift in force at ``instant``, or None (before the rotation starts, or a coverage gap)."""
    found = rotation_shifts(
        members, recurrence, zone, rotation_start, instant, instant + timedelta(microseconds=1), overrides
    )
    return next((shift for shift in found if shift.start <= instant < shift.end), None)
