"""`engagement oncall TARGET [--at TIME]`: who a page would reach, read from the emulator over HTTP."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from .support import ROOT, Emulator

ONCALL_SEED = ROOT / "examples" / "oncall.yaml"
DAY = "2026-03-02T10:00:00Z"  # 10:00 London: dana's shift (09:00-21:00)
NIGHT = "2026-03-02T22:00:00Z"  # erik's


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def oncall(emu: Emulator) -> Emulator:
    emu.control.reset()
    emu.control.set_time_scale(0)
    emu.control.set_time(instant(DAY))
    emu.control.seed(ONCALL_SEED)
    return emu


def reached(doc: dict[str, Any]) -> list[tuple[Any, str, str | None]]:
    return [(r["stage"], r["alias"], (r["on_shift"] or {}).get("rotation")) for r in doc["reaches"]]


def test_an_escalation_plan_reaches_who_is_on_shift_at_each_stage(oncall: Emulator) -> None:
    # Stage 2 starts five minutes later: at 20:58 + 5 min the night shift (erik) has begun.
    proc = oncall.run("oncall", "db-escalation", "--at", "2026-03-02T20:58:00Z", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["type"] == "ESCALATION" and doc["at"] == "2026-03-02T20:58:00Z"
    assert reached(doc) == [(1, "dana", "db-follow-the-sun"), (2, "erik", "db-follow-the-sun")]
    assert [r["at"] for r in doc["reaches"]] == ["2026-03-02T20:58:00Z", "2026-03-02T21:03:00Z"]
    shift = doc["reaches"][1]["on_shift"]
    assert (shift["shift_start"], shift["shift_type"]) == ("2026-03-02T21:00:00Z", "REGULAR")
    assert oncall.calls("StartEngagement") == 0  # asking pages nobody


def test_default_is_now_on_the_service_clock(oncall: Emulator) -> None:
    oncall.control.set_time(instant(NIGHT))
    doc = json.loads(oncall.run("oncall", "db-oncall", "-o", "json").stdout)
    assert doc["at"] == NIGHT and reached(doc) == [(None, "erik", "db-follow-the-sun")]


def test_an_override_is_read_from_the_service(oncall: Emulator) -> None:
    client = oncall_client(oncall)
    (rotation,) = client.list_rotations()["Rotations"]
    erik = next(c for c in client.list_contacts()["Contacts"] if c["Alias"] == "erik")["ContactArn"]
    client.create_rotation_override(
        RotationId=rotation["RotationArn"],
        NewContactIds=[erik],
        StartTime="2026-03-02T09:30:00Z",
        EndTime="2026-03-02T12:00:00Z",
    )
    doc = json.loads(oncall.run("oncall", "db-oncall", "-o", "json").stdout)
    assert reached(doc) == [(None, "erik", "db-follow-the-sun")]
    assert doc["reaches"][0]["on_shift"]["shift_type"] == "OVERRIDDEN"


def test_table_output_and_a_person(oncall: Emulator) -> None:
    table = oncall.run("oncall", "db-escalation", "-o", "table")
    assert table.returncode == 0, table.stderr
    assert "ROTATION" in table.stdout and "db-follow-the-sun" in table.stdout and "dana" in table.stdout
    person = json.loads(oncall.run("oncall", "dana", "-o", "json").stdout)
    assert reached(person) == [(None, "dana", None)]


def test_nobody_on_shift_exits_1_and_not_found_exits_3(oncall: Emulator) -> None:
    client = oncall_client(oncall)
    (rotation,) = client.list_rotations()["Rotations"]
    client.update_rotation(
        RotationId=rotation["RotationArn"],
        Recurrence={
            **rotation["Recurrence"],
            "ShiftCoverages": {
                "SAT": [
                    {"Start": {"HourOfDay": 0, "MinuteOfHour": 0}, "End": {"HourOfDay": 0, "MinuteOfHour": 0}}
                ]
            },
        },
    )
    gap = oncall.run("oncall", "db-oncall", "-o", "json")  # a Monday: nobody covers it
    assert gap.returncode == 1
    assert "would reach nobody" in gap.stderr and "nobody on shift in db-oncall" in gap.stderr
    assert json.loads(gap.stdout)["gaps"] == [{"schedule": "db-oncall", "at": DAY, "stage": None}]
    missing = oncall.run("oncall", "ghost")
    assert missing.returncode == 3 and "ghost" in missing.stderr
    bad = oncall.run("oncall", "db-oncall", "--at", "tomorrow")
    assert bad.returncode == 2 and "--at" in bad.stderr


def oncall_client(emu: Emulator) -> Any:
    from pulumi_engagement.emulator.sdk_client import emulator_client

    return emulator_client(emu.endpoint_url)


def test_the_report_names_who_was_on_shift_and_the_hand_over(oncall: Emulator) -> None:
    # dana is on shift at 20:58 but lets the page go; stage 2 (5 minutes later) finds erik, whose
    # night shift began at 21:00: the drill ran across the hand-over.
    oncall.control.seed({"responders": {"dana": {"no_answer_probability": 1}}})
    oncall.control.set_time(instant("2026-03-02T20:58:00Z"))
    client = oncall_client(oncall)
    escalation = next(c for c in client.list_contacts()["Contacts"] if c["Alias"] == "db-escalation")
    arn = client.start_engagement(
        ContactId=escalation["ContactArn"], Sender="drill", Subject="s", Content="c"
    )["EngagementArn"]
    oncall.control.advance(15 * 60)
    proc = oncall.run("report", arn, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    metrics = json.loads(proc.stdout)
    shifts = [(p["contact_alias"], p["stage"], p["on_shift"]["rotation"]) for p in metrics["pages"]]
    assert shifts == [("dana", 1, "db-follow-the-sun"), ("erik", 2, "db-follow-the-sun")]
    assert metrics["stage_source"] == "plan" and all(p["essential"] for p in metrics["pages"])
    assert metrics["handovers"] == [
        {
            "schedule": "db-oncall",
            "rotation": "db-follow-the-sun",
            "at": "2026-03-02T21:00:00Z",
            "from": "dana",
            "to": "erik",
        }
    ]
    assert metrics["acknowledged_by"].endswith("/erik")
    table = oncall.run("report", arn, "-o", "table").stdout
    assert "db-oncall / db-follow-the-sun: dana -> erik at 2026-03-02T21:00:00Z" in table


def test_a_schedule_paged_directly_reports_its_member_on_shift(oncall: Emulator) -> None:
    client = oncall_client(oncall)
    schedule = next(c for c in client.list_contacts()["Contacts"] if c["Alias"] == "db-oncall")
    arn = client.start_engagement(ContactId=schedule["ContactArn"], Sender="drill", Subject="s", Content="c")[
        "EngagementArn"
    ]
    oncall.control.advance(5 * 60)  # dana's simulated responder answers after 2 minutes
    metrics = json.loads(oncall.run("report", arn, "-o", "json").stdout)
    assert metrics["contact_type"] == "ONCALL_SCHEDULE" and metrics["status"] == "acknowledged"
    (page,) = metrics["pages"]
    assert (page["contact_alias"], page["stage"], page["on_shift"]["rotation"]) == (
        "dana",
        1,
        "db-follow-the-sun",
    )
    assert metrics["handovers"] == []
