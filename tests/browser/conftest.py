"""A real headless Chromium (Debian's package) driven by Playwright for Python.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium`` (``make browser-deps``
installs it with apt when running as root). Where it is missing the tests skip with the reason and
the fix, except under CI (``CI`` set), where a missing browser fails them: CI must run them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from .support import CHROMIUM_ARGS

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _cannot_run(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run on CI, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        _cannot_run(
            f"no Chromium at {CHROMIUM}: run `make browser-deps` as root (apt-get install chromium), "
            "or set CHROMIUM to a Chromium executable"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _cannot_run("Playwright for Python is not installed: `make venv` installs the [test] extra")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    # Bounded waits for the DOM (auto-waiting), not sleeps; the inbox polls every 1.5 s.
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
