"""The emulator's pager inbox in a real headless Chromium: pages appear, Acknowledge is AcceptPage.

The emulator runs in a child process with its clock frozen at T0 (``time_scale=0``), so every time
it records is exact and known; the browser only waits (bounded) for the DOM to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pulumi_engagement.emulator.process import EmulatorProcess
from pulumi_engagement.emulator.sdk_client import emulator_client

pytestmark = pytest.mark.browser

EXAMPLE_SEED = Path(__file__).resolve().parents[2] / "examples" / "seed.yaml"
T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=timezone.utc)
ACCOUNT, REGION = "123456789012", "us-east-1"
OTHER_ACCOUNT, OTHER_REGION = "210987654321", "eu-west-1"
INBOX_NOTE = "Acknowledged in the emulator's pager inbox"


def arn(alias: str, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:ssm-contacts:{region}:{account}:contact/{alias}"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(time_scale=0, seed=EXAMPLE_SEED) as process:
        yield process


@pytest.fixture
def emu(emulator: EmulatorProcess) -> EmulatorProcess:
    emulator.control.reset(reseed=True)
    emulator.control.set_time_scale(0)
    emulator.control.set_time(T0)
    return emulator


def client(emu: EmulatorProcess, account: str = ACCOUNT, region: str = REGION) -> Any:
    # Another account than moto's default is chosen per request (emulator_client's account_id).
    return emulator_client(emu.endpoint_url, region, account_id=account if account != ACCOUNT else None)


def start(ssm: Any, contact: str, subject: str) -> str:
    return ssm.start_engagement(ContactId=contact, Sender="gameday", Subject=subject, Content="drill")[
        "EngagementArn"
    ]


class Inbox:
    """The page opened in the browser, watching what it asks for and what it complains about."""

    def __init__(self, page: Any, emu: EmulatorProcess) -> None:
        self.page = page
        self.requests: list[str] = []
        self.problems: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and self.problems.append(message.text))
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.goto(f"{emu.endpoint_url}/_emulator/inbox")
        # A marker that a reload would wipe: updates must come without one.
        page.evaluate("window.__sameDocument = true")
        self.origin = emu.endpoint_url

    def contact(self, alias: str, account: str = ACCOUNT, region: str = REGION) -> Any:
        section = self.page.get_by_role("region", name=f"Account {account} · {region}")
        return section.get_by_role("article", name=re.compile(rf"^{re.escape(alias)}\b"))

    def row(self, alias: str, subject: str, **where: str) -> Any:
        return self.contact(alias, **where).get_by_role("row").filter(has_text=subject)

    def check_clean(self) -> None:
        assert self.page.evaluate("window.__sameDocument") is True, "the inbox reloaded itself"
        assert self.problems == []  # no script error, no Content-Security-Policy violation
        assert self.requests and all(
            url.startswith(self.origin + "/_emulator/inbox") for url in self.requests
        )


def read_receipts(ssm: Any, engagement: str, alias: str) -> list[dict[str, Any]]:
    pages = ssm.list_pages_by_engagement(EngagementId=engagement)["Pages"]
    [page] = [p for p in pages if p["ContactArn"].endswith(f"/{alias}")]
    receipts = ssm.list_page_receipts(PageId=page["PageArn"])["Receipts"]
    return [r for r in receipts if r["ReceiptType"] == "READ"]


def test_a_person_acknowledges_in_the_inbox(emu: EmulatorProcess, page: Any) -> None:
    from playwright.sync_api import expect

    inbox = Inbox(page, emu)
    expect(inbox.contact("alice").get_by_text("No pages.")).to_be_visible()
    expect(inbox.contact("alice")).to_contain_text("Simulated responder: answers after 120 s")

    ssm = client(emu)
    engagement = start(ssm, arn("primary-oncall"), "Drill: db01 disk full")
    emu.control.advance(42)
    row = inbox.row("alice", "Drill: db01 disk full")
    expect(row).to_be_visible()  # it appeared without a reload: the page polls
    expect(row).to_contain_text("alice-sms (SMS)")
    expect(row).to_contain_text("via primary-oncall")
    expect(row.locator("td.state .state-label")).to_have_text("Paging")
    expect(page.get_by_role("status")).to_have_text("New page for alice: Drill: db01 disk full")

    button = row.get_by_role("button", name="Acknowledge page to alice: Drill: db01 disk full")
    expect(button).to_have_count(1)
    assert button.evaluate("node => node.tagName") == "BUTTON"
    button.click()
    expect(row.locator("td.state .state-label")).to_have_text("Acknowledged")
    expect(row.locator("td.state .note")).to_have_text(INBOX_NOTE)
    expect(row.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("alice acknowledged: Drill: db01 disk full")

    [read] = read_receipts(ssm, engagement, "alice")
    assert read["ReceiptInfo"] == INBOX_NOTE
    assert read["ReceiptTime"] == T0 + timedelta(seconds=42)
    pages = ssm.list_pages_by_engagement(EngagementId=engagement)["Pages"]
    described = ssm.describe_page(PageId=pages[0]["PageArn"])
    assert described["ReadTime"] == T0 + timedelta(seconds=42)
    # alice is essential: her acknowledgement ended the engagement; bob is never paged.
    assert ssm.describe_engagement(EngagementId=engagement)["StopTime"] == T0 + timedelta(seconds=42)
    expect(inbox.contact("bob").get_by_text("No pages.")).to_be_visible()
    inbox.check_clean()


def test_an_attackers_subject_is_text(emu: EmulatorProcess, page: Any) -> None:
    from playwright.sync_api import expect

    subject = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & <b>bold</b>'
    start(client(emu), arn("alice"), subject)
    inbox = Inbox(page, emu)
    row = inbox.row("alice", "window.__pwned")
    expect(row).to_be_visible()
    assert row.locator("td.subject").text_content() == subject
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('img, b, tbody script').length") == 0
    expect(row.get_by_role("button", name=f"Acknowledge page to alice: {subject}")).to_have_count(1)
    inbox.check_clean()


def test_escalation_reaches_a_person_in_another_account_and_region(emu: EmulatorProcess, page: Any) -> None:
    """The second stage's person answers in the inbox, in whichever account and region holds them."""
    from playwright.sync_api import expect

    seed = {
        "contacts": [
            {"alias": "alice", "channels": [{"name": "alice-sms", "type": "SMS", "address": "+15555550101"}]},
            {
                "alias": "bob",
                "channels": [{"name": "bob-email", "type": "EMAIL", "address": "bob@example.com"}],
            },
            {
                "alias": "oncall",
                "type": "ESCALATION",
                "plan": [
                    {"duration_minutes": 5, "targets": [{"contact": "alice", "essential": True}]},
                    {"duration_minutes": 5, "targets": [{"contact": "bob", "essential": True}]},
                ],
            },
        ],
        "responders": {"alice": {"no_answer_probability": 1.0}},
    }
    emu.control.seed(seed, account_id=OTHER_ACCOUNT, region=OTHER_REGION)
    where = {"account": OTHER_ACCOUNT, "region": OTHER_REGION}
    ssm = client(emu, OTHER_ACCOUNT, OTHER_REGION)
    engagement = start(ssm, arn("oncall", OTHER_ACCOUNT, OTHER_REGION), "Drill: eu payments down")

    inbox = Inbox(page, emu)
    expect(page.get_by_role("heading", name=f"Account {OTHER_ACCOUNT} · {OTHER_REGION}")).to_be_visible()
    expect(inbox.contact("alice", **where)).to_contain_text("no answer 100% of the time")
    expect(inbox.row("alice", "Drill: eu payments down", **where)).to_be_visible()
    expect(inbox.contact("bob", **where).get_by_text("No pages.")).to_be_visible()

    emu.control.advance(300)  # alice never answers: stage 2 pages bob
    bob_row = inbox.row("bob", "Drill: eu payments down", **where)
    expect(bob_row).to_be_visible()
    emu.control.advance(17)
    bob_row.get_by_role("button", name=re.compile("^Acknowledge page to bob")).click()
    expect(bob_row.locator("td.state .state-label")).to_have_text("Acknowledged")
    expect(bob_row.locator("td.state .note")).to_have_text(INBOX_NOTE)
    expect(bob_row.locator("td.acknowledged")).to_contain_text("(+17 s)")

    [read] = read_receipts(ssm, engagement, "bob")
    assert read["ReceiptTime"] == T0 + timedelta(seconds=317)
    assert read_receipts(ssm, engagement, "alice") == []
    alice_row = inbox.row("alice", "Drill: eu payments down", **where)
    expect(alice_row.locator("td.state .state-label")).to_have_text("Ended unacknowledged")
    # The default account's people are listed too.
    expect(inbox.contact("carol")).to_be_visible()
    inbox.check_clean()


def test_simulated_acknowledgements_and_hiding_finished_pages(emu: EmulatorProcess, page: Any) -> None:
    from playwright.sync_api import expect

    ssm = client(emu)
    start(ssm, arn("primary-oncall"), "Drill: queue backlog")
    inbox = Inbox(page, emu)
    row = inbox.row("alice", "Drill: queue backlog")
    expect(row.locator("td.state .state-label")).to_have_text("Paging")
    emu.control.advance(120)  # alice's simulated responder answers at 2 minutes
    expect(row.locator("td.state .state-label")).to_have_text("Acknowledged")
    expect(row.locator("td.state .note")).to_have_text("Acknowledged by the simulated responder")
    expect(row.locator("td.acknowledged")).to_contain_text("(+120 s)")
    expect(row.get_by_role("button")).to_have_count(0)

    page.get_by_label("Hide finished pages").check()
    expect(row).to_be_hidden()
    page.get_by_label("Hide finished pages").uncheck()
    expect(row).to_be_visible()
    inbox.check_clean()


def test_polling_updates_rows_in_place_and_keeps_focus(emu: EmulatorProcess, page: Any) -> None:
    """No flicker: a poll changes text in the rows it has, it does not rebuild them."""
    from playwright.sync_api import expect

    start(client(emu), arn("carol"), "Drill: focus stays")
    inbox = Inbox(page, emu)
    row = inbox.row("carol", "Drill: focus stays")
    button = row.get_by_role("button", name=re.compile("^Acknowledge"))
    button.focus()
    row.evaluate("node => { window.__row = node; }")
    emu.control.advance(7)  # the virtual clock moves: the next poll shows a new time in the header
    for _ in range(2):
        with page.expect_response(lambda response: response.url.endswith("/_emulator/inbox/pages")):
            pass
    expect(page.locator("#now")).to_have_attribute("datetime", (T0 + timedelta(seconds=7)).isoformat())
    assert row.evaluate("node => node === window.__row")
    assert button.evaluate("node => node === document.activeElement")
    page.keyboard.press("Enter")  # the keyboard works as well as the mouse
    expect(row.locator("td.state .state-label")).to_have_text("Acknowledged")
    inbox.check_clean()
