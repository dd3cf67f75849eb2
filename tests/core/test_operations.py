"""The core's operations against the in-process emulator (moto.mock_aws), as a user's code calls them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pulumi_engagement.core import (
    EngagementClient,
    ResourceNotFoundError,
    StartRequest,
    ThrottlingError,
    WaitTimeout,
)

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed.yaml"
ACCOUNT, REGION = "123456789012", "us-east-1"
PRIMARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"
SECONDARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/secondary-oncall"


@pytest.fixture
def emulator(ssm_contacts):
    ssm_contacts.seed(str(SEED))
    return ssm_contacts


@pytest.fixture
def core(emulator) -> EngagementClient:
    return EngagementClient(emulator.client, now=emulator.clock.now)


def request(**overrides) -> StartRequest:
    values = {
        "contact_id": SECONDARY,
        "sender": "deploy-bot",
        "subject": "Deploy of api failed",
        "content": "Rollback started",
        "incident_id": "INC-42",
    }
    values.update(overrides)
    return StartRequest(**values)


def test_start_describe_round_trip(core):
    arn = core.start(request(public_subject="Deploy failed", public_content="See runbook"))
    engagement = core.describe(arn)
    assert engagement.engagement_arn == arn
    assert engagement.contact_arn == SECONDARY
    assert (engagement.subject, engagement.content) == ("Deploy of api failed", "Rollback started")
    assert (engagement.public_subject, engagement.public_content) == ("Deploy failed", "See runbook")
    assert engagement.start_time is not None and engagement.start_time.tzinfo is not None
    as_dict = engagement.to_dict()
    assert as_dict["start_time"].endswith("Z") and as_dict["stop_time"] is None


def test_same_request_twice_is_one_engagement(core, emulator):
    first = core.start(request())
    second = core.start(request())
    assert first == second
    assert len(core.list()) == 1


def test_ensure_started_reports_change_truthfully(core):
    first = core.ensure_started(request())
    again = core.ensure_started(request())
    assert first.changed is True and again.changed is False
    assert first.engagement.engagement_arn == again.engagement.engagement_arn
    other = core.ensure_started(request(content="Second failure"))
    assert other.changed is True
    assert other.engagement.engagement_arn != first.engagement.engagement_arn


def test_check_mode_sends_no_page(core, emulator):
    outcome = core.ensure_started(request(), check_mode=True)
    assert outcome.changed is True and outcome.engagement is None
    assert core.list() == []
    assert emulator.calls("StartEngagement") == 0


def test_find_ignores_engagements_outside_the_window(core, emulator):
    core.start(request())
    emulator.clock.advance(timedelta(hours=3).total_seconds())
    assert core.find(request(), window=timedelta(hours=1)) is None
    assert core.find(request(), window=timedelta(hours=4)) is not None


def test_find_compares_subject_and_content(core):
    core.start(request())
    assert core.find(request(subject="Another subject")) is None
    assert core.find(request(sender="someone-else")) is None
    assert core.find(request(incident_id="INC-43")) is None
    assert core.find(request()) is not None


def test_list_filters_and_paginates(core):
    for n in range(7):
        core.start(request(incident_id=f"INC-{n % 2}", content=f"content {n}"))
    assert len(core.list(page_size=2)) == 7
    assert len(core.list(incident_id="INC-1", page_size=2)) == 3


def test_stop_is_idempotent(core):
    arn = core.start(request())
    assert core.stop(arn, reason="drill over") is True
    assert core.describe(arn).stop_time is not None
    assert core.stop(arn) is False


def test_unknown_engagement_is_not_found(core):
    with pytest.raises(ResourceNotFoundError):
        core.describe(
            f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:engagement/ghost/00000000-0000-0000-0000-000000000000"
        )


def test_pages_carry_receipts(core, emulator):
    arn = core.start(request())
    emulator.clock.advance(60)
    pages = core.pages(arn)
    assert pages, "an engagement of an activated plan pages someone"
    kinds = {r.receipt_type for p in pages for r in p.receipts}
    assert {"SENT", "DELIVERED"} <= kinds
    assert not any(p.acknowledged for p in pages)


def test_wait_returns_when_the_simulated_responder_acknowledges(core, emulator):
    arn = core.start(request(contact_id=PRIMARY))
    # Each sleep of the waiter advances the emulator's clock instead of real time.
    result = core.wait(arn, timeout=3600, clock=emulator.clock.timestamp, sleep=emulator.clock.advance)
    assert result.status == "acknowledged"
    assert result.acknowledged_by


def test_wait_times_out_with_the_last_state(core, emulator):
    arn = core.start(request())  # nobody answers for the secondary plan in the seed
    with pytest.raises(WaitTimeout) as info:
        core.wait(arn, timeout=30, clock=emulator.clock.timestamp, sleep=emulator.clock.advance)
    assert info.value.engagement.engagement_arn == arn
    assert "not acknowledged within 30 seconds" in str(info.value)


def test_wait_returns_when_the_engagement_stops(core, emulator):
    arn = core.start(request())
    core.stop(arn)
    result = core.wait(arn, timeout=60, clock=emulator.clock.timestamp, sleep=emulator.clock.advance)
    assert result.status == "ended_unacknowledged" and not result.acknowledged
    assert result.stopped_by_request


def test_wait_reports_a_stop_that_lands_between_its_two_reads(core, emulator, monkeypatch):
    """Someone stops the engagement while a poll is half done: the result still says who stopped it."""
    arn = core.start(request())
    reads: list[str] = []

    def stop_after_the_first_read(name):
        real = getattr(EngagementClient, name)

        def read(self, engagement_arn):
            result = real(self, engagement_arn)
            reads.append(name)
            if len(reads) == 1:
                core.stop(arn, reason="false alarm")
            return result

        monkeypatch.setattr(EngagementClient, name, read)

    stop_after_the_first_read("describe")
    stop_after_the_first_read("pages")
    result = core.wait(arn, timeout=60, clock=emulator.clock.timestamp, sleep=emulator.clock.advance)
    assert result.status == "ended_unacknowledged"
    assert result.stopped_by_request and result.stop_reason == "false alarm"


def test_throttling_is_retried_by_the_client(core, emulator):
    emulator.faults(throttle={"StartEngagement": 0.0001})  # every call after the first is throttled
    core.start(request())
    with pytest.raises(ThrottlingError):
        core.start(request(content="other"))
    assert emulator.calls("StartEngagement") > 2  # botocore retried before giving up


def test_commit_then_drop_is_retried_with_the_same_token(core, emulator):
    emulator.faults(drop_rate=1.0, operations=["StartEngagement"], max_faults=1)
    arn = core.start(request())
    assert core.list()[0].engagement_arn == arn
    assert len(core.list()) == 1
    assert emulator.calls("StartEngagement") == 2


def test_find_tolerates_a_service_clock_running_ahead(emulator):
    # This client uses the real wall clock, while the emulator's clock runs two hours ahead.
    core = EngagementClient(emulator.client)
    emulator.clock.advance(timedelta(hours=2).total_seconds())
    first = core.ensure_started(request())
    again = core.ensure_started(request())
    assert (first.changed, again.changed) == (True, False)


def test_check_mode_that_hits_the_look_up_bound_says_so(core, emulator, tmp_path):
    """More candidates than the look-up may describe, none of them this page: check mode predicts a
    page (as a real run with no running engagement would) but warns that one may lie beyond."""
    from pulumi_engagement.core.localstate import LocalState
    from pulumi_engagement.core.operations import MAX_LOOKUP_DESCRIBES

    core.local_state = LocalState(directory=str(tmp_path))
    for i in range(MAX_LOOKUP_DESCRIBES + 1):  # same contact, sender and incident; other text
        core.start(request(subject=f"Deploy of svc-{i} failed"))
    emulator.advance(60)

    predicted = core.ensure_started(request(), check_mode=True)

    assert predicted.changed is True and predicted.engagement is None
    assert any("may exist beyond it" in w for w in predicted.warnings), predicted.warnings
    assert emulator.calls("DescribeEngagement") == MAX_LOOKUP_DESCRIBES
    assert emulator.engagements() == MAX_LOOKUP_DESCRIBES + 1  # check mode never pages


def test_check_mode_that_saw_everything_does_not_warn(core, emulator, tmp_path):
    from pulumi_engagement.core.localstate import LocalState

    core.local_state = LocalState(directory=str(tmp_path))
    core.start(request(subject="Deploy of svc-0 failed"))
    emulator.advance(60)
    predicted = core.ensure_started(request(), check_mode=True)
    assert predicted.changed is True and predicted.warnings == ()
