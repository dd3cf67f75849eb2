"""examples/runbook/page-and-escalate.sh against the emulator: the acknowledged and the escalation branch."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .support import ALICE, ENGAGEMENT, PRIMARY, ROOT, SECONDARY, Emulator, assert_no_secrets, reaped

RUNBOOK = ROOT / "examples" / "runbook" / "page-and-escalate.sh"


def runbook_env(emu: Emulator, incident: str, ack_timeout: str) -> dict[str, str]:
    return emu.env(
        INCIDENT_ID=incident,
        ACK_TIMEOUT=ack_timeout,
        POLL_INTERVAL="0.05",
        ENGAGEMENT=ENGAGEMENT,
        PATH=f"{Path(ENGAGEMENT).parent}:/usr/bin:/bin",
    )


def engagements_of(emu: Emulator, incident: str) -> list[dict]:
    proc = emu.run("list", "--incident-id", incident)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["engagements"]


def test_acknowledged_page_is_not_escalated(emu: Emulator) -> None:
    seen = []
    with reaped(emu.popen(["bash", str(RUNBOOK)], env=runbook_env(emu, "runbook-ack", "10m"))) as proc:
        assert proc.stderr is not None
        # Once the primary plan is paged, move virtual time past alice's two minutes.
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("engagement: paged "):
                break
        else:
            raise AssertionError(f"the runbook never paged: {''.join(seen)}")
        emu.control.advance(180)
        out, rest = proc.communicate(timeout=120)
    err = "".join(seen) + rest
    assert_no_secrets(out, err)
    assert proc.returncode == 0, err
    assert "acknowledged: no escalation needed" in err
    result = json.loads(out)
    assert result["wait"]["status"] == "acknowledged"
    assert result["wait"]["acknowledged_by"] == [ALICE]
    pages = engagements_of(emu, "runbook-ack")
    assert [e["contact_arn"] for e in pages] == [PRIMARY]  # nobody else was woken


def test_timeout_escalates_to_the_secondary_plan_once(emu: Emulator) -> None:
    env = runbook_env(emu, "runbook-timeout", "0")
    proc = subprocess.run(["bash", str(RUNBOOK)], env=env, capture_output=True, text=True, timeout=120)
    assert_no_secrets(proc.stdout, proc.stderr)
    assert proc.returncode == 0, proc.stderr
    assert "escalating to " + SECONDARY in proc.stderr
    engagements = engagements_of(emu, "runbook-timeout")
    assert sorted(e["contact_arn"] for e in engagements) == sorted([PRIMARY, SECONDARY])
    assert {e["incident_id"] for e in engagements} == {"runbook-timeout"}
    assert emu.calls("StartEngagement") == 2

    # Re-running the runbook (a retried CI job) pages nobody again.
    again = subprocess.run(["bash", str(RUNBOOK)], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("found the existing engagement") == 2
    assert emu.calls("StartEngagement") == 2
    assert len(engagements_of(emu, "runbook-timeout")) == 2


def test_invalid_input_stops_the_runbook_without_escalating(emu: Emulator) -> None:
    env = runbook_env(emu, "runbook-invalid", "0")
    env["SENDER"] = "bad<sender>"
    proc = subprocess.run(["bash", str(RUNBOOK)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "--sender (Sender)" in proc.stderr
    assert emu.calls("StartEngagement") == 0
