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
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
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


def _client(endpoint_url: str | None = None, **config: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "ssm-contacts",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(**config) if config else None,
    )


class InProcessEmulator:
    """What ``ssm_contacts`` yields."""

    def __init__(self) -> None:
        from . import clock as clock_module

        self.clock = clock_module.clock
        self.client = _client()

    def make_client(self, **config: Any) -> Any:
        """Another client, e.g. ``make_client(retries={"mode": "standard", "max_attempts": 5})``."""
        return _client(**config)

    def seed(
        self,
        path_or_dict: str | Path | dict[str, Any],
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        from .seed import load_seed

        return load_seed(path_or_dict, account_id=account_id, region=region)

    def faults(self, **fields: Any) -> Any:
        """Set faults (FaultConfig fields); no arguments clears them."""
        from . import faults

        if not fields:
            faults.clear_faults()
            return faults.get_faults()
        return faults.set_faults(**fields)

    def calls(self, operation: str | None = None) -> Any:
        from . import faults

        return faults.calls(operation)

    def injected(self, operation: str | None = None) -> Any:
        """Faults answered: ``{"throttled": {op: n}, "errors": {...}, "dropped": {...}}``."""
        from . import faults

        return faults.injected(operation)

    def engagements(self) -> int:
        from .models import engagements_created

        return engagements_created()

    def advance(self, seconds: float) -> datetime:
        return self.clock.advance(seconds)

    def backend(self, account_id: str = "123456789012", region: str = "us-east-1") -> Any:
        from . import get_backend

        return get_backend(account_id, region)

    def codes(self, account_id: str | None = None, region: str | None = None) -> dict[str, dict[str, str]]:
        """Activation and accept codes of every account and region, unless narrowed."""
        from .models import all_codes

        return all_codes(account_id, region)

    def outbox(self, account_id: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        """Every message "sent", oldest first, of every account and region unless narrowed."""
        from .models import all_outbox

        return all_outbox(account_id, region)

    def config(self) -> dict[str, Any]:
        """The emulator's settings: ``{"token_retention": seconds or None}``."""
        from . import settings

        return settings.get_settings().to_dict()

    def set_config(self, **fields: Any) -> dict[str, Any]:
        """Change settings (fields not given keep their value); ``token_retention=None`` is forever."""
        from . import settings

        return settings.set_settings(**fields).to_dict()

    def set_token_retention(self, seconds: float | None) -> dict[str, Any]:
        """Forget StartEngagement tokens whose engagement started more than ``seconds`` ago (virtual
        time); ``None`` remembers them until reset (the default)."""
        return self.set_config(token_retention=seconds)


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
        from .control import EmulatorControl

        self.server = server
        self.endpoint_url: str = server.endpoint_url
        self.control = EmulatorControl(self.endpoint_url)

    def client(self, **config: Any) -> Any:
        return _client(self.endpoint_url, **config)


@pytest.fixture(scope="session")
def ssm_contacts_server() -> Iterator[ServerHandle]:
    """One loopback HTTP emulator for the whole session (state persists: reset it yourself)."""
    _require_emulator_extra()
    from .server import EmulatorServer

    server = EmulatorServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield ServerHandle(server)
    finally:
        server.stop()


class EndpointHandle(ServerHandle):
    """What ``ssm_contacts_endpoint`` yields: the session server, freshly reset."""

    def __init__(self, server: Any, seed_summary: dict[str, Any] | None) -> None:
        super().__init__(server)
        self.seed_summary = seed_summary

    def seed(self, path_or_dict: str | Path | dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return self.control.seed(path_or_dict, **kwargs)

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.control.advance(seconds)

    def faults(self, **fields: Any) -> dict[str, Any]:
        return self.control.set_faults(**fields) if fields else self.control.clear_faults()

    def calls(self, operation: str | None = None) -> Any:
        return self.control.calls(operation)

    def injected(self, operation: str | None = None) -> Any:
        return self.control.injected(operation)

    def codes(self, account_id: str | None = None, region: str | None = None) -> dict[str, dict[str, str]]:
        return self.control.codes(account_id, region)

    def outbox(self, account_id: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        return self.control.outbox(account_id, region)

    def config(self) -> dict[str, Any]:
        return self.control.config()

    def set_config(self, **fields: Any) -> dict[str, Any]:
        return self.control.set_config(**fields)

    def set_token_retention(self, seconds: float | None) -> dict[str, Any]:
        return self.control.set_token_retention(seconds)


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
