"""Fixtures: a seeded loopback emulator per test (frozen clock) and the CLI in a temp project."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_engagement.emulator.control import EmulatorControl
from pulumi_engagement.emulator.web.server import EmulatorServer
from testsupport.pulumi_scenarios import Service

from .support import SEED


@pytest.fixture
def emulator() -> Iterator[Service]:
    """A loopback emulator server, read as the AWS CLI would (and through its control API)."""
    with EmulatorServer(host="127.0.0.1", port=0, seed=SEED, time_scale=0.0) as server:
        yield Service(server.endpoint_url, EmulatorControl(server.endpoint_url), SEED)
