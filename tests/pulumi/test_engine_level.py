"""Engine level: the SDK's real dynamic provider server, driven over gRPC as the Pulumi engine drives it,
against the emulator over HTTP on loopback."""

from __future__ import annotations

import re
from typing import Any

import grpc
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from pulumi_engagement.core import StartRequest

from .support import (
    FAKE_SECRET,
    PRIMARY,
    PROVIDER_KEY,
    REGION,
    SECONDARY,
    SERIALIZED,
    ProviderProcess,
    inputs,
    provider_env,
    up,
    urn_of,
)

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def total_calls(emulator: Any) -> int:
    return sum(emulator.control.state()["calls"].values())


def test_lifecycle_pages_reads_and_destroy_stops(provider, emulator, service):
    id_, outs, checked = up(provider)

    assert checked["stop_on_delete"] is True
    assert id_.startswith(f"arn:aws:ssm-contacts:{REGION}:")
    assert outs["engagement_arn"] == id_
    assert outs["contact_arn"] == PRIMARY
    assert ISO_UTC.match(outs["start_time"])
    assert "stop_time" not in outs
    assert outs["subject"] == "Game day: checkout is down (drill)"
    assert outs[PROVIDER_KEY] == SERIALIZED
    live = service.describe(id_)
    assert not live.stopped and live.incident_id == "gameday-42"

    # A second `pulumi up` with the same program: no changes.
    diff = provider.diff(id_, urn_of("drill"), outs, checked)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert list(diff.replaces) == []

    # `pulumi refresh` while it runs.
    read_id, refreshed = provider.read(id_, urn_of("drill"), outs, checked)
    assert read_id == id_ and "stop_time" not in refreshed

    # `pulumi destroy` stops it.
    provider.delete(id_, urn_of("drill"), refreshed, checked)
    assert service.describe(id_).stopped
    assert emulator.control.calls("StartEngagement") == 1
    assert FAKE_SECRET not in repr(outs) + repr(refreshed)


def test_check_reports_one_failure_per_broken_field_and_sends_nothing(provider, emulator):
    news = inputs(
        contact_id="primary-oncall",
        sender=None,
        subject="x" * 2049,
        stop_on_delete="yes",
        endpoint_url="ftp://127.0.0.1:1",
    )
    _, failures = provider.check(urn_of("drill"), news)

    assert set(failures) == {"contact_id", "sender", "subject", "stop_on_delete", "endpoint_url"}
    assert "longer than 2048 characters" in failures["subject"]
    assert "is required" in failures["sender"]
    assert "pattern" in failures["contact_id"]
    assert total_calls(emulator) == 0


def test_check_accepts_unknown_values_during_preview(provider, emulator):
    # incident_id comes from another resource that does not exist yet: not known during preview.
    checked, failures = provider.check(urn_of("drill"), inputs(incident_id=rpc.UNKNOWN, sender=rpc.UNKNOWN))
    assert failures == {}
    assert type(checked["incident_id"]).__name__ == "Unknown"  # still unknown, handed back to the engine
    assert checked["subject"] == inputs()["subject"]
    assert total_calls(emulator) == 0


def test_reused_explicit_token_with_a_changed_page_is_refused(provider):
    old = inputs(idempotency_token="drill-token-1")
    _, failures = provider.check(
        urn_of("drill"), inputs(idempotency_token="drill-token-1", subject="new"), old
    )
    assert set(failures) == {"idempotency_token"}
    assert "subject" in failures["idempotency_token"]


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"subject": "Game day: payments are down (drill)"}, ["subject"]),
        ({"content": "other"}, ["content"]),
        ({"contact_id": SECONDARY}, ["contact_id"]),
        ({"incident_id": "gameday-43", "sender": "ops"}, ["sender", "incident_id"]),
        ({"public_subject": "Drill"}, ["public_subject"]),
        ({"idempotency_token": "explicit-token-2"}, ["idempotency_token"]),
        ({"region": "eu-west-1"}, ["region"]),
        ({"endpoint_url": "http://127.0.0.1:1"}, ["endpoint_url"]),
        ({"stop_reason": "drill over"}, []),
        ({"stop_on_delete": False}, []),
        ({"profile": "gameday"}, []),
    ],
)
def test_diff_replaces_a_new_page_and_updates_stop_settings_in_place(provider, change, replaces):
    id_, outs, _ = up(provider)
    checked, failures = provider.check(urn_of("drill"), inputs(**change))
    assert failures == {}

    diff = provider.diff(id_, urn_of("drill"), outs, checked)

    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == replaces
    assert diff.deleteBeforeReplace is False


def test_update_in_place_does_not_page_and_is_honoured_on_delete(provider, emulator, service):
    id_, outs, checked = up(provider)
    news, _ = provider.check(urn_of("drill"), inputs(stop_on_delete=False, stop_reason="keep it running"))

    updated = provider.update(id_, urn_of("drill"), outs, news, checked)

    assert updated["engagement_arn"] == id_
    assert updated["stop_on_delete"] is False
    assert updated["stop_reason"] == "keep it running"
    assert updated["start_time"] == outs["start_time"]
    assert emulator.control.calls("StartEngagement") == 1
    provider.delete(id_, urn_of("drill"), updated, news)
    assert not service.describe(id_).stopped


def test_refresh_after_a_stop_shows_stop_time_and_destroy_is_then_fine(provider, emulator, service):
    id_, outs, checked = up(provider)
    # Someone stops the drill by hand (console / CLI).
    assert service.stop(id_, "acknowledged, drill over")

    read_id, refreshed = provider.read(id_, urn_of("drill"), outs, checked)

    assert read_id == id_
    assert ISO_UTC.match(refreshed["stop_time"])
    assert refreshed["stop_time"] >= refreshed["start_time"]
    provider.delete(id_, urn_of("drill"), refreshed, checked)  # already stopped: not an error
    assert emulator.control.calls("StopEngagement") == 1


def test_get_by_id_adopts_an_existing_engagement(provider, service):
    arn = service.start(
        StartRequest(contact_id=SECONDARY, sender="runbook", subject="Disk full", content="db-3 at 98%")
    )

    # Engagement.get(name, id=arn): the engine sends no state, only the inputs (the provider).
    read_id, outs = provider.read(arn, urn_of("adopted"), None, {PROVIDER_KEY: SERIALIZED})

    assert read_id == arn
    assert outs["engagement_arn"] == arn
    assert outs["contact_arn"] == outs["contact_id"] == SECONDARY
    assert outs["sender"] == "runbook"
    assert outs["subject"] == "Disk full"
    assert ISO_UTC.match(outs["start_time"])


def test_an_engagement_that_no_longer_exists_reads_as_gone_and_deletes_fine(provider, emulator):
    id_, outs, checked = up(provider)
    missing = id_.rsplit("/", 2)[0] + "/primary-oncall/00000000-0000-0000-0000-000000000000"

    read_id, props = provider.read(missing, urn_of("drill"), {**outs, "engagement_arn": missing}, checked)

    assert read_id == ""
    assert {k: v for k, v in props.items() if k != PROVIDER_KEY} == {}
    provider.delete(missing, urn_of("drill"), {**outs, "engagement_arn": missing}, checked)


def test_a_retried_create_with_the_same_urn_and_inputs_returns_the_same_engagement(provider, emulator):
    # The engine crashed after StartEngagement but before saving the state: `pulumi up` runs Create again.
    first, _, _ = up(provider)
    again, _, _ = up(provider)
    assert again == first
    # The first create left a hint: the retry asks about that engagement (running) and sends no start.
    assert emulator.control.calls("StartEngagement") == 1
    assert emulator.control.state()["engagements"] == 1

    # The same page from another resource (another URN) is another engagement.
    other, _, _ = up(provider, "second-drill")
    assert other != first
    assert emulator.control.state()["engagements"] == 2


def test_service_errors_reach_the_user_as_one_line_naming_the_engagement(provider, emulator):
    checked, failures = provider.check(
        urn_of("drill"), inputs(contact_id=PRIMARY.replace("primary", "nobody"))
    )
    assert failures == {}

    with pytest.raises(grpc.RpcError) as caught:
        provider.create(urn_of("drill"), checked)

    last = caught.value.details().strip().splitlines()[-1]
    assert last.startswith("pulumi_engagement.provider.EngagementResourceError: engagement 'drill': ")
    assert "ResourceNotFound" in last
    assert FAKE_SECRET not in caught.value.details()
    assert emulator.control.state()["engagements"] == 0


def test_resource_settings_override_stack_config(emulator, service):
    proc = ProviderProcess(provider_env())
    try:
        # Stack config points somewhere unreachable; the resource names the emulator itself.
        proc.configure({"aws:region": REGION, "pulumi-engagement:endpointUrl": "http://127.0.0.1:9"})
        id_, outs, _ = up(proc, endpoint_url=emulator.endpoint_url)
        assert outs["endpoint_url"] == emulator.endpoint_url
        assert service.describe(id_).engagement_arn == id_
    finally:
        proc.close()


def test_defaults_come_from_the_environment_without_stack_config(emulator, service):
    env = provider_env(AWS_REGION=REGION, AWS_ENDPOINT_URL_SSM_CONTACTS=emulator.endpoint_url)
    proc = ProviderProcess(env)
    try:
        proc.configure({})
        id_, outs, _ = up(proc)
        assert "endpoint_url" not in outs and "region" not in outs  # nothing of the host lands in state
        assert service.describe(id_).contact_arn == PRIMARY
    finally:
        proc.close()


def test_existing_engagements_are_reached_in_their_own_region_after_the_stack_region_changes(
    provider, emulator, service
):
    id_, outs, checked = up(provider)
    proc = ProviderProcess(provider_env())
    try:
        # `pulumi config set aws:region eu-west-1` after the drill started: refresh and destroy still work.
        proc.configure({"aws:region": "eu-west-1", "pulumi-engagement:endpointUrl": emulator.endpoint_url})
        read_id, refreshed = proc.read(id_, urn_of("drill"), outs, checked)
        assert read_id == id_ and refreshed["contact_arn"] == PRIMARY
        proc.delete(id_, urn_of("drill"), refreshed, checked)
        assert service.describe(id_).stopped
    finally:
        proc.close()
