"""Fixtures for the reliability guards: one emulator subprocess per xdist worker, reset per test.

The emulator's state (data, faults, counters) is process-wide, so each worker
gets a process of its own on a free loopback port; every test starts from a
wiped, re-seeded emulator whose virtual clock is frozen (tests advance it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from reliability_helpers import SEED, Emulator


@pytest.fixture(scope="session")
def _emulator_process() -> Iterator[Emulator]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pulumi_engagement.emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--seed",
            str(SEED),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        if not line.startswith("http"):
            raise RuntimeError(f"the emulator did not start (first line {line!r})")
        yield Emulator(line)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def emulator(_emulator_process: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The worker's emulator, wiped, re-seeded, clock frozen; this process gets fake credentials."""
    control = _emulator_process.control
    control.reset(reseed=True)
    control.set_time_scale(0)
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in _emulator_process.env().items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    return _emulator_process
