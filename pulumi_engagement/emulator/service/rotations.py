"""Rotations, their overrides and shifts, and contact policies: the on-call half of the backend.

Parameters are named as the model's input members in snake_case: the wire layer forwards by name.
Timestamps arrive as the wire sends them (epoch seconds) and are read with ``parse_timestamp``.
Who is on shift at an instant (:meth:`RotationsBackend.on_shift`) is what an engagement of an
on-call schedule pages.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..drill.clock import clock
from .backend_base import BackendState, Listing, PageArgs, paginate, touching
from .exceptions import ConflictException, ResourceNotFoundException, ValidationException, field_error
from .rotation_records import Rotation, RotationOverride
from .shifts import Override, RecurrenceError, Shift, check_rotation, rotation_shifts, time_zone
from .validation import parse_timestamp

if TYPE_CHECKING:  # typing.Unpack is 3.11+; it only annotates ``**paging``
    from typing_extensions import Unpack

__all__ = ["MAX_SCHEDULE_ROTATIONS", "RotationsBackend"]

#: "Each on-call schedule supports up to eight rotations" (Incident Manager user guide).
MAX_SCHEDULE_ROTATIONS = 8
_ARN_SAFE = re.compile(r"[^\w.-]+")


def _instant(name: str, value: Any, default: datetime | None = None) -> datetime:
    """A timestamp member as an aware UTC datetime; absent: ``default`` (or a field error)."""
    if value is None and default is not None:
        return default
    parsed = parse_timestamp(value)
    if parsed is None:
        raise field_error(name, "Member must be a timestamp")
    return parsed


def _window(start: Any, end: Any, default_start: datetime) -> tuple[datetime, datetime]:
    begins = _instant("StartTime", start, default_start)
    ends = _instant("EndTime", end)
    if ends <= begins:
        raise field_error("EndTime", "EndTime must be after StartTime")
    return begins, ends


def _zone_id(time_zone_id: str) -> str:
    """An IANA zone name; designators without rules (PST, EST5EDT) are refused, as the service does."""
    if time_zone_id != "UTC" and "/" not in time_zone_id:
        raise field_error(
            "TimeZoneId", f"{time_zone_id} is not an IANA time zone name (such as Europe/Paris)"
        )
    try:
        time_zone(time_zone_id)
    except RecurrenceError as error:
        raise field_error(error.field, str(error)) from None
    return time_zone_id


def _recurrence(member_count: int, recurrence: dict[str, Any]) -> dict[str, Any]:
    try:
        check_rotation(member_count, recurrence)
    except RecurrenceError as error:
        raise field_error(error.field, str(error)) from None
    return json.loads(json.dumps(recurrence))


class RotationsBackend(BackendState):
    """CreateRotation ... ListPreviewRotationShifts, PutContactPolicy and GetContactPolicy."""

    # -- look-ups ---------------------------------------------------------------------------------

    def get_rotation_obj(self, rotation_id: str) -> Rotation:
        return self._find(self.rotations, rotation_id, "ROTATION")

    def _personal_contacts(self, name: str, contact_ids: list[str]) -> list[str]:
        """``contact_ids`` as ARNs of existing PERSONAL contacts, each once, order kept."""
        arns: list[str] = []
        for index, contact_id in enumerate(contact_ids):
            contact = self.get_contact_obj(contact_id)
            if contact.type != "PERSONAL":
                raise field_error(f"{name}[{index}]", "Only PERSONAL contacts can be on call in a rotation")
            if contact.arn in arns:
                raise field_error(f"{name}[{index}]", f"Contact {contact.alias} is listed twice")
            arns.append(contact.arn)
        return arns

    def schedules_using(self, rotation_arn: str) -> list[str]:
        """ARNs of the on-call schedules whose plan names the rotation."""
        return [
            contact.arn
            for contact in self.contacts.values()
            if contact.type == "ONCALL_SCHEDULE" and rotation_arn in (contact.plan.get("RotationIds") or [])
        ]

    # -- rotations --------------------------------------------------------------------------------

    @touching
    def create_rotation(
        self,
        name: str,
        contact_ids: list[str],
        time_zone_id: str,
        recurrence: dict[str, Any],
        start_time: Any = None,
        tags: list[dict[str, str]] | None = None,
        idempotency_token: str | None = None,
    ) -> str:
        fingerprint = json.dumps(
            [name, contact_ids, time_zone_id, recurrence, start_time, tags], sort_keys=True
        )
        replay = self._check_token("rotation", idempotency_token, fingerprint)
        if replay is not None and replay in self.rotations:
            return replay
        members = self._personal_contacts("ContactIds", contact_ids)
        rotation = Rotation(
            arn=self._arn(f"rotation/{_ARN_SAFE.sub('-', name)}/{uuid.uuid4()}"),
            name=name,
            contact_ids=members,
            start_time=_instant("StartTime", start_time, clock.now()),
            time_zone_id=_zone_id(time_zone_id),
            recurrence=_recurrence(len(members), recurrence),
        )
        self.rotations[rotation.arn] = rotation
        self.tags[rotation.arn] = {t["Key"]: t["Value"] for t in tags or []}
        if idempotency_token:
            self.create_tokens[("rotation", idempotency_token)] = (fingerprint, rotation.arn)
        return rotation.arn

    @touching
    def get_rotation(self, rotation_id: str) -> dict[str, Any]:
        return self.get_rotation_obj(rotation_id).describe()

    @touching
    def list_rotations(self, rotation_name_prefix: str | None = None, **paging: Unpack[PageArgs]) -> Listing:
        found = sorted(
            (r for r in self.rotations.values() if r.name.startswith(rotation_name_prefix or "")),
            key=lambda r: (r.name, r.arn),
        )
        return paginate(found, Rotation.describe, **paging)

    @touching
    def update_rotation(
        self,
        rotation_id: str,
        recurrence: dict[str, Any],
        contact_ids: list[str] | None = None,
        start_time: Any = None,
        time_zone_id: str | None = None,
    ) -> None:
        rotation = self.get_rotation_obj(rotation_id)
        members = self._personal_contacts("ContactIds", contact_ids) if contact_ids else rotation.contact_ids
        checked = _recurrence(len(members), recurrence)
        zone = _zone_id(time_zone_id) if time_zone_id is not None else rotation.time_zone_id
        begins = _instant("StartTime", start_time, rotation.start_time)
        # Checked whole before anything changes: a refused update leaves the rotation as it was.
        rotation.contact_ids, rotation.recurrence = members, checked
        rotation.time_zone_id, rotation.start_time = zone, begins

    @touching
    def delete_rotation(self, rotation_id: str) -> None:
        rotation = self.get_rotation_obj(rotation_id)
        schedules = self.schedules_using(rotation.arn)
        if schedules:
            # The API reference says the rotation leaves every schedule; the model lists
            # ConflictException for DeleteRotation. The emulator refuses, naming the schedules, so a
            # schedule never silently loses the people it pages (docs/emulator.md).
            raise ConflictException(
                "ROTATION",
                rotation.arn,
                f"Rotation {rotation.name} is used by on-call schedules",
                dependent_entities=[
                    {"RelationType": "ONCALL_SCHEDULE_ROTATION", "DependentResourceIds": schedules}
                ],
            )
        del self.rotations[rotation.arn]
        self.tags.pop(rotation.arn, None)

    # -- overrides --------------------------------------------------------------------------------

    @touching
    def create_rotation_override(
        self,
        rotation_id: str,
        new_contact_ids: list[str],
        start_time: Any,
        end_time: Any,
        idempotency_token: str | None = None,
    ) -> str:
        rotation = self.get_rotation_obj(rotation_id)
        fingerprint = json.dumps([rotation.arn, new_contact_ids, start_time, end_time], sort_keys=True)
        replay = self._check_token("override", idempotency_token, fingerprint)
        if replay is not None and replay in rotation.overrides:
            return replay
        members = self._personal_contacts("NewContactIds", new_contact_ids)
        begins, ends = _window(start_time, end_time, clock.now())
        override = RotationOverride(str(uuid.uuid4()), rotation.arn, members, begins, ends, clock.now())
        rotation.overrides[override.id] = override
        if idempotency_token:
            self.create_tokens[("override", idempotency_token)] = (fingerprint, override.id)
        return override.id

    def _override(self, rotation_id: str, rotation_override_id: str) -> tuple[Rotation, RotationOverride]:
        rotation = self.get_rotation_obj(rotation_id)
        override = rotation.overrides.get(rotation_override_id)
        if override is None:
            raise ResourceNotFoundException("ROTATION_OVERRIDE", rotation_override_id)
        return rotation, override

    @touching
    def get_rotation_override(self, rotation_id: str, rotation_override_id: str) -> dict[str, Any]:
        return self._override(rotation_id, rotation_override_id)[1].describe()

    @touching
    def delete_rotation_override(self, rotation_id: str, rotation_override_id: str) -> None:
        rotation, override = self._override(rotation_id, rotation_override_id)
        del rotation.overrides[override.id]

    @touching
    def list_rotation_overrides(
        self, rotation_id: str, start_time: Any, end_time: Any, **paging: Unpack[PageArgs]
    ) -> Listing:
        rotation = self.get_rotation_obj(rotation_id)
        begins, ends = _window(start_time, end_time, clock.now())
        found = [o for o in rotation.overrides.values() if o.end_time > begins and o.start_time < ends]
        found.sort(key=lambda o: (o.start_time, o.create_time))
        return paginate(found, RotationOverride.summary, **paging)

    # -- shifts -----------------------------------------------------------------------------------

    @touching
    def list_rotation_shifts(
        self, rotation_id: str, end_time: Any, start_time: Any = None, **paging: Unpack[PageArgs]
    ) -> Listing:
        rotation = self.get_rotation_obj(rotation_id)
        begins, ends = _window(start_time, end_time, clock.now())
        return paginate(rotation.shifts(begins, ends), Shift.to_api, **paging)

    @touching
    def list_preview_rotation_shifts(
        self,
        end_time: Any,
        members: list[str],
        time_zone_id: str,
        recurrence: dict[str, Any],
        rotation_start_time: Any = None,
        start_time: Any = None,
        overrides: list[dict[str, Any]] | None = None,
        **paging: Unpack[PageArgs],
    ) -> Listing:
        # Without a StartTime the preview starts with the rotation (or now, if that is not given either).
        rotation_start = _instant("RotationStartTime", rotation_start_time, clock.now())
        begins, ends = _window(start_time, end_time, rotation_start)
        previewed: list[Override] = []
        for index, override in enumerate(overrides or []):
            name = f"Overrides[{index}]"
            o_begins = _instant(f"{name}.StartTime", override.get("StartTime"))
            o_ends = _instant(f"{name}.EndTime", override.get("EndTime"))
            previewed.append(Override(o_begins, o_ends, tuple(override.get("NewMembers") or ())))
        zone = time_zone(_zone_id(time_zone_id))
        checked = _recurrence(len(members), recurrence)
        shifts = rotation_shifts(members, checked, zone, rotation_start, begins, ends, previewed)
        return paginate(shifts, Shift.to_api, **paging)

    # -- contact policies -------------------------------------------------------------------------

    @touching
    def put_contact_policy(self, contact_arn: str, policy: str) -> None:
        contact = self.get_contact_obj(contact_arn)
        try:
            document = json.loads(policy)
        except ValueError:
            raise ValidationException(
                "1 validation error detected: Policy: the policy is not valid JSON",
                reason="CANNOT_PARSE",
                fields=[{"Name": "Policy", "Message": "the policy is not valid JSON"}],
            ) from None
        if not isinstance(document, dict):
            raise field_error("Policy", "A policy must be a JSON object (a policy document)")
        self.policies[contact.arn] = policy

    @touching
    def get_contact_policy(self, contact_arn: str) -> dict[str, Any]:
        contact = self.get_contact_obj(contact_arn)
        return {"ContactArn": contact.arn, "Policy": self.policies.get(contact.arn)}
