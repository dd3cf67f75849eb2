"""Every rule of every field of the five operations, with values drawn from the model itself."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_engagement.core import ValidationError, check, validate
from pulumi_engagement.core.validation import field_name, input_shape

OPERATIONS = (
    "StartEngagement",
    "DescribeEngagement",
    "StopEngagement",
    "ListEngagements",
    "ListPagesByEngagement",
)
ARN = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/alice"


def string_members():
    for op in OPERATIONS:
        shape = input_shape(op)
        for name, member in shape.members.items():
            if member.type_name == "string":
                yield op, name, member


def minimal_params(op: str) -> dict:
    """A valid request: required members filled with values that satisfy their rules."""
    shape = input_shape(op)
    params = {}
    for name in shape.required_members:
        params[name] = ARN if "arn" in shape.members[name].metadata.get("pattern", "") else "x"
    return params


def valid_value(member) -> str:
    return ARN if "arn:" in member.metadata.get("pattern", "") else "ok"


STRING_MEMBERS = list(string_members())
IDS = [f"{op}.{name}" for op, name, _ in STRING_MEMBERS]


def test_the_model_gives_every_string_member_a_rule():
    # Guards the premise of this file: rules come from the model, and it has some.
    assert all(m.metadata.get("max") or m.metadata.get("pattern") for _, _, m in STRING_MEMBERS)


@pytest.mark.parametrize(("op", "name", "member"), STRING_MEMBERS, ids=IDS)
def test_minimal_valid_request_passes(op, name, member):
    params = {**minimal_params(op), name: valid_value(member)}
    assert check(op, params) == []


@pytest.mark.parametrize(("op", "name", "member"), STRING_MEMBERS, ids=IDS)
def test_over_maximum_length_is_reported_with_field_and_rule(op, name, member):
    limit = member.metadata["max"]
    too_long = valid_value(member) + "a" * (limit + 1 - len(valid_value(member)))
    with pytest.raises(ValidationError) as info:
        validate(op, {**minimal_params(op), name: too_long})
    (violation,) = [v for v in info.value.violations if v.api_name == name]
    assert violation.rule == "max_length"
    assert violation.field == field_name(name)
    assert str(violation) == f"{field_name(name)} ({name}): longer than {limit} characters"


@pytest.mark.parametrize(
    ("op", "name", "member"), [m for m in STRING_MEMBERS if m[2].metadata.get("min")], ids=lambda m: str(m)
)
def test_under_minimum_length_is_reported(op, name, member):
    violations = check(op, {**minimal_params(op), name: ""})
    assert next((v.field, v.rule) for v in violations if v.api_name == name) == (
        field_name(name),
        "min_length",
    )


@pytest.mark.parametrize("op", OPERATIONS)
def test_every_required_member_is_reported_when_missing(op):
    required = input_shape(op).required_members
    violations = check(op, {})
    assert sorted(v.api_name for v in violations) == sorted(required)
    assert all(v.rule == "required" for v in violations)


def test_all_broken_rules_are_reported_at_once():
    with pytest.raises(ValidationError) as info:
        validate(
            "StartEngagement",
            {"ContactId": "alice", "Sender": "ops$", "Subject": "s" * 2049, "IncidentId": "x" * 1025},
        )
    rules = {(v.field, v.rule) for v in info.value.violations}
    assert rules == {
        ("contact_id", "pattern"),
        ("sender", "pattern"),
        ("subject", "max_length"),
        ("content", "required"),
        ("incident_id", "max_length"),
    }
    assert "subject (Subject): longer than 2048 characters" in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Sender", "ops<script>"),
        ("Sender", "pager$"),
        ("IncidentId", "incident;rm"),
        ("IdempotencyToken", "token with spaces"),
        ("IdempotencyToken", "tok.en"),
        ("ContactId", "contact/alice"),
        ("ContactId", "arn:aws:ssm:us-east-1:123456789012:contact/alice"),
        ("ContactId", "arn:aws:ssm-contacts:us-east-1:account:contact/alice"),
    ],
)
def test_pattern_violations_name_the_pattern(field, value):
    params = {"ContactId": ARN, "Sender": "ops", "Subject": "s", "Content": "c", field: value}
    (violation,) = check("StartEngagement", params)
    assert violation.api_name == field
    assert violation.rule == "pattern"
    assert input_shape("StartEngagement").members[field].metadata["pattern"] in violation.message


def test_integer_range_and_types():
    shape = input_shape("ListEngagements").members["MaxResults"].metadata
    assert check("ListEngagements", {"MaxResults": shape["max"]}) == []
    assert [v.rule for v in check("ListEngagements", {"MaxResults": shape["max"] + 1})] == ["max"]
    assert [v.rule for v in check("ListEngagements", {"MaxResults": shape["min"] - 1})] == ["min"]
    assert [v.rule for v in check("ListEngagements", {"MaxResults": "10"})] == ["type"]
    assert [v.rule for v in check("ListEngagements", {"MaxResults": True})] == ["type"]


def test_nested_time_range_is_checked():
    now = datetime.now(timezone.utc)
    assert check("ListEngagements", {"TimeRangeValue": {"StartTime": now, "EndTime": now}}) == []
    (violation,) = check("ListEngagements", {"TimeRangeValue": {"StartTime": "yesterday"}})
    assert (violation.field, violation.rule) == ("time_range_value.start_time", "type")
    (violation,) = check("ListEngagements", {"TimeRangeValue": {"Begin": now}})
    assert (violation.field, violation.rule) == ("time_range_value.begin", "unknown")


def test_unknown_parameters_are_rejected():
    (violation,) = check("DescribeEngagement", {"EngagementId": ARN, "Verbose": True})
    assert (violation.field, violation.rule) == ("verbose", "unknown")


def test_wrong_type_is_reported():
    (violation,) = check("StartEngagement", {"ContactId": ARN, "Sender": 7, "Subject": "s", "Content": "c"})
    assert (violation.field, violation.rule) == ("sender", "type")


# --- generated values from the model's constraints ------------------------------------------

SENDER = input_shape("StartEngagement").members["Sender"].metadata
INCIDENT = input_shape("StartEngagement").members["IncidentId"].metadata
TOKEN = input_shape("StartEngagement").members["IdempotencyToken"].metadata
SUBJECT = input_shape("StartEngagement").members["Subject"].metadata


def from_model(meta: dict) -> st.SearchStrategy[str]:
    """Strings the model's pattern accepts, cut to the model's length bounds."""
    return (
        st.from_regex(re.compile(meta["pattern"], re.ASCII), fullmatch=True)
        .map(lambda s: s[: meta["max"]])
        .filter(lambda s: len(s) >= meta.get("min", 0))
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    sender=from_model(SENDER),
    incident=from_model(INCIDENT),
    token=from_model(TOKEN),
    subject=from_model(SUBJECT),
)
def test_generated_valid_values_pass(sender, incident, token, subject):
    params = {
        "ContactId": ARN,
        "Sender": sender,
        "Subject": subject,
        "Content": "c",
        "IncidentId": incident,
        "IdempotencyToken": token,
    }
    assert check("StartEngagement", params) == []


@settings(max_examples=150)
@given(st.text(min_size=1, max_size=40), st.sampled_from(["Sender", "IncidentId", "IdempotencyToken"]))
def test_generated_values_are_judged_as_the_pattern_judges_them(text, field):
    member = input_shape("StartEngagement").members[field]
    pattern = member.metadata["pattern"]
    expected_ok = re.search(pattern, text, re.ASCII) is not None
    # The model language's final "$" (as Java's) also matches before one trailing line terminator;
    # Python's only before "\n". Judge the text without it as well.
    for ending in ("\r\n", "\r", "\u0085", "\u2028", "\u2029"):
        if pattern.endswith("$") and text.endswith(ending):
            expected_ok = expected_ok or re.search(pattern, text[: -len(ending)], re.ASCII) is not None
    params = {"ContactId": ARN, "Sender": "ops", "Subject": "s", "Content": "c", field: text}
    rules = [v.rule for v in check("StartEngagement", params)]
    assert ("pattern" not in rules) == expected_ok


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=3000))
def test_generated_lengths_are_judged_by_the_model_bounds(size):
    violations = check(
        "StartEngagement", {"ContactId": ARN, "Sender": "o", "Subject": "s" * size, "Content": "c"}
    )
    assert bool(violations) == (size > SUBJECT["max"])
