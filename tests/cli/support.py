"""Helpers for the CLI tests: the installed console script against an emulator server process.

Each xdist worker gets its own emulator, a subprocess on a free loopback port
(the plugin's ``ssm_contacts_process``), and each test starts from a freshly
reset and seeded emulator. The emulator's virtual clock is frozen (time scale
0), so simulated responders act only when a test advances the clock.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pulumi_engagement.emulator.control import EmulatorControl
from pulumi_engagement.emulator.process import stop_process as stop_process  # re-exported for the tests
from testsupport.tools import installed_script

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed.yaml"
ACCOUNT = "123456789012"
REGION = "us-east-1"
PRIMARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"
SECONDARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/secondary-oncall"
ALICE = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/alice"

# Recognisable fake credentials: no test output may ever contain them.
ACCESS_KEY = "AKIACLITESTMARKER7Q"
SECRET_KEY = "cli-test-secret-Zq8vN3xR5tW1yB6uK0pL"
SESSION_TOKEN = "cli-test-session-token-Hj4Gf7Dk2Sa9"
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)


def _engagement_script() -> str:
    """The installed console script, next to the interpreter running the tests (the venv)."""
    found = installed_script("engagement")
    if not found:
        pytest.fail("the `engagement` console script is not installed: run `make venv`")
    return found


ENGAGEMENT = _engagement_script()


def clean_env(**extra: str | None) -> dict[str, str]:
    """The parent environment without any AWS settings, plus fake credentials and the given values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN,
        AWS_REGION=REGION,
        # No shared files: a developer's ~/.aws must not change what the tests see.
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONUNBUFFERED="1",
    )
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, "a credential leaked into the output"


@contextmanager
def reaped(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """``proc`` for the block; killed and reaped if the block leaves it running (a failed check or a
    timeout), so no child outlives its test."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@dataclass
class EmulatorEndpoint:
    """An emulator server process, and a clean environment pointing child processes at it."""

    endpoint_url: str
    control: EmulatorControl

    def env(self, **extra: str | None) -> dict[str, str]:
        return clean_env(**{"AWS_ENDPOINT_URL_SSM_CONTACTS": self.endpoint_url, **extra})


class Emulator(EmulatorEndpoint):
    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run the installed `engagement` script; every run is checked for leaked credentials."""
        proc = subprocess.run(
            [ENGAGEMENT, *args],
            env=env or self.env(),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert_no_secrets(proc.stdout, proc.stderr)
        return proc

    def popen(
        self, args: Sequence[str], env: dict[str, str] | None = None, **kwargs: Any
    ) -> subprocess.Popen:
        return subprocess.Popen(
            list(args),
            env=env or self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **kwargs,
        )

    def calls(self, operation: str) -> int:
        return self.control.calls(operation)

    def engagement_count(self) -> int:
        return int(self.control.engagements())
