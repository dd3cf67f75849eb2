"""Waiting for an acknowledgement and the response-metric outputs (issue 11, Pulumi part).

Drills run on the emulator with simulated responders (``examples/drill/seed.yaml``: alice never
answers, the plan escalates to bob after 2 minutes, bob answers 45 s after his page; so MTTA is
165 s). The emulator's virtual clock either runs fast (``time_scale``) while create waits, or stays
frozen and is advanced by the test; every number asserted comes from the virtual clock, none from
the wall clock. The CLI's ``engagement report ARN -o json`` must give the same numbers.
"""

from __future__ import annotations

import copy
import gc
import json
import runpy
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import settings
from pulumi.runtime.proto import provider_pb2

from pulumi_engagement.core import to_utc
from pulumi_engagement.pulumi_adapter.resource import EngagementResourceError

from .support import (
    ACCOUNT,
    FAKE_SECRET,
    PRIMARY,
    REGION,
    ROOT,
    ForwardingMocks,
    GrpcForwardingMocks,
    drill_engagement,
    inputs,
    mocked_runtime,
    provider_env,
    up,
    urn_of,
)

DRILL_SEED = ROOT / "examples" / "drill" / "seed.yaml"
EXAMPLE_SEED = ROOT / "examples" / "seed.yaml"
EXAMPLE = ROOT / "examples" / "pulumi" / "gameday-drill"


def arn(alias: str) -> str:
    return f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/{alias}"


DRILL, ALICE, BOB = arn("drill-oncall"), arn("alice"), arn("bob")
#: Virtual seconds per real second while create waits: the drill's 165 s pass in about 0.3 s.
FAST = 600.0
METRICS = ("acknowledged", "acknowledged_by", "acknowledged_at", "time_to_acknowledge")
SUBJECT = inputs()["subject"]
CONTENT = inputs()["content"]


def seed_drill(emulator: Any, bob_answers: bool = True, time_scale: float = 0.0) -> None:
    """Only the drill's contacts and responders, the clock at ``time_scale``."""
    seed = yaml.safe_load(DRILL_SEED.read_text())
    if not bob_answers:
        seed = copy.deepcopy(seed)
        seed["responders"]["bob"] = {"no_answer_probability": 1.0}
    emulator.control.reset()
    emulator.control.seed(seed)
    emulator.control.set_time_scale(time_scale)


def cli_report(emulator: Any, engagement_arn: str) -> dict[str, Any]:
    """`engagement report ARN -o json`, the console script's code in its own process."""
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "pulumi_engagement.cli", "report", engagement_arn, "--output", "json"),
            *("--endpoint-url", emulator.endpoint_url, "--region", REGION),
        ],
        env=provider_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_same_numbers_as_the_cli(emulator: Any, outs: dict[str, Any]) -> dict[str, Any]:
    report = cli_report(emulator, outs["engagement_arn"])
    for key in METRICS:
        assert outs.get(key) == report[key], key
    assert_same_but_for_dropped_nones(outs["pages"], report["pages"])
    return report


def assert_same_but_for_dropped_nones(provider: Any, cli: Any, path: str = "pages") -> None:
    """The provider's outputs equal the CLI report, except that they leave out what the report has
    as None (judged here on its own, not with the provider's code)."""
    if isinstance(cli, dict):
        assert isinstance(provider, dict), path
        assert provider.keys() <= cli.keys(), f"{path}: keys the CLI does not report"
        for key, value in cli.items():
            if key in provider:
                assert provider[key] is not None, f"{path}.{key}: a None the outputs should leave out"
                assert_same_but_for_dropped_nones(provider[key], value, f"{path}.{key}")
            else:
                assert value is None, f"{path}.{key}: left out of the outputs, but the CLI has {value!r}"
    elif isinstance(cli, list):
        assert isinstance(provider, list) and len(provider) == len(cli), path
        for index, (mine, theirs) in enumerate(zip(provider, cli, strict=True)):
            assert_same_but_for_dropped_nones(mine, theirs, f"{path}[{index}]")
    else:
        assert provider == cli, path


def assert_no_secure_text(outs: dict[str, Any]) -> None:
    text = json.dumps({k: outs.get(k) for k in (*METRICS, "pages", "wait_status")})
    assert SUBJECT not in text and CONTENT not in text and FAKE_SECRET not in text


def calls(emulator: Any) -> dict[str, int]:
    return dict(emulator.control.state()["calls"])


def new_calls(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


# -- engine level: the real provider server over gRPC -----------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"acknowledgement_timeout": "soon"}, "acknowledgement_timeout", "not a duration like"),
        ({"acknowledgement_timeout": -5}, "acknowledgement_timeout", "must not be negative"),
        ({"acknowledgement_timeout": 0}, "acknowledgement_timeout", "longer than 0 seconds"),
        ({"acknowledgement_timeout": "25h"}, "acknowledgement_timeout", "longer than 24 hours"),
        ({"acknowledgement_timeout": True}, "acknowledgement_timeout", "number of seconds or a duration"),
        (
            {"acknowledgement_timeout": "5m", "create_timeout": 300.0},
            "acknowledgement_timeout",
            "does not fit within the create custom timeout (300s)",
        ),
        ({"wait_for_acknowledgement": "yes"}, "wait_for_acknowledgement", "must be true or false"),
        ({"fail_on_unacknowledged": True}, "fail_on_unacknowledged", "needs wait_for_acknowledgement"),
    ],
)
def test_check_refuses_a_bad_wait_naming_the_field_and_sends_nothing(
    provider, emulator, overrides, field, expected
):
    _, failures = provider.check(urn_of("drill"), inputs(**overrides))
    assert set(failures) == {field}
    assert failures[field].startswith(f"{field}: ")
    assert expected in failures[field]
    assert "CustomTimeouts(create=" in failures[field] or "create_timeout" not in overrides
    assert sum(calls(emulator).values()) == 0


def test_check_accepts_a_wait_that_fits_the_create_timeout(provider, emulator):
    for overrides in (
        {"wait_for_acknowledgement": True, "acknowledgement_timeout": "5m", "create_timeout": 330.0},
        {"wait_for_acknowledgement": True, "acknowledgement_timeout": 90, "fail_on_unacknowledged": True},
        {"wait_for_acknowledgement": False, "acknowledgement_timeout": "1h30m"},
    ):
        _, failures = provider.check(urn_of("drill"), inputs(**overrides))
        assert failures == {}, overrides


def test_create_waits_for_the_simulated_responder_and_reports_what_the_cli_reports(provider, emulator):
    seed_drill(emulator, time_scale=FAST)
    id_, outs, checked = up(
        provider,
        contact_id=DRILL,
        wait_for_acknowledgement=True,
        acknowledgement_timeout="2m",
        fail_on_unacknowledged=True,
    )
    emulator.control.set_time_scale(0)

    assert outs["wait_status"] == "acknowledged"
    assert outs["acknowledged"] is True
    assert outs["acknowledged_by"] == BOB
    # Alice's 2 minutes, then bob's 45 s (the responder's delay) after his page.
    assert outs["time_to_acknowledge"] == 165.0
    start = to_utc(outs["start_time"])
    assert to_utc(outs["acknowledged_at"]) == start + timedelta(seconds=165)
    assert outs["stop_time"] == outs["acknowledged_at"]  # bob is essential: his answer ends it

    alice, bob = outs["pages"]
    assert (alice["contact_arn"], alice["stage"], alice["acknowledged"]) == (ALICE, 1, False)
    assert (bob["contact_arn"], bob["stage"], bob["acknowledged"]) == (BOB, 2, True)
    assert to_utc(bob["sent_time"]) == start + timedelta(seconds=120)
    assert bob["seconds_to_read"] == 45.0
    assert bob["acknowledgement_note"] == "Acknowledged by the simulated responder"
    assert [c["name"] for c in bob["channels"]] == ["bob-sms"]
    assert_no_secure_text(outs)
    json.dumps(outs["pages"])  # plain JSON: strings, numbers, booleans

    assert_same_numbers_as_the_cli(emulator, outs)

    # `pulumi refresh` of the finished drill: the metrics are final, one DescribeEngagement.
    before = calls(emulator)
    _, refreshed = provider.read(id_, urn_of("drill"), outs, checked)
    assert new_calls(before, calls(emulator)) == {"DescribeEngagement": 1}
    assert {k: refreshed.get(k) for k in (*METRICS, "pages", "wait_status")} == {
        k: outs.get(k) for k in (*METRICS, "pages", "wait_status")
    }
    assert emulator.control.calls("StartEngagement") == 1


def test_ended_unacknowledged_is_recorded_and_the_create_succeeds(provider, emulator):
    seed_drill(emulator, bob_answers=False, time_scale=FAST)
    id_, outs, _ = up(provider, contact_id=DRILL, wait_for_acknowledgement=True, acknowledgement_timeout="2m")
    emulator.control.set_time_scale(0)

    assert id_ == outs["engagement_arn"]
    assert outs["wait_status"] == "ended_unacknowledged"
    assert outs["acknowledged"] is False
    assert "time_to_acknowledge" not in outs and "acknowledged_by" not in outs
    assert "stop_time" in outs  # the plan ran out: alice's 2 minutes, then bob's 10
    assert to_utc(outs["stop_time"]) == to_utc(outs["start_time"]) + timedelta(minutes=12)
    assert [(p["contact_arn"], p["acknowledged"]) for p in outs["pages"]] == [(ALICE, False), (BOB, False)]
    assert_same_numbers_as_the_cli(emulator, outs)


def test_a_timeout_is_recorded_and_refresh_updates_the_drill_once_it_finished(provider, emulator):
    seed_drill(emulator)  # frozen: nobody answers while create waits
    id_, outs, checked = up(
        provider, contact_id=DRILL, wait_for_acknowledgement=True, acknowledgement_timeout=1
    )

    assert outs["wait_status"] == "timeout"
    assert outs["acknowledged"] is False and "stop_time" not in outs
    assert [(p["contact_arn"], p["acknowledged"]) for p in outs["pages"]] == [(ALICE, False)]

    # The drill goes on after `pulumi up` gave up: alice's plan runs out, bob answers at +165 s.
    emulator.control.advance(200)
    _, refreshed = provider.read(id_, urn_of("drill"), outs, checked)
    assert refreshed["acknowledged"] is True
    assert refreshed["acknowledged_by"] == BOB
    assert refreshed["time_to_acknowledge"] == 165.0
    assert refreshed["wait_status"] == "timeout"  # how the wait in `pulumi up` ended stays recorded
    assert [p["stage"] for p in refreshed["pages"]] == [1, 2]
    assert_same_numbers_as_the_cli(emulator, refreshed)

    before = calls(emulator)
    _, again = provider.read(id_, urn_of("drill"), refreshed, checked)
    assert new_calls(before, calls(emulator)) == {"DescribeEngagement": 1}
    assert again["pages"] == refreshed["pages"]


def test_a_failing_service_during_the_wait_never_loses_the_page(provider, emulator, service):
    """The page is out: the create records it even when every look-up after it fails."""
    seed_drill(emulator)
    emulator.control.set_faults(error_rate=1.0, operations=["ListPagesByEngagement"])
    try:
        id_, outs, _ = up(
            provider, contact_id=DRILL, wait_for_acknowledgement=True, acknowledgement_timeout=1
        )
    finally:
        emulator.control.clear_faults()

    assert outs["engagement_arn"] == id_ and not service.describe(id_).stopped
    assert outs["wait_status"] == "timeout"
    assert outs["acknowledged"] is False and outs["pages"] == []


def test_a_permanent_error_while_waiting_is_recorded_and_the_page_kept(emulator, aws_env, monkeypatch):
    """An identity allowed to page but not to list pages (IAM has no emulator stand-in: the core's
    ListPagesByEngagement is made to answer AccessDenied, as AWS would)."""
    from pulumi.dynamic import Config, ConfigureRequest

    from pulumi_engagement import EngagementProvider
    from pulumi_engagement.core import AccessDeniedError, EngagementClient

    def denied(self: Any, engagement_arn: str, receipts: bool = True) -> Any:
        raise AccessDeniedError("not authorized", operation="ListPagesByEngagement")

    seed_drill(emulator)
    monkeypatch.setattr(EngagementClient, "pages", denied)
    provider = EngagementProvider()
    config = {"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator.endpoint_url}
    provider.configure(ConfigureRequest(Config(config, "p")))
    checked = provider.check(
        {}, inputs(contact_id=DRILL, wait_for_acknowledgement=True, acknowledgement_timeout=60)
    )
    assert checked.failures == []
    created = provider.create(checked.inputs)

    assert created.id.startswith("arn:aws:ssm-contacts:") and created.outs["engagement_arn"] == created.id
    assert created.outs["wait_status"] == "error"
    assert created.outs["wait_error"] == "ListPagesByEngagement: AccessDeniedException: not authorized"
    assert created.outs["acknowledged"] is False and created.outs["pages"] == []


def test_without_waiting_create_reports_the_metrics_as_of_creation_at_no_cost(provider, emulator):
    seed_drill(emulator)
    before = calls(emulator)
    id_, outs, checked = up(provider, contact_id=DRILL)
    made = new_calls(before, calls(emulator))
    # Only the core's paging calls (probe, start, read-back; a stale hint may add a describe).
    assert set(made) <= {"ListEngagements", "StartEngagement", "DescribeEngagement"}
    assert made["StartEngagement"] == 1
    assert outs["wait_status"] == "not_waited"
    assert outs["acknowledged"] is False and outs["pages"] == []

    emulator.control.advance(200)
    _, refreshed = provider.read(id_, urn_of("drill"), outs, checked)
    assert refreshed["time_to_acknowledge"] == 165.0 and refreshed["wait_status"] == "not_waited"


def test_changing_the_wait_inputs_is_an_update_in_place_not_a_new_page(provider, emulator):
    seed_drill(emulator)
    id_, outs, checked = up(provider, contact_id=DRILL)
    urn = urn_of("drill")

    news, failures = provider.check(
        urn,
        inputs(
            contact_id=DRILL,
            wait_for_acknowledgement=True,
            acknowledgement_timeout="5m",
            fail_on_unacknowledged=True,
        ),
        checked,
    )
    assert failures == {}
    diff = provider.diff(id_, urn, outs, news)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == []

    updated = provider.update(id_, urn, outs, news, checked)
    assert updated["wait_for_acknowledgement"] is True
    assert updated["acknowledgement_timeout"] == "5m"
    assert updated["wait_status"] == "not_waited"  # an update never waits: the page went out at create
    assert emulator.control.calls("StartEngagement") == 1

    # "5m" and 300 are the same wait; absent and false are the same flag (states from before).
    same = {**news, "acknowledgement_timeout": 300}
    assert provider.diff(id_, urn, updated, same).changes == provider_pb2.DiffResponse.DIFF_NONE
    old_state = {k: v for k, v in outs.items() if k != "wait_for_acknowledgement"}
    no_wait = {**checked, "wait_for_acknowledgement": False}
    assert provider.diff(id_, urn, old_state, no_wait).changes == provider_pb2.DiffResponse.DIFF_NONE


# -- program level: the example and the resource under Pulumi's mocks -------------------------------


@pytest.fixture(params=["in_process", "grpc"])
def mocks(request, emulator, aws_env) -> Iterator[ForwardingMocks | GrpcForwardingMocks]:
    """set_mocks forwarding the dynamic resource to the provider: in this process, or through the
    real dynamic provider server over gRPC (the engine's path)."""
    project = "gameday-drill"
    if request.param == "grpc":
        forwarding: Any = GrpcForwardingMocks(request.getfixturevalue("provider_process"), project=project)
    else:
        config = {"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator.endpoint_url}
        forwarding = ForwardingMocks(config, project=project)
    with mocked_runtime(forwarding, project):
        yield forwarding
    # A failed program leaves futures whose finalizers log "exception never retrieved". Collected
    # later, inside an unrelated compile(), they trip CPython 3.11.7's "AST constructor recursion
    # depth mismatch" SystemError (CPython gh-106905, fixed in later releases): collect them here.
    gc.collect()


def run_gameday_example() -> dict[str, Any]:
    """examples/pulumi/gameday-drill, unchanged, under the mocked runtime: the stack's outputs."""
    exported: dict[str, Any] = {}

    def program() -> pulumi.Output:
        runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__")
        return pulumi.Output.all(**settings.get_root_resource().outputs).apply(exported.update)

    pulumi.runtime.test(program)()
    return exported


def test_the_gameday_drill_example_waits_and_exports_the_acknowledgement(mocks, emulator):
    """examples/pulumi/gameday-drill, unchanged, with examples/seed.yaml: alice acknowledges 2 min in."""
    emulator.control.reset()
    emulator.control.seed(EXAMPLE_SEED)
    emulator.control.set_time_scale(FAST)
    pulumi.runtime.set_all_config({"gameday-drill:incidentId": "gameday-2024-q3"})
    exported = run_gameday_example()
    emulator.control.set_time_scale(0)

    assert exported["paged"] == PRIMARY
    assert exported["wait_status"] == "acknowledged"
    assert exported["acknowledged"] is True
    assert exported["acknowledged_by"] == ALICE
    assert exported["time_to_acknowledge"] == 120.0  # alice's simulated responder: 2 minutes
    assert [p["contact_alias"] for p in exported["pages"]] == ["alice"]
    assert_same_numbers_as_the_cli(emulator, exported)
    assert emulator.control.calls("StartEngagement") == 1
    assert len(mocks.created) == 1
    # The example holds the wait within its create timeout (11m for the default 10m wait).
    assert mocks.created[0]["acknowledgement_timeout"] == "10m"


def test_fail_on_unacknowledged_fails_the_program_after_the_engagement_is_recorded(mocks, emulator):
    seed_drill(emulator, bob_answers=False, time_scale=FAST)

    def program() -> pulumi.Output:
        page = drill_engagement(
            contact_id=DRILL,
            wait_for_acknowledgement=True,
            acknowledgement_timeout="2m",
            fail_on_unacknowledged=True,
            opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="3m")),
        )
        return page.engagement_arn

    with pytest.raises(EngagementResourceError) as raised:
        pulumi.runtime.test(program)()
    emulator.control.set_time_scale(0)

    message = str(raised.value)
    assert "\n" not in message
    (created,) = mocks.created  # recorded: the engine has it in the state, destroy can stop it
    assert message.startswith(f"engagement 'drill' ({created['engagement_arn']}): not acknowledged")
    assert "wait ended_unacknowledged" in message
    assert SUBJECT not in message
    assert created["acknowledged"] is False and created["wait_status"] == "ended_unacknowledged"


def test_a_wait_longer_than_the_create_timeout_is_refused_before_paging(mocks, emulator):
    def program() -> pulumi.Output:
        page = drill_engagement(
            wait_for_acknowledgement=True,
            acknowledgement_timeout="10m",
            opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="10m")),
        )
        return page.engagement_arn

    with pytest.raises(Exception, match=r"acknowledgement_timeout: '10m' does not fit within the create"):
        pulumi.runtime.test(program)()
    assert emulator.control.state()["engagements"] == 0
