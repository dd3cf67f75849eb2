"""Fixtures for the Pulumi adapter: a per-test emulator server and the real dynamic provider server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_engagement.core import ClientConfig, EngagementClient

from .support import FAKE_SECRET, REGION, SEED, CheckFailed, ProviderProcess, provider_env


@pytest.fixture(scope="session", autouse=True)
def _quiet_deliberate_program_failures() -> Iterator[None]:
    """A program a test fails on purpose (a Check failure) leaves Pulumi's registration futures
    holding that error unretrieved; asyncio would print each at exit. Only those are dropped: any
    other unretrieved error still reaches asyncio's handler."""
    try:  # the thread's loop, which pulumi.runtime.test runs programs on (made as Pulumi makes it)
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), CheckFailed):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    yield


class Emulator:
    """The emulator server of this test module, with its control client."""

    def __init__(self, endpoint_url: str) -> None:
        from pulumi_engagement.emulator.control import EmulatorControl

        self.endpoint_url = endpoint_url
        self.control = EmulatorControl(endpoint_url)


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[Emulator]:
    """One loopback HTTP emulator per test module (port 0: xdist-safe); tests reset it."""
    from pulumi_engagement.emulator.web.server import EmulatorServer

    with EmulatorServer(host="127.0.0.1", port=0, seed=SEED, time_scale=0.0) as server:
        yield Emulator(server.endpoint_url)


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    """The emulator, emptied and seeded with the same contacts as examples/seed.yaml, its virtual
    clock frozen (time_scale=0) so nothing happens on its own during a test."""
    emulator_server.control.reset()
    emulator_server.control.set_time_scale(0)
    emulator_server.control.seed(SEED)
    return emulator_server


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process gets the same clean fake environment as the provider subprocess."""
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    for key, value in provider_env({}).items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def service(emulator: Emulator, aws_env: None) -> EngagementClient:
    """The core client pointed at the emulator: what a person with the AWS CLI would see."""
    return EngagementClient.from_config(ClientConfig(region=REGION, endpoint_url=emulator.endpoint_url))


@pytest.fixture(scope="module")
def provider_process(emulator_server: Emulator) -> Iterator[ProviderProcess]:
    """The SDK's real dynamic provider server, configured as the engine would from stack config."""
    proc = ProviderProcess(provider_env())
    proc.configure({"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator_server.endpoint_url})
    yield proc
    stderr = proc.close()
    assert FAKE_SECRET not in stderr


@pytest.fixture
def provider(provider_process: ProviderProcess, emulator: Emulator) -> ProviderProcess:
    """The provider server, with the emulator reset for this test."""
    return provider_process
