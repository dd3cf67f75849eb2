"""The real Pulumi CLI, offline, driving the provider plugin `pulumi-resource-engagement`.

The CLI and its offline environment come from testsupport.pulumi_cli, as for tests/pulumi_e2e and
bench/: ``$PULUMI_CLI_DIR``, else ``scripts/pulumi_cli.sh``; a missing CLI fails the test with the
reason, never skips. Each ``Pulumi`` has its own ``PULUMI_HOME`` and file backend in the test's temp
folder; the plugin is found on ``PATH`` (this venv's bin), as a user's
``pip install 'pulumi-engagement[pulumi]'`` puts it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.pulumi.support import PRIMARY, REGION, SEED
from testsupport.pulumi_cli import USER_CACHE, base_env, cli_or_fail, with_environ

__all__ = ["PRIMARY", "REGION", "ROOT", "SEED", "USER_CACHE", "Pulumi", "plugin_bin"]

ROOT = Path(__file__).resolve().parents[2]
#: Lines the engine prints about every ambient plugin; not part of any message under test.
AMBIENT_WARNING = "warning: using pulumi-resource-engagement from $PATH"


def plugin_bin() -> Path:
    """The venv's bin, where `pip install` put pulumi-resource-engagement and `engagement`."""
    folder = Path(sys.executable).parent
    if not os.access(folder / "pulumi-resource-engagement", os.X_OK):
        pytest.fail(f"{folder}/pulumi-resource-engagement is missing: `pip install -e '.[pulumi]'`")
    return folder


class Pulumi:
    """The CLI in one project folder, with an offline environment pointed at the emulator."""

    def __init__(self, home: Path, project: Path, endpoint_url: str) -> None:
        self.project = project
        plugin_bin()  # base_env puts the venv's bin on PATH; fail here, clearly, if the plugin is not in it
        offline = base_env(cli_or_fail(), home / "pulumi-home", endpoint_url, state=home / "state")
        self.env = with_environ(offline)

    def run(self, *args: str, ok: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """`pulumi ARGS` (non-interactive); with ok, a failure fails the test showing all it printed."""
        return self.command(["pulumi", *args, "--non-interactive"], ok=ok, cwd=cwd)

    def command(
        self, argv: list[str], ok: bool = True, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            argv, cwd=cwd or self.project, env=self.env, capture_output=True, text=True, timeout=600
        )
        if ok and done.returncode != 0:
            pytest.fail(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def new_stack(self, name: str = "dev", **config: str) -> None:
        self.run("stack", "init", name)
        for key, value in config.items():
            self.run("config", "set", key, value)

    def export(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "export", "--show-secrets=false").stdout)

    def engagements_in_state(self) -> list[dict[str, Any]]:
        resources = self.export()["deployment"].get("resources") or []
        return [r for r in resources if r["type"] == "engagement:index:Engagement"]


def error_lines(output: str) -> list[str]:
    """The distinct `error:` lines the user reads (the CLI repeats each in its summary)."""
    seen: list[str] = []
    for line in output.splitlines():
        text = line.strip()
        if "error: " in text and AMBIENT_WARNING not in text:
            message = text[text.index("error: ") :]
            if message not in seen:
                seen.append(message)
    return seen


def copy_example(name: str, dest: Path) -> Path:
    """A copy of examples/pulumi/NAME (a test never writes into the checkout)."""
    target = dest / name
    shutil.copytree(
        ROOT / "examples" / "pulumi" / name, target, ignore=shutil.ignore_patterns("node_modules", "bin")
    )
    return target
