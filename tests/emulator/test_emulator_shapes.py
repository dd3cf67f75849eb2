"""Every response of every implemented operation matches botocore's output (or error) shape.

The raw JSON body is walked against the model independently of the emulator's own
validation code: required members present, no undeclared members, json 1.1 types
(timestamps as epoch numbers), enums and length/range limits.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.model import Shape

from pulumi_engagement.emulator.service.models import accept_code_for, activation_code_for
from pulumi_engagement.emulator.service.responses import SSMContactsResponse

from .support import engage

IMPLEMENTED = {
    "AcceptPage",
    "ActivateContactChannel",
    "CreateContact",
    "CreateContactChannel",
    "DeactivateContactChannel",
    "DeleteContact",
    "DeleteContactChannel",
    "DescribeEngagement",
    "DescribePage",
    "GetContact",
    "GetContactChannel",
    "ListContactChannels",
    "ListContacts",
    "ListEngagements",
    "ListPageReceipts",
    "ListPageResolutions",
    "ListPagesByContact",
    "ListPagesByEngagement",
    "ListTagsForResource",
    "SendActivationCode",
    "StartEngagement",
    "StopEngagement",
    "TagResource",
    "UntagResource",
    "UpdateContact",
    "UpdateContactChannel",
    # On-call schedules (issue 20): with these, every operation of the model.
    "CreateRotation",
    "GetRotation",
    "UpdateRotation",
    "DeleteRotation",
    "ListRotations",
    "CreateRotationOverride",
    "GetRotationOverride",
    "DeleteRotationOverride",
    "ListRotationOverrides",
    "ListRotationShifts",
    "ListPreviewRotationShifts",
    "PutContactPolicy",
    "GetContactPolicy",
}


def walk(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected object")
            return
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required member missing")
        for name, item in value.items():
            if name not in shape.members:
                problems.append(f"{path}.{name}: not in the model")
            else:
                walk(shape.members[name], item, f"{path}.{name}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected list")
            return
        for index, item in enumerate(value):
            walk(shape.member, item, f"{path}[{index}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected object")
            return
        for key, item in value.items():
            walk(shape.key, key, f"{path}<key>", problems)
            walk(shape.value, item, f"{path}[{key}]", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected string")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in enum")
        if len(value) < meta.get("min", 0) or len(value) > meta.get("max", 1 << 30):
            problems.append(f"{path}: length {len(value)} out of range")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: expected integer")
        elif not meta.get("min", -(1 << 62)) <= value <= meta.get("max", 1 << 62):
            problems.append(f"{path}: {value} out of range")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected boolean")
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{path}: json 1.1 timestamps are epoch numbers")
    else:
        problems.append(f"{path}: unexpected shape type {kind}")


class Recorder:
    def __init__(self, client: Any) -> None:
        self.model = client.meta.service_model
        self.seen: set[str] = set()
        self.errors_seen: set[str] = set()
        self.problems: list[str] = []
        client.meta.events.register("after-call.ssm-contacts", self.after_call)
        client.meta.events.register("needs-retry.ssm-contacts", self.on_response)

    def after_call(self, http_response: Any, parsed: Any, model: Any, **_: Any) -> None:
        if http_response.status_code != 200:
            return
        body = json.loads(http_response.content or b"{}")
        self.seen.add(model.name)
        if model.output_shape is not None:
            walk(model.output_shape, body, model.name, self.problems)

    def on_response(self, response: Any, operation: Any, **_: Any) -> None:
        if response is None or response[0] is None or response[0].status_code == 200:
            return
        body = json.loads(response[0].content)
        code = body.pop("__type").split("#")[-1]
        self.errors_seen.add(code)
        if code not in {e.name for e in operation.error_shapes}:
            self.problems.append(f"{operation.name}: {code} is not a declared error")
        walk(self.model.shape_for(code), body, f"{operation.name}!{code}", self.problems)


def test_every_implemented_operation_is_exercised_by_this_test() -> None:
    implemented = {name for name in dir(SSMContactsResponse) if name[0].islower()}
    from botocore.session import get_session

    names = get_session().get_service_model("ssm-contacts").operation_names
    from moto.core.utils import camelcase_to_underscores

    assert {n for n in names if camelcase_to_underscores(n) in implemented} == IMPLEMENTED


def test_all_responses_match_the_model(ssm_contacts: Any) -> None:
    client = ssm_contacts.make_client(retries={"mode": "standard", "total_max_attempts": 1})
    recorder = Recorder(client)

    def expect_error(call: Any, **kwargs: Any) -> None:
        try:
            call(**kwargs)
        except client.exceptions.ClientError:
            return
        raise AssertionError("expected an error")

    alice = client.create_contact(
        Alias="alice",
        DisplayName="Alice",
        Type="PERSONAL",
        Plan={"Stages": []},
        Tags=[{"Key": "k", "Value": "v"}],
    )["ContactArn"]
    channel = client.create_contact_channel(
        ContactId=alice, Name="alice-sms", Type="SMS", DeliveryAddress={"SimpleAddress": "+15555550101"}
    )["ContactChannelArn"]
    client.send_activation_code(ContactChannelId=channel)
    client.activate_contact_channel(ContactChannelId=channel, ActivationCode=activation_code_for(channel))
    client.update_contact(
        ContactId=alice,
        Plan={
            "Stages": [
                {
                    "DurationInMinutes": 1,
                    "Targets": [
                        {"ChannelTargetInfo": {"ContactChannelId": channel, "RetryIntervalInMinutes": 1}}
                    ],
                }
            ]
        },
    )
    oncall = client.create_contact(
        Alias="oncall",
        Type="ESCALATION",
        Plan={
            "Stages": [
                {
                    "DurationInMinutes": 5,
                    "Targets": [{"ContactTargetInfo": {"ContactId": alice, "IsEssential": True}}],
                }
            ]
        },
    )["ContactArn"]
    client.get_contact(ContactId=alice)
    client.get_contact(ContactId=oncall)
    client.list_contacts(MaxResults=1)
    client.get_contact_channel(ContactChannelId=channel)
    client.list_contact_channels(ContactId=alice)
    client.update_contact_channel(ContactChannelId=channel, Name="alice-text")
    engagement = engage(client, oncall, IncidentId="inc-1", PublicSubject="p", PublicContent="pc")
    ssm_contacts.advance(2)
    client.describe_engagement(EngagementId=engagement)
    client.list_engagements(IncidentId="inc-1")
    [page] = client.list_pages_by_engagement(EngagementId=engagement)["Pages"]
    client.list_pages_by_contact(ContactId=alice)
    client.describe_page(PageId=page["PageArn"])
    client.list_page_resolutions(PageId=page["PageArn"])
    client.accept_page(
        PageId=page["PageArn"],
        AcceptType="READ",
        AcceptCode=accept_code_for(page["PageArn"]),
        AcceptCodeValidation="ENFORCE",
        Note="ack",
        ContactChannelId=channel,
    )
    client.list_page_receipts(PageId=page["PageArn"])
    client.describe_engagement(EngagementId=engagement)
    second = engage(client, alice)
    client.stop_engagement(EngagementId=second, Reason="done")
    client.list_page_receipts(
        PageId=client.list_pages_by_engagement(EngagementId=second)["Pages"][0]["PageArn"]
    )
    client.tag_resource(ResourceARN=alice, Tags=[{"Key": "team", "Value": "db"}])
    client.list_tags_for_resource(ResourceARN=alice)
    client.untag_resource(ResourceARN=alice, TagKeys=["team"])
    client.deactivate_contact_channel(ContactChannelId=channel)
    exercise_on_call(client, alice, expect_error)
    client.delete_contact(ContactId=oncall)
    client.delete_contact_channel(ContactChannelId=channel)
    client.delete_contact(ContactId=alice)

    # Errors: validation, not found, conflict, throttling, internal.
    expect_error(client.get_contact, ContactId="nope")
    expect_error(client.get_contact, ContactId=alice)
    bob = client.create_contact(Alias="bob", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    expect_error(client.create_contact, Alias="bob", Type="PERSONAL", Plan={"Stages": []})
    ssm_contacts.faults(throttle={"GetContact": 0})
    expect_error(client.get_contact, ContactId=bob)
    ssm_contacts.faults(error_rate=1.0)
    expect_error(client.get_contact, ContactId=bob)
    ssm_contacts.faults()

    assert recorder.problems == []
    assert recorder.seen == IMPLEMENTED
    assert recorder.errors_seen == {
        "ValidationException",
        "ResourceNotFoundException",
        "ConflictException",
        "ThrottlingException",
        "InternalServerException",
    }


def exercise_on_call(client: Any, member: str, expect_error: Any) -> None:
    """Every rotation, override, shift and policy operation, answers and errors, then cleaned up."""
    coverage = [{"Start": {"HourOfDay": 9, "MinuteOfHour": 0}, "End": {"HourOfDay": 17, "MinuteOfHour": 0}}]
    recurrence = {
        "DailySettings": [{"HourOfDay": 9, "MinuteOfHour": 0}],
        "NumberOfOnCalls": 1,
        "RecurrenceMultiplier": 1,
        "ShiftCoverages": {"MON": coverage, "TUE": coverage},
    }
    start = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    rotation = client.create_rotation(
        Name="days", ContactIds=[member], StartTime=start, TimeZoneId="Europe/Berlin", Recurrence=recurrence
    )["RotationArn"]
    client.get_rotation(RotationId=rotation)
    client.list_rotations()
    client.update_rotation(RotationId=rotation, Recurrence=recurrence, TimeZoneId="Europe/Paris")
    override = client.create_rotation_override(
        RotationId=rotation, NewContactIds=[], StartTime=start, EndTime=start + timedelta(hours=2)
    )["RotationOverrideId"]
    client.get_rotation_override(RotationId=rotation, RotationOverrideId=override)
    client.list_rotation_overrides(RotationId=rotation, StartTime=start, EndTime=start + timedelta(days=1))
    shifts = client.list_rotation_shifts(
        RotationId=rotation, StartTime=start, EndTime=start + timedelta(days=9)
    )
    assert {s["Type"] for s in shifts["RotationShifts"]} == {"REGULAR", "OVERRIDDEN"}
    client.list_preview_rotation_shifts(
        RotationStartTime=start,
        EndTime=start + timedelta(days=3),
        Members=["a"],
        TimeZoneId="UTC",
        Recurrence=recurrence,
    )
    schedule = client.create_contact(
        Alias="days-oncall", Type="ONCALL_SCHEDULE", Plan={"RotationIds": [rotation]}
    )["ContactArn"]
    expect_error(client.delete_rotation, RotationId=rotation)  # ConflictException: used by a schedule
    client.put_contact_policy(ContactArn=member, Policy='{"Statement": []}')
    client.get_contact_policy(ContactArn=member)
    client.delete_rotation_override(RotationId=rotation, RotationOverrideId=override)
    client.delete_contact(ContactId=schedule)
    client.delete_rotation(RotationId=rotation)
