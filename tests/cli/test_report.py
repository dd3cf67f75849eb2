"""`engagement report`: the installed script against the emulator over loopback HTTP.

The example seed's primary-oncall pages alice first (5 minutes), then bob; alice's simulated
responder reads 2 virtual minutes after her first message (an SMS sent at the start). The
secondary-oncall plan pages carol (EMAIL), who never answers.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import yaml

from .support import ALICE, ENGAGEMENT, PRIMARY, SECONDARY, Emulator

HOSTILE_SUBJECT = '<script>alert(1)</script> DB failover <img src="http://127.0.0.1:9/x.png"> & "quotes"'


def page(emu: Emulator, contact: str, subject: str = "Game day: DB failover") -> str:
    proc = emu.run(
        "start", "--contact-id", contact, "--sender", "gameday", "--subject", subject, "--content", "drill"
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["engagement"]["engagement_arn"]


class Elements(HTMLParser):
    """Every start tag with its attributes, as the browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_report_carries_the_simulated_responders_numbers_in_every_format(emu: Emulator) -> None:
    arn = page(emu, PRIMARY)
    emu.control.advance(600)
    proc = emu.run("report", arn, "--output", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["status"], doc["acknowledged_by"], doc["time_to_acknowledge"]) == (
        "acknowledged",
        ALICE,
        120.0,
    )
    assert (doc["stage_reached"], doc["stages_planned"], doc["stop_cause"]) == (1, 2, "acknowledged")
    assert doc["time_to_first_delivery"] == 1.0 and doc["ended_unacknowledged"] is False
    (alice,) = doc["pages"]
    assert [(c["name"], c["type"]) for c in alice["channels"]] == [
        ("alice-sms", "SMS"),
        ("alice-email", "EMAIL"),
    ]
    assert alice["channels"][0]["read_time"] == doc["acknowledged_at"]

    as_yaml = emu.run("report", arn, "-o", "yaml")
    assert as_yaml.returncode == 0 and yaml.safe_load(as_yaml.stdout) == doc

    table = emu.run("report", arn, "-o", "table")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert any(line.split() == ["time_to_acknowledge", "120.0"] for line in lines)
    assert any(line.split() == ["stage_reached", "1"] for line in lines)
    assert "pages:" in lines and "timeline:" in lines
    read_rows = [line.split() for line in lines if " read " in f" {line} "]
    assert read_rows and read_rows[0][:5] == ["120.0", "read", "1", "alice", "alice-sms"]


def test_report_of_a_drill_stopped_by_a_person(emu: Emulator) -> None:
    arn = page(emu, SECONDARY)
    emu.control.advance(200)
    assert emu.run("stop", arn, "--reason", "Called off: real incident").returncode == 0
    doc = json.loads(emu.run("report", arn).stdout)
    assert (doc["status"], doc["ended_unacknowledged"]) == ("ended_unacknowledged", True)
    assert (doc["stop_cause"], doc["stop_reason"]) == ("stopped", "Called off: real incident")
    assert doc["time_to_acknowledge"] is None and doc["acknowledged_by"] is None
    assert doc["timeline"][-1]["offset_seconds"] == 200.0


def test_html_report_is_self_contained_and_escapes_the_subject(emu: Emulator, tmp_path: Path) -> None:
    arn = page(emu, PRIMARY, subject=HOSTILE_SUBJECT)
    emu.control.advance(600)
    target = tmp_path / "drill.html"
    proc = emu.run("report", arn, "--html", str(target))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote the drill report to {target}" in proc.stderr
    assert json.loads(proc.stdout)["time_to_acknowledge"] == 120.0
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())

    parsed = parse(target)
    tags = Counter(tag for tag, _ in parsed.tags)
    assert tags["script"] == 0 and tags["img"] == 0 and tags["link"] == 0 and tags["iframe"] == 0
    assert tags["svg"] >= 1 and tags["style"] == 1
    # Nothing on the page names a resource to load.
    assert not any(
        name in ("src", "href", "srcset", "action", "xlink:href")
        for _, attrs in parsed.tags
        for name in attrs
    )
    csp = [
        a["content"]
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp and csp[0].startswith("default-src 'none'")
    assert HOSTILE_SUBJECT in "".join(parsed.text)  # shown as text, literally

    marks = Counter(
        (a["data-kind"], a["data-channel"]) for t, a in parsed.tags if "mark" in (a.get("class") or "")
    )
    assert marks == Counter(
        {
            ("sent", "alice-sms"): 1,
            ("delivered", "alice-sms"): 1,
            ("read", "alice-sms"): 1,
            ("sent", "alice-email"): 1,
            ("delivered", "alice-email"): 1,
        }
    )
    events = {a["id"]: a["data-offset"] for t, a in parsed.tags if a.get("class") == "event"}
    assert events == {"acknowledgement": "120", "stop": "120"}


def test_unknown_engagement_exits_3_and_writes_no_file(emu: Emulator, tmp_path: Path) -> None:
    ghost = (
        "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/ghost/00000000-0000-0000-0000-000000000000"
    )
    target = tmp_path / "ghost.html"
    proc = emu.run("report", ghost, "--html", str(target))
    assert proc.returncode == 3
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("engagement report: ")
    assert proc.stdout == "" and not target.exists()


def test_invalid_arn_exits_2_before_anything_is_sent(emu: Emulator) -> None:
    proc = emu.run("report", "not an arn")
    assert proc.returncode == 2
    assert proc.stderr.startswith("engagement report: ARN (EngagementId): ")
    assert sum(emu.control.state()["calls"].values()) == 0


def test_unwritable_html_path_exits_1_with_one_line(emu: Emulator, tmp_path: Path) -> None:
    arn = page(emu, PRIMARY)
    target = tmp_path / "missing-dir" / "r.html"
    proc = emu.run("report", arn, "--html", str(target))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith(f"engagement report: cannot write {target}: ")
    assert proc.stdout == ""


def test_help_describes_the_report() -> None:
    proc = subprocess.run([ENGAGEMENT, "report", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    for text in ("--html FILE", "MTTA", "self-contained", "3  not found"):
        assert text in proc.stdout, text
    top = subprocess.run([ENGAGEMENT, "--help"], capture_output=True, text=True, check=False).stdout
    assert "report" in top


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
