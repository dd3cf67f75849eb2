"""Fixtures of the end-to-end suite: the real Pulumi CLI, one emulator process per xdist worker,
and a fresh project (its own state backend) per test. Run by `make pulumi-e2e`, left out of
`make unit` (mk/pulumi.mk adds it to UNIT_IGNORE)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_engagement.emulator.process import EmulatorProcess
from testsupport.pulumi_cli import cli_or_fail

from .support import SEED, Project, Service, base_env


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    """The folder of the real CLI (built by scripts/pulumi_cli.sh, or $PULUMI_CLI_DIR); without it
    the suite fails, never skips: it is the only proof the adapter works under the real engine."""
    return cli_or_fail()


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """The emulator in a child process (its own interpreter: the provider's many threads must not
    share this process's lock with the inline program's language server)."""
    with EmulatorProcess(time_scale=0) as emulator:
        yield emulator


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> Iterator[EmulatorProcess]:
    """The emulator emptied and seeded with examples/seed.yaml, its virtual clock frozen: nothing
    happens on its own (alice's simulated acknowledgement waits for the test to move the clock)."""
    control = emulator_process.control
    control.reset()
    control.set_time_scale(0)
    control.seed(SEED)
    yield emulator_process
    control.clear_faults()


@pytest.fixture
def service(emulator: EmulatorProcess) -> Service:
    return Service(emulator.endpoint_url, emulator.control, SEED)


@pytest.fixture
def pulumi_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PULUMI_HOME per worker (plugins and workspace files; no credentials: file backends)."""
    return tmp_path_factory.getbasetemp() / "pulumi-home"


@pytest.fixture
def project(pulumi_cli: Path, pulumi_home: Path, emulator: EmulatorProcess, tmp_path: Path) -> Project:
    """A fresh project in tmp_path with its own file backend, pointed at the emulator."""
    pulumi_home.mkdir(exist_ok=True)
    return Project(pulumi_cli, tmp_path, base_env(pulumi_cli, pulumi_home, emulator.endpoint_url))
