"""The records of on-call rotations: a rotation and its overrides, in the API's shapes.

Who is on call when is :mod:`.shifts`' job (pure); these only hold what the API was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .shifts import Override, Shift, on_call_at, rotation_shifts, time_zone

__all__ = ["Rotation", "RotationOverride"]


@dataclass(eq=False)
class RotationOverride:
    id: str
    rotation_arn: str
    new_contact_ids: list[str]
    start_time: datetime
    end_time: datetime
    create_time: datetime

    def as_override(self) -> Override:
        return Override(self.start_time, self.end_time, tuple(self.new_contact_ids))

    def summary(self) -> dict[str, Any]:
        """ListRotationOverrides' ``RotationOverride``."""
        return {
            "RotationOverrideId": self.id,
            "NewContactIds": list(self.new_contact_ids),
            "StartTime": self.start_time,
            "EndTime": self.end_time,
            "CreateTime": self.create_time,
        }

    def describe(self) -> dict[str, Any]:
        """GetRotationOverride's answer."""
        return {**self.summary(), "RotationArn": self.rotation_arn}


@dataclass(eq=False)
class Rotation:
    arn: str
    name: str
    contact_ids: list[str]
    start_time: datetime
    time_zone_id: str
    recurrence: dict[str, Any]
    # Oldest first: of overlapping overrides the last created wins (see :mod:`.shifts`).
    overrides: dict[str, RotationOverride] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """GetRotation's answer (and ListRotations' ``Rotation``: the same members)."""
        return {
            "RotationArn": self.arn,
            "Name": self.name,
            "ContactIds": list(self.contact_ids),
            "StartTime": self.start_time,
            "TimeZoneId": self.time_zone_id,
            "Recurrence": self.recurrence,
        }

    def _overrides(self) -> list[Override]:
        return [override.as_override() for override in self.overrides.values()]

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """Shifts overlapping ``[start, end)``, overrides applied."""
        zone = time_zone(self.time_zone_id)
        return rotation_shifts(
            self.contact_ids, self.recurrence, zone, self.start_time, start, end, self._overrides()
        )

    def on_call_at(self, instant: datetime) -> Shift | None:
        """The shift in force at ``instant`` (None: before the start, or a coverage gap)."""
        zone = time_zone(self.time_zone_id)
        return on_call_at(
            self.contact_ids, self.recurrence, zone, self.start_time, instant, self._overrides()
        )
