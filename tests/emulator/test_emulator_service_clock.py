"""The service's clock as clients see it: the HTTP Date header, and how long tokens are remembered."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pulumi_engagement.emulator.process import EmulatorProcess
from pulumi_engagement.emulator.sdk_client import emulator_client

from .support import EXAMPLE_SEED, PRIMARY, engage, raw_request

A_YEAR_AHEAD = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=366)


def _date(response: dict[str, Any]) -> datetime:
    return parsedate_to_datetime(response["ResponseMetadata"]["HTTPHeaders"]["date"])


def test_in_process_date_is_the_virtual_clock(ssm_contacts: Any) -> None:
    client = ssm_contacts.client
    ssm_contacts.clock.set(A_YEAR_AHEAD)  # frozen by the fixture
    response = client.list_contacts()
    assert response["ResponseMetadata"]["HTTPHeaders"]["date"] == format_datetime(A_YEAR_AHEAD, usegmt=True)
    ssm_contacts.advance(90)
    assert _date(client.list_contacts()) == A_YEAR_AHEAD + timedelta(seconds=90)
    # Errors carry it too.
    with pytest.raises(ClientError) as error:
        client.describe_engagement(EngagementId="arn:aws:ssm-contacts:us-east-1:123456789012:engagement/x/y")
    assert _date(error.value.response) == A_YEAR_AHEAD + timedelta(seconds=90)
    # And it agrees with the service's own timestamps: what "started before the call" is judged on.
    ssm_contacts.seed(EXAMPLE_SEED)
    start = client.start_engagement(ContactId=PRIMARY, Sender="s", Subject="x", Content="y")
    started = client.describe_engagement(EngagementId=start["EngagementArn"])["StartTime"]
    assert _date(start) == started.replace(microsecond=0)


def test_http_date_is_the_virtual_clock(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    control.set_time(A_YEAR_AHEAD)  # frozen by the fixture
    client = ssm_contacts_endpoint.client()
    assert _date(client.list_contacts()) == A_YEAR_AHEAD
    with pytest.raises(ClientError) as error:
        client.get_contact(ContactId="arn:aws:ssm-contacts:us-east-1:123456789012:contact/ghost")
    assert _date(error.value.response) == A_YEAR_AHEAD
    control.advance(3600)
    url = ssm_contacts_endpoint.endpoint_url
    # Exactly one Date, on the API, on malformed requests and on the control endpoint alike.
    for response in (
        raw_request(url, "GET", "/_emulator/state"),
        raw_request(url, "POST", "/", b"[]", {"X-Amz-Target": "SSMContacts.ListContacts"}),
        raw_request(url, "POST", "/", b"{}", {"X-Amz-Target": "SSMContacts.ListContacts"}),
    ):
        assert [parsedate_to_datetime(d) for d in response.all("Date")] == [A_YEAR_AHEAD + timedelta(hours=1)]


def test_http_date_follows_a_running_clock(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    control.set_time(A_YEAR_AHEAD)
    control.set_time_scale(1)
    before = control.now()
    date = _date(ssm_contacts_endpoint.client().list_contacts())
    after = control.now()
    # A year ahead of this machine, between the virtual readings taken around the call.
    assert before.replace(microsecond=0) <= date <= after


# -- idempotency-token retention -------------------------------------------------------------------------


def test_tokens_are_remembered_forever_by_default(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    assert ssm_contacts.config() == {"token_retention": None}
    first = engage(ssm_contacts.client, PRIMARY, token="deploy-42")
    ssm_contacts.advance(10 * 365 * 86400)
    assert engage(ssm_contacts.client, PRIMARY, token="deploy-42") == first
    assert ssm_contacts.engagements() == 1


def test_a_token_older_than_the_retention_is_forgotten(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    assert ssm_contacts.set_token_retention(3600) == {"token_retention": 3600.0}
    first = engage(ssm_contacts.client, PRIMARY, token="deploy-42")
    ssm_contacts.advance(3600)  # exactly the retention: still known
    assert engage(ssm_contacts.client, PRIMARY, token="deploy-42") == first
    # Within the retention, other parameters under the same token stay an error.
    with pytest.raises(ClientError) as error:
        engage(ssm_contacts.client, PRIMARY, token="deploy-42", Subject="something else")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert error.value.response["Fields"][0]["Name"] == "IdempotencyToken"
    ssm_contacts.advance(1)
    second = engage(ssm_contacts.client, PRIMARY, token="deploy-42")
    assert second != first and ssm_contacts.engagements() == 2
    # The token now names the new engagement, measured from its own start.
    ssm_contacts.advance(3000)
    assert engage(ssm_contacts.client, PRIMARY, token="deploy-42") == second
    # Once forgotten, other parameters start a new engagement instead of failing.
    ssm_contacts.advance(601)
    third = engage(ssm_contacts.client, PRIMARY, token="deploy-42", Subject="something else")
    assert third not in (first, second) and ssm_contacts.engagements() == 3
    ssm_contacts.set_config(token_retention=None)
    ssm_contacts.advance(86400)
    assert engage(ssm_contacts.client, PRIMARY, token="deploy-42", Subject="something else") == third


def test_retention_over_http_and_reset(ssm_contacts_endpoint: Any) -> None:
    control = ssm_contacts_endpoint.control
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    client = ssm_contacts_endpoint.client()
    assert ssm_contacts_endpoint.set_token_retention(60) == {"token_retention": 60.0}
    assert control.state()["config"] == {"token_retention": 60.0}
    first = engage(client, PRIMARY, token="t-1")
    control.advance(60)
    assert engage(client, PRIMARY, token="t-1") == first
    control.advance(1)
    assert engage(client, PRIMARY, token="t-1") != first
    assert control.engagements() == 2
    # Reset goes back to the server's startup setting (forever for this one).
    control.reset()
    assert ssm_contacts_endpoint.config() == {"token_retention": None}


def test_retention_from_a_seed_file(ssm_contacts_endpoint: Any, tmp_path: Any) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(EXAMPLE_SEED.read_text() + "\ntoken_retention: 120\n")
    ssm_contacts_endpoint.seed(seed)
    assert ssm_contacts_endpoint.config() == {"token_retention": 120.0}
    client = ssm_contacts_endpoint.client()
    first = engage(client, PRIMARY, token="t-2")
    ssm_contacts_endpoint.advance(121)
    assert engage(client, PRIMARY, token="t-2") != first
    with pytest.raises(Exception, match="token_retention: must be >= 0"):
        ssm_contacts_endpoint.seed({"token_retention": -1})


def test_retention_flag() -> None:
    with EmulatorProcess(
        seed=EXAMPLE_SEED, time_scale=0, extra_args=("--token-retention", "300")
    ) as emulator:
        control = emulator.control
        assert control.config() == {"token_retention": 300.0}
        client = emulator_client(emulator.endpoint_url, region="us-east-1")
        first = engage(client, PRIMARY, token="t-3")
        control.advance(300)
        assert engage(client, PRIMARY, token="t-3") == first
        control.advance(1)
        second = engage(client, PRIMARY, token="t-3")
        assert second != first and control.engagements() == 2
        # A reset keeps the flag's setting; a later change lasts until the next reset.
        control.set_token_retention(None)
        control.reset(reseed=True)
        assert control.config() == {"token_retention": 300.0}
