"""The real Pulumi CLI, offline, and a project to run it in: the one place tests/pulumi_e2e,
tests/pulumi_plugin and bench/ find the CLI and build its environment.

``find_cli`` finds the folder ``make pulumi-cli`` builds (scripts/pulumi_cli.sh); ``base_env`` is
the offline environment every run of it gets (``with_environ`` adds this process's). ``Project`` is a
project directory with its own file state backend: ``stack(name, program)`` is an Automation API
stack whose up / preview / refresh / destroy run that CLI with ``program`` inline (Python programs
cannot be run by ``pulumi up`` here: the language host ``pulumi-language-python`` is not
obtainable, see docs/pulumi.md), and ``pulumi(...)`` runs the CLI as a user types it.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from .pulumi_provider import FAKE_SECRET

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
ENGAGEMENT_TYPE = "pulumi-python:dynamic/engagement:Engagement"
#: The binaries the suites run (the dynamic provider's host, the YAML language host); scripts/pulumi_cli.sh
#: puts them in one folder.
CLI_BINARIES = ("pulumi", "pulumi-resource-pulumi-python", "pulumi-language-yaml")
#: The user's cache, read at import: tests/conftest.py points XDG_CACHE_HOME at a fresh folder per test
#: (the core keeps its per-alert hints there and no test may see another's), but the CLI that
#: scripts/pulumi_cli.sh builds, Go's build cache and npm's cache are built once and kept here.
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
PASSPHRASE = "e2e-drill-passphrase"


class CLINotFound(RuntimeError):
    """The Pulumi CLI could not be found or built (the message says why)."""


@functools.lru_cache(maxsize=1)
def find_cli() -> Path:
    """The folder holding the CLI: $PULUMI_CLI_DIR (the make steps always pass it), else the last
    line of scripts/pulumi_cli.sh (run with the user's cache, where it keeps the CLI it built).

    Raises CLINotFound (the suites turn it into a failure, never a skip) when neither gives a
    folder with the binaries."""
    given = os.environ.get("PULUMI_CLI_DIR")
    if given:
        folder = Path(given)
    else:
        built = subprocess.run(
            [str(ROOT / "scripts" / "pulumi_cli.sh")],
            env={**os.environ, "XDG_CACHE_HOME": str(USER_CACHE)},
            capture_output=True,
            text=True,
            check=False,
        )
        lines = built.stdout.strip().splitlines()
        if built.returncode != 0 or not lines:
            raise CLINotFound(
                f"scripts/pulumi_cli.sh failed (exit {built.returncode}): {built.stderr.strip()[-2000:]}"
            )
        folder = Path(lines[-1])
    missing = [name for name in CLI_BINARIES if not os.access(folder / name, os.X_OK)]
    if missing:
        raise CLINotFound(f"the Pulumi CLI folder {folder} lacks {', '.join(missing)}")
    return folder


def cli_or_fail() -> Path:
    """``find_cli`` for a test: a missing CLI fails it with the reason (never a skip)."""
    import pytest  # only tests call this; bench/ handles CLINotFound itself

    try:
        return find_cli()
    except CLINotFound as exc:
        pytest.fail(str(exc), pytrace=False)


def base_env(cli_dir: Path, home: Path, endpoint_url: str, state: Path | None = None) -> dict[str, str]:
    """Offline Pulumi (a file backend: ``state`` here or set per Project; passphrase secrets, no
    update check, no plugin download), the CLI's folder and the venv's bin first on PATH (the dynamic
    provider runs `python`; pip put pulumi-resource-engagement there), fake AWS credentials (the
    secret key is a marker tests look for) and the emulator's endpoint."""
    venv_bin = Path(sys.executable).parent
    backend = {}
    if state is not None:
        state.mkdir(parents=True, exist_ok=True)
        backend["PULUMI_BACKEND_URL"] = state.as_uri()
    return {
        **backend,
        "PATH": os.pathsep.join([str(cli_dir), str(venv_bin), os.environ.get("PATH", "")]),
        "PULUMI_HOME": str(home),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "AWS_ENDPOINT_URL_SSM_CONTACTS": endpoint_url,
    }


def with_environ(env: Mapping[str, str]) -> dict[str, str]:
    """This process's environment under ``env``, less AWS_PROFILE (a profile would override the
    fake credentials, and its config file is deliberately absent)."""
    return {**{k: v for k, v in os.environ.items() if k != "AWS_PROFILE"}, **env}


Program = Callable[[], None]


class Project:
    """One Pulumi project in its own directory with its own file state backend.

    ``stack(name, program)`` gives an Automation API stack whose up / preview / refresh / destroy
    run the real CLI with ``program`` inline; ``pulumi(...)`` runs the CLI as typed in a shell.
    """

    def __init__(self, cli_dir: Path, root: Path, env: Mapping[str, str], name: str = "e2e-drills") -> None:
        self.cli_dir = cli_dir
        self.cli = cli_dir / "pulumi"
        self.dir = root / name
        self.dir.mkdir(parents=True, exist_ok=True)
        (root / "state").mkdir(exist_ok=True)
        self.env = {**env, "PULUMI_BACKEND_URL": (root / "state").as_uri()}
        if not (self.dir / "Pulumi.yaml").exists():
            (self.dir / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
        # PulumiCommand wants <root>/bin/pulumi.
        self.command_root = root / "pulumi-command"
        (self.command_root / "bin").mkdir(parents=True, exist_ok=True)
        link = self.command_root / "bin" / "pulumi"
        if not link.exists():
            link.symlink_to(cli_dir / "pulumi")

    @classmethod
    def from_example(cls, cli_dir: Path, root: Path, env: Mapping[str, str], example: Path) -> Project:
        """A copy of an example project (its Pulumi.yaml with its config defaults, its program)."""
        copy = root / example.name
        shutil.copytree(example, copy, ignore=shutil.ignore_patterns("venv", "__pycache__"))
        # Its Pulumi.yaml names `virtualenv: venv`, which Pulumi would create and fill from
        # requirements.txt (this checkout, editable): that is this venv.
        (copy / "venv").symlink_to(sys.prefix, target_is_directory=True)
        return cls(cli_dir, root, env, name=example.name)

    def stack(self, name: str, program: Program, config: Mapping[str, str] | None = None) -> auto.Stack:
        workspace = auto.LocalWorkspace(
            work_dir=str(self.dir),
            program=program,
            env_vars=self.env,
            pulumi_home=self.env["PULUMI_HOME"],
            pulumi_command=auto.PulumiCommand(root=str(self.command_root)),
        )
        stack = auto.Stack.create_or_select(name, workspace)
        for key, value in (config or {}).items():
            stack.set_config(key, auto.ConfigValue(value))
        return stack

    def pulumi(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """The CLI as a user runs it in the project directory (no colour, no prompts)."""
        result = subprocess.run(
            [str(self.cli_dir / "pulumi"), *args, "--non-interactive", "--color", "never"],
            cwd=self.dir,
            env=with_environ(self.env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def engagement(self, *args: str) -> dict[str, Any]:
        """The project's own CLI (``engagement start|stop ...``) against the same emulator, JSON out."""
        result = subprocess.run(
            [str(Path(sys.executable).parent / "engagement"), *args, "--output", "json"],
            env=with_environ(self.env),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"engagement {' '.join(args)}: {result.stderr}"
        return json.loads(result.stdout)

    def deployment(self, stack: str) -> dict[str, Any]:
        """``pulumi stack export``: the raw state, secrets as ciphertext."""
        return json.loads(self.pulumi("stack", "export", "--stack", stack).stdout)["deployment"]

    def engagements_in_state(self, stack: str) -> list[dict[str, Any]]:
        """The Engagement resources of the state (secrets still ciphertext)."""
        resources = self.deployment(stack).get("resources") or []
        return [r for r in resources if r.get("type") == ENGAGEMENT_TYPE]
