"""EmulatorProcess (the emulator as a child process) and the plugin's ssm_contacts_process fixture."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_engagement.emulator.drill import faults
from pulumi_engagement.emulator.process import EmulatorProcess, EmulatorStartError, stop_process
from pulumi_engagement.emulator.sdk_client import emulator_client

from .support import EXAMPLE_SEED


def _fake_python(tmp_path: Path, body: str) -> str:
    """An executable standing in for the interpreter, ignoring `-m pulumi_engagement.emulator ...`."""
    script = tmp_path / "fake-python"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_start_seed_time_scale_and_stop() -> None:
    with EmulatorProcess(seed=EXAMPLE_SEED, time_scale=0) as emulator:
        assert emulator.endpoint_url.startswith("http://127.0.0.1:")
        assert emulator.command[-4:] == ["--seed", str(EXAMPLE_SEED), "--time-scale", "0.0"]
        state = emulator.control.state()
        assert state["time_scale"] == 0
        before = emulator.control.now()
        emulator.control.advance(60)
        assert (emulator.control.now() - before).total_seconds() == 60  # frozen, moved only by us
        assert len(emulator.control.codes()["activation_codes"]) >= 5  # the startup seed's channels
        process = emulator.process
        assert process is not None and process.poll() is None
    assert process.returncode == 0  # SIGTERM: a clean shutdown
    assert emulator.stop() is None  # stopping twice is harmless


def test_env_replaces_the_child_environment() -> None:
    """moto's default account comes from the child's MOTO_ACCOUNT_ID: the seed (for 123456789012)
    is then not what an ordinary client sees, which proves the environment reached the child."""
    env = {**os.environ, "MOTO_ACCOUNT_ID": "111122223333"}
    with EmulatorProcess(seed=EXAMPLE_SEED, env=env) as emulator:
        client = emulator_client(emulator.endpoint_url, region="us-east-1")
        assert client.list_contacts()["Contacts"] == []
        emulator.control.seed(EXAMPLE_SEED, account_id="111122223333")
        assert client.list_contacts()["Contacts"] != []


def test_a_failed_start_reports_the_exit_code_and_stderr() -> None:
    emulator = EmulatorProcess(extra_args=("--error-rate", "2"))
    with pytest.raises(EmulatorStartError) as error:
        emulator.start()
    message = str(error.value)
    assert "exited with code 2 before printing its endpoint URL" in message
    assert "error_rate: must be <= 1, got 2" in message  # the child's own stderr
    assert emulator.process is None


def test_a_first_line_that_is_not_a_url_is_an_error(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, "echo 'bad config' >&2; echo 'listening somewhere'; exec sleep 600")
    with pytest.raises(EmulatorStartError, match=r"(?s)printed 'listening somewhere'.*bad config"):
        EmulatorProcess(python=python).start()


def test_a_silent_child_times_out_and_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    python = _fake_python(tmp_path, f"echo $$ > {pid_file}; echo 'still starting' >&2; exec sleep 600")
    emulator = EmulatorProcess(python=python, start_timeout=2)
    with pytest.raises(EmulatorStartError, match=r"(?s)within 2 s.*still starting"):
        emulator.start()
    assert emulator.process is None
    # Killed and reaped: the pid names no process any more (it is not even a zombie of ours).
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_stop_process_escalates_to_kill(tmp_path: Path) -> None:
    # A child that ignores SIGTERM is killed after the timeout.
    ignoring = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert ignoring.stdout is not None and ignoring.stdout.readline() == "ready\n"
    assert stop_process(ignoring, timeout=0.5) == -9


def test_plugin_process_fixture_is_another_process(ssm_contacts_process: Any) -> None:
    control = ssm_contacts_process.control
    control.reset()
    control.set_faults(throttle_rate=1.0)
    try:
        assert control.faults()["throttle_rate"] == 1.0
        assert faults.get_faults().throttle_rate == 0.0  # this interpreter's emulator is untouched
    finally:
        control.clear_faults()
