"""engagement_info's response metrics, by the real ansible-playbook, against `engagement report`.

Both adapters map the core's one function, so for the same engagement (on a frozen emulator
clock) the Ansible result and the CLI's JSON must be the same document, number for number.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import Emulator as CliEmulator

from .support import ALICE, PRIMARY, Emulator, page_task, run_tasks

INFO = "incident_manager.contacts.engagement_info"


def cli_report(emulator: Emulator, arn: str) -> dict:
    """`engagement report ARN --output json`, run as the CLI tests run the installed script."""
    cli = CliEmulator(emulator.endpoint_url, emulator.control)
    proc = cli.run("report", arn, "--output", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_engagement_info_metrics_equal_the_cli_report(tmp_path: Path, emulator: Emulator) -> None:
    emulator.control.set_time_scale(0)  # frozen: alice's simulated responder reads after 2 minutes
    started = run_tasks(tmp_path, emulator, [page_task()], name="start").only()[0]
    arn = started["engagement"]["engagement_arn"]
    emulator.control.advance(600)

    described, without = run_tasks(
        tmp_path,
        emulator,
        [
            {"name": "Metrics", INFO: {"engagement_id": arn}},
            {"name": "No metrics", INFO: {"engagement_id": arn, "include_metrics": False}},
        ],
        name="info",
    ).only()
    assert described.get("failed") is not True, described
    metrics = described["metrics"]
    assert metrics["contact_arn"] == PRIMARY
    assert (metrics["status"], metrics["acknowledged_by"], metrics["time_to_acknowledge"]) == (
        "acknowledged",
        ALICE,
        120.0,
    )
    assert (metrics["stage_reached"], metrics["stages_planned"], metrics["ended_unacknowledged"]) == (
        1,
        2,
        False,
    )
    assert metrics == cli_report(emulator, arn)

    assert without.get("failed") is not True, without
    assert "metrics" not in without and without["engagement"]["engagement_arn"] == arn
