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
from testsupport.pulumi_scenarios import STOPPED_BY_HAND

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


def yaml_project(tmp_path: Path, resources: dict[str, dict[str, Any]]) -> Path:
    """A YAML program of the given Engagements (name -> properties) in tmp_path/project."""
    lines = ["name: plugin-cases", "runtime: yaml", "resources:"]
    for name, props in resources.items():
        lines += [f"  {name}:", "    type: engagement:Engagement", "    properties:"]
        lines += [f"      {key}: {json.dumps(value)}" for key, value in props.items()]
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("\n".join(lines) + "\n")
    return project


def page_props(contact: str = PRIMARY, **overrides: Any) -> dict[str, Any]:
    """One Engagement's properties: a drill page to ``contact``."""
    return {"contactId": contact, "sender": "gameday", "subject": "drill", "content": "a drill", **overrides}


def drill(tmp_path: Path, endpoint_url: str) -> Pulumi:
    """examples/pulumi/yaml-drill in a stack `dev` paging the primary on-call."""
    cli = Pulumi(tmp_path, copy_example("yaml-drill", tmp_path), endpoint_url)
    cli.new_stack("dev", contactId=PRIMARY)
    return cli


class PluginFace:
    """The provider plugin's face of the shared scenarios (testsupport.pulumi_scenarios): `pulumi`
    run in a YAML project; ``steps`` keeps what each step printed."""

    def __init__(self, cli: Pulumi) -> None:
        self.cli = cli
        self.steps: list[tuple[str, str]] = []

    def _step(self, *args: str) -> None:
        self.steps.append((args[0], self.cli.run(*args).stdout))

    def preview(self) -> None:
        self._step("preview", "--diff")

    def up(self, parallel: int | None = None) -> None:
        self._step("up", "--yes", *(["--parallel", str(parallel)] if parallel else []))

    def refresh(self) -> None:
        self._step("refresh", "--yes")

    def destroy(self) -> None:
        self._step("destroy", "--yes")

    def arns_in_state(self) -> list[str]:
        return [r["id"] for r in self.cli.engagements_in_state()]

    def stop_time_in_state(self, arn: str) -> str | None:
        [outputs] = [r["outputs"] for r in self.cli.engagements_in_state() if r["id"] == arn]
        return outputs.get("stopTime")

    def stop_by_hand(self, arn: str) -> None:
        self.cli.command(["engagement", "stop", arn, "--reason", STOPPED_BY_HAND])
