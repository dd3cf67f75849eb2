"""`make drill`'s script end to end: emulator process, the CLI paging and waiting, simulated responders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .support import REPO


def test_the_drill_escalates_and_reports_who_acknowledged_when(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "VENV": str(Path(sys.executable).parent.parent),
        "DRILL_REPORT": str(tmp_path / "drill-report.html"),
    }
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "drill.sh")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
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
