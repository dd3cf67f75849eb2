"""The page is defined once (StartRequest) and agrees with botocore's model of StartEngagement."""

from __future__ import annotations

from dataclasses import fields

import pytest

from pulumi_engagement.core import (
    IDENTIFYING_FIELDS,
    Engagement,
    EngagementSummary,
    StartRequest,
    dedup_token,
    derive_token,
    next_episode_token,
    page_fields,
    preview,
    request_field_names,
)
from pulumi_engagement.core.validation import field_name, service_model

PLAN = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall"
PAGE = {
    "ContactId": PLAN,
    "Sender": "deploy-bot",
    "Subject": "Deploy of api failed",
    "Content": "Rollback started",
    "PublicSubject": "Deploy failed",
    "PublicContent": "See the runbook",
    "IncidentId": "INC-42",
}


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
    request = StartRequest(
        contact_id=PLAN,
        sender="s",
        subject="a",
        content="b",
        public_subject="c",
        public_content="d",
        incident_id="e",
    )
    engagement = Engagement(
        "arn", contact_arn=PLAN, **{k: v for k, v in preview(request).items() if v and k != "contact_arn"}
    )
    assert engagement.matches(request)
    for name in ("sender", "subject", "content", "public_subject", "public_content", "incident_id"):
        other = Engagement(**{**engagement.__dict__, name: "other"})
        assert not other.matches(request), name
    assert not Engagement(**{**engagement.__dict__, "contact_arn": PLAN + "x"}).matches(request)


def test_preview_has_the_engagement_s_keys():
    request = StartRequest(contact_id=PLAN, sender="s", subject="a", content="b")
    shown = preview(request)
    assert list(shown) == [f.name for f in fields(Engagement)]
    assert shown["contact_arn"] == PLAN and shown["subject"] == "a" and shown["engagement_arn"] is None


@pytest.mark.parametrize(
    ("derive", "token"),
    [
        (lambda: derive_token(PAGE), "pe1-nLskthH4__UPrTrPy32RQrnVAJIGpqILfG75To_ws0U"),
        (
            lambda: derive_token(PAGE, "urn:pulumi:dev::p::x"),
            "pe1-Ff048RyBtUcglAG1nxOKQ8vuBQ91aW0c5B1TUDRZyWA",
        ),
        (
            lambda: derive_token({k: PAGE[k] for k in ("ContactId", "Sender", "Subject", "Content")}),
            "pe1-C_qpN7nOcCOW3-auUkEaiJwkbS3E3cqaeKEsY136fPg",
        ),
        (
            lambda: StartRequest(
                contact_id=PLAN,
                sender="deploy-bot",
                subject="Deploy of api failed",
                content="Rollback started",
            ).token(),
            "pe1-C_qpN7nOcCOW3-auUkEaiJwkbS3E3cqaeKEsY136fPg",
        ),
        (lambda: dedup_token(PLAN, "disk-full"), "pe1-g1ljbu2AJfA68_0VrI-ZcZWBOk9kILSX7I0vrrWCPJg"),
        (
            lambda: next_episode_token(
                derive_token(PAGE),
                "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/primary-oncall/abc",
            ),
            "pe1-hF9aT0rxAO_MNw9N2HtSmJqk6ppwB2jjBsZvE1IO_Vk",
        ),
    ],
)
def test_known_tokens_never_change(derive, token):
    # Tokens of pages already sent: a changed derivation would page every open alert again.
    assert derive() == token
