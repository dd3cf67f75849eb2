"""What goes wrong: a denied StartEngagement, a bad contact, and a `pulumi up` killed mid-create."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi import automation as auto

from . import programs
from .support import ACCOUNT, REGION, ROOT, DenyingProxy, Project, Service


def _failed_up(stack: auto.Stack) -> str:
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    return str(failure.value)


def test_access_denied_fails_up_with_our_message_and_records_nothing(
    project: Project, emulator, service: Service
) -> None:
    with DenyingProxy(emulator.endpoint_url, "StartEngagement") as proxy:
        stack = project.stack("dev", programs.pages("denied", endpoint_url=proxy.endpoint_url))
        output = _failed_up(stack)

    expected = (
        "pulumi_engagement.provider.EngagementResourceError: engagement 'denied': StartEngagement: "
        f"AccessDeniedException: User: arn:aws:iam::{ACCOUNT}:user/drill is not authorized to perform: "
        "ssm-contacts:StartEngagement"
    )
    # The SDK's dynamic provider server reports a failed create as the Python traceback: ours is
    # its last line, the one that ends the resource's diagnostic.
    lines = output.splitlines()
    [ours] = [i for i, line in enumerate(lines) if expected in line and "Traceback" not in line]
    assert lines[ours + 1].strip() == ""
    assert service.engagements() == [] and service.pages_sent() == []
    assert project.engagements_in_state("dev") == []


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        ("primary-oncall", "contact_id (ContactId): does not match the pattern"),
        (
            f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/no-such-plan",
            "engagement 'bad-contact': StartEngagement: ResourceNotFoundException",
        ),
    ],
    ids=["not-an-arn", "no-such-contact"],
)
def test_a_bad_contact_fails_up_with_our_message_and_records_nothing(
    project: Project, service: Service, contact: str, message: str
) -> None:
    stack = project.stack("dev", programs.pages("bad-contact", contact_id=contact))

    output = _failed_up(stack)

    assert message in output
    assert service.engagements() == [] and service.pages_sent() == []
    assert project.engagements_in_state("dev") == []


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _descendants(pid: int) -> list[int]:
    out = []
    for child in _children(pid):
        out += [child, *_descendants(child)]
    return out


def _runs(pid: int, executable: Path) -> bool:
    try:
        return os.readlink(f"/proc/{pid}/exe") == str(executable)
    except OSError:  # gone meanwhile
        return False


@pytest.mark.parametrize("recovery", ["refresh", "up"])
def test_an_up_killed_mid_create_then_recovered_pages_once(
    project: Project, emulator, service: Service, recovery: str
) -> None:
    """Recovery: `pulumi cancel`, then `pulumi refresh --clear-pending-creates` (as the engine's
    warning says) or straight `pulumi up` (which warns about the pending create); then `up`."""
    # The page goes out, then its read-back hangs: the CLI is killed between the two.
    emulator.control.set_faults(latency_ms=60000, operations=["DescribeEngagement"])
    stack = project.stack("dev", programs.pages("drill"))  # created here, run by the driver below
    driver = subprocess.Popen(
        [sys.executable, "-m", "tests.pulumi_e2e.drive", str(project.dir), "dev", "drill"],
        cwd=ROOT,
        env={**os.environ, **project.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The emulator answers once the CLI's create has reached its read-back (no polling).
        reached = service.control.wait_for_calls("DescribeEngagement", at_least=1, timeout=120)
        assert reached >= 1, "the create never reached its read-back"
        [cli] = [
            pid for pid in _descendants(driver.pid) if os.readlink(f"/proc/{pid}/exe") == str(project.cli)
        ]
        # The engine's plugins run in process groups of their own: end them by pid, as a user would.
        leftovers = _descendants(cli)
        os.kill(cli, signal.SIGKILL)
        for pid in leftovers:
            os.kill(pid, signal.SIGKILL)
    finally:
        driver.kill()
        driver.wait(60)
    emulator.control.clear_faults()
    assert len(service.engagements()) == 1, "the page went out before the kill"

    locked = project.pulumi("up", "--yes", "--stack", "dev", check=False)
    assert "the stack is currently locked" in locked.stderr + locked.stdout
    project.pulumi("cancel", "--yes", "--stack", "dev")  # removes the dead update's lock
    [pending] = project.deployment("dev")["pending_operations"]
    assert pending["type"] == "creating"
    if recovery == "refresh":  # what the engine's warning tells the user
        project.pulumi("refresh", "--clear-pending-creates", "--yes", "--stack", "dev")
        assert project.deployment("dev").get("pending_operations") in (None, [])
    result = stack.up()  # creates the engagement again: the same derived token, no second page

    [engagement] = service.engagements()
    assert result.outputs["drill_arn"].value == engagement["EngagementArn"]
    assert [r["id"] for r in project.engagements_in_state("dev")] == [engagement["EngagementArn"]]
    assert len(service.pages_sent()) == 1 and service.control.engagements() == 1


def test_a_bad_secret_input_is_refused_by_name_without_showing_its_value(
    project: Project, service: Service
) -> None:
    marker = "never-shown-subject "
    stack = project.stack("dev", programs.pages("too-long", subject=marker * 120))

    output = _failed_up(stack)

    # The engine quotes the refused value: the resource made it a secret input, so it says [secret].
    assert "property subject value {[secret]} has a problem: subject (Subject): longer than 2048" in output
    assert marker not in output
    assert service.engagements() == [] and project.engagements_in_state("dev") == []
