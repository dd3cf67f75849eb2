"""Issue 19: a page is two round trips (no clock probe) and is reported at once, whatever the read-back does.

Against the in-process emulator. No wall clock: the bound is asserted on what the core was allowed
to do (DescribeEngagement attempts, the pauses it asked for), with its sleep and clock injected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_engagement.core import EngagementClient, StartRequest
from pulumi_engagement.core.localstate import LocalState
from pulumi_engagement.core.paging import READ_BACK_ATTEMPTS, READ_BACK_BUDGET

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed.yaml"
SECONDARY = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/secondary-oncall"


class FakeTime:
    """sleep() advances monotonic(): the core's pacing, measured without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def emulator(ssm_contacts):
    ssm_contacts.seed(str(SEED))
    return ssm_contacts


def client_for(emulator, tmp_path: Path, time: FakeTime, **botocore_config) -> EngagementClient:
    client = emulator.make_client(**botocore_config) if botocore_config else emulator.client
    return EngagementClient(
        client,
        now=emulator.clock.now,
        sleep=time.sleep,
        monotonic=time.monotonic,
        local_state=LocalState(directory=str(tmp_path / "state")),
    )


def request() -> StartRequest:
    return StartRequest(
        contact_id=SECONDARY, sender="deploy-bot", subject="Deploy of api failed", content="Rollback started"
    )


def test_a_new_page_is_start_and_describe_only(emulator, tmp_path):
    """No ListEngagements (the old clock probe): the StartEngagement answer's own Date is the clock."""
    emulator.advance(10)
    outcome = client_for(emulator, tmp_path, FakeTime()).ensure_started(request())
    assert outcome.changed is True and outcome.read_back is True
    assert emulator.calls() == {"StartEngagement": 1, "DescribeEngagement": 1}


def test_describe_throttled_for_good_reports_the_page_within_the_read_back_budget(emulator, tmp_path):
    """botocore's own retries (8 attempts, up to 20 s apart) would take minutes; the read-back makes
    at most READ_BACK_ATTEMPTS single attempts, pausing no more than READ_BACK_BUDGET in all."""
    emulator.faults(throttle={"DescribeEngagement": 0})
    time = FakeTime()
    client = client_for(emulator, tmp_path, time, retries={"mode": "standard", "total_max_attempts": 8})

    outcome = client.ensure_started(request())

    assert outcome.changed is True and outcome.read_back is False
    assert outcome.engagement.engagement_arn.startswith(SECONDARY.replace(":contact/", ":engagement/"))
    assert any("the page was sent" in w and outcome.engagement.engagement_arn in w for w in outcome.warnings)
    assert emulator.calls("StartEngagement") == 1
    assert emulator.calls("DescribeEngagement") == READ_BACK_ATTEMPTS  # not 8 per read
    assert sum(time.pauses) <= READ_BACK_BUDGET < 15
    assert emulator.engagements() == 1


def test_a_hint_that_cannot_be_read_costs_the_read_back_budget_once_not_botocores(emulator, tmp_path):
    """A re-run whose hint cannot be read (Describe throttled) walks from the first episode: the
    token finds the running engagement; the page is not sent twice and nothing waits for minutes."""
    time = FakeTime()
    client = client_for(emulator, tmp_path, time)
    first = client.ensure_started(request())
    emulator.advance(30)
    emulator.faults(throttle={"DescribeEngagement": 0})

    again = client.ensure_started(request())

    assert again.engagement.engagement_arn == first.engagement.engagement_arn
    assert emulator.engagements() == 1
    assert emulator.calls("DescribeEngagement") == 1 + 2 * READ_BACK_ATTEMPTS  # the hint, the read-back
    assert sum(time.pauses) <= 2 * READ_BACK_BUDGET


def test_a_page_whose_first_answer_was_lost_is_new_on_a_fast_emulator_clock(emulator, tmp_path):
    """The first attempt commits and loses its answer; botocore's retry (after a real backoff) gets the
    same engagement. At --time-scale 600 that backoff is minutes of service time between the
    engagement's StartTime and the Date: the call's duration is scaled by the rate the emulator
    sends (x-emulator-time-scale), so the page is still reported as this call's."""
    emulator.set_time_scale(600)
    try:
        emulator.faults(drop_rate=1.0, max_faults=1, operations=["StartEngagement"])
        client = EngagementClient(emulator.client, local_state=LocalState(directory=str(tmp_path)))
        outcome = client.ensure_started(request())
    finally:
        emulator.set_time_scale(0)
    assert emulator.calls("StartEngagement") == 2
    assert outcome.changed is True and outcome.read_back is True
    assert emulator.engagements() == 1
