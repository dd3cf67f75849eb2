"""The real Pulumi CLI, offline, driving the provider plugin `pulumi-resource-engagement`.

The CLI's folder comes from ``$PULUMI_CLI_DIR``, else from ``scripts/pulumi_cli.sh`` (its last
line; it builds the CLI once per version). Nothing here skips: a missing CLI fails the test with
the reason. Every run is offline: a file backend and ``PULUMI_HOME`` in the test's temp folder,
a passphrase secrets provider, no update check, no plugin download; the plugin is found on
``PATH`` (this venv's bin), as a user's ``pip install 'pulumi-engagement[pulumi]'`` puts it.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.pulumi.support import PRIMARY, REGION, SEED

__all__ = ["PRIMARY", "REGION", "ROOT", "SEED", "USER_CACHE", "Pulumi", "cli_dir"]

ROOT = Path(__file__).resolve().parents[2]
#: The user's cache, read at import: each test points XDG_CACHE_HOME at a fresh folder (tests/conftest.py),
#: but the CLI, Go's build cache and npm's cache are built once and kept there.
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
#: Lines the engine prints about every ambient plugin; not part of any message under test.
AMBIENT_WARNING = "warning: using pulumi-resource-engagement from $PATH"


@functools.lru_cache(maxsize=1)
def cli_dir() -> Path:
    """The folder holding `pulumi` and `pulumi-language-yaml` (fails the test, never skips)."""
    given = os.environ.get("PULUMI_CLI_DIR")
    if not given:
        built = subprocess.run(
            [str(ROOT / "scripts" / "pulumi_cli.sh")],
            env={**os.environ, "XDG_CACHE_HOME": str(USER_CACHE)},
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode != 0:
            pytest.fail(f"scripts/pulumi_cli.sh could not provide the Pulumi CLI:\n{built.stderr[-2000:]}")
        given = built.stdout.strip().splitlines()[-1]
    folder = Path(given)
    for name in ("pulumi", "pulumi-language-yaml"):
        if not os.access(folder / name, os.X_OK):
            pytest.fail(f"{folder / name} is missing: run `make pulumi-cli` (or set PULUMI_CLI_DIR)")
    return folder


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
        home.mkdir(parents=True, exist_ok=True)
        (home / "state").mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "PATH": os.pathsep.join([str(cli_dir()), str(plugin_bin()), os.environ.get("PATH", "")]),
            "PULUMI_HOME": str(home / "pulumi-home"),
            "PULUMI_BACKEND_URL": (home / "state").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": "test-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "false",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing-secret",
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL_SSM_CONTACTS": endpoint_url,
        }
        self.env.pop("AWS_PROFILE", None)

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
