"""The HTTP server driven by outside clients: the real AWS CLI and boto3."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from testsupport.tools import installed_script

from .support import EXAMPLE_SEED, PRIMARY, build_world, engage


def aws_executable() -> str:
    found = installed_script("aws")
    if not found:
        pytest.skip("the AWS CLI is not installed")
    return found


class Cli:
    """The AWS CLI as a subprocess; ``batch`` runs independent calls concurrently (CLI start-up is slow)."""

    def __init__(self, endpoint_url: str, home: Path, use_env: bool) -> None:
        self.endpoint_url = endpoint_url
        self.use_env = use_env
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_CONFIG_FILE": str(home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        if use_env:
            self.env["AWS_ENDPOINT_URL_SSM_CONTACTS"] = endpoint_url
        self.aws = aws_executable()

    def start(self, *args: str) -> subprocess.Popen[str]:
        command = [self.aws, "ssm-contacts", *args, "--region", "us-east-1", "--output", "json"]
        if not self.use_env:
            command += ["--endpoint-url", self.endpoint_url]
        return subprocess.Popen(
            command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def batch(*calls: tuple[Cli, tuple[str, ...]], check: bool = True) -> list[tuple[int, Any, str]]:
    """Run CLI calls concurrently; returns (exit code, parsed JSON stdout or None, stderr) per call."""
    processes = [cli.start(*args) for cli, args in calls]
    results = []
    for (_, args), process in zip(calls, processes, strict=True):
        out, err = process.communicate(timeout=180)
        if check and process.returncode != 0:
            raise AssertionError(f"aws ssm-contacts {' '.join(args)} failed: {err}")
        results.append((process.returncode, json.loads(out) if out.strip() else None, err))
    return results


def one(cli: Cli, *args: str) -> Any:
    return batch((cli, args))[0][1]


def test_aws_cli_lifecycle(ssm_contacts_endpoint: Any, tmp_path: Path) -> None:
    control = ssm_contacts_endpoint.control
    # Both ways of pointing the CLI at the emulator: --endpoint-url and AWS_ENDPOINT_URL_SSM_CONTACTS.
    cli = Cli(ssm_contacts_endpoint.endpoint_url, tmp_path, use_env=False)
    env_cli = Cli(ssm_contacts_endpoint.endpoint_url, tmp_path, use_env=True)

    alice = one(cli, "create-contact", "--alias", "alice", "--type", "PERSONAL", "--plan", '{"Stages": []}')
    alice = alice["ContactArn"]
    channel = one(
        env_cli,
        "create-contact-channel",
        "--contact-id",
        alice,
        "--name",
        "alice-sms",
        "--type",
        "SMS",
        "--delivery-address",
        "SimpleAddress=+15555550101",
    )["ContactChannelArn"]
    # A CLI user gets the activation code from the control endpoint (or computes it, see the docs).
    code = control.codes()["activation_codes"][channel]
    assert [m["Code"] for m in control.outbox() if m["Kind"] == "ACTIVATION_CODE"] == [code]
    escalation = {
        "Stages": [
            {
                "DurationInMinutes": 5,
                "Targets": [{"ContactTargetInfo": {"ContactId": alice, "IsEssential": True}}],
            }
        ]
    }
    _, (_, created, _) = batch(
        (cli, ("activate-contact-channel", "--contact-channel-id", channel, "--activation-code", code)),
        (
            env_cli,
            ("create-contact", "--alias", "oncall", "--type", "ESCALATION", "--plan", json.dumps(escalation)),
        ),
    )
    oncall = created["ContactArn"]

    start = (
        "start-engagement",
        "--contact-id",
        oncall,
        "--sender",
        "cli",
        "--subject",
        "db down",
        "--content",
        "db01 unreachable",
        "--idempotency-token",
        "cli-token-1",
    )
    (_, first, _), (_, second, _) = batch((cli, start), (env_cli, start))
    engagement = first["EngagementArn"]
    assert second["EngagementArn"] == engagement
    assert control.engagements() == 1

    (_, described, _), (_, listed, _), (_, pages, _) = batch(
        (cli, ("describe-engagement", "--engagement-id", engagement)),
        (env_cli, ("list-engagements",)),
        (cli, ("list-pages-by-engagement", "--engagement-id", engagement)),
    )
    assert described["ContactArn"] == oncall and "StopTime" not in described
    assert [e["EngagementArn"] for e in listed["Engagements"]] == [engagement]
    [page] = pages["Pages"]
    assert page["ContactArn"] == alice
    control.advance(30)
    accept_code = control.codes()["accept_codes"][page["PageArn"]]
    (_, page_detail, _), _ = batch(
        (cli, ("describe-page", "--page-id", page["PageArn"])),
        (
            cli,
            (
                "accept-page",
                "--page-id",
                page["PageArn"],
                "--accept-type",
                "READ",
                "--accept-code",
                accept_code,
                "--accept-code-validation",
                "ENFORCE",
            ),
        ),
    )
    assert page_detail["Subject"] == "db down"
    (_, receipts, _), _ = batch(
        (cli, ("list-page-receipts", "--page-id", page["PageArn"])),
        (cli, ("stop-engagement", "--engagement-id", engagement, "--reason", "resolved")),
    )
    assert [r["ReceiptType"] for r in receipts["Receipts"]] == ["SENT", "DELIVERED", "READ"]

    # Service errors: non-zero exit (255 in CLI v1) with the error code on stderr.
    (_, stopped, _), bad, missing = batch(
        (cli, ("describe-engagement", "--engagement-id", engagement)),
        (
            cli,
            (
                "start-engagement",
                "--contact-id",
                "alice",
                "--sender",
                "s",
                "--subject",
                "x",
                "--content",
                "c",
            ),
        ),
        (cli, ("describe-engagement", "--engagement-id", engagement.replace("oncall/", "oncall/0"))),
        check=False,
    )
    assert "StopTime" in stopped
    assert bad[0] != 0 and "ValidationException" in bad[2]
    assert missing[0] != 0 and "ResourceNotFoundException" in missing[2]
    assert control.calls("StartEngagement") == 3


def test_boto3_lifecycle_over_http(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    client = ssm_contacts_endpoint.client()
    arns = build_world(client, lambda channel: control.codes()["activation_codes"][channel])
    first = engage(client, arns["oncall"], token="http-1")
    assert engage(client, arns["oncall"], token="http-1") == first
    control.advance(5 * 60)
    assert [p["ContactArn"] for p in client.list_pages_by_engagement(EngagementId=first)["Pages"]] == [
        arns["alice"],
        arns["bob"],
    ]
    client.stop_engagement(EngagementId=first)
    assert "StopTime" in client.describe_engagement(EngagementId=first)
    with pytest.raises(ClientError) as error:
        client.get_contact(ContactId=arns["alice"] + "x")
    assert error.value.response["ResourceType"] == "CONTACT"
    assert control.state()["engagements"] == 1


def test_example_seed_demo_flow(ssm_contacts_endpoint: Any) -> None:
    """`make demo`'s path: page primary-oncall; alice's simulated responder acknowledges at 2 minutes."""
    summary = ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    assert set(summary["contacts"]) == {"alice", "bob", "carol", "primary-oncall", "secondary-oncall"}
    client = ssm_contacts_endpoint.client()
    engagement = engage(client, PRIMARY, token="demo")
    ssm_contacts_endpoint.advance(119)
    assert "StopTime" not in client.describe_engagement(EngagementId=engagement)
    ssm_contacts_endpoint.advance(1)
    described = client.describe_engagement(EngagementId=engagement)
    assert (described["StopTime"] - described["StartTime"]).total_seconds() == 120
    ssm_contacts_endpoint.advance(3600)
    [page] = client.list_pages_by_engagement(EngagementId=engagement)["Pages"]
    assert page["ContactArn"].endswith(":contact/alice") and "ReadTime" in page
    # carol's VOICE channel is declared with activated: false.
    carol = client.list_contact_channels(ContactId=summary["contacts"]["carol"])["ContactChannels"]
    assert {c["Name"]: c["ActivationStatus"] for c in carol} == {
        "carol-email": "ACTIVATED",
        "carol-voice": "NOT_ACTIVATED",
    }


def test_twenty_threads_one_token_one_engagement(ssm_contacts_endpoint: Any) -> None:
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    clients = [ssm_contacts_endpoint.client() for _ in range(20)]
    barrier = threading.Barrier(20)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(client: Any) -> None:
        try:
            barrier.wait(timeout=60)
            arn = engage(client, PRIMARY, token="host-fleet-run-1")
            with lock:
                results.append(arn)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == 20 and len(set(results)) == 1
    state = ssm_contacts_endpoint.control.state()
    assert state["engagements"] == 1
    assert state["calls"]["StartEngagement"] == 20
    assert len(ssm_contacts_endpoint.client().list_engagements()["Engagements"]) == 1
