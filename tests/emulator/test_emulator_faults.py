"""Faults (throttle, errors, latency, commit-then-drop) from the fixtures, the control endpoint and flags."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

from pulumi_engagement.emulator.drill import faults
from pulumi_engagement.emulator.process import EmulatorProcess
from pulumi_engagement.emulator.sdk_client import emulator_client

from .support import EXAMPLE_SEED, PRIMARY, REPO, engage

NO_RETRY = {"retries": {"mode": "standard", "total_max_attempts": 1}}
STANDARD = {"retries": {"mode": "standard", "total_max_attempts": 3}}


def test_throttle_from_fixture(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    client = ssm_contacts.make_client(**NO_RETRY)
    # Rate 0 throttles every call; other operations are untouched.
    ssm_contacts.faults(throttle={"StartEngagement": 0})
    with pytest.raises(ClientError) as error:
        engage(client, PRIMARY)
    assert error.value.response["Error"]["Code"] == "ThrottlingException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    client.list_contacts()
    assert ssm_contacts.calls("StartEngagement") == 1
    assert ssm_contacts.engagements() == 0
    # A bucket of 1 request/1000 s lets exactly one call through.
    ssm_contacts.faults(throttle={"StartEngagement": 0.001})
    engage(client, PRIMARY)
    with pytest.raises(ClientError, match="ThrottlingException"):
        engage(client, PRIMARY)
    ssm_contacts.faults()
    engage(client, PRIMARY)
    assert ssm_contacts.engagements() == 2


def test_error_rate_is_a_500_and_commits_nothing(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    client = ssm_contacts.make_client(**NO_RETRY)
    ssm_contacts.faults(error_rate=1.0, operations=["StartEngagement"])
    with pytest.raises(ClientError) as error:
        engage(client, PRIMARY)
    assert error.value.response["Error"]["Code"] == "InternalServerException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert ssm_contacts.engagements() == 0
    client.list_engagements()  # not in `operations`


def _outcomes(call: Any, n: int) -> list[str]:
    """The error code of each of n calls ("ok" when it succeeded)."""
    results = []
    for _ in range(n):
        try:
            call()
            results.append("ok")
        except ClientError as error:
            results.append(error.response["Error"]["Code"])
    return results


def test_throttle_rate_throttles_that_fraction_reproducibly(ssm_contacts: Any) -> None:
    client = ssm_contacts.make_client(**NO_RETRY)
    ssm_contacts.faults(throttle_rate=0.3, seed=42)
    first = _outcomes(client.list_contacts, 500)
    assert set(first) == {"ok", "ThrottlingException"}
    throttled = first.count("ThrottlingException")
    assert 0.25 <= throttled / 500 <= 0.35
    # Counted as attempts and as throttled answers.
    assert ssm_contacts.calls("ListContacts") == 500
    assert ssm_contacts.injected("ListContacts") == {"throttled": throttled, "errors": 0, "dropped": 0}
    # The same seed throttles the same calls.
    ssm_contacts.faults(throttle_rate=0.3, seed=42)
    assert _outcomes(client.list_contacts, 500) == first


def test_throttle_rate_bounds_and_all_or_nothing(ssm_contacts: Any) -> None:
    client = ssm_contacts.make_client(**NO_RETRY)
    ssm_contacts.faults(throttle_rate=0.0, seed=1)
    assert set(_outcomes(client.list_contacts, 50)) == {"ok"}
    ssm_contacts.faults(throttle_rate=1.0)
    assert set(_outcomes(client.list_contacts, 50)) == {"ThrottlingException"}
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="throttle_rate"):
            ssm_contacts.faults(throttle_rate=bad)


def test_throttle_rate_commits_nothing(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    client = ssm_contacts.make_client(**NO_RETRY)
    outbox_before = len(ssm_contacts.backend().outbox)
    ssm_contacts.faults(throttle_rate=1.0, operations=["StartEngagement"])
    with pytest.raises(ClientError) as error:
        engage(client, PRIMARY, token="throttled-token")
    assert error.value.response["Error"]["Code"] == "ThrottlingException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert client.list_engagements()["Engagements"] == []  # not in `operations`: answered
    assert ssm_contacts.engagements() == 0
    ssm_contacts.advance(3600)  # nothing was scheduled either: no page is ever sent
    assert len(ssm_contacts.backend().outbox) == outbox_before
    # Not even the token was recorded: reusing it with other parameters is not a token conflict.
    ssm_contacts.faults()
    engage(client, PRIMARY, token="throttled-token", Subject="another subject")
    assert ssm_contacts.engagements() == 1


def test_throttle_rate_then_standard_retry_gives_one_engagement(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    ssm_contacts.faults(throttle_rate=1.0, max_faults=2, operations=["StartEngagement"])
    arn = engage(ssm_contacts.make_client(**STANDARD), PRIMARY)  # 3 attempts: throttled twice, then paged
    assert ssm_contacts.calls("StartEngagement") == 3
    assert ssm_contacts.injected("StartEngagement")["throttled"] == 2
    assert ssm_contacts.engagements() == 1
    assert [e["EngagementArn"] for e in ssm_contacts.client.list_engagements()["Engagements"]] == [arn]


def test_throttle_rate_leaves_the_error_draws_of_a_seed_alone(ssm_contacts: Any) -> None:
    """Throttle draws have a stream of their own: a call that is not throttled fails exactly as it
    would without throttle_rate, so adding throttling to a seeded scenario keeps its errors."""
    client = ssm_contacts.make_client(**NO_RETRY)
    ssm_contacts.faults(error_rate=0.4, seed=99)
    errors_only = _outcomes(client.list_contacts, 300)
    # The documented draws: two per call from Random(seed), the first deciding the error.
    draws = random.Random(99)
    expected = []
    for _ in range(300):
        error_draw, _drop_draw = draws.random(), draws.random()
        expected.append("InternalServerException" if error_draw < 0.4 else "ok")
    assert errors_only == expected
    ssm_contacts.faults(error_rate=0.4, throttle_rate=0.3, seed=99)
    both = _outcomes(client.list_contacts, 300)
    assert "ThrottlingException" in both and "InternalServerException" in both
    for alone, combined in zip(errors_only, both, strict=True):
        if combined != "ThrottlingException":
            assert combined == alone


def test_bucket_throttle_does_not_use_up_max_faults(ssm_contacts: Any) -> None:
    """Only faults actually answered count towards max_faults: a call the bucket throttles, whose
    error draw also hit, leaves the one allowed error for a later call."""
    client = ssm_contacts.make_client(**NO_RETRY)
    ssm_contacts.faults(throttle={"ListContacts": 0}, error_rate=1.0, max_faults=1)
    assert _outcomes(client.list_contacts, 2) == ["ThrottlingException"] * 2
    assert _outcomes(client.list_engagements, 2) == ["InternalServerException", "ok"]
    assert faults.injected() == {
        "throttled": {"ListContacts": 2},
        "errors": {"ListEngagements": 1},
        "dropped": {},
    }


def test_fault_seed_reproduces_the_same_sequence(ssm_contacts: Any) -> None:
    client = ssm_contacts.make_client(**NO_RETRY)

    def outcomes() -> list[bool]:
        ssm_contacts.faults(error_rate=0.5, seed=1234)
        results = []
        for _ in range(24):
            try:
                client.list_contacts()
                results.append(True)
            except ClientError:
                results.append(False)
        return results

    first = outcomes()
    assert first == outcomes()
    assert True in first and False in first


def test_in_process_drop_then_standard_retry_gives_one_engagement(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    ssm_contacts.faults(drop_rate=1.0, max_faults=1, operations=["StartEngagement"])
    client = ssm_contacts.make_client(**STANDARD)
    arn = engage(client, PRIMARY, token="retry-me")
    assert ssm_contacts.calls("StartEngagement") == 2
    assert ssm_contacts.engagements() == 1
    assert [e["EngagementArn"] for e in client.list_engagements()["Engagements"]] == [arn]


def test_in_process_drop_surfaces_as_connection_error(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    ssm_contacts.faults(drop_rate=1.0, operations=["StartEngagement"])
    with pytest.raises(ConnectionClosedError):
        engage(ssm_contacts.make_client(**NO_RETRY), PRIMARY)
    assert ssm_contacts.engagements() == 1  # committed, then the response was lost


def test_latency_fault_is_applied(ssm_contacts: Any) -> None:
    config = ssm_contacts.faults(latency_ms=1)
    assert config.latency_ms == 1.0
    ssm_contacts.client.list_contacts()


def test_http_drop_then_standard_retry_gives_one_engagement(ssm_contacts_endpoint: Any) -> None:
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    control = ssm_contacts_endpoint.control
    control.set_faults(drop_rate=1.0, max_faults=1, operations=["StartEngagement"])
    arn = engage(ssm_contacts_endpoint.client(**STANDARD), PRIMARY, token="ansible-run-7")
    state = control.state()
    assert state["calls"]["StartEngagement"] == 2
    assert state["engagements"] == 1
    assert [e["EngagementArn"] for e in ssm_contacts_endpoint.client().list_engagements()["Engagements"]] == [
        arn
    ]


def test_http_drop_closes_the_connection(ssm_contacts_endpoint: Any) -> None:
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    ssm_contacts_endpoint.faults(drop_rate=1.0, operations=["StartEngagement"])
    with pytest.raises(ConnectionClosedError):
        engage(ssm_contacts_endpoint.client(**NO_RETRY), PRIMARY)
    assert ssm_contacts_endpoint.control.engagements() == 1


def test_http_faults_from_control_and_never_on_control(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    client = ssm_contacts_endpoint.client(**NO_RETRY)
    control.set_faults(error_rate=1.0)
    with pytest.raises(ClientError) as error:
        client.list_contacts()
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert control.state()["faults"]["error_rate"] == 1.0  # the control endpoint is never faulted
    control.set_faults(throttle={"ListContacts": 0})
    with pytest.raises(ClientError, match="ThrottlingException"):
        client.list_contacts()
    control.clear_faults()
    client.list_contacts()
    assert control.calls("ListContacts") == 3


def _client(url: str) -> Any:
    return emulator_client(url, region="us-east-1", **NO_RETRY)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_server_flags_and_clean_shutdown(stop_signal: int) -> None:
    emulator = EmulatorProcess(
        seed=EXAMPLE_SEED,
        time_scale=0,
        extra_args=(
            "--throttle",
            "StartEngagement=0",
            "--error-rate",
            "1",
            "--fault-operations",
            "ListContacts",
            "--fault-seed",
            "3",
        ),
    ).start()
    try:
        assert emulator.endpoint_url.startswith("http://127.0.0.1:")
        client = _client(emulator.endpoint_url)
        with pytest.raises(ClientError, match="ThrottlingException"):
            engage(client, PRIMARY)
        with pytest.raises(ClientError, match="InternalServerException"):
            client.list_contacts()
        assert client.get_contact(ContactId=PRIMARY)["Type"] == "ESCALATION"
        state = emulator.control.state()
        assert state["time_scale"] == 0
        assert state["faults"]["throttle"] == {"StartEngagement": 0.0}
        assert state["calls"] == {"StartEngagement": 1, "ListContacts": 1, "GetContact": 1}
        assert state["injected"] == {
            "throttled": {"StartEngagement": 1},
            "errors": {"ListContacts": 1},
            "dropped": {},
        }
    finally:
        assert emulator.stop(stop_signal) == 0  # a clean shutdown on either signal


def test_throttle_rate_flag() -> None:
    """`--throttle-rate` over HTTP: about that fraction throttled, counted, and nothing else faulted."""
    flags = ("--throttle-rate", "0.3", "--fault-seed", "21", "--fault-operations", "ListContacts")
    with EmulatorProcess(extra_args=flags) as emulator:
        client = _client(emulator.endpoint_url)
        throttled = 0
        for _ in range(200):
            try:
                client.list_contacts()
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ThrottlingException"
                throttled += 1
        for _ in range(20):
            client.list_engagements()  # not in --fault-operations: never throttled
        assert emulator.control.faults()["throttle_rate"] == 0.3
        assert emulator.control.injected("ListContacts") == {
            "throttled": throttled,
            "errors": 0,
            "dropped": 0,
        }
        assert 0.22 <= throttled / 200 <= 0.38


def test_server_rejects_bad_flags() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_engagement.emulator", "--error-rate", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "error_rate" in result.stderr
