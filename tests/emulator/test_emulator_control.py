"""The /_emulator/ control endpoint and its EmulatorControl client."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from pulumi_engagement.emulator.control import EmulatorControlError

from .support import EXAMPLE_SEED, PRIMARY, engage


def test_state_shape(ssm_contacts_endpoint: Any) -> None:
    state = ssm_contacts_endpoint.control.state()
    assert set(state) == {"now", "time_scale", "calls", "engagements", "injected", "faults", "config"}
    assert state["config"] == {"token_retention": None}
    assert state["calls"] == {} and state["engagements"] == 0
    assert state["injected"] == {"throttled": {}, "errors": {}, "dropped": {}}
    assert datetime.fromisoformat(state["now"]).tzinfo is not None
    assert set(state["faults"]) >= {
        "throttle",
        "throttle_rate",
        "error_rate",
        "drop_rate",
        "latency_ms",
        "seed",
        "operations",
    }


def test_clock_set_and_advance(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    control.set_time(datetime(2031, 5, 1, 12, 0, tzinfo=timezone.utc))
    assert control.now() == datetime(2031, 5, 1, 12, 0, tzinfo=timezone.utc)  # frozen by the fixture
    control.advance(90)
    assert control.now() == datetime(2031, 5, 1, 12, 1, 30, tzinfo=timezone.utc)
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    client = ssm_contacts_endpoint.client()
    arn = engage(client, PRIMARY)
    assert client.describe_engagement(EngagementId=arn)["StartTime"] == control.now()


def test_reset_forgets_everything(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    engage(ssm_contacts_endpoint.client(), PRIMARY)
    control.set_faults(latency_ms=1)
    state = control.reset()
    assert state["calls"] == {} and state["engagements"] == 0 and state["faults"]["latency_ms"] == 0
    assert state["time_scale"] == 1.0
    assert ssm_contacts_endpoint.client().list_contacts()["Contacts"] == []


def test_seed_json_and_other_account(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    seed = {
        "account_id": "111122223333",
        "region": "eu-west-1",
        "contacts": [
            {"alias": "ops", "channels": [{"name": "ops-mail", "type": "EMAIL", "address": "o@x.org"}]}
        ],
    }
    summary = control.seed(seed)
    assert summary["contacts"] == {"ops": "arn:aws:ssm-contacts:eu-west-1:111122223333:contact/ops"}
    again = control.seed(seed)  # seeding is an upsert
    assert again["channels"] == summary["channels"]
    overridden = control.seed(seed, region="us-west-2")
    assert overridden["region"] == "us-west-2"


def test_codes_and_outbox(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    engage(ssm_contacts_endpoint.client(), PRIMARY)
    codes = control.codes()
    assert len(codes["activation_codes"]) == 6
    [(page, code)] = codes["accept_codes"].items()
    [message] = [m for m in control.outbox() if m["Kind"] == "PAGE"]
    assert (message["PageArn"], message["Code"], message["Address"]) == (page, code, "+15555550101")


def test_errors(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    with pytest.raises(EmulatorControlError, match="404"):
        control._request("GET", "nope")
    with pytest.raises(EmulatorControlError, match="400"):
        control.set_faults(error_rate=7)
    with pytest.raises(EmulatorControlError, match="unknown fault fields"):
        control.set_faults(bogus=1)


def test_endpoint_fixture_points_the_environment_at_the_server(ssm_contacts_endpoint: Any) -> None:
    import boto3

    client = boto3.client("ssm-contacts")  # region, credentials and endpoint all from the environment
    client.list_contacts()
    assert ssm_contacts_endpoint.calls("ListContacts") == 1
