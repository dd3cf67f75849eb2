"""Seed files: on-call rotations (and their overrides) in a short form, for schedules to name.

Format (see docs/emulator.md, "On-call schedules")::

    rotations:
      - name: db-weekly
        members: [alice, bob]            # aliases of PERSONAL contacts, in shift order
        time_zone: Europe/Paris          # IANA
        start: "2026-01-05T09:00:00+01:00"   # optional: default the virtual clock's now
        weekly: [{day: MON, at: "09:00"}]    # or daily: ["09:00", "21:00"], monthly: [{day: 1, at: "09:00"}]
        on_calls: 1                      # optional, default 1 (NumberOfOnCalls)
        every: 1                         # optional, default 1 (RecurrenceMultiplier)
        coverage: {MON: ["09:00-17:00"], TUE: ["09:00-17:00"]}   # optional: on call only then
        overrides:
          - {members: [carol], start: "2026-01-07T00:00:00Z", end: "2026-01-08T00:00:00Z"}
    contacts:
      - alias: db-oncall
        type: ONCALL_SCHEDULE
        rotations: [db-weekly]

A rotation is matched by name, so a seed can be applied twice (its overrides are then replaced).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..service.exceptions import SSMContactsError
from ..service.models import SSMContactsBackend
from ..service.validation import validate_input

__all__ = ["ROTATION_KEYS", "schedule_plan", "seed_rotations"]

ROTATION_KEYS = {
    "name",
    "members",
    "time_zone",
    "start",
    "daily",
    "weekly",
    "monthly",
    "on_calls",
    "every",
    "coverage",
    "overrides",
}
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)\Z")


class RotationSeedError(ValueError):
    """A rotation of the seed is malformed (seed.py turns it into its SeedError)."""


def _at(value: Any, where: str) -> dict[str, int]:
    match = _CLOCK.match(str(value))
    if match is None:
        raise RotationSeedError(f"{where}: a time of day HH:MM, not {value!r}")
    return {"HourOfDay": int(match.group(1)), "MinuteOfHour": int(match.group(2))}


def _instant(value: Any, where: str) -> datetime:
    try:
        parsed = (
            value
            if isinstance(value, datetime)
            else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        )
    except ValueError:
        raise RotationSeedError(f"{where}: an ISO 8601 date and time, not {value!r}") from None
    if parsed.tzinfo is None:
        raise RotationSeedError(f"{where}: give the offset (e.g. Z or +01:00)")
    return parsed


def _recurrence(rotation: dict[str, Any], where: str) -> dict[str, Any]:
    recurrence: dict[str, Any] = {
        "NumberOfOnCalls": rotation.get("on_calls", 1),
        "RecurrenceMultiplier": rotation.get("every", 1),
    }
    if "daily" in rotation:
        recurrence["DailySettings"] = [_at(t, f"{where}.daily") for t in rotation["daily"] or []]
    if "weekly" in rotation:
        recurrence["WeeklySettings"] = [
            {"DayOfWeek": str(w.get("day", "")).upper(), "HandOffTime": _at(w.get("at"), f"{where}.weekly")}
            for w in rotation["weekly"] or []
        ]
    if "monthly" in rotation:
        recurrence["MonthlySettings"] = [
            {"DayOfMonth": m.get("day"), "HandOffTime": _at(m.get("at"), f"{where}.monthly")}
            for m in rotation["monthly"] or []
        ]
    coverage = rotation.get("coverage") or {}
    if coverage:
        recurrence["ShiftCoverages"] = {
            str(day).upper(): [_window(text, f"{where}.coverage.{day}") for text in windows]
            for day, windows in coverage.items()
        }
    return recurrence


def _window(text: Any, where: str) -> dict[str, dict[str, int]]:
    start, sep, end = str(text).partition("-")
    if not sep:
        raise RotationSeedError(f"{where}: a window HH:MM-HH:MM, not {text!r}")
    return {"Start": _at(start.strip(), where), "End": _at(end.strip(), where)}


def _rotation_request(
    rotation: Any, contact_arns: dict[str, str], backend: SSMContactsBackend
) -> dict[str, Any]:
    if not isinstance(rotation, dict) or not rotation.get("name"):
        raise RotationSeedError("each rotation is a mapping with a `name`")
    where = f"rotation {rotation['name']}"
    unknown = sorted(set(rotation) - ROTATION_KEYS)
    if unknown:
        raise RotationSeedError(f"{where}: unknown keys {unknown}")
    members = [
        contact_arns.get(str(alias)) or backend.contact_arn(str(alias))
        for alias in rotation.get("members") or []
    ]
    request: dict[str, Any] = {
        "Name": str(rotation["name"]),
        "ContactIds": members,
        "TimeZoneId": str(rotation.get("time_zone", "UTC")),
        "Recurrence": _recurrence(rotation, where),
    }
    validate_input("CreateRotation", request)
    return request


def _seed_one(backend: SSMContactsBackend, rotation: dict[str, Any], contact_arns: dict[str, str]) -> str:
    request = _rotation_request(rotation, contact_arns, backend)
    where = f"rotation {request['Name']}"
    # Epoch seconds, as the wire sends a timestamp.
    start = _instant(rotation["start"], f"{where}.start").timestamp() if "start" in rotation else None
    existing = next((r for r in backend.rotations.values() if r.name == request["Name"]), None)
    args = (request["Recurrence"], request["ContactIds"])
    if existing is not None:
        backend.update_rotation(existing.arn, *args, start_time=start, time_zone_id=request["TimeZoneId"])
        existing.overrides.clear()
        arn = existing.arn
    else:
        arn = backend.create_rotation(
            request["Name"],
            request["ContactIds"],
            request["TimeZoneId"],
            request["Recurrence"],
            start_time=start,
        )
    for index, override in enumerate(rotation.get("overrides") or []):
        o_where = f"{where}.overrides[{index}]"
        if not isinstance(override, dict):
            raise RotationSeedError(f"{o_where}: a mapping with members, start and end")
        new = [contact_arns.get(str(a)) or backend.contact_arn(str(a)) for a in override.get("members") or []]
        begins = _instant(override.get("start"), f"{o_where}.start")
        ends = _instant(override.get("end"), f"{o_where}.end")
        backend.create_rotation_override(arn, new, begins.timestamp(), ends.timestamp())
    return arn


def seed_rotations(
    backend: SSMContactsBackend, rotations: Any, contact_arns: dict[str, str]
) -> dict[str, str]:
    """Upsert the seed's rotations (their members exist by now); their ARNs by name."""
    if not isinstance(rotations, list):
        raise RotationSeedError("`rotations` is a list")
    arns: dict[str, str] = {}
    for rotation in rotations:
        try:
            arns[str(rotation.get("name"))] = _seed_one(backend, rotation, contact_arns)
        except SSMContactsError as error:
            name = rotation.get("name") if isinstance(rotation, dict) else rotation
            raise RotationSeedError(f"rotation {name}: {error.members.get('Message')}") from None
    return arns


def schedule_plan(
    contact: dict[str, Any], rotation_arns: dict[str, str], backend: SSMContactsBackend
) -> dict[str, Any]:
    """An ONCALL_SCHEDULE contact's plan from its `rotations` (names of the seed's or existing rotations)."""
    names = contact.get("rotations") or []
    by_name = {r.name: r.arn for r in backend.rotations.values()}
    ids = []
    for name in names:
        arn = rotation_arns.get(str(name)) or by_name.get(str(name))
        if arn is None:
            raise RotationSeedError(
                f"contact {contact['alias']}: unknown rotation {name!r} (declare it under `rotations`)"
            )
        ids.append(arn)
    return {"Stages": [], "RotationIds": ids}
