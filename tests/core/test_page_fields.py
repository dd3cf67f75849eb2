"""The page is defined once (StartRequest) and agrees with botocore's model of StartEngagement."""

from __future__ import annotations

from dataclasses import fields

from pulumi_engagement.core import (
    IDENTIFYING_FIELDS,
    Engagement,
    EngagementSummary,
    StartRequest,
    page_fields,
    preview,
    request_field_names,
)
from pulumi_engagement.core.validation import field_name, service_model

PLAN = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall"


def members(operation: str, output: bool = False) -> dict:
    model = service_model().operation_model(operation)
    return dict((model.output_shape if output else model.input_shape).members)


def test_every_start_engagement_member_is_a_request_field():
    # Fails when AWS adds a member StartRequest lacks: add it there (last) and to the docs.
    assert [f.api_name for f in page_fields()] == list(members("StartEngagement"))


def test_required_members_come_from_the_model():
    required = service_model().operation_model("StartEngagement").input_shape.required_members
    assert [f.api_name for f in page_fields() if f.required] == list(required)


def test_request_fields_are_the_members_then_the_core_s_own():
    names = [f.name for f in page_fields()]
    assert list(request_field_names()) == [*names, "dedup_key"]
    assert [f.name for f in fields(StartRequest)] == list(request_field_names())


def test_secure_fields_are_subject_content_and_the_public_ones():
    assert [f.name for f in page_fields() if f.secure] == [
        "subject",
        "content",
        "public_subject",
        "public_content",
    ]


def test_identifying_fields_are_every_member_but_the_token():
    token = [
        api for api, shape in members("StartEngagement").items() if shape.metadata.get("idempotencyToken")
    ]
    assert token == ["IdempotencyToken"]
    assert list(IDENTIFYING_FIELDS) == [api for api in members("StartEngagement") if api not in token]


def test_engagement_is_describe_engagement_s_output():
    assert [f.name for f in fields(Engagement)] == [
        "engagement_arn",
        *(field_name(api) for api in members("DescribeEngagement", output=True) if api != "EngagementArn"),
    ]


def test_summary_fields_are_members_of_the_list_item():
    shape = service_model().operation_model("ListEngagements").output_shape.members["Engagements"].member
    assert {f.name for f in fields(EngagementSummary)} <= {field_name(api) for api in shape.members}


def test_matching_compares_every_identifying_field_the_engagement_shows():
    names = ("sender", "subject", "content", "public_subject", "public_content", "incident_id")
    request = StartRequest.from_mapping({"contact_id": PLAN, **{name: name.upper() for name in names}})
    engagement = Engagement("arn", contact_arn=PLAN, **{name: name.upper() for name in names})
    assert engagement.matches(request)
    for name in names:
        other = Engagement(**{**engagement.__dict__, name: "other"})
        assert not other.matches(request), name
    assert not Engagement(**{**engagement.__dict__, "contact_arn": PLAN + "x"}).matches(request)


def test_preview_has_the_engagement_s_keys():
    request = StartRequest(contact_id=PLAN, sender="s", subject="a", content="b")
    shown = preview(request)
    assert list(shown) == [f.name for f in fields(Engagement)]
    assert shown["contact_arn"] == PLAN and shown["subject"] == "a" and shown["engagement_arn"] is None
