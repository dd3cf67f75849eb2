"""Helpers for the on-call scenario suite: one emulator process per xdist worker, seeded with
contacts made for the scenarios, and the four adapters (CLI, runbook, ansible-playbook, the
Pulumi provider's gRPC server) run against it as a user runs them.

Time only moves when a test moves the emulator's virtual clock (it is frozen at the start of
every test); faults are injected through the control endpoint.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli.support import ENGAGEMENT, ROOT, EmulatorEndpoint, assert_no_secrets

RUNBOOK = ROOT / "examples" / "runbook" / "page-and-escalate.sh"
ACCOUNT, REGION = "123456789012", "us-east-1"


def arn(alias: str) -> str:
    return f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/{alias}"


#: Alice acknowledges 2 minutes after her first message (within her 5 minutes on primary-oncall).
PRIMARY = arn("primary-oncall")
#: Carol never answers: quiet-oncall's 30-minute plan runs out unacknowledged.
QUIET = arn("quiet-oncall")
SECONDARY = arn("secondary-oncall")
ALICE = arn("alice")
ERIN = arn("erin")
#: A PERSONAL contact with no plan: its engagements end at once, nobody acknowledging.
DAVE = arn("dave")


def _personal(alias: str, **extra: Any) -> dict[str, Any]:
    channel = f"{alias}-email"
    return {
        "alias": alias,
        "type": "PERSONAL",
        "channels": [{"name": channel, "type": "EMAIL", "address": f"{alias}@example.com"}],
        **extra,
    }


SEED: dict[str, Any] = {
    "account_id": ACCOUNT,
    "region": REGION,
    "contacts": [
        _personal(
            "alice",
            plan=[{"duration_minutes": 5, "targets": ["alice-email"]}],
            responder={"acknowledge_after_minutes": 2},
        ),
        _personal("carol", plan=[{"duration_minutes": 0, "targets": ["carol-email"]}]),
        # Erin answers the moment a page reaches her (no clock movement needed).
        _personal(
            "erin",
            plan=[{"duration_minutes": 5, "targets": ["erin-email"]}],
            responder={"acknowledge_after_seconds": 0},
        ),
        {
            "alias": "dave",
            "type": "PERSONAL",
            "channels": [{"name": "dave-email", "type": "EMAIL", "address": "dave@example.com"}],
        },
        {
            "alias": "primary-oncall",
            "type": "ESCALATION",
            "plan": [{"duration_minutes": 5, "targets": [{"contact": "alice", "essential": True}]}],
        },
        {
            "alias": "quiet-oncall",
            "type": "ESCALATION",
            "plan": [{"duration_minutes": 30, "targets": [{"contact": "carol", "essential": True}]}],
        },
        {
            "alias": "secondary-oncall",
            "type": "ESCALATION",
            "plan": [{"duration_minutes": 10, "targets": [{"contact": "carol", "essential": True}]}],
        },
    ],
}
#: Seconds after which quiet-oncall's plan has run out.
QUIET_PLAN_SECONDS = 30 * 60


def fresh_state(directory: Path) -> dict[str, str]:
    """Environment for a run on "another machine": a new private state directory, so no lock or
    hint of an earlier run is seen."""
    directory.mkdir(parents=True)
    directory.chmod(0o700)
    return {"XDG_RUNTIME_DIR": str(directory), "XDG_CACHE_HOME": str(directory / "cache")}


@dataclass
class Cli:
    """A run of the installed `engagement` script."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def doc(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("engagement: warning: ")]


class Emulator(EmulatorEndpoint):
    def cli(self, *args: str | bytes, env: dict[str, str] | None = None, input: bytes | None = None) -> Cli:
        """`engagement ARGS` (arguments may be bytes: argv need not be UTF-8)."""
        proc = subprocess.run(
            [ENGAGEMENT, *args],
            env=env or self.env(),
            input=input,
            capture_output=True,
            timeout=120,
            check=False,
        )
        run = Cli(
            proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
        )
        assert_no_secrets(run.stdout, run.stderr)
        return run

    def page(self, *extra: str | bytes, env: dict[str, str] | None = None, **fields: str) -> Cli:
        """`engagement start` of the deploy alert (fields override its flags)."""
        return self.cli("start", "--output", "json", *page_flags(**fields), *extra, env=env)

    def popen(self, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            args, env=env or self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def calls(self) -> dict[str, int]:
        return dict(self.control.calls())  # type: ignore[arg-type]

    def engagements(self) -> int:
        return int(self.control.engagements())


#: The deploy alert the scenarios page (CLI flags and core requests alike).
DEPLOY_PAGE = {
    "contact_id": QUIET,
    "sender": "deploy-bot",
    "subject": "Deploy of release 42 failed",
    "content": "migration 0042 failed: lock timeout",
    "incident_id": "deploy-42",
}


def page_flags(**fields: str) -> list[str]:
    flags: list[str] = []
    for name, value in {**DEPLOY_PAGE, **fields}.items():
        flags += ["--" + name.replace("_", "-"), value]
    return flags


def delta(before: dict[str, int], after: dict[str, int], *operations: str) -> int:
    return sum(after.get(op, 0) - before.get(op, 0) for op in operations)


PAGING_CALLS = ("StartEngagement", "DescribeEngagement", "ListEngagements")


def read_until(proc: subprocess.Popen[str], prefix: str) -> list[str]:
    """stderr lines of ``proc`` up to and including the first starting with ``prefix``."""
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(prefix):
            return seen
    proc.wait(timeout=60)
    raise AssertionError(f"never saw {prefix!r}: {''.join(seen)}")


def finish(proc: subprocess.Popen[str], seen: list[str]) -> Cli:
    try:
        out, rest = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    run = Cli(proc.returncode, out, "".join(seen) + rest)
    assert_no_secrets(run.stdout, run.stderr)
    return run


def runbook_env(emu: Emulator, incident: str, **extra: str) -> dict[str, str]:
    settings = {
        "INCIDENT_ID": incident,
        "ACK_TIMEOUT": "10m",
        "POLL_INTERVAL": "0.05",
        "ENGAGEMENT": ENGAGEMENT,
        "PATH": f"{Path(ENGAGEMENT).parent}:/usr/bin:/bin",
    }
    return emu.env(**{**settings, **extra})
