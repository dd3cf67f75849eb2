"""Seeds that declare rotations and schedules; the virtual clock moves shifts; the inbox names the shift."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pulumi_engagement.emulator.drill.seed import SeedError, load_seed

from .support import REPO, engage
from .test_emulator_inbox import contact_entry, inbox

ONCALL_SEED = REPO / "examples" / "oncall.yaml"
# 10:00 in London (GMT in March until the 29th): dana's day shift (09:00-21:00).
DAY = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def endpoint(ssm_contacts_endpoint: Any) -> Any:
    ssm_contacts_endpoint.control.set_time(DAY)
    ssm_contacts_endpoint.seed(ONCALL_SEED)
    return ssm_contacts_endpoint


def arn_of(client: Any, alias: str) -> str:
    (found,) = [
        c["ContactArn"] for c in client.list_contacts(AliasPrefix=alias)["Contacts"] if c["Alias"] == alias
    ]
    return found


def test_the_seed_declares_the_rotation_and_the_schedule(endpoint: Any) -> None:
    client = endpoint.client()
    (rotation,) = client.list_rotations()["Rotations"]
    assert rotation["Name"] == "db-follow-the-sun" and rotation["TimeZoneId"] == "Europe/London"
    assert rotation["ContactIds"] == [arn_of(client, "dana"), arn_of(client, "erik")]
    schedule = client.get_contact(ContactId=arn_of(client, "db-oncall"))
    assert schedule["Type"] == "ONCALL_SCHEDULE" and schedule["Plan"]["RotationIds"] == [
        rotation["RotationArn"]
    ]
    endpoint.seed(ONCALL_SEED)  # applied twice: the same rotation, not a second one
    assert [r["RotationArn"] for r in client.list_rotations()["Rotations"]] == [rotation["RotationArn"]]


def test_the_clock_moves_the_shift_and_the_inbox_names_it(endpoint: Any) -> None:
    client = endpoint.client()
    escalation = arn_of(client, "db-escalation")
    engage(client, escalation, IncidentId="day")
    endpoint.control.set_time(DAY + timedelta(hours=12))  # 22:00 London: erik's night
    engage(client, escalation, IncidentId="night")
    document = inbox(endpoint)
    (dana_page,) = contact_entry(document, "dana")["pages"]
    (erik_page,) = contact_entry(document, "erik")["pages"]
    assert dana_page["incident_id"] == "day" and erik_page["incident_id"] == "night"
    assert dana_page["on_shift"] == {"schedule": "db-oncall", "rotation": "db-follow-the-sun"}
    assert dana_page["engaged_contact"] == "db-escalation"
    # dana's simulated responder acknowledged after 2 minutes: the day engagement is over.
    assert dana_page["state"] == "acknowledged"


def test_seed_errors_name_the_rotation(ssm_contacts: Any) -> None:
    person = {"alias": "p", "channels": [{"name": "p-sms", "type": "SMS", "address": "+15555550199"}]}
    rotation = {"name": "r", "members": ["p"], "time_zone": "UTC", "daily": ["09:00"]}
    cases = [
        ({**rotation, "daily": ["9am"]}, "rotation r.daily: a time of day HH:MM"),
        ({**rotation, "colour": "red"}, "rotation r: unknown keys ['colour']"),
        ({**rotation, "time_zone": "PST"}, "rotation r: 1 validation error detected: TimeZoneId"),
        ({**rotation, "start": "2026-01-01T09:00"}, "rotation r.start: give the offset"),
    ]
    for bad, message in cases:
        with pytest.raises(SeedError) as error:
            load_seed({"contacts": [person], "rotations": [bad]})
        assert str(error.value).startswith(message), (bad, str(error.value))
    schedule = {"alias": "s", "type": "ONCALL_SCHEDULE", "rotations": ["nope"]}
    with pytest.raises(SeedError) as error:
        load_seed({"contacts": [person, schedule], "rotations": [rotation]})
    assert "unknown rotation 'nope'" in str(error.value)
