"""examples/runbook/page-and-escalate.sh: it escalates exactly when nobody acknowledged."""

from __future__ import annotations

import json
import subprocess

import pytest

from .support import (
    DAVE,
    PRIMARY,
    QUIET,
    QUIET_PLAN_SECONDS,
    RUNBOOK,
    SECONDARY,
    Emulator,
    finish,
    read_until,
    runbook_env,
)


def contacts_paged(emu: Emulator, incident: str) -> list[str]:
    run = emu.cli("list", "--incident-id", incident, "--output", "json")
    assert run.returncode == 0, run.stderr
    return sorted(e["contact_arn"] for e in run.doc["engagements"])


def start_runbook(emu: Emulator, incident: str, **extra: str):
    proc = emu.popen(["bash", str(RUNBOOK)], env=runbook_env(emu, incident, **extra))
    seen = read_until(proc, "engagement: paged ")
    return proc, seen, seen[-1].rsplit(" ", 1)[-1].strip()


def test_acknowledged_is_not_escalated(emu: Emulator) -> None:
    proc, seen, _ = start_runbook(emu, "rb-ack", PRIMARY=PRIMARY)
    emu.control.advance(180)
    run = finish(proc, seen)
    assert run.returncode == 0, run.stderr
    assert "acknowledged: no escalation needed" in run.stderr
    assert contacts_paged(emu, "rb-ack") == [PRIMARY]


def test_plan_ran_out_unacknowledged_escalates(emu: Emulator) -> None:
    proc, seen, _ = start_runbook(emu, "rb-ran-out", PRIMARY=QUIET)
    emu.control.advance(QUIET_PLAN_SECONDS + 60)
    run = finish(proc, seen)
    assert run.returncode == 0, run.stderr
    assert "the engagement ended with nobody acknowledging: escalating to " + SECONDARY in run.stderr
    assert "escalated: " + SECONDARY in run.stderr
    assert contacts_paged(emu, "rb-ran-out") == sorted([QUIET, SECONDARY])


def test_a_contact_whose_engagement_ends_at_once_unread_escalates(emu: Emulator) -> None:
    proc = subprocess.run(
        ["bash", str(RUNBOOK)],
        env=runbook_env(emu, "rb-ends", PRIMARY=DAVE),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "escalating to " + SECONDARY in proc.stderr
    first, _ = json.JSONDecoder().raw_decode(proc.stdout)  # the primary's result; the secondary's follows
    assert first["wait"]["status"] == "ended_unacknowledged"
    assert contacts_paged(emu, "rb-ends") == sorted([DAVE, SECONDARY])


def test_timeout_escalates(emu: Emulator) -> None:
    env = runbook_env(emu, "rb-timeout", PRIMARY=QUIET, ACK_TIMEOUT="0")
    proc = subprocess.run(["bash", str(RUNBOOK)], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "nobody acknowledged within 0: escalating to " + SECONDARY in proc.stderr
    assert contacts_paged(emu, "rb-timeout") == sorted([QUIET, SECONDARY])


@pytest.mark.parametrize("escalate", ["yes", "no"])
def test_a_manual_stop_escalates_unless_told_not_to(emu: Emulator, escalate: str) -> None:
    proc, seen, arn = start_runbook(emu, "rb-stop", PRIMARY=QUIET, ESCALATE_WHEN_STOPPED=escalate)
    stopped = emu.cli("stop", arn, "--reason", "false alarm")
    assert stopped.returncode == 0, stopped.stderr
    run = finish(proc, seen)
    assert run.returncode == 0, run.stderr
    if escalate == "no":
        assert "ESCALATE_WHEN_STOPPED=no: not escalating" in run.stderr
        assert contacts_paged(emu, "rb-stop") == [QUIET]
    else:
        assert "escalating to " + SECONDARY in run.stderr
        assert contacts_paged(emu, "rb-stop") == sorted([QUIET, SECONDARY])
