"""The generated TypeScript and Go SDKs, in the example drills, run by their Automation API inline.

Their language hosts (pulumi-language-nodejs, -go) are not served by the Go module proxy here, so
`runtime: nodejs|go` projects cannot run; an inline program hosts its own language server and
needs only the CLI and the plugin. Each drill prints one JSON line: outputs and resource changes.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .support import PRIMARY, ROOT, USER_CACHE, Pulumi, copy_example

#: Builds use the user's caches (npm's and Go's), not the test's fresh XDG_CACHE_HOME.
BUILD_ENV = {
    "XDG_CACHE_HOME": str(USER_CACHE),
    "npm_config_cache": str(USER_CACHE / "pulumi-engagement" / "npm"),
}


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="module")
def typescript_drill(tmp_path_factory) -> list[str]:
    """examples/pulumi/typescript-drill with the SDK packed from sdk/nodejs, compiled by tsc."""
    work = tmp_path_factory.mktemp("ts")
    env = {**os.environ, **BUILD_ENV}
    tarball = _run([str(ROOT / "scripts" / "pulumi_sdk.sh"), "pack", str(work / "pack")], ROOT, env).strip()
    app = copy_example("typescript-drill", work)
    _run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--no-save", tarball], app, env)
    _run(["npx", "--no-install", "tsc"], app, env)
    return ["node", str(app / "bin" / "drill.js")]


@pytest.fixture(scope="module")
def go_drill(tmp_path_factory) -> list[str]:
    """examples/pulumi/go-drill built against sdk/go (its go.mod replaces the module by ../../../sdk)."""
    binary = tmp_path_factory.mktemp("go") / "go-drill"
    env = {**os.environ, **BUILD_ENV, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    _run(["go", "build", "-o", str(binary), "."], ROOT / "examples" / "pulumi" / "go-drill", env)
    return [str(binary)]


def _drill(cli: Pulumi, program: list[str], action: str) -> dict:
    # The endpoint only as provider configuration (engagement:endpointUrl), not in the environment.
    env = {**cli.env, "DRILL_CONTACT_ID": PRIMARY, "DRILL_STACK": "dev"}
    env["DRILL_ENDPOINT_URL"] = env.pop("AWS_ENDPOINT_URL_SSM_CONTACTS")
    return json.loads(_run([*program, action], cli.project, env).strip().splitlines()[-1])


@pytest.mark.parametrize("language", ["typescript", "go"])
def test_generated_sdk_drill_pages_once_is_quiet_again_and_destroy_stops_it(
    language, request, tmp_path, emulator
):
    program = request.getfixturevalue(f"{language}_drill")
    cli = Pulumi(tmp_path, tmp_path, emulator.endpoint_url)

    first = _drill(cli, program, "up")
    [engagement] = emulator.engagements()
    assert first["changes"] == {"create": 2}  # the stack and the engagement
    assert first["outputs"]["engagementArn"] == engagement["EngagementArn"]
    assert first["outputs"]["subject"] == "[secret]" and first["outputs"]["acknowledged"] is False

    again = _drill(cli, program, "up")
    assert again["changes"] == {"same": 2} and emulator.starts() == 1 and len(emulator.engagements()) == 1

    gone = _drill(cli, program, "destroy")
    assert gone["changes"] == {"delete": 2}
    [stopped] = emulator.engagements()
    assert "StopTime" in stopped and int(emulator.control.calls("StopEngagement")) == 1
