"""engagement_info's on-call answer (oncall_target, oncall_at), by the real ansible-playbook, against
`engagement oncall`: both adapters map the core's one function, so the answers are the same document."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from tests.cli.support import Emulator as CliEmulator

from .support import ROOT, Emulator, run_tasks

INFO = "incident_manager.contacts.engagement_info"
AT = "2026-03-02T20:58:00Z"  # dana's day shift; stage 2, five minutes later, is erik's night shift


def test_engagement_info_names_who_is_on_call(tmp_path: Path, emulator: Emulator) -> None:
    emulator.control.set_time_scale(0)
    emulator.control.set_time(datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    emulator.control.seed(ROOT / "examples" / "oncall.yaml")
    at, now, bad, clash = run_tasks(
        tmp_path,
        emulator,
        [
            {"name": "At a time", INFO: {"oncall_target": "db-escalation", "oncall_at": AT}},
            {"name": "Now", INFO: {"oncall_target": "db-oncall"}},
            {"name": "Bad time", INFO: {"oncall_target": "db-oncall", "oncall_at": "sunday 3am"}},
            {"name": "Exclusive", INFO: {"oncall_target": "db-oncall", "incident_id": "x"}},
        ],
        name="oncall",
    ).only()
    assert at.get("failed") is not True and at["changed"] is False, at
    reached = [(r["stage"], r["alias"], r["on_shift"]["rotation"]) for r in at["oncall"]["reaches"]]
    assert reached == [(1, "dana", "db-follow-the-sun"), (2, "erik", "db-follow-the-sun")]
    cli = CliEmulator(emulator.endpoint_url, emulator.control).run(
        "oncall", "db-escalation", "--at", AT, "-o", "json"
    )
    assert cli.returncode == 0, cli.stderr
    assert at["oncall"] == json.loads(cli.stdout)
    assert [r["alias"] for r in now["oncall"]["reaches"]] == ["dana"]
    assert now["oncall"]["at"] == "2026-03-02T10:00:00Z"  # the service's (virtual) clock
    assert bad.get("failed") is True and "oncall_at" in bad["msg"]
    assert clash.get("failed") is True and "mutually exclusive" in clash["msg"]
    assert emulator.control.calls("StartEngagement") == 0
