"""`make drill`'s script end to end: emulator process, the CLI paging and waiting, simulated responders."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .support import REPO


def run_drill(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "VENV": str(Path(sys.executable).parent.parent),
        "DRILL_REPORT": str(tmp_path / "drill-report.html"),
        **settings,
    }
    return subprocess.run(
        ["bash", str(REPO / "scripts" / "drill.sh")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_drill_escalates_and_reports_who_acknowledged_when(tmp_path: Path) -> None:
    result = run_drill(tmp_path)
    assert result.returncode == 0, result.stderr
    # examples/drill/seed.yaml: alice never answers; after her 2 minutes bob is paged and answers
    # 45 s later. Virtual times, exact whatever the machine's speed.
    assert "alice: paged at +0 s, did not acknowledge" in result.stdout
    assert "bob: paged at +120 s, acknowledged at +165 s (45 s after their page)" in result.stdout
    assert "=> acknowledged by bob 165 s after the page started" in result.stdout
    assert "/_emulator/inbox" in result.stdout
    # The report computes the same MTTA from the service, and writes the HTML page.
    assert "== MTTA (report): 165 s" in result.stdout
    assert (tmp_path / "drill-report.html").read_text().startswith("<!DOCTYPE html>")


def test_a_drill_through_an_on_call_schedule_across_a_shift_change(tmp_path: Path) -> None:
    # examples/drill/oncall.yaml: the shift changes at 15:00, five minutes after the page starts;
    # nora (on shift until then) never answers, omar (on shift from then) answers 30 s after his page.
    result = run_drill(
        tmp_path,
        DRILL_SEED=str(REPO / "examples" / "drill" / "oncall.yaml"),
        DRILL_START="2026-03-02T14:55:00Z",
        DRILL_CONTACT="arn:aws:ssm-contacts:us-east-1:123456789012:contact/drill-schedule",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # Asked before paging (clock frozen): stage 1 reaches nora, stage 2 (ten minutes on) omar.
    assert re.search(r"^1\s+2026-03-02T14:55:00Z\s+nora\s+yes\s+drill-schedule-oncall", out, re.M), out
    assert re.search(r"^2\s+2026-03-02T15:05:00Z\s+omar\s+yes\s+drill-schedule-oncall", out, re.M), out
    assert "nora: paged at +0 s, did not acknowledge" in out
    assert "omar: paged at +600 s, acknowledged at +630 s (30 s after their page)" in out
    # The report names who was on shift, and the hand-over the drill ran across.
    assert "drill-schedule-oncall / drill-follow-the-sun: nora -> omar at 2026-03-02T15:00:00Z" in out
    assert "drill-follow-the-sun (drill-schedule-oncall), 2026-03-02T03:00:00Z - 2026-03-02T15:00:00Z" in out
    assert "== MTTA (report): 630 s" in out
    html = (tmp_path / "drill-report.html").read_text()
    assert "Hand-overs" in html and "nora -&gt; omar" in html
