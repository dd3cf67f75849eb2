"""Contacts, contact channels and tags: the CRUD half of the ssm-contacts backend."""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from ..drill.clock import clock
from .backend_base import BackendState, Listing, PageArgs, paginate, touching
from .exceptions import ConflictException, ResourceNotFoundException, field_error
from .records import Contact, ContactChannel, activation_code_for
from .rotations import MAX_SCHEDULE_ROTATIONS

if TYPE_CHECKING:  # typing.Unpack is 3.11+; it only annotates ``**paging``
    from typing_extensions import Unpack

__all__ = ["ContactsBackend"]

_E164 = re.compile(r"\+[1-9][0-9]{1,14}\Z")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")


class ContactsBackend(BackendState):
    """CreateContact ... DeleteContactChannel, and the tag operations (tags live on contacts).

    Parameters are named as the model's input members in snake_case: the wire layer forwards by name.
    """

    def _validate_plan(self, contact_type: str, plan: dict[str, Any], contact_arn: str) -> dict[str, Any]:
        """A copy of ``plan`` with ``Stages`` (and a schedule's ``RotationIds``), every target checked
        against the contact's type."""
        plan = json.loads(json.dumps(plan or {}))
        stages = plan.get("Stages") or []
        if contact_type == "ONCALL_SCHEDULE":
            return self._validate_schedule(plan, stages)
        if plan.get("RotationIds"):
            raise field_error("Plan.RotationIds", "RotationIds are only valid for ONCALL_SCHEDULE contacts")
        for s_index, stage in enumerate(stages):
            for t_index, target in enumerate(stage.get("Targets") or []):
                name = f"Plan.Stages[{s_index}].Targets[{t_index}]"
                channel = target.get("ChannelTargetInfo")
                contact = target.get("ContactTargetInfo")
                if (channel is None) == (contact is None):
                    raise field_error(
                        name, "Exactly one of ChannelTargetInfo or ContactTargetInfo must be set"
                    )
                if contact_type == "PERSONAL":
                    self._check_channel_target(name, channel, contact_arn)
                else:
                    self._check_contact_target(name, contact)
        return {"Stages": stages}

    def _validate_schedule(self, plan: dict[str, Any], stages: list[Any]) -> dict[str, Any]:
        """An on-call schedule's plan: its rotations (existing, each once, at most eight), no stages."""
        rotation_ids = list(plan.get("RotationIds") or [])
        if stages:
            raise field_error("Plan.Stages", "An ONCALL_SCHEDULE contact's plan has rotations, not stages")
        if not rotation_ids:
            raise field_error("Plan.RotationIds", "An ONCALL_SCHEDULE contact needs at least one rotation")
        if len(rotation_ids) > MAX_SCHEDULE_ROTATIONS:
            raise field_error(
                "Plan.RotationIds", f"An on-call schedule can have at most {MAX_SCHEDULE_ROTATIONS} rotations"
            )
        for index, rotation_id in enumerate(rotation_ids):
            if rotation_id not in self.rotations:
                raise field_error(f"Plan.RotationIds[{index}]", f"Rotation {rotation_id} not found")
            if rotation_ids.index(rotation_id) != index:
                raise field_error(f"Plan.RotationIds[{index}]", f"Rotation {rotation_id} is listed twice")
        return {"Stages": [], "RotationIds": rotation_ids}

    def _check_channel_target(self, name: str, channel: dict[str, Any] | None, contact_arn: str) -> None:
        if channel is None:
            raise field_error(name, "A PERSONAL contact's plan can only target contact channels")
        found = self.channels.get(channel["ContactChannelId"])
        if found is None or found.contact_arn != contact_arn:
            raise field_error(
                f"{name}.ChannelTargetInfo.ContactChannelId",
                f"Contact channel {channel['ContactChannelId']} does not belong to this contact",
            )

    def _check_contact_target(self, name: str, contact: dict[str, Any] | None) -> None:
        if contact is None:
            raise field_error(name, "An ESCALATION plan can only target contacts")
        target_id = contact.get("ContactId")
        found = self.contacts.get(target_id or "")
        if found is None:
            raise field_error(f"{name}.ContactTargetInfo.ContactId", f"Contact {target_id} not found")
        if found.type == "ESCALATION":
            raise field_error(
                f"{name}.ContactTargetInfo.ContactId",
                "An ESCALATION plan can target PERSONAL contacts and on-call schedules, not escalation plans",
            )

    @touching
    def create_contact(
        self,
        alias: str,
        contact_type: str,
        plan: dict[str, Any],
        display_name: str | None = None,
        tags: list[dict[str, str]] | None = None,
        idempotency_token: str | None = None,
    ) -> str:
        fingerprint = json.dumps([alias, contact_type, plan, display_name, tags], sort_keys=True)
        replay = self._check_token("contact", idempotency_token, fingerprint)
        if replay is not None and replay in self.contacts:
            return replay
        arn = self.contact_arn(alias)
        if arn in self.contacts:
            raise ConflictException("CONTACT", arn, f"A contact with alias {alias} already exists")
        checked = self._validate_plan(contact_type, plan, arn)
        self.contacts[arn] = Contact(arn, alias, display_name, contact_type, checked)
        self.tags[arn] = {t["Key"]: t["Value"] for t in tags or []}
        if idempotency_token:
            self.create_tokens[("contact", idempotency_token)] = (fingerprint, arn)
        return arn

    @touching
    def get_contact(self, contact_id: str) -> dict[str, Any]:
        return self.get_contact_obj(contact_id).describe()

    @touching
    def list_contacts(
        self, alias_prefix: str | None = None, contact_type: str | None = None, **paging: Unpack[PageArgs]
    ) -> Listing:
        found = sorted(
            (
                c
                for c in self.contacts.values()
                if (not alias_prefix or c.alias.startswith(alias_prefix))
                and (not contact_type or c.type == contact_type)
            ),
            key=lambda c: c.alias,
        )
        return paginate(found, Contact.summary, **paging)

    @touching
    def update_contact(
        self, contact_id: str, display_name: str | None = None, plan: dict[str, Any] | None = None
    ) -> None:
        contact = self.get_contact_obj(contact_id)
        if plan is not None:
            contact.plan = self._validate_plan(contact.type, plan, contact.arn)
        if display_name is not None:
            contact.display_name = display_name

    @touching
    def delete_contact(self, contact_id: str) -> None:
        contact = self.get_contact_obj(contact_id)
        dependents = [
            other.arn
            for other in self.contacts.values()
            if other.type == "ESCALATION"
            and any(
                (t.get("ContactTargetInfo") or {}).get("ContactId") == contact.arn
                for s in other.stages
                for t in s.get("Targets") or []
            )
        ]
        if dependents:
            raise ConflictException(
                "CONTACT",
                contact.arn,
                f"Contact {contact.alias} is used by escalation plans",
                dependent_entities=[
                    {"RelationType": "ESCALATION_PLAN_TARGET", "DependentResourceIds": dependents}
                ],
            )
        rotations = [r.arn for r in self.rotations.values() if contact.arn in r.contact_ids]
        if rotations:
            raise ConflictException(
                "CONTACT",
                contact.arn,
                f"Contact {contact.alias} is a member of rotations",
                dependent_entities=[{"RelationType": "ROTATION_MEMBER", "DependentResourceIds": rotations}],
            )
        del self.contacts[contact.arn]
        self.tags.pop(contact.arn, None)
        self.policies.pop(contact.arn, None)
        self.responders.pop(contact.arn, None)
        for channel in self.channels_of(contact.arn):
            del self.channels[channel.arn]

    # -- channels ---------------------------------------------------------------------------------

    @staticmethod
    def _check_address(channel_type: str, address: str) -> None:
        if channel_type in ("SMS", "VOICE") and not _E164.match(address):
            raise field_error(
                "DeliveryAddress.SimpleAddress", f"{channel_type} addresses must be E.164 numbers"
            )
        if channel_type == "EMAIL" and not _EMAIL.match(address):
            raise field_error(
                "DeliveryAddress.SimpleAddress", "EMAIL addresses must look like name@domain.tld"
            )

    def _send_activation_code(self, channel: ContactChannel) -> None:
        channel.code_sent = True
        self.outbox.append(
            {
                "Time": clock.now(),
                "Kind": "ACTIVATION_CODE",
                "ContactChannelArn": channel.arn,
                "ChannelType": channel.type,
                "Address": channel.address,
                "Code": activation_code_for(channel.arn),
            }
        )

    @touching
    def create_contact_channel(
        self,
        contact_id: str,
        name: str,
        channel_type: str,
        address: str,
        defer_activation: bool | None = None,
        idempotency_token: str | None = None,
    ) -> str:
        contact = self.get_contact_obj(contact_id)
        fingerprint = json.dumps([contact.arn, name, channel_type, address, bool(defer_activation)])
        replay = self._check_token("channel", idempotency_token, fingerprint)
        if replay is not None and replay in self.channels:
            return replay
        if contact.type != "PERSONAL":
            raise field_error("ContactId", "Contact channels can only be added to PERSONAL contacts")
        self._check_address(channel_type, address)
        for other in self.channels.values():
            if other.contact_arn == contact.arn and other.type == channel_type and other.address == address:
                raise ConflictException(
                    "CONTACT_CHANNEL",
                    other.arn,
                    f"The contact already has a {channel_type} channel for this address",
                )
        arn = self._arn(f"contact-channel/{contact.alias}/{uuid.uuid4()}")
        channel = ContactChannel(arn, contact.arn, name, channel_type, address)
        self.channels[arn] = channel
        if not defer_activation:
            self._send_activation_code(channel)
        if idempotency_token:
            self.create_tokens[("channel", idempotency_token)] = (fingerprint, arn)
        return arn

    @touching
    def get_contact_channel(self, contact_channel_id: str) -> dict[str, Any]:
        return self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL").describe()

    @touching
    def list_contact_channels(self, contact_id: str, **paging: Unpack[PageArgs]) -> Listing:
        channels = self.channels_of(self.get_contact_obj(contact_id).arn)
        return paginate(channels, ContactChannel.describe, **paging)

    @touching
    def update_contact_channel(
        self, contact_channel_id: str, name: str | None = None, address: str | None = None
    ) -> None:
        channel: ContactChannel = self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL")
        if address is not None and address != channel.address:
            self._check_address(channel.type, address)
            # A new address must prove it reaches the contact again, as in AWS.
            channel.address = address
            channel.activated = False
            self._send_activation_code(channel)
        if name is not None:
            channel.name = name

    @touching
    def activate_contact_channel(self, contact_channel_id: str, activation_code: str) -> None:
        channel: ContactChannel = self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL")
        if not channel.code_sent:
            raise field_error(
                "ActivationCode", "No activation code was sent to this channel: call SendActivationCode first"
            )
        if activation_code != activation_code_for(channel.arn):
            raise field_error("ActivationCode", "The activation code is not valid for this contact channel")
        channel.activated = True

    @touching
    def deactivate_contact_channel(self, contact_channel_id: str) -> None:
        channel: ContactChannel = self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL")
        channel.activated = False

    @touching
    def send_activation_code(self, contact_channel_id: str) -> None:
        self._send_activation_code(self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL"))

    @touching
    def delete_contact_channel(self, contact_channel_id: str) -> None:
        self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL")
        del self.channels[contact_channel_id]

    # -- tags -------------------------------------------------------------------------------------

    def _taggable(self, arn: str) -> dict[str, str]:
        """Contacts and rotations carry tags."""
        if arn not in self.contacts and arn not in self.rotations:
            raise ResourceNotFoundException("CONTACT", arn)
        return self.tags.setdefault(arn, {})

    @touching
    def tag_resource(self, resource_arn: str, tags: list[dict[str, str]]) -> None:
        current = self._taggable(resource_arn)
        merged = {**current, **{t["Key"]: t["Value"] for t in tags}}
        if len(merged) > 50:
            raise field_error("Tags", "A resource can have at most 50 tags")
        current.update(merged)

    @touching
    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        current = self._taggable(resource_arn)
        for key in tag_keys:
            current.pop(key, None)

    @touching
    def list_tags_for_resource(self, resource_arn: str) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self._taggable(resource_arn).items()]
