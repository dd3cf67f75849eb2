"""The real AWS CLI drives the rotation lifecycle over HTTP: create, list shifts, override, delete.

The CLI serialises with its own code (timestamps, the ShiftCoverages map, JSON arguments) and
parses the emulator's answers with its own parser: what it prints is what it would print for AWS.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from testsupport.tools import installed_script

from .support import build_world
from .test_emulator_http import Cli, batch, one

RECURRENCE = {
    "WeeklySettings": [{"DayOfWeek": "MON", "HandOffTime": {"HourOfDay": 9, "MinuteOfHour": 0}}],
    "NumberOfOnCalls": 1,
    "RecurrenceMultiplier": 1,
    "ShiftCoverages": {
        day: [{"Start": {"HourOfDay": 9, "MinuteOfHour": 0}, "End": {"HourOfDay": 17, "MinuteOfHour": 0}}]
        for day in ("MON", "TUE", "WED", "THU", "FRI")
    },
}


def epoch(utc: str) -> float:
    return datetime.fromisoformat(utc).replace(tzinfo=timezone.utc).timestamp()


@pytest.fixture
def cli(ssm_contacts_endpoint: Any, tmp_path: Path) -> Cli:
    if not installed_script("aws"):
        pytest.fail("the AWS CLI is not installed in this venv: run `make venv` (the test extra brings it)")
    return Cli(ssm_contacts_endpoint.endpoint_url, tmp_path, use_env=True)


def test_aws_cli_rotation_lifecycle(ssm_contacts_endpoint: Any, cli: Cli) -> None:
    client = ssm_contacts_endpoint.client()
    world = build_world(client, lambda arn: ssm_contacts_endpoint.control.codes()["activation_codes"][arn])
    created = one(
        cli,
        "create-rotation",
        "--name",
        "business hours",
        "--contact-ids",
        world["alice"],
        world["bob"],
        "--start-time",
        "2026-01-05T09:00:00-08:00",
        "--time-zone-id",
        "America/Los_Angeles",
        "--recurrence",
        json.dumps(RECURRENCE),
    )
    rotation = created["RotationArn"]
    got = one(cli, "get-rotation", "--rotation-id", rotation)
    # The CLI prints the json 1.1 timestamp as it came: epoch seconds.
    assert got["StartTime"] == epoch("2026-01-05T17:00:00")
    assert got["Recurrence"] == RECURRENCE and got["ContactIds"] == [world["alice"], world["bob"]]

    window = ("--start-time", "2026-01-12T00:00:00Z", "--end-time", "2026-01-14T00:00:00Z")
    shifts = one(cli, "list-rotation-shifts", "--rotation-id", rotation, *window)["RotationShifts"]
    # Monday 12 Jan: bob's week; each covered day 09:00-17:00 PST (17:00-01:00 UTC) is one shift.
    assert [(s["ContactIds"], s["Type"]) for s in shifts] == [([world["bob"]], "REGULAR")] * 2
    assert [(s["StartTime"], s["EndTime"]) for s in shifts] == [
        (epoch("2026-01-12T17:00:00"), epoch("2026-01-13T01:00:00")),
        (epoch("2026-01-13T17:00:00"), epoch("2026-01-14T01:00:00")),
    ]

    override = one(
        cli,
        "create-rotation-override",
        "--rotation-id",
        rotation,
        "--new-contact-ids",
        world["alice"],
        "--start-time",
        "2026-01-13T18:00:00Z",
        "--end-time",
        "2026-01-13T20:00:00Z",
    )["RotationOverrideId"]
    listed, shifts_after = batch(
        (cli, ("list-rotation-overrides", "--rotation-id", rotation, *window)),
        (cli, ("list-rotation-shifts", "--rotation-id", rotation, *window)),
    )
    assert [o["RotationOverrideId"] for o in listed[1]["RotationOverrides"]] == [override]
    kinds = [(s["ContactIds"], s["Type"]) for s in shifts_after[1]["RotationShifts"]]
    assert kinds == [
        ([world["bob"]], "REGULAR"),
        ([world["bob"]], "REGULAR"),
        ([world["alice"]], "OVERRIDDEN"),
        ([world["bob"]], "REGULAR"),
    ]
    assert shifts_after[1]["RotationShifts"][2]["ShiftDetails"] == {"OverriddenContactIds": [world["bob"]]}

    one(cli, "delete-rotation-override", "--rotation-id", rotation, "--rotation-override-id", override)
    one(cli, "delete-rotation", "--rotation-id", rotation)
    ((code, _, err),) = batch((cli, ("get-rotation", "--rotation-id", rotation)), check=False)
    assert code != 0 and "ResourceNotFoundException" in err


def test_aws_cli_sees_the_service_errors(ssm_contacts_endpoint: Any, cli: Cli) -> None:
    client = ssm_contacts_endpoint.client()
    alice = client.create_contact(Alias="alice", Type="PERSONAL", Plan={"Stages": []})["ContactArn"]
    ((code, _, err),) = batch(
        (
            cli,
            (
                "create-rotation",
                "--name",
                "r",
                "--contact-ids",
                alice,
                "--time-zone-id",
                "PST",
                "--recurrence",
                json.dumps({**RECURRENCE, "ShiftCoverages": {}}),
            ),
        ),
        check=False,
    )
    assert code != 0 and "ValidationException" in err and "TimeZoneId" in err
    ((code, _, err),) = batch(
        (cli, ("put-contact-policy", "--contact-arn", alice, "--policy", "{not json")), check=False
    )
    assert code != 0 and "ValidationException" in err
    one(cli, "put-contact-policy", "--contact-arn", alice, "--policy", '{"Statement": []}')
    assert one(cli, "get-contact-policy", "--contact-arn", alice)["Policy"] == '{"Statement": []}'
