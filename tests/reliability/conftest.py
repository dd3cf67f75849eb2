"""Fixtures for the reliability guards: one emulator subprocess per xdist worker, reset per test.

The emulator's state (data, faults, counters) is process-wide, so each worker
gets a process of its own on a free loopback port (the plugin's session fixture
``ssm_contacts_process``); every test starts from a wiped, re-seeded emulator
whose virtual clock is frozen (tests advance it).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .support import SEED, Emulator


@pytest.fixture
def emulator(ssm_contacts_process: Any, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The worker's emulator, wiped, re-seeded, clock frozen; this process gets fake credentials."""
    control = ssm_contacts_process.control
    control.reset()
    control.set_time_scale(0)
    control.seed(SEED)
    emulator = Emulator(ssm_contacts_process.endpoint_url)
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in emulator.env().items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    return emulator
