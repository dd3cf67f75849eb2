"""Fixtures for the collection's integration tests.

The emulator runs in a child process (the plugin's session fixture
``ssm_contacts_process``: one per xdist worker, on a free loopback port, since
its state is process-wide) and every test starts from a reset, re-seeded emulator.
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import SEED, Emulator


@pytest.fixture
def emulator(ssm_contacts_process: Any) -> Emulator:
    """The worker's emulator, wiped and re-seeded from examples/seed.yaml, clock at real now."""
    control = ssm_contacts_process.control
    control.reset()
    control.seed(SEED)
    return Emulator(endpoint_url=ssm_contacts_process.endpoint_url, control=control)


@pytest.fixture(params=["local", "target"], ids=["in-controller", "module-on-target"])
def connection(request: pytest.FixtureRequest) -> str:
    """Where an engagement task runs: on ``local`` its action plugin runs it in the controller's
    worker; on ``target`` (the local connection named otherwise) the module runs as on a remote host.
    A test taking this fixture holds for both."""
    return request.param
