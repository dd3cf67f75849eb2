"""Fixtures of the on-call scenario suite (helpers in support.py)."""

from __future__ import annotations

from typing import Any

import pytest

from .support import SEED, Emulator


@pytest.fixture
def emu(ssm_contacts_process: Any) -> Emulator:
    """The worker's emulator process, reset and seeded with the scenario contacts, its clock frozen:
    responders answer and plans run out only when a test moves the clock."""
    control = ssm_contacts_process.control
    control.reset()
    control.set_time_scale(0)
    control.seed(SEED)
    return Emulator(ssm_contacts_process.endpoint_url, control)
