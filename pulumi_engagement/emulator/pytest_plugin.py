"""pytest fixtures for testing code that calls ssm-contacts (entry point ``ssm_contacts_emulator``).

- ``ssm_contacts``: in-process (``moto.mock_aws``), function scope, frozen clock.
- ``ssm_contacts_client``: the boto3 client of ``ssm_contacts``.
- ``ssm_contacts_server``: one HTTP emulator on 127.0.0.1 for the session.
- ``ssm_contacts_endpoint``: function scope on top of the server: resets it, seeds
  ``--ssm-contacts-seed``/``ssm_contacts_seed`` if configured, and points
  ``AWS_ENDPOINT_URL_SSM_CONTACTS`` at it.
- ``ssm_contacts_process``: one emulator in a child process for the session
  (``EmulatorProcess``): state apart from the test process, one per xdist worker.

This module is imported by every pytest run of an environment that has the
package installed, so it imports nothing heavy at module level.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import DEFAULT_ACCOUNT_ID, DEFAULT_REGION
from .control.api import EmulatorControlAPI
from .control.client import EmulatorControl
from .control.inprocess import InProcessControl
from .drill.faults import FaultConfig
from .sdk_client import emulator_client

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": DEFAULT_REGION,
    "AWS_REGION": DEFAULT_REGION,
}
_CLEARED_ENV = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM_CONTACTS", "AWS_CONFIG_FILE")


def _require_emulator_extra() -> None:
    """Fail the test with one line naming the extra, rather than an import traceback."""
    from ..extras import EMULATOR_MODULES, extra_hint, missing_module

    if missing_module(EMULATOR_MODULES):
        pytest.fail(f"ssm_contacts fixtures: {extra_hint('the emulator', 'emulator')}", pytrace=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ssm-contacts emulator")
    group.addoption(
        "--ssm-contacts-seed",
        default=None,
        help="seed file applied by the ssm_contacts_endpoint fixture after each reset",
    )
    parser.addini("ssm_contacts_seed", "seed file applied by the ssm_contacts_endpoint fixture", default="")


def _fake_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_ENV.items():
        monkeypatch.setenv(name, value)


class _FaultsShorthand(EmulatorControlAPI):
    """``faults(**fields)`` sets the faults, ``faults()`` clears them: the fixtures' older spelling
    of :meth:`~.control_api.EmulatorControlAPI.set_faults`."""

    def faults(self, **fields: Any) -> FaultConfig:
        return self.set_faults(**fields)


class InProcessEmulator(_FaultsShorthand, InProcessControl):
    """What ``ssm_contacts`` yields: the control API in-process, a client, the clock, the backends."""

    def __init__(self) -> None:
        from .drill import clock as clock_module

        # The fixture's emulator starts (and resets to) a frozen clock.
        super().__init__(time_scale=0.0)
        self.clock = clock_module.clock
        self.client = emulator_client()

    def make_client(self, **config: Any) -> Any:
        """Another client, e.g. ``make_client(retries={"mode": "standard", "max_attempts": 5})``."""
        return emulator_client(**config)

    def backend(self, account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION) -> Any:
        from . import get_backend

        return get_backend(account_id, region)


@pytest.fixture
def ssm_contacts(monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessEmulator]:
    """In-process ssm-contacts under ``moto.mock_aws``; the clock is frozen (advance it)."""
    _require_emulator_extra()
    _fake_env(monkeypatch)
    from moto import mock_aws

    from . import register, reset

    register()
    with mock_aws():
        reset()
        emulator = InProcessEmulator()
        emulator.clock.freeze()
        try:
            yield emulator
        finally:
            reset()


@pytest.fixture
def ssm_contacts_client(ssm_contacts: InProcessEmulator) -> Any:
    return ssm_contacts.client


class ServerHandle:
    """What ``ssm_contacts_server`` yields."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.endpoint_url: str = server.endpoint_url
        self.control = EmulatorControl(self.endpoint_url)

    def client(self, region: str = DEFAULT_REGION, account_id: str | None = None, **config: Any) -> Any:
        """A client of this server (see :func:`~.sdk_client.emulator_client`)."""
        return emulator_client(self.endpoint_url, region, account_id, **config)


@pytest.fixture(scope="session")
def ssm_contacts_server() -> Iterator[ServerHandle]:
    """One loopback HTTP emulator for the whole session (state persists: reset it yourself)."""
    _require_emulator_extra()
    from .web.server import EmulatorServer

    server = EmulatorServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield ServerHandle(server)
    finally:
        server.stop()


class EndpointHandle(_FaultsShorthand, ServerHandle, EmulatorControl):
    """What ``ssm_contacts_endpoint`` yields: the session server, freshly reset, with the control API."""

    def __init__(self, server: Any, seed_summary: dict[str, Any] | None) -> None:
        ServerHandle.__init__(self, server)
        EmulatorControl.__init__(self, self.endpoint_url)
        self.seed_summary = seed_summary


@pytest.fixture
def ssm_contacts_endpoint(
    ssm_contacts_server: ServerHandle, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[EndpointHandle]:
    """The session server reset (clock frozen), optionally seeded, with env pointing at it."""
    control = ssm_contacts_server.control
    control.reset()
    control.set_time_scale(0)
    seed_path = request.config.getoption("--ssm-contacts-seed") or request.config.getini("ssm_contacts_seed")
    summary = None
    if seed_path:
        path = Path(seed_path)
        if not path.is_absolute():
            path = Path(request.config.rootpath) / path
        summary = control.seed(path)
    _fake_env(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM_CONTACTS", ssm_contacts_server.endpoint_url)
    handle = EndpointHandle(ssm_contacts_server.server, summary)
    try:
        yield handle
    finally:
        control.clear_faults()


@pytest.fixture(scope="session")
def ssm_contacts_process() -> Iterator[Any]:
    """``python -m pulumi_engagement.emulator`` in a child process for the session (one per xdist
    worker): an :class:`~pulumi_engagement.emulator.process.EmulatorProcess` with ``.endpoint_url``
    and ``.control``. Unseeded, real-time clock; state persists between tests: reset it yourself."""
    _require_emulator_extra()
    from .process import EmulatorProcess

    with EmulatorProcess() as emulator:
        yield emulator
