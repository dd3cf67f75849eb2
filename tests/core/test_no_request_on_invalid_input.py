"""Invalid input never leaves the machine: no HTTP request is even attempted."""

from __future__ import annotations

import pytest

from pulumi_engagement.core import EngagementClient, StartRequest, ValidationError, make_client

ARN = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/alice"


@pytest.fixture
def counted_client(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    # A closed loopback port: a request that did leave would fail differently, not silently.
    client = make_client(region="us-east-1", endpoint_url="http://127.0.0.1:9", max_attempts=1)
    sent = []
    client.meta.events.register("before-send", lambda request, **_: sent.append(request))
    return EngagementClient(client), sent


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.start(StartRequest(contact_id=ARN, sender="ops", subject="s" * 2049, content="c")),
        lambda c: c.start(StartRequest(contact_id="alice", sender="ops", subject="s", content="c")),
        lambda c: c.ensure_started(StartRequest(contact_id=ARN, sender="ops$", subject="s", content="c")),
        lambda c: c.describe("not-an-arn"),
        lambda c: c.stop(ARN, reason="r" * 256),
        lambda c: c.list(incident_id="bad;id"),
        lambda c: c.pages(""),
    ],
    ids=["subject-too-long", "contact-not-arn", "ensure-started", "describe", "stop", "list", "pages"],
)
def test_invalid_input_sends_nothing(counted_client, call):
    client, sent = counted_client
    with pytest.raises(ValidationError):
        call(client)
    assert sent == []


def test_the_counter_does_see_requests_that_are_sent(counted_client):
    # Proves the hook above works, so the test above can fail.
    client, sent = counted_client
    with pytest.raises(Exception):  # noqa: B017 - the closed port fails; only the attempt matters
        client.describe(ARN + "/engagement")
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("times", "fields"),
    [
        ({"start_time": "yesterday"}, ["time_range_value.start_time"]),
        ({"end_time": "2024-13-01T00:00:00Z"}, ["time_range_value.end_time"]),
        (
            {"start_time": "soon", "end_time": object()},
            ["time_range_value.start_time", "time_range_value.end_time"],
        ),
    ],
)
def test_an_unreadable_time_filter_is_a_validation_error_naming_its_member(counted_client, times, fields):
    client, sent = counted_client
    with pytest.raises(ValidationError) as caught:
        client.list(**times)
    assert [v.field for v in caught.value.violations] == fields
    assert {v.rule for v in caught.value.violations} == {"type"}
    assert sent == []
