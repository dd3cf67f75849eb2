"""ensure_stopped reads the engagement once before stopping it, and not at all when the caller just did."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_engagement.core import EngagementClient, StartRequest

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed.yaml"
SECONDARY = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/secondary-oncall"


@pytest.fixture
def counted(ssm_contacts):
    ssm_contacts.seed(str(SEED))
    core = EngagementClient(ssm_contacts.client, now=ssm_contacts.clock.now)
    calls: list[str] = []
    core.client.meta.events.register("before-call", lambda model, **_: calls.append(model.name))
    return core, calls


def page(core: EngagementClient, subject: str = "s") -> str:
    return core.start(StartRequest(contact_id=SECONDARY, sender="drill", subject=subject, content="c"))


def test_stopping_a_running_engagement_describes_before_and_after(counted):
    core, calls = counted
    arn = page(core)
    calls.clear()
    changed, before, after = core.ensure_stopped(arn, reason="drill over")
    assert changed and not before.stopped and after.stopped
    assert calls == ["DescribeEngagement", "StopEngagement", "DescribeEngagement"]


def test_a_just_described_engagement_is_not_described_again(counted):
    core, calls = counted
    arn = page(core)
    found = core.describe(arn)
    calls.clear()
    changed, before, after = core.ensure_stopped(arn, described=found)
    assert changed and before is found and after.stopped
    assert calls == ["StopEngagement", "DescribeEngagement"]


def test_another_engagement_s_description_is_not_used(counted):
    core, calls = counted
    arn, other = page(core), core.describe(page(core, subject="another"))
    assert other.engagement_arn != arn
    calls.clear()
    core.ensure_stopped(arn, described=other)
    assert calls[0] == "DescribeEngagement"
