"""The pager inbox's page and JSON API over loopback HTTP (the browser tests are in tests/browser)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any

import pytest

from .support import EXAMPLE_SEED, PRIMARY, contact_arn, engage

T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=timezone.utc)
OTHER_ACCOUNT, OTHER_REGION = "210987654321", "eu-west-1"


def http(
    endpoint: Any, method: str, route: str, payload: Any = None, content_type: str = "application/json"
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(f"{endpoint.endpoint_url}/_emulator/{route}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def inbox(endpoint: Any) -> dict[str, Any]:
    status, _, body = http(endpoint, "GET", "inbox/pages")
    assert status == 200
    return json.loads(body)


def contact_entry(document: dict[str, Any], alias: str, account: str = "123456789012") -> dict[str, Any]:
    [found] = [
        c
        for a in document["accounts"]
        if a["account_id"] == account
        for c in a["contacts"]
        if c["alias"] == alias
    ]
    return found


@pytest.fixture
def endpoint(ssm_contacts_endpoint: Any) -> Any:
    ssm_contacts_endpoint.control.set_time(T0)
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    return ssm_contacts_endpoint


def test_the_page_is_self_contained_and_locked_down(endpoint: Any) -> None:
    status, headers, body = http(endpoint, "GET", "inbox")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    html = body.decode()
    # No other asset: nothing is loaded from anywhere (no src=, no href=, no url(), no @import).
    assert not re.search(r"\b(src|href)\s*=|url\(|@import", html, re.I)
    policy = headers["Content-Security-Policy"]
    [script] = re.findall(r"<script>(.*?)</script>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    for directive in ("default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in headers
    # Accessible markup: a live region for updates, a labelled checkbox.
    assert 'aria-live="polite"' in html and '<label for="hide-finished">' in html


def test_pages_lists_people_with_their_pages_and_responders(endpoint: Any) -> None:
    client = endpoint.client()
    engagement = engage(client, PRIMARY, token="inbox-1", Subject="<script>alert(1)</script> & db01")
    document = inbox(endpoint)
    assert document["now"] == T0.isoformat()
    [account] = document["accounts"]
    assert (account["account_id"], account["region"]) == ("123456789012", "us-east-1")
    # People only (escalation plans are never paged themselves), by alias.
    assert [c["alias"] for c in account["contacts"]] == ["alice", "bob", "carol"]
    alice = contact_entry(document, "alice")
    assert alice["responder"] == {
        "distribution": "fixed",
        "seconds": 120.0,
        "no_answer_probability": 0.0,
        "seed": "alice",
    }
    [page] = alice["pages"]
    assert page["engagement_arn"] == engagement and page["engaged_contact"] == "primary-oncall"
    assert page["subject"] == "<script>alert(1)</script> & db01"  # verbatim: the page escapes it
    assert [c["name"] for c in page["channels"]] == ["alice-sms"]
    assert page["sent_time"] == T0.isoformat() and page["read_time"] is None
    assert page["state"] == "paging"


def test_acknowledge_is_accept_page_through_the_backend(endpoint: Any) -> None:
    client = endpoint.client()
    engagement = engage(client, PRIMARY, token="inbox-2")
    endpoint.advance(30)
    [page_arn] = [p["PageArn"] for p in client.list_pages_by_engagement(EngagementId=engagement)["Pages"]]
    status, _, body = http(endpoint, "POST", "inbox/ack", {"page_arn": page_arn})
    assert status == 200, body
    assert json.loads(body)["page"]["state"] == "acknowledged"
    receipts = client.list_page_receipts(PageId=page_arn)["Receipts"]
    [read] = [r for r in receipts if r["ReceiptType"] == "READ"]
    assert read["ReceiptTime"].astimezone(timezone.utc) == T0.replace(second=30)
    assert read["ReceiptInfo"] == "Acknowledged in the emulator's pager inbox"
    # On the channel of the first message, as a person answering the text would.
    assert (
        read["ContactChannelArn"]
        == next(r for r in receipts if r["ReceiptType"] == "SENT")["ContactChannelArn"]
    )
    # alice is essential: the engagement is over, stopped at the acknowledgement.
    stop = client.describe_engagement(EngagementId=engagement)["StopTime"]
    assert stop.astimezone(timezone.utc) == T0.replace(second=30)
    # Twice changes nothing; her simulated responder (at 2 minutes) finds it acknowledged.
    assert http(endpoint, "POST", "inbox/ack", {"page_arn": page_arn})[0] == 200
    endpoint.advance(600)
    receipts = client.list_page_receipts(PageId=page_arn)["Receipts"]
    assert [r["ReceiptType"] for r in receipts].count("READ") == 1


def test_every_account_and_region_is_listed_and_acknowledgeable(endpoint: Any) -> None:
    endpoint.seed(EXAMPLE_SEED, account_id=OTHER_ACCOUNT, region=OTHER_REGION)
    other = endpoint.client(region=OTHER_REGION, account_id=OTHER_ACCOUNT)
    bob = f"arn:aws:ssm-contacts:{OTHER_REGION}:{OTHER_ACCOUNT}:contact/bob"
    engagement = engage(other, bob, token="inbox-3")
    document = inbox(endpoint)
    assert [(a["account_id"], a["region"]) for a in document["accounts"]] == [
        ("123456789012", "us-east-1"),
        (OTHER_ACCOUNT, OTHER_REGION),
    ]
    [page] = contact_entry(document, "bob", OTHER_ACCOUNT)["pages"]
    assert page["engagement_arn"] == engagement
    assert http(endpoint, "POST", "inbox/ack", {"page_arn": page["page_arn"]})[0] == 200
    [read] = [
        r for r in other.list_page_receipts(PageId=page["page_arn"])["Receipts"] if r["ReceiptType"] == "READ"
    ]
    assert read["ReceiptInfo"] == "Acknowledged in the emulator's pager inbox"


def test_states_follow_the_engagement(endpoint: Any) -> None:
    client = endpoint.client()
    stopped = engage(client, PRIMARY, token="inbox-4")
    client.stop_engagement(EngagementId=stopped, Reason="false alarm")
    over = engage(client, contact_arn("carol"), token="inbox-5")  # one stage of 0 minutes: over at once
    document = inbox(endpoint)
    [alice_page] = contact_entry(document, "alice")["pages"]
    [carol_page] = contact_entry(document, "carol")["pages"]
    assert alice_page["state"] == "stopped" and carol_page["state"] == "ended"
    assert carol_page["engagement_arn"] == over
    # A stopped page cannot be acknowledged; an ended one can (late).
    status, _, body = http(endpoint, "POST", "inbox/ack", {"page_arn": alice_page["page_arn"]})
    assert status == 409 and "stopped" in json.loads(body)["error"]
    assert http(endpoint, "POST", "inbox/ack", {"page_arn": carol_page["page_arn"]})[0] == 200
    assert contact_entry(inbox(endpoint), "carol")["pages"][0]["state"] == "acknowledged"


@pytest.mark.parametrize(
    ("method", "route", "payload", "content_type", "status", "message"),
    [
        ("POST", "inbox/ack", {"page_arn": "x"}, "text/plain", 415, "application/json"),
        (
            "POST",
            "inbox/ack",
            {"page_arn": "x"},
            "application/x-www-form-urlencoded",
            415,
            "application/json",
        ),
        ("POST", "inbox/ack", ["page_arn"], "application/json", 400, "page_arn: required"),
        (
            "POST",
            "inbox/ack",
            {"page_arn": "not-an-arn"},
            "application/json",
            400,
            "page_arn: not a page ARN",
        ),
        (
            "POST",
            "inbox/ack",
            {"page_arn": "arn:aws:ssm-contacts:us-east-1:123456789012:page/alice/nope"},
            "application/json",
            404,
            "no page",
        ),
        ("GET", "inbox/ack", None, "", 405, "use POST"),
        ("POST", "inbox/pages", {}, "application/json", 405, "use GET"),
        ("GET", "inbox/nothing", None, "", 404, "unknown inbox route"),
    ],
)
def test_api_errors(
    endpoint: Any, method: str, route: str, payload: Any, content_type: str, status: int, message: str
) -> None:
    got, _, body = http(endpoint, method, route, payload, content_type)
    assert got == status and message in json.loads(body)["error"]
