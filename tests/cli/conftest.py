"""Fixtures for the CLI tests (helpers in support.py)."""

from __future__ import annotations

from typing import Any

import pytest

from .support import SEED, Emulator


@pytest.fixture
def emu(ssm_contacts_process: Any) -> Emulator:
    """The worker's emulator process (the plugin's ``ssm_contacts_process``), reset to the example
    seed with the clock frozen: simulated responders act only when a test advances it."""
    control = ssm_contacts_process.control
    control.reset()
    control.set_time_scale(0)
    control.seed(SEED)
    return Emulator(ssm_contacts_process.endpoint_url, control)
