"""The resource's inputs and outputs are the core's request fields plus the provider's own."""

from __future__ import annotations

import inspect

from pulumi_engagement import Engagement, EngagementArgs
from pulumi_engagement.core import SECURE_FIELDS, request_field_names
from pulumi_engagement.pulumi_adapter.dynamic_provider import (
    CONTACT_FIELD,
    INPUT_FIELDS,
    SECRET_FIELDS,
    TOKEN_FIELD,
    EngagementProvider,
)
from pulumi_engagement.pulumi_adapter.resource import OUTPUT_FIELDS
from pulumi_engagement.pulumi_adapter.sdk_internals import UNKNOWN

PROVIDER_INPUTS = (
    "stop_on_delete",
    "stop_reason",
    "region",
    "profile",
    "endpoint_url",
    "wait_for_acknowledgement",
    "acknowledgement_timeout",
    "fail_on_unacknowledged",
)


def test_engagement_args_parameters_are_the_request_fields_then_the_provider_s() -> None:
    parameters = tuple(inspect.signature(EngagementArgs).parameters)
    assert parameters == (*request_field_names(), *PROVIDER_INPUTS)
    assert parameters == INPUT_FIELDS


def test_engagement_args_keeps_every_parameter_as_an_input() -> None:
    args = EngagementArgs("arn:contact", "tests", "subject", "content", dedup_key="k", region="eu-west-1")
    props = args.to_props()
    assert tuple(props) == INPUT_FIELDS
    assert (props["contact_id"], props["dedup_key"], props["region"], props["profile"]) == (
        "arn:contact",
        "k",
        "eu-west-1",
        None,
    )
    assert args.sender == "tests"


def test_engagement_declares_every_input_and_output_with_a_type() -> None:
    declared = vars(Engagement)["__annotations__"]
    assert set(declared) == {*INPUT_FIELDS, *OUTPUT_FIELDS}
    assert all(str(kind).startswith("Output[") for kind in declared.values())


def test_secret_fields_are_the_core_s_secure_fields() -> None:
    assert SECRET_FIELDS == SECURE_FIELDS == ("subject", "content", "public_subject", "public_content")


def test_the_contact_and_the_token_inputs() -> None:
    assert (CONTACT_FIELD, TOKEN_FIELD) == ("contact_id", "idempotency_token")


def test_check_judges_the_dedup_key_while_the_contact_is_still_unknown() -> None:
    news = {"contact_id": UNKNOWN, "sender": "s", "subject": "x", "content": "c", "dedup_key": "k" * 300}
    result = EngagementProvider().check({}, news)
    assert [(f.property, "longer than 256" in f.reason) for f in result.failures] == [("dedup_key", True)]
