"""When botocore's client-wide retry quota runs out, the core keeps the call's own attempts going.

A unit test of EngagementClient._call with botocore's Stubber: the quota is botocore state that
only sustained throttling of a shared client exhausts (bench/ and tests/reliability show that end
to end); here the responses carrying botocore's RetryQuotaReached marker are stubbed.
"""

from __future__ import annotations

import random

import pytest
from botocore.stub import Stubber

from pulumi_engagement.core import EngagementClient, StartRequest, ThrottlingError, make_client

ARN = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/alice"
ENGAGEMENT = "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/alice/1"


def throttled(quota_reached: bool, attempts: int = 0) -> dict:
    return {
        "service_error_code": "ThrottlingException",
        "service_message": "Rate exceeded",
        "http_status_code": 400,
        "response_meta": {
            "RetryAttempts": attempts,
            **({"RetryQuotaReached": True} if quota_reached else {}),
        },
    }


@pytest.fixture
def stubbed(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    client = make_client(region="us-east-1", max_attempts=4)
    sleeps: list[float] = []
    core = EngagementClient(client, sleep=sleeps.append, rng=random.Random(7))
    with Stubber(client) as stubber:
        yield core, stubber, sleeps


def test_quota_exhaustion_is_retried_with_the_same_token(stubbed):
    core, stubber, sleeps = stubbed
    request = StartRequest(contact_id=ARN, sender="ops", subject="s", content="c")
    expected = request.api_params()
    stubber.add_client_error("start_engagement", expected_params=expected, **throttled(True))
    stubber.add_response("start_engagement", {"EngagementArn": ENGAGEMENT}, expected_params=expected)
    assert core.start(request) == ENGAGEMENT
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 20
    stubber.assert_no_pending_responses()


def test_the_calls_own_attempts_still_bound_it(stubbed):
    core, stubber, sleeps = stubbed
    for _ in range(4):
        stubber.add_client_error("describe_engagement", **throttled(True))
    with pytest.raises(ThrottlingError):
        core.describe(ENGAGEMENT)
    assert len(sleeps) == 3  # four attempts in all, as max_attempts says
    stubber.assert_no_pending_responses()


def test_errors_botocore_gave_up_on_by_itself_are_not_retried_again(stubbed):
    core, stubber, sleeps = stubbed
    stubber.add_client_error("describe_engagement", **throttled(False, attempts=3))
    with pytest.raises(ThrottlingError):
        core.describe(ENGAGEMENT)
    assert sleeps == []
