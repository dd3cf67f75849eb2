"""`engagement start` under faults: every run succeeds, one engagement per page, re-runs page nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from .support import PRIMARY, SECRET

ENGAGEMENT = str(Path(sys.executable).parent / "engagement")
FAULTS = {"throttle": {"StartEngagement": 2}, "error_rate": 0.15, "drop_rate": 0.15, "seed": 3}


def start(emulator, i: int) -> subprocess.CompletedProcess[str]:
    cmd = [
        ENGAGEMENT,
        "start",
        "--output",
        "json",
        "--contact-id",
        PRIMARY,
        "--sender",
        "runbook",
        "--subject",
        f"CLI soak #{i}",
        "--content",
        "disk full on db-1",
        "--incident-id",
        f"cli-soak-{i}",
    ]
    return subprocess.run(cmd, env=emulator.env(), capture_output=True, text=True, timeout=120)


def test_cli_start_under_faults_pages_once_and_reruns_page_nothing(emulator):
    emulator.control.set_faults(**FAULTS)

    first = [start(emulator, i) for i in range(6)]

    assert [p.returncode for p in first] == [0] * 6, [p.stderr for p in first]
    results = [json.loads(p.stdout) for p in first]
    assert [r["changed"] for r in results] == [True] * 6
    arns = {r["engagement"]["engagement_arn"] for r in results}
    assert len(arns) == 6
    faulted = sum(emulator.control.calls().values())
    assert faulted > 6 * 2  # each run is Start + Describe; faults added more attempts

    # A re-run of the same six commands (a retried CI job) finds every page and sends none.
    starts_before = emulator.control.calls("StartEngagement")
    again = [start(emulator, i) for i in range(6)]
    assert [p.returncode for p in again] == [0] * 6, [p.stderr for p in again]
    assert {json.loads(p.stdout)["engagement"]["engagement_arn"] for p in again} == arns
    assert not any(json.loads(p.stdout)["changed"] for p in again)
    assert emulator.control.calls("StartEngagement") == starts_before

    emulator.control.clear_faults()
    per_incident = Counter(s.incident_id for s in emulator.client().list())
    assert per_incident == Counter({f"cli-soak-{i}": 1 for i in range(6)})
    assert not any(SECRET in p.stdout + p.stderr for p in first + again)
