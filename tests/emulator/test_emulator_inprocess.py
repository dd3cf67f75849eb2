"""In-process behaviour (moto.mock_aws + the plugin's `ssm_contacts` fixture), on the virtual clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from pulumi_engagement.emulator.service.models import accept_code_for, activation_code_for

from .support import contact_arn, engage, escalation_plan


def receipts(client: Any, page_arn: str) -> list[tuple[str, str]]:
    out = client.list_page_receipts(PageId=page_arn)["Receipts"]
    return [(r["ReceiptType"], r.get("ContactChannelArn", "//").rsplit("/", 2)[-2]) for r in out]


def pages(client: Any, engagement: str) -> list[dict[str, Any]]:
    return client.list_pages_by_engagement(EngagementId=engagement)["Pages"]


def test_mock_aws_serves_ssm_contacts_after_registration(ssm_contacts: Any) -> None:
    # A client made outside the fixture, as users' code does, is served too.
    client = boto3.client("ssm-contacts", region_name="us-east-1")
    arn = client.create_contact(Alias="solo", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    assert arn == "arn:aws:ssm-contacts:us-east-1:123456789012:contact/solo"
    assert client.get_contact(ContactId=arn)["Alias"] == "solo"
    assert [c["Alias"] for c in client.list_contacts()["Contacts"]] == ["solo"]
    client.delete_contact(ContactId=arn)
    with pytest.raises(ClientError) as error:
        client.get_contact(ContactId=arn)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.value.response["ResourceId"] == arn
    assert error.value.response["ResourceType"] == "CONTACT"


def test_account_and_region_come_from_the_request(ssm_contacts: Any) -> None:
    west = boto3.client("ssm-contacts", region_name="eu-west-1")
    arn = west.create_contact(Alias="x", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    assert arn == "arn:aws:ssm-contacts:eu-west-1:123456789012:contact/x"
    assert ssm_contacts.client.list_contacts()["Contacts"] == []


def test_personal_engagement_pages_channels_by_stage(ssm_contacts: Any, world: dict[str, str]) -> None:
    client, clock = ssm_contacts.client, ssm_contacts.clock
    start = clock.now()
    engagement = engage(client, world["alice"])
    [page] = pages(client, engagement)
    assert page["ContactArn"] == world["alice"]
    assert abs(page["SentTime"] - start) <= timedelta(milliseconds=1)  # the wire carries milliseconds
    assert "DeliveryTime" not in page
    assert receipts(client, page["PageArn"]) == [("SENT", "alice")]
    clock.advance(1)
    assert [r[0] for r in receipts(client, page["PageArn"])] == ["SENT", "DELIVERED"]
    # Stage 2 (e-mail) starts after stage 1's minute.
    clock.advance(59)
    channels = [r["ContactChannelArn"] for r in client.list_page_receipts(PageId=page["PageArn"])["Receipts"]]
    assert channels == [world["alice-sms"], world["alice-sms"], world["alice-email"]]
    # The last stage (0 minutes) ends the engagement.
    described = client.describe_engagement(EngagementId=engagement)
    assert described["StopTime"] == described["StartTime"] + timedelta(minutes=1)


def test_escalation_advances_with_the_clock(ssm_contacts: Any, world: dict[str, str]) -> None:
    client, clock = ssm_contacts.client, ssm_contacts.clock
    engagement = engage(client, world["oncall"])
    assert [p["ContactArn"] for p in pages(client, engagement)] == [world["alice"]]
    clock.advance(4 * 60 + 59)
    assert len(pages(client, engagement)) == 1
    clock.advance(1)
    assert [p["ContactArn"] for p in pages(client, engagement)] == [world["alice"], world["bob"]]
    assert "StopTime" not in client.describe_engagement(EngagementId=engagement)
    clock.advance(10 * 60)
    described = client.describe_engagement(EngagementId=engagement)
    assert described["StopTime"] - described["StartTime"] == timedelta(minutes=15)
    # A big jump runs every due event in order: nothing is paged after the end.
    clock.advance(3600)
    assert len(pages(client, engagement)) == 2


def test_acknowledgement_stops_escalation(ssm_contacts: Any, world: dict[str, str]) -> None:
    client, clock = ssm_contacts.client, ssm_contacts.clock
    engagement = engage(client, world["oncall"])
    [page] = pages(client, engagement)
    clock.advance(120)
    client.accept_page(
        PageId=page["PageArn"],
        AcceptType="READ",
        AcceptCode=accept_code_for(page["PageArn"]),
        AcceptCodeValidation="ENFORCE",
        ContactChannelId=world["alice-sms"],
        Note="on it",
    )
    clock.advance(3600)
    [page] = pages(client, engagement)
    assert page["ReadTime"] - page["SentTime"] == timedelta(seconds=120)
    assert receipts(client, page["PageArn"])[-1] == ("READ", "alice")
    described = client.describe_engagement(EngagementId=engagement)
    assert described["StopTime"] == page["ReadTime"]
    # alice's e-mail stage (after 1 minute) ran before she acknowledged; nothing after.
    assert [r[0] for r in receipts(client, page["PageArn"])] == [
        "SENT",
        "DELIVERED",
        "SENT",
        "DELIVERED",
        "READ",
    ]


def test_non_essential_acknowledgement_does_not_stop_escalation(
    ssm_contacts: Any, world: dict[str, str]
) -> None:
    client, clock = ssm_contacts.client, ssm_contacts.clock
    client.update_contact(
        ContactId=world["oncall"], Plan=escalation_plan((5, world["alice"], False), (0, world["bob"], True))
    )
    engagement = engage(client, world["oncall"])
    [page] = pages(client, engagement)
    client.accept_page(PageId=page["PageArn"], AcceptType="READ", AcceptCode="000000")
    clock.advance(300)
    assert [p["ContactArn"] for p in pages(client, engagement)] == [world["alice"], world["bob"]]


def test_accept_code_enforced(ssm_contacts: Any, world: dict[str, str]) -> None:
    client = ssm_contacts.client
    [page] = pages(client, engage(client, world["alice"]))
    wrong = "111111" if accept_code_for(page["PageArn"]) != "111111" else "222222"
    with pytest.raises(ClientError) as error:
        client.accept_page(
            PageId=page["PageArn"], AcceptType="READ", AcceptCode=wrong, AcceptCodeValidation="ENFORCE"
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert error.value.response["Fields"][0]["Name"] == "AcceptCode"
    # IGNORE (the default) takes any well-formed code.
    client.accept_page(PageId=page["PageArn"], AcceptType="READ", AcceptCode=wrong)
    assert "ReadTime" in pages(client, page["EngagementArn"])[0]
    assert ssm_contacts.codes()["accept_codes"][page["PageArn"]] == accept_code_for(page["PageArn"])


def test_stop_engagement_sets_stop_time_and_ends_paging(ssm_contacts: Any, world: dict[str, str]) -> None:
    client, clock = ssm_contacts.client, ssm_contacts.clock
    engagement = engage(client, world["oncall"])
    clock.advance(30)
    client.stop_engagement(EngagementId=engagement, Reason="false alarm")
    described = client.describe_engagement(EngagementId=engagement)
    assert described["StopTime"] - described["StartTime"] == timedelta(seconds=30)
    clock.advance(3600)
    [page] = pages(client, engagement)
    assert receipts(client, page["PageArn"])[-1][0] == "STOP"
    assert client.list_page_receipts(PageId=page["PageArn"])["Receipts"][-1]["ReceiptInfo"] == "false alarm"
    # Stopping again is a no-op that keeps the first StopTime.
    client.stop_engagement(EngagementId=engagement)
    assert client.describe_engagement(EngagementId=engagement)["StopTime"] == described["StopTime"]


def test_idempotency_token(ssm_contacts: Any, world: dict[str, str]) -> None:
    client = ssm_contacts.client
    first = engage(client, world["oncall"], token="deploy-42")
    assert engage(client, world["oncall"], token="deploy-42") == first
    assert len(pages(client, first)) == 1
    assert ssm_contacts.engagements() == 1
    with pytest.raises(ClientError) as error:
        engage(client, world["oncall"], token="deploy-42", Subject="another subject")
    response = error.value.response
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Reason"] == "FIELD_VALIDATION_FAILED"
    assert response["Fields"][0]["Name"] == "IdempotencyToken"
    assert "deploy-42" in response["Fields"][0]["Message"]
    # No token: botocore fills a fresh one per call, so each call pages.
    assert engage(client, world["oncall"]) != engage(client, world["oncall"])
    assert ssm_contacts.engagements() == 3
    assert ssm_contacts.calls("StartEngagement") == 5


def test_channels_activation_lifecycle(ssm_contacts: Any) -> None:
    client = ssm_contacts.client
    contact = client.create_contact(Alias="dave", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    channel = client.create_contact_channel(
        ContactId=contact,
        Name="dave-voice",
        Type="VOICE",
        DeliveryAddress={"SimpleAddress": "+15555550199"},
        DeferActivation=True,
    )["ContactChannelArn"]
    assert channel.startswith("arn:aws:ssm-contacts:us-east-1:123456789012:contact-channel/dave/")
    assert client.get_contact_channel(ContactChannelId=channel)["ActivationStatus"] == "NOT_ACTIVATED"
    code = activation_code_for(channel)
    with pytest.raises(ClientError, match="SendActivationCode"):
        client.activate_contact_channel(ContactChannelId=channel, ActivationCode=code)
    client.send_activation_code(ContactChannelId=channel)
    with pytest.raises(ClientError, match="not valid"):
        client.activate_contact_channel(
            ContactChannelId=channel, ActivationCode=str((int(code) + 1) % 10**6).zfill(6)
        )
    client.activate_contact_channel(ContactChannelId=channel, ActivationCode=code)
    listed = client.list_contact_channels(ContactId=contact)["ContactChannels"]
    assert [(c["Name"], c["ActivationStatus"]) for c in listed] == [("dave-voice", "ACTIVATED")]
    client.deactivate_contact_channel(ContactChannelId=channel)
    assert client.get_contact_channel(ContactChannelId=channel)["ActivationStatus"] == "NOT_ACTIVATED"
    client.update_contact_channel(ContactChannelId=channel, Name="dave-phone")
    assert client.get_contact_channel(ContactChannelId=channel)["Name"] == "dave-phone"
    client.delete_contact_channel(ContactChannelId=channel)
    with pytest.raises(ClientError) as error:
        client.get_contact_channel(ContactChannelId=channel)
    assert error.value.response["ResourceType"] == "CONTACT_CHANNEL"


def test_not_activated_channels_are_not_paged(ssm_contacts: Any) -> None:
    client = ssm_contacts.client
    contact = client.create_contact(Alias="erin", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    client.create_contact_channel(
        ContactId=contact,
        Name="erin-mail",
        Type="EMAIL",
        DeliveryAddress={"SimpleAddress": "erin@example.com"},
    )
    [page] = pages(client, engage(client, contact))
    assert "SentTime" not in page
    assert client.list_page_receipts(PageId=page["PageArn"])["Receipts"] == []


def test_list_engagements_filters_and_pagination(ssm_contacts: Any, world: dict[str, str]) -> None:
    client, clock = ssm_contacts.client, ssm_contacts.clock
    clock.set(datetime(2030, 1, 1, tzinfo=timezone.utc))
    for index in range(5):
        engage(client, world["alice"], IncidentId=f"incident-{index % 2}")
        clock.advance(3600)
    everything = client.list_engagements()["Engagements"]
    assert len(everything) == 5
    assert len(client.list_engagements(IncidentId="incident-1")["Engagements"]) == 2
    window = client.list_engagements(
        TimeRangeValue={
            "StartTime": datetime(2030, 1, 1, 1, tzinfo=timezone.utc),
            "EndTime": datetime(2030, 1, 1, 3, tzinfo=timezone.utc),
        }
    )["Engagements"]
    assert len(window) == 3
    first = client.list_engagements(MaxResults=2)
    assert len(first["Engagements"]) == 2 and first["NextToken"]
    paginator = client.get_paginator("list_engagements")
    arns = [
        e["EngagementArn"]
        for p in paginator.paginate(PaginationConfig={"PageSize": 2})
        for e in p["Engagements"]
    ]
    assert arns == [e["EngagementArn"] for e in everything]
    with pytest.raises(ClientError) as error:
        client.list_engagements(NextToken="bm9wZQ==")
    assert error.value.response["Fields"][0]["Name"] == "NextToken"


def test_pages_by_contact_and_describe_page(ssm_contacts: Any, world: dict[str, str]) -> None:
    client = ssm_contacts.client
    engagement = engage(client, world["oncall"], PublicSubject="public", IncidentId="inc-1")
    by_contact = client.list_pages_by_contact(ContactId=world["alice"])["Pages"]
    assert [p["EngagementArn"] for p in by_contact] == [engagement]
    page = client.describe_page(PageId=by_contact[0]["PageArn"])
    assert page["PageArn"].startswith("arn:aws:ssm-contacts:us-east-1:123456789012:page/alice/")
    assert (page["Subject"], page["PublicSubject"], page["IncidentId"]) == ("disk full", "public", "inc-1")
    assert engagement.startswith("arn:aws:ssm-contacts:us-east-1:123456789012:engagement/oncall/")
    resolutions = client.list_page_resolutions(PageId=page["PageArn"])["PageResolutions"]
    assert [r["Type"] for r in resolutions] == ["ESCALATION", "PERSONAL"]


def test_validation_errors_name_fields(ssm_contacts: Any, world: dict[str, str]) -> None:
    client = ssm_contacts.client
    cases = [
        (dict(ContactId="alice", Sender="s", Subject="x", Content="c"), "ContactId"),
        (dict(ContactId=world["alice"], Sender="s", Subject="x" * 2049, Content="c"), "Subject"),
        (dict(ContactId=world["alice"], Sender="bad<sender>", Subject="x", Content="c"), "Sender"),
        (
            dict(ContactId=world["alice"], Sender="s", Subject="x", Content="c", IncidentId="x" * 1025),
            "IncidentId",
        ),
    ]
    for params, field in cases:
        with pytest.raises(ClientError) as error:
            client.start_engagement(**params)
        response = error.value.response
        assert response["Error"]["Code"] == "ValidationException", params
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert response["Reason"] == "FIELD_VALIDATION_FAILED"
        assert [f["Name"] for f in response["Fields"]] == [field]
    with pytest.raises(ClientError) as error:
        client.create_contact(Alias="Not Valid", Type="PERSONAL", Plan={"Stages": []})
    assert error.value.response["Fields"][0]["Name"] == "Alias"
    with pytest.raises(ClientError) as error:
        client.create_contact(Alias="zoe", DisplayName="Zoë <script>", Type="PERSONAL", Plan={"Stages": []})
    assert error.value.response["Fields"][0]["Name"] == "DisplayName"
    # Unicode letters are fine in names (\p{L}).
    client.create_contact(Alias="zoe", DisplayName="Zoë Ünal", Type="PERSONAL", Plan={"Stages": []})
    with pytest.raises(ClientError) as error:
        client.create_contact(Alias="zoe", Type="PERSONAL", Plan={"Stages": []})
    assert error.value.response["Error"]["Code"] == "ConflictException"
    with pytest.raises(ClientError) as error:
        client.start_engagement(ContactId=contact_arn("ghost"), Sender="s", Subject="x", Content="c")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.value.response["ResourceId"] == contact_arn("ghost")


def test_plan_targets_are_checked(ssm_contacts: Any, world: dict[str, str]) -> None:
    client = ssm_contacts.client
    bad_plans = [
        ("PERSONAL", {"ContactTargetInfo": {"ContactId": world["bob"], "IsEssential": True}}),
        ("ESCALATION", {"ChannelTargetInfo": {"ContactChannelId": world["bob-sms"]}}),
        ("ESCALATION", {"ContactTargetInfo": {"ContactId": contact_arn("ghost"), "IsEssential": True}}),
    ]
    for index, (kind, target) in enumerate(bad_plans):
        with pytest.raises(ClientError) as error:
            client.create_contact(
                Alias=f"bad-{index}",
                Type=kind,
                Plan={"Stages": [{"DurationInMinutes": 1, "Targets": [target]}]},
            )
        assert error.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as error:
        client.delete_contact(ContactId=world["alice"])
    assert error.value.response["Error"]["Code"] == "ConflictException"
    assert error.value.response["DependentEntities"][0]["DependentResourceIds"] == [world["oncall"]]


def test_tags(ssm_contacts: Any) -> None:
    client = ssm_contacts.client
    arn = client.create_contact(
        Alias="tagged", Type="PERSONAL", Plan={"Stages": []}, Tags=[{"Key": "team", "Value": "db"}]
    )["ContactArn"]
    client.tag_resource(ResourceARN=arn, Tags=[{"Key": "tier", "Value": "1"}])
    assert client.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "team", "Value": "db"},
        {"Key": "tier", "Value": "1"},
    ]
    client.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert client.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "tier", "Value": "1"}]
    with pytest.raises(ClientError) as error:
        client.list_tags_for_resource(ResourceARN=contact_arn("ghost"))
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_every_operation_of_the_model_is_answered() -> None:
    # An operation a newer botocore adds would be answered UNKNOWN_OPERATION (see responses._call).
    from pulumi_engagement.emulator.moto_compat import camelcase_to_underscores
    from pulumi_engagement.emulator.service.responses import SSMContactsResponse
    from pulumi_engagement.emulator.service.validation import operation_names

    missing = [
        op for op in operation_names() if camelcase_to_underscores(op) not in vars(SSMContactsResponse)
    ]
    assert missing == [] and len(operation_names()) >= 39


def test_oncall_schedule_names_a_missing_rotation(ssm_contacts: Any) -> None:
    with pytest.raises(ClientError) as error:
        ssm_contacts.client.create_contact(
            Alias="sched",
            Type="ONCALL_SCHEDULE",
            Plan={"RotationIds": ["arn:aws:ssm-contacts:us-east-1:123456789012:rotation/r1"]},
        )
    assert error.value.response["Fields"][0]["Name"] == "Plan.RotationIds[0]"


def test_reset_between_tests_left_nothing(ssm_contacts: Any) -> None:
    assert ssm_contacts.client.list_contacts()["Contacts"] == []
    assert ssm_contacts.calls() == {"ListContacts": 1}
    assert ssm_contacts.clock.time_scale == 0
