"""Fixtures for the collection's integration tests.

Each xdist worker starts its own emulator subprocess on a free loopback port
(the emulator's state is process-wide, so one process per worker) and every test
starts from a reset, re-seeded emulator.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from collection_harness import SEED, Emulator

from pulumi_engagement.emulator.control import EmulatorControl


@pytest.fixture(scope="session")
def _emulator_process() -> Iterator[Emulator]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_engagement.emulator", "--port", "0", "--seed", str(SEED)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        if not line.startswith("http"):
            raise RuntimeError(f"the emulator did not start (first line {line!r})")
        yield Emulator(endpoint_url=line, control=EmulatorControl(line))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def emulator(_emulator_process: Emulator) -> Emulator:
    """The worker's emulator, wiped and re-seeded from examples/seed.yaml, clock at real now."""
    _emulator_process.control.reset(reseed=True)
    return _emulator_process
