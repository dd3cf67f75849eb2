# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engagement module's flows over a stubbed ssm-contacts client (botocore's Stubber, no network)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import Stubber

from ansible_collections.incident_manager.contacts.plugins.module_utils import common
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core import (
    EngagementClient,
    derive_token,
)
from ansible_collections.incident_manager.contacts.plugins.modules import engagement

PLAN = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall"
ARN = "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/primary-oncall/0b5f9e4c"
# Recent: within the lookup window (a day by default), and within the clock-skew allowance (5 minutes)
# by which a start is judged new when the service's clock (an HTTP Date) is not known.
STARTED = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
STARTED_ISO = STARTED.strftime("%Y-%m-%dT%H:%M:%SZ")
PAGE = dict(
    contact_id=PLAN, sender="deploy", subject="Deploy failed", content="lock timeout", incident_id="inc-1"
)
# StartEngagement's request for PAGE, less its idempotency token.
START_REQUEST = dict(
    ContactId=PLAN, Sender="deploy", Subject="Deploy failed", Content="lock timeout", IncidentId="inc-1"
)


class Exited(Exception):
    def __init__(self, failed: bool, result: dict) -> None:
        super().__init__(result.get("msg"))
        self.failed = failed
        self.result = result


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch):
    client = boto3.client(
        "ssm-contacts", region_name="us-east-1", aws_access_key_id="AKIAFAKE", aws_secret_access_key="fake"
    )
    stubber = Stubber(client)
    monkeypatch.setattr(
        common.EngagementClient, "from_config", classmethod(lambda cls, config: EngagementClient(client))
    )

    def exit_json(self, **result):
        raise Exited(False, result)

    def fail_json(self, **result):
        raise Exited(True, result)

    monkeypatch.setattr(common.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(common.AnsibleModule, "fail_json", fail_json)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def run(args: dict) -> Exited:
    with patch_module_args(args), pytest.raises(Exited) as caught:
        engagement.main()
    return caught.value


def described(**overrides) -> dict:
    data = dict(
        EngagementArn=ARN,
        ContactArn=PLAN,
        Sender="deploy",
        Subject="Deploy failed",
        Content="lock timeout",
        IncidentId="inc-1",
        StartTime=STARTED,
    )
    data.update(overrides)
    return data


def summary() -> dict:
    return dict(EngagementArn=ARN, ContactArn=PLAN, Sender="deploy", IncidentId="inc-1", StartTime=STARTED)


def dated(**response) -> dict:
    """An answer dated now by the service's clock (its HTTP Date)."""
    now = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return dict(response, ResponseMetadata={"HTTPHeaders": {"date": now}})


def expect_new_page(stubbed: Stubber, token: str) -> None:
    """PAGE not sent before: StartEngagement gets ``token``, then the read-back (no other call)."""
    stubbed.add_response(
        "start_engagement", {"EngagementArn": ARN}, dict(START_REQUEST, IdempotencyToken=token)
    )
    stubbed.add_response("describe_engagement", described(), {"EngagementId": ARN})


def test_check_mode_reports_the_page_and_never_starts(stubbed: Stubber) -> None:
    stubbed.add_response("list_engagements", {"Engagements": []})
    exited = run(dict(PAGE, _ansible_check_mode=True, _ansible_diff=True))
    assert not exited.failed
    assert exited.result["changed"] is True
    assert exited.result["engagement"]["engagement_arn"] is None
    assert exited.result["diff"] == {"before": {}, "after": exited.result["engagement"]}
    # No StartEngagement response was stubbed: a call would have failed the test.


def test_starts_with_the_derived_token(stubbed: Stubber) -> None:
    token = derive_token(START_REQUEST)
    expect_new_page(stubbed, token)
    exited = run(PAGE)
    assert exited.result["changed"] is True
    assert exited.result["engagement"]["engagement_arn"] == ARN
    assert exited.result["engagement"]["start_time"] == STARTED_ISO
    assert exited.result["engagement"]["idempotency_token"] == token


def test_an_existing_page_is_not_changed(stubbed: Stubber) -> None:
    # The token returns the running engagement, which started before StartEngagement's own Date
    # (less the call's duration and a second of rounding).
    stubbed.add_response("start_engagement", dated(EngagementArn=ARN))
    stubbed.add_response("describe_engagement", described(), {"EngagementId": ARN})
    exited = run(PAGE)
    assert exited.result["changed"] is False
    assert exited.result["engagement"]["engagement_arn"] == ARN


def test_invalid_options_fail_before_any_call(stubbed: Stubber) -> None:
    exited = run(dict(PAGE, subject="x" * 2049, public_content="y" * 8193))
    assert exited.failed
    assert "subject: longer than 2048 characters (rule: max_length)" in exited.result["msg"]
    assert "public_content: longer than 8192 characters (rule: max_length)" in exited.result["msg"]
    assert exited.result["error_kind"] == "invalid_input"


def test_stop_in_check_mode_does_not_stop(stubbed: Stubber) -> None:
    stubbed.add_response("describe_engagement", described(), {"EngagementId": ARN})
    exited = run(dict(state="stopped", engagement_id=ARN, _ansible_check_mode=True))
    assert exited.result["changed"] is True


def test_stop_an_already_stopped_engagement_is_not_changed(stubbed: Stubber) -> None:
    stubbed.add_response("describe_engagement", described(StopTime=STARTED), {"EngagementId": ARN})
    exited = run(dict(state="stopped", engagement_id=ARN))
    assert exited.result["changed"] is False
    assert exited.result["engagement"]["stop_time"] == STARTED_ISO


def test_service_errors_are_reported_with_their_code(stubbed: Stubber) -> None:
    stubbed.add_client_error("start_engagement", "AccessDeniedException", "not allowed", 403)
    exited = run(PAGE)
    assert exited.failed
    assert "AccessDeniedException" in exited.result["msg"]
    assert exited.result["error_kind"] == "access_denied"


def test_an_explicit_token_is_sent_as_given(stubbed: Stubber) -> None:
    expect_new_page(stubbed, "change-1234")
    exited = run(dict(PAGE, idempotency_token="change-1234"))
    assert exited.result["changed"] is True
    assert exited.result["engagement"]["idempotency_token"] == "change-1234"
