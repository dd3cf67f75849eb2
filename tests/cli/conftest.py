"""Fixtures for the CLI tests (helpers in support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_engagement.emulator.control import EmulatorControl

from .support import SEED, Emulator, start_emulator_process, stop_process


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulator]:
    proc, url = start_emulator_process("--seed", str(SEED), "--time-scale", "0")
    try:
        yield Emulator(url, EmulatorControl(url))
    finally:
        stop_process(proc)


@pytest.fixture
def emu(emulator_server: Emulator) -> Emulator:
    """The module's emulator, reset to the example seed with the clock frozen."""
    control = emulator_server.control
    control.reset(reseed=True)
    return emulator_server
