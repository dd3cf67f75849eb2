"""Faults (throttle, errors, latency, commit-then-drop) from the fixtures, the control endpoint and flags."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError
from emulator_helpers import EXAMPLE_SEED, PRIMARY, REPO, engage

from pulumi_engagement.emulator.control import EmulatorControl

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


def _start_process(*flags: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_engagement.emulator", "--port", "0", *flags],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url:
        process.kill()
        raise AssertionError(f"no endpoint line; stderr: {process.communicate(timeout=30)[1]}")
    return process, url


def _client(url: str) -> Any:
    return boto3.client(
        "ssm-contacts",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(**NO_RETRY),
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_server_flags_and_clean_shutdown(stop_signal: int, tmp_path: Path) -> None:
    process, url = _start_process(
        "--seed",
        str(EXAMPLE_SEED),
        "--time-scale",
        "0",
        "--throttle",
        "StartEngagement=0",
        "--error-rate",
        "1",
        "--fault-operations",
        "ListContacts",
        "--fault-seed",
        "3",
    )
    try:
        assert url.startswith("http://127.0.0.1:")
        client = _client(url)
        with pytest.raises(ClientError, match="ThrottlingException"):
            engage(client, PRIMARY)
        with pytest.raises(ClientError, match="InternalServerException"):
            client.list_contacts()
        assert client.get_contact(ContactId=PRIMARY)["Type"] == "ESCALATION"
        state = EmulatorControl(url).state()
        assert state["time_scale"] == 0
        assert state["faults"]["throttle"] == {"StartEngagement": 0.0}
        assert state["calls"] == {"StartEngagement": 1, "ListContacts": 1, "GetContact": 1}
    finally:
        process.send_signal(stop_signal)
        assert process.wait(timeout=60) == 0


def test_server_rejects_bad_flags() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_engagement.emulator", "--error-rate", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "error_rate" in result.stderr
