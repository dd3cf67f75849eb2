"""Who would a page reach at time T? For a contact, an escalation plan or an on-call schedule.

Read from the service, never guessed: the target's plan (GetContact), each stage's start (the
plan's ``DurationInMinutes`` added up from T), and for an on-call schedule the shift in force at
that stage's instant in each of its rotations (ListRotationShifts over one second, GetRotation for
its name); the people are named as GetContact names them. An escalation plan stops at the first
essential acknowledgement, so a later stage is who would be paged *if nobody acknowledged before*.
Cost: one GetContact per distinct contact, and per schedule stage one GetRotation and one
ListRotationShifts per rotation (each answer read once per call of :func:`who_is_on_call`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import FieldViolation, ResourceNotFoundError, ValidationError
from .timeutil import iso, to_utc

if TYPE_CHECKING:
    from .operations import EngagementClient

__all__ = ["OnCallAnswer", "Reach", "ShiftInfo", "shifts_of_pages", "who_is_on_call"]

#: The window a shift is read over: the instant itself (the service lists shifts overlapping it).
_INSTANT = timedelta(seconds=1)


@dataclass(frozen=True)
class ShiftInfo:
    """The shift that puts someone on call: its rotation, times and type (REGULAR or OVERRIDDEN)."""

    schedule_arn: str
    schedule_alias: str
    rotation_arn: str
    rotation_name: str
    start: datetime
    end: datetime
    type: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "schedule_arn": self.schedule_arn,
            "schedule": self.schedule_alias,
            "rotation_arn": self.rotation_arn,
            "rotation": self.rotation_name,
            "shift_start": iso(self.start),
            "shift_end": iso(self.end),
            "shift_type": self.type,
        }


@dataclass(frozen=True)
class Reach:
    """One person a page would reach: who, when (T plus the stage's delay), through which stage."""

    contact_arn: str
    alias: str
    display_name: str | None
    at: datetime
    stage: int | None  # 1-based stage of the escalation plan; None when paged directly
    essential: bool
    shift: ShiftInfo | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "contact_arn": self.contact_arn,
            "alias": self.alias,
            "display_name": self.display_name,
            "at": iso(self.at),
            "stage": self.stage,
            "essential": self.essential,
            "on_shift": self.shift.to_dict() if self.shift is not None else None,
        }


@dataclass(frozen=True)
class OnCallAnswer:
    """Who a page to ``target`` at ``at`` would reach, in order; ``gaps`` names each schedule that
    had nobody on shift when its stage would page it (such a stage pages nobody)."""

    target_arn: str
    target_alias: str
    target_type: str
    at: datetime
    reaches: list[Reach]
    gaps: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_arn": self.target_arn,
            "target": self.target_alias,
            "type": self.target_type,
            "at": iso(self.at),
            "reaches": [reach.to_dict() for reach in self.reaches],
            "gaps": list(self.gaps),
        }


class _Reader:
    """The service's answers, each read once per question."""

    def __init__(self, client: EngagementClient) -> None:
        self.client = client
        self.contacts: dict[str, dict[str, Any]] = {}
        self.rotations: dict[str, str] = {}

    def contact(self, contact_id: str) -> dict[str, Any]:
        if contact_id not in self.contacts:
            found = self.client._call("GetContact", {"ContactId": contact_id})
            self.contacts[contact_id] = self.contacts[found["ContactArn"]] = found
        return self.contacts[contact_id]

    def rotation_name(self, rotation_arn: str) -> str:
        if rotation_arn not in self.rotations:
            self.rotations[rotation_arn] = self.client._call("GetRotation", {"RotationId": rotation_arn})[
                "Name"
            ]
        return self.rotations[rotation_arn]

    def shift_at(self, rotation_arn: str, at: datetime) -> dict[str, Any] | None:
        params = {"RotationId": rotation_arn, "StartTime": at, "EndTime": at + _INSTANT}
        shifts = self.client._call("ListRotationShifts", params).get("RotationShifts") or []
        return next((s for s in shifts if to_utc(s["StartTime"]) <= at < to_utc(s["EndTime"])), None)

    def resolve(self, target: str) -> dict[str, Any]:
        """``target`` as a contact: an ARN, or an alias looked up with ListContacts."""
        if target.startswith("arn:"):
            return self.contact(target)
        for item in self.client._paginate("ListContacts", {"AliasPrefix": target}, "Contacts", max_pages=5):
            if item.get("Alias") == target:
                return self.contact(item["ContactArn"])
        raise ResourceNotFoundError(f"no contact with alias {target!r}", operation="ListContacts")


def _person(contact: dict[str, Any], at: datetime, stage: int | None, essential: bool, shift: Any) -> Reach:
    return Reach(
        contact["ContactArn"], contact["Alias"], contact.get("DisplayName"), at, stage, essential, shift
    )


def _on_shift(
    reader: _Reader, schedule: dict[str, Any], at: datetime, stage: int | None, essential: bool
) -> tuple[list[Reach], list[dict[str, Any]]]:
    reaches: list[Reach] = []
    for rotation_arn in (schedule.get("Plan") or {}).get("RotationIds") or []:
        shift = reader.shift_at(rotation_arn, at)
        if shift is None:
            continue
        info = ShiftInfo(
            schedule["ContactArn"],
            schedule["Alias"],
            rotation_arn,
            reader.rotation_name(rotation_arn),
            to_utc(shift["StartTime"]),  # type: ignore[arg-type]
            to_utc(shift["EndTime"]),  # type: ignore[arg-type]
            shift.get("Type", "REGULAR"),
        )
        for contact_arn in shift.get("ContactIds") or []:
            if all(r.contact_arn != contact_arn for r in reaches):
                reaches.append(_person(reader.contact(contact_arn), at, stage, essential, info))
    gaps = [] if reaches else [{"schedule": schedule["Alias"], "at": iso(at), "stage": stage}]
    return reaches, gaps


def who_is_on_call(client: EngagementClient, target: str, at: datetime | None = None) -> OnCallAnswer:
    """Who a page to ``target`` (a contact ARN or alias) at ``at`` (default: the service's now) would
    reach, stage by stage."""
    if not isinstance(target, str) or not target.strip():
        raise ValidationError("oncall", [FieldViolation("target", "ContactId", "required", "is required")])
    reader = _Reader(client)
    contact = reader.resolve(target.strip())
    # "Now" is the service's clock (the HTTP Date of its answer), as the service judges shifts by it.
    when = to_utc(at) if at is not None else client.service_now()
    kind = contact.get("Type", "PERSONAL")
    reaches: list[Reach] = []
    gaps: list[dict[str, Any]] = []
    if kind == "PERSONAL":
        reaches.append(_person(contact, when, None, True, None))
    elif kind == "ONCALL_SCHEDULE":
        reaches, gaps = _on_shift(reader, contact, when, None, True)
    else:
        stage_start = when
        for index, stage in enumerate((contact.get("Plan") or {}).get("Stages") or [], start=1):
            for target_info in stage.get("Targets") or []:
                info = target_info.get("ContactTargetInfo")
                if not info:
                    continue
                paged = reader.contact(info["ContactId"])
                essential = bool(info.get("IsEssential"))
                if paged.get("Type") == "ONCALL_SCHEDULE":
                    found, missing = _on_shift(reader, paged, stage_start, index, essential)
                    reaches += found
                    gaps += missing
                else:
                    reaches.append(_person(paged, stage_start, index, essential, None))
            stage_start += timedelta(minutes=stage.get("DurationInMinutes") or 0)
    return OnCallAnswer(contact["ContactArn"], contact["Alias"], kind, when, reaches, gaps)


def shifts_of_pages(
    client: EngagementClient, pages: dict[str, tuple[str, str, datetime]]
) -> dict[str, dict[str, Any]]:
    """Page ARN -> the shift that had its contact on call (``ShiftInfo.to_dict()``), for pages that
    went to a member of an on-call schedule: ``pages`` maps each to (schedule ARN, contact ARN, when
    it was sent). A page whose contact no rotation had on shift then is left out."""
    reader = _Reader(client)
    found: dict[str, dict[str, Any]] = {}
    for page_arn, (schedule_arn, contact_arn, at) in pages.items():
        reaches, _ = _on_shift(reader, reader.contact(schedule_arn), at, None, True)
        shift = next((r.shift for r in reaches if r.contact_arn == contact_arn and r.shift), None)
        if shift is not None:
            found[page_arn] = {"contact_alias": reader.contact(contact_arn)["Alias"], **shift.to_dict()}
    return found
