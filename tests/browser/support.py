"""Shared by the browser tests: how Chromium is launched."""

from __future__ import annotations

# No GPU, no QUIC, and none of the background traffic a fresh profile makes (updates, sync, safe
# browsing): the page under test is the only thing that talks to the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
