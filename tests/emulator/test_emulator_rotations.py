"""Rotations, overrides, shifts, on-call schedules and contact policies, through boto3 in-process."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .support import engage

UTC = timezone.utc
HOUR = timedelta(hours=1)
MONDAY_9 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
WEEKLY = {
    "WeeklySettings": [{"DayOfWeek": "MON", "HandOffTime": {"HourOfDay": 9, "MinuteOfHour": 0}}],
    "NumberOfOnCalls": 1,
    "RecurrenceMultiplier": 1,
}


def error_of(call: Any, **params: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as error:
        call(**params)
    return error.value.response


@pytest.fixture
def weekly(ssm_contacts: Any, world: dict[str, str]) -> dict[str, str]:
    """``world`` plus rotation ``week`` (alice, then bob; Mondays 09:00 UTC from MONDAY_9) and an
    on-call schedule ``oncall-schedule`` of it."""
    ssm_contacts.clock.set(MONDAY_9 + timedelta(hours=1))
    client = ssm_contacts.client
    rotation = client.create_rotation(
        Name="week",
        ContactIds=[world["alice"], world["bob"]],
        StartTime=MONDAY_9,
        TimeZoneId="UTC",
        Recurrence=WEEKLY,
        Tags=[{"Key": "team", "Value": "db"}],
    )["RotationArn"]
    schedule = client.create_contact(
        Alias="oncall-schedule", Type="ONCALL_SCHEDULE", Plan={"RotationIds": [rotation]}
    )["ContactArn"]
    return {**world, "rotation": rotation, "schedule": schedule}


def test_rotation_lifecycle(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    client = ssm_contacts.client
    got = client.get_rotation(RotationId=weekly["rotation"])
    assert got["Name"] == "week" and got["ContactIds"] == [weekly["alice"], weekly["bob"]]
    assert got["StartTime"] == MONDAY_9 and got["TimeZoneId"] == "UTC" and got["Recurrence"] == WEEKLY
    assert [r["RotationArn"] for r in client.list_rotations(RotationNamePrefix="we")["Rotations"]] == [
        weekly["rotation"]
    ]
    assert client.list_rotations(RotationNamePrefix="x")["Rotations"] == []
    assert client.list_tags_for_resource(ResourceARN=weekly["rotation"])["Tags"] == [
        {"Key": "team", "Value": "db"}
    ]
    client.update_rotation(
        RotationId=weekly["rotation"], ContactIds=[weekly["bob"], weekly["alice"]], Recurrence=WEEKLY
    )
    assert client.get_rotation(RotationId=weekly["rotation"])["ContactIds"] == [
        weekly["bob"],
        weekly["alice"],
    ]
    assert client.get_contact(ContactId=weekly["schedule"])["Plan"] == {
        "Stages": [],
        "RotationIds": [weekly["rotation"]],
    }


def test_shifts_and_overrides(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    client = ssm_contacts.client
    shifts = client.list_rotation_shifts(
        RotationId=weekly["rotation"], StartTime=MONDAY_9, EndTime=MONDAY_9 + timedelta(weeks=2)
    )["RotationShifts"]
    assert [(s["StartTime"], s["ContactIds"], s["Type"]) for s in shifts] == [
        (MONDAY_9, [weekly["alice"]], "REGULAR"),
        (MONDAY_9 + timedelta(weeks=1), [weekly["bob"]], "REGULAR"),
    ]
    begins, ends = MONDAY_9 + timedelta(days=2), MONDAY_9 + timedelta(days=3)
    override = client.create_rotation_override(
        RotationId=weekly["rotation"], NewContactIds=[weekly["bob"]], StartTime=begins, EndTime=ends
    )["RotationOverrideId"]
    got = client.get_rotation_override(RotationId=weekly["rotation"], RotationOverrideId=override)
    assert got["RotationArn"] == weekly["rotation"] and got["NewContactIds"] == [weekly["bob"]]
    assert got["StartTime"] == begins and got["EndTime"] == ends and "CreateTime" in got
    listed = client.list_rotation_overrides(RotationId=weekly["rotation"], StartTime=MONDAY_9, EndTime=ends)
    assert [o["RotationOverrideId"] for o in listed["RotationOverrides"]] == [override]
    shifts = client.list_rotation_shifts(
        RotationId=weekly["rotation"], StartTime=MONDAY_9, EndTime=ends + HOUR
    )["RotationShifts"]
    assert [(s["StartTime"], s["EndTime"], s["ContactIds"], s["Type"]) for s in shifts] == [
        (MONDAY_9, begins, [weekly["alice"]], "REGULAR"),
        (begins, ends, [weekly["bob"]], "OVERRIDDEN"),
        (ends, MONDAY_9 + timedelta(weeks=1), [weekly["alice"]], "REGULAR"),
    ]
    assert shifts[1]["ShiftDetails"] == {"OverriddenContactIds": [weekly["alice"]]}
    client.delete_rotation_override(RotationId=weekly["rotation"], RotationOverrideId=override)
    answer = error_of(
        client.get_rotation_override, RotationId=weekly["rotation"], RotationOverrideId=override
    )
    assert answer["Error"]["Code"] == "ResourceNotFoundException"


def test_shifts_default_to_now_and_page(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    client = ssm_contacts.client
    end = MONDAY_9 + timedelta(weeks=10)
    first = client.list_rotation_shifts(RotationId=weekly["rotation"], EndTime=end, MaxResults=4)
    assert first["RotationShifts"][0]["StartTime"] == MONDAY_9  # the shift in force now, whole
    rest = client.list_rotation_shifts(
        RotationId=weekly["rotation"], EndTime=end, NextToken=first["NextToken"]
    )
    assert len(first["RotationShifts"]) + len(rest["RotationShifts"]) == 10 and "NextToken" not in rest


def test_preview_needs_no_rotation(ssm_contacts: Any) -> None:
    shifts = ssm_contacts.client.list_preview_rotation_shifts(
        RotationStartTime=MONDAY_9,
        StartTime=MONDAY_9,
        EndTime=MONDAY_9 + timedelta(weeks=2),
        Members=["ann", "ben"],
        TimeZoneId="Europe/Paris",
        Recurrence=WEEKLY,
        Overrides=[{"NewMembers": ["cy"], "StartTime": MONDAY_9, "EndTime": MONDAY_9 + timedelta(hours=1)}],
    )["RotationShifts"]
    # 09:00 in Paris (UTC+1 in January) is 08:00 UTC: the first hand-off is at MONDAY_9 + 6 days 23 h.
    assert [(s["ContactIds"], s["Type"]) for s in shifts] == [
        (["cy"], "OVERRIDDEN"),
        (["ann"], "REGULAR"),
        (["ben"], "REGULAR"),
        (["ann"], "REGULAR"),
    ]
    assert shifts[2]["StartTime"] == MONDAY_9 + timedelta(days=6, hours=23)


def test_bad_rotations_are_refused_naming_the_field(ssm_contacts: Any, world: dict[str, str]) -> None:
    client = ssm_contacts.client
    create = client.create_rotation
    base = {"Name": "r", "ContactIds": [world["alice"]], "TimeZoneId": "UTC", "Recurrence": WEEKLY}
    cases = [
        ({"TimeZoneId": "PST"}, "TimeZoneId"),
        ({"TimeZoneId": "Mars/Olympus"}, "TimeZoneId"),
        ({"Recurrence": {"NumberOfOnCalls": 1, "RecurrenceMultiplier": 1}}, "Recurrence"),
        ({"Recurrence": {**WEEKLY, "NumberOfOnCalls": 2}}, "Recurrence.NumberOfOnCalls"),
        ({"ContactIds": [world["oncall"]]}, "ContactIds[0]"),
        ({"ContactIds": [world["alice"], world["alice"]]}, "ContactIds[1]"),
    ]
    for change, field in cases:
        answer = error_of(create, **{**base, **change})
        assert answer["Error"]["Code"] == "ValidationException", change
        assert answer["Fields"][0]["Name"] == field, change
    answer = error_of(create, **{**base, "Recurrence": {**WEEKLY, "RecurrenceMultiplier": 101}})
    assert answer["Reason"] == "FIELD_VALIDATION_FAILED"  # the model's range, checked before the backend
    ghost = world["alice"].replace("alice", "ghost")
    assert error_of(create, **{**base, "ContactIds": [ghost]})["Error"]["Code"] == "ResourceNotFoundException"


def test_delete_rules(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    client = ssm_contacts.client
    answer = error_of(client.delete_rotation, RotationId=weekly["rotation"])
    assert answer["Error"]["Code"] == "ConflictException"
    assert answer["DependentEntities"] == [
        {"RelationType": "ONCALL_SCHEDULE_ROTATION", "DependentResourceIds": [weekly["schedule"]]}
    ]
    answer = error_of(client.delete_contact, ContactId=weekly["bob"])
    assert answer["Error"]["Code"] == "ConflictException"  # escalation plan target and rotation member
    client.delete_contact(ContactId=weekly["schedule"])
    client.delete_rotation(RotationId=weekly["rotation"])
    assert (
        error_of(client.get_rotation, RotationId=weekly["rotation"])["Error"]["Code"]
        == "ResourceNotFoundException"
    )


def test_schedule_plans_are_checked(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    create = ssm_contacts.client.create_contact
    missing = weekly["rotation"].rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    cases = [
        ({"RotationIds": []}, "Plan.RotationIds"),
        ({"RotationIds": [missing]}, "Plan.RotationIds[0]"),
        ({"RotationIds": [weekly["rotation"]] * 2}, "Plan.RotationIds[1]"),
        (
            {"RotationIds": [weekly["rotation"]], "Stages": [{"DurationInMinutes": 1, "Targets": []}]},
            "Plan.Stages",
        ),
    ]
    for plan, field in cases:
        answer = error_of(create, Alias="s2", Type="ONCALL_SCHEDULE", Plan=plan)
        assert answer["Fields"][0]["Name"] == field, plan
    answer = error_of(create, Alias="p2", Type="PERSONAL", Plan={"RotationIds": [weekly["rotation"]]})
    assert answer["Fields"][0]["Name"] == "Plan.RotationIds"


def test_contact_policies(ssm_contacts: Any, world: dict[str, str]) -> None:
    client = ssm_contacts.client
    assert client.get_contact_policy(ContactArn=world["alice"]) == {
        "ContactArn": world["alice"],
        "ResponseMetadata": client.get_contact_policy(ContactArn=world["alice"])["ResponseMetadata"],
    }
    policy = '{"Version": "2012-10-17", "Statement": []}'
    client.put_contact_policy(ContactArn=world["alice"], Policy=policy)
    assert client.get_contact_policy(ContactArn=world["alice"])["Policy"] == policy
    answer = error_of(client.put_contact_policy, ContactArn=world["alice"], Policy="{not json")
    assert answer["Error"]["Code"] == "ValidationException" and answer["Reason"] == "CANNOT_PARSE"
    assert answer["Fields"][0]["Name"] == "Policy"
    assert client.get_contact_policy(ContactArn=world["alice"])["Policy"] == policy  # unchanged
    ghost = world["alice"].replace("alice", "ghost")
    answer = error_of(client.put_contact_policy, ContactArn=ghost, Policy=policy)
    assert answer["Error"]["Code"] == "ResourceNotFoundException"


def test_engaging_a_schedule_pages_who_is_on_shift(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    client = ssm_contacts.client
    engagement = engage(client, weekly["schedule"])
    (page,) = client.list_pages_by_engagement(EngagementId=engagement)["Pages"]
    assert page["ContactArn"] == weekly["alice"]  # alice's week
    resolutions = client.list_page_resolutions(PageId=page["PageArn"])["PageResolutions"]
    assert [r["Type"] for r in resolutions] == ["ONCALL_SCHEDULE", "PERSONAL"]
    # A week later the clock has moved the shift on: bob is paged.
    ssm_contacts.clock.advance(7 * 24 * 3600)
    later = engage(client, weekly["schedule"], token="next-week")
    (page,) = client.list_pages_by_engagement(EngagementId=later)["Pages"]
    assert page["ContactArn"] == weekly["bob"]
    # bob acknowledges: the schedule's engagement ends, as a personal contact's would.
    code = ssm_contacts.codes()["accept_codes"][page["PageArn"]]
    client.accept_page(PageId=page["PageArn"], AcceptType="READ", AcceptCode=code)
    assert "StopTime" in client.describe_engagement(EngagementId=later)


def test_an_escalation_stage_can_target_a_schedule(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    client = ssm_contacts.client
    plan = client.create_contact(
        Alias="db-escalation",
        Type="ESCALATION",
        Plan={
            "Stages": [
                {
                    "DurationInMinutes": 5,
                    "Targets": [
                        {"ContactTargetInfo": {"ContactId": weekly["schedule"], "IsEssential": True}}
                    ],
                }
            ]
        },
    )["ContactArn"]
    engagement = engage(client, plan)
    (page,) = client.list_pages_by_engagement(EngagementId=engagement)["Pages"]
    assert page["ContactArn"] == weekly["alice"]
    receipts = client.list_page_receipts(PageId=page["PageArn"])["Receipts"]
    assert [r["ReceiptType"] for r in receipts] == ["SENT"]  # alice's SMS, her plan's first stage
    ssm_contacts.clock.advance(2)
    receipts = client.list_page_receipts(PageId=page["PageArn"])["Receipts"]
    assert [r["ReceiptType"] for r in receipts] == ["SENT", "DELIVERED"]


def test_nobody_on_shift_pages_nobody(ssm_contacts: Any, weekly: dict[str, str]) -> None:
    client = ssm_contacts.client
    gap = client.create_rotation(
        Name="weekends",
        ContactIds=[weekly["alice"]],
        StartTime=MONDAY_9,
        TimeZoneId="UTC",
        Recurrence={
            **WEEKLY,
            "ShiftCoverages": {
                "SAT": [
                    {"Start": {"HourOfDay": 0, "MinuteOfHour": 0}, "End": {"HourOfDay": 0, "MinuteOfHour": 0}}
                ]
            },
        },
    )["RotationArn"]
    schedule = client.create_contact(
        Alias="weekend-schedule", Type="ONCALL_SCHEDULE", Plan={"RotationIds": [gap]}
    )["ContactArn"]
    engagement = engage(client, schedule)  # Monday: nobody covers
    assert client.list_pages_by_engagement(EngagementId=engagement)["Pages"] == []
    assert "StopTime" in client.describe_engagement(EngagementId=engagement)
