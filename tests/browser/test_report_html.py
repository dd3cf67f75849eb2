"""The drill report (`engagement report --html`) in a real headless Chromium.

A drill runs on the emulator (a child process, virtual clock frozen and advanced by the test):
alice is paged first and never answers, the plan escalates to bob after 5 minutes, bob reads 90
seconds later. The installed `engagement` script writes the report; Debian's Chromium, driven by
Playwright, loads it from a file:// URL. It runs without this directory's conftest too: it has its
own launch helper.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.support import alice_and_bob, escalate

from .support import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ACCOUNT, REGION = "123456789012", "us-east-1"
PLAN = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/escalate"
SUBJECT = '<img src="http://127.0.0.1:9/track.png" onerror="document.title=\'pwned\'"> DB failover drill'
SEED = {
    "contacts": [*alice_and_bob(), escalate()],
    "responders": [{"contact": "bob", "acknowledge_after_seconds": 90}],
}


def _unavailable(reason: str) -> None:
    # On CI a missing browser is a broken set-up (make test installs it), not a reason to pass.
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run: {reason}")
    pytest.skip(f"browser test cannot run: {reason}")


@pytest.fixture(scope="module")
def chromium(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Debian's Chromium under Playwright (never Playwright's own browser download).

    One process can run only one Playwright sync API at a time: when a shared ``browser`` fixture
    exists (a conftest.py of this directory), use it; otherwise launch one here.
    """
    try:
        shared = request.getfixturevalue("browser")
    except pytest.FixtureLookupError:
        shared = None
    if shared is not None:
        yield shared
        return
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _engagement(emulator: Any, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "engagement"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL_SSM_CONTACTS=emulator.endpoint_url,
        AWS_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def report(ssm_contacts_process: Any, tmp_path: Path) -> Path:
    """The HTML report of an escalated drill that bob acknowledged 390 s after the start."""
    control = ssm_contacts_process.control
    control.reset()
    control.set_time_scale(0)
    control.seed(SEED)
    started = _engagement(
        ssm_contacts_process,
        *("start", "--contact-id", PLAN, "--sender", "gameday", "--subject", SUBJECT, "--content", "drill"),
    )
    assert started.returncode == 0, started.stderr
    arn = json.loads(started.stdout)["engagement"]["engagement_arn"]
    control.advance(3600)
    path = tmp_path / "drill report.html"
    proc = _engagement(ssm_contacts_process, "report", arn, "--html", str(path))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["time_to_acknowledge"] == 390.0
    return path


MARKS_JS = """() => Array.from(document.querySelectorAll('#timeline g.mark')).map(g => {
    const box = g.getBoundingClientRect();
    return {kind: g.dataset.kind, contact: g.dataset.contact, channel: g.dataset.channel,
            offset: Number(g.dataset.offset), x: box.x + box.width / 2, w: box.width, h: box.height};
})"""


def test_report_timeline_in_chromium(chromium: Any, report: Path, tmp_path: Path) -> None:
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")

    # The page loaded itself and nothing else; the subject's markup stayed text.
    assert requests == [report.as_uri()]
    assert page.locator("img, script, iframe, object, embed, link").count() == 0
    assert page.locator("#subject").text_content() == SUBJECT
    assert page.title() == f"Drill report: {SUBJECT}"  # the onerror handler never ran

    marks = page.evaluate(MARKS_JS)
    seen = sorted((m["contact"], m["channel"], m["kind"], m["offset"]) for m in marks)
    assert seen == [
        ("alice", "alice-email", "delivered", 61),
        ("alice", "alice-email", "sent", 60),
        ("alice", "alice-sms", "delivered", 1),
        ("alice", "alice-sms", "sent", 0),
        ("bob", "bob-email", "delivered", 301),
        ("bob", "bob-email", "sent", 300),
        ("bob", "bob-sms", "delivered", 301),
        ("bob", "bob-sms", "read", 390),
        ("bob", "bob-sms", "sent", 300),
    ]
    # Every mark is drawn (has a size), and later events sit further right.
    assert all(m["w"] > 0 and m["h"] > 0 for m in marks)
    x = {(m["contact"], m["channel"], m["kind"]): m["x"] for m in marks}
    assert (
        x[("alice", "alice-sms", "sent")]
        < x[("alice", "alice-email", "sent")]
        < x[("bob", "bob-sms", "sent")]
    )
    assert x[("bob", "bob-sms", "sent")] < x[("bob", "bob-sms", "read")]

    # The acknowledgement and the stop are lines at bob's READ: the essential answer ended it.
    for selector, kind in (("#acknowledgement", "acknowledged"), ("#stop", "stopped")):
        line = page.locator(f"{selector} line")
        assert line.count() == 1
        assert page.locator(selector).get_attribute("data-kind") == kind
        assert page.locator(selector).get_attribute("data-offset") == "390"
        box = line.bounding_box()  # a vertical line: zero wide, so is_visible() would say no
        assert box is not None and box["height"] > 100  # spans every lane
        assert abs(box["x"] + box["width"] / 2 - x[("bob", "bob-sms", "read")]) < 1.5
    assert "acknowledged by bob at 6m 30s" in page.locator("#acknowledgement text").text_content()

    stages = page.locator("#timeline g.stage")
    assert stages.count() == 2
    assert [stages.nth(i).get_attribute("data-reached") for i in range(2)] == ["true", "true"]

    summary = page.locator("#summary").inner_text()
    for text in ("acknowledged", "6m 30s", "bob", "2 of 2", "ENDED UNACKNOWLEDGED\nno"):
        assert text in summary, (text, summary)

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.close()
