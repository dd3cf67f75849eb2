"""The real Pulumi CLI and engine, offline, against the emulator: what every end-to-end case shares.

A Python program cannot be run by ``pulumi up`` in a project directory here (the language host
``pulumi-language-python`` is not obtainable, see docs/pulumi.md), so programs run as Automation API
inline programs: ``pulumi.automation`` hosts the program's language server in this process and
runs the real ``pulumi`` binary with ``--client``; the engine then starts the real dynamic
provider (``pulumi-resource-pulumi-python`` -> ``python -m pulumi.dynamic``) as for any project.
Commands that do not run the program (``stack output``, ``stack export``/``import``, ``cancel``,
``import``) are run as the user types them, with :meth:`Project.pulumi`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_engagement.emulator.sdk_client import emulator_client
from testsupport.pulumi_provider import FAKE_SECRET

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
ACCOUNT = "123456789012"
PRIMARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"
SECONDARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/secondary-oncall"
ALICE = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/alice"
SEED = ROOT / "examples" / "seed.yaml"
ENGAGEMENT_TYPE = "pulumi-python:dynamic/engagement:Engagement"
#: The binaries the suite runs; scripts/pulumi_cli.sh puts them in one folder.
CLI_BINARIES = ("pulumi", "pulumi-resource-pulumi-python")
PASSPHRASE = "e2e-drill-passphrase"


def find_cli() -> Path:
    """The folder holding the CLI: $PULUMI_CLI_DIR, else the last line of scripts/pulumi_cli.sh.

    Fails (never skips) when neither gives a folder with the binaries: the suite is the only proof
    that the adapter works under the real engine."""
    given = os.environ.get("PULUMI_CLI_DIR")
    if given:
        folder = Path(given)
    else:
        built = subprocess.run(
            [str(ROOT / "scripts" / "pulumi_cli.sh")], capture_output=True, text=True, check=False
        )
        lines = built.stdout.strip().splitlines()
        if built.returncode != 0 or not lines:
            pytest.fail(
                f"scripts/pulumi_cli.sh failed (exit {built.returncode}): {built.stderr.strip()[-2000:]}",
                pytrace=False,
            )
        folder = Path(lines[-1])
    missing = [name for name in CLI_BINARIES if not os.access(folder / name, os.X_OK)]
    if missing:
        pytest.fail(f"the Pulumi CLI folder {folder} lacks {', '.join(missing)}", pytrace=False)
    return folder


def base_env(cli_dir: Path, home: Path, endpoint_url: str) -> dict[str, str]:
    """Offline Pulumi (file backend set per project, passphrase secrets, no update check, no plugin
    download), the venv's python first on PATH (the dynamic provider runs `python`), fake AWS
    credentials (the secret key is a marker tests look for) and the emulator's endpoint."""
    venv_bin = Path(sys.executable).parent
    return {
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
            env={**os.environ, **self.env},
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
            env={**os.environ, **self.env},
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


def outputs_in_state(project: Project, stack: str) -> dict[str, dict[str, Any]]:
    """Each Engagement's outputs in the state, by resource name (secrets still ciphertext)."""
    return {r["urn"].rsplit("::", 1)[-1]: r.get("outputs", {}) for r in project.engagements_in_state(stack)}


class StepLog:
    """An Automation API ``on_event`` callback: the engine's completed steps, in order, as
    ``(op, resource name, keys that caused a replacement)``."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str, tuple[str, ...]]] = []

    def __call__(self, event: Any) -> None:
        done = event.res_outputs_event
        if done is not None:
            meta = done.metadata
            self.steps.append((meta.op.value, meta.urn.rsplit("::", 1)[-1], tuple(meta.keys or ())))

    def of(self, name: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(op, keys) for op, resource, keys in self.steps if resource == name]


def changes(result: Any) -> dict[str, int]:
    """What the engine reported: an UpResult's / DestroyResult's / RefreshResult's resource changes,
    or a PreviewResult's change summary, as ``{op: count}`` (the Stack resource included)."""
    summary = getattr(result, "change_summary", None)
    if summary is None:
        summary = result.summary.resource_changes
    return {op: count for op, count in (summary or {}).items() if count}


class Service:
    """What the emulator recorded, read as someone with the AWS CLI would (and its control API)."""

    def __init__(self, emulator: Any) -> None:
        self.control = emulator.control
        self.client = emulator_client(emulator.endpoint_url)

    def calls(self, operation: str) -> int:
        return int(self.control.calls(operation))

    def engagements(self) -> list[dict[str, Any]]:
        """Every engagement, described, oldest first."""
        arns: list[str] = []
        for page in self.client.get_paginator("list_engagements").paginate():
            arns += [e["EngagementArn"] for e in page["Engagements"]]
        return [self.client.describe_engagement(EngagementId=arn) for arn in arns]

    def pages_sent(self) -> list[dict[str, Any]]:
        """The page messages the emulator "sent" to channels (its outbox), oldest first."""
        return [m for m in self.control.outbox() if m.get("Kind") == "PAGE"]

    def stop(self, arn: str) -> None:
        self.client.stop_engagement(EngagementId=arn, Reason="stopped out of band")

    def acknowledge_all(self, arn: str) -> None:
        for page in self.client.list_pages_by_engagement(EngagementId=arn)["Pages"]:
            self.client.accept_page(PageId=page["PageArn"], AcceptType="READ", AcceptCode="000000")


class DenyingProxy:
    """A loopback proxy in front of the emulator that answers one operation AccessDeniedException,
    as AWS does when the identity's policy lacks it, and forwards every other call unchanged."""

    def __init__(self, upstream: str, operation: str) -> None:
        import http.client
        import http.server
        import threading
        from urllib.parse import urlsplit

        target = urlsplit(upstream)
        denied = f"SSMContacts.{operation}"
        message = (
            f"User: arn:aws:iam::{ACCOUNT}:user/drill is not authorized to perform: "
            f"ssm-contacts:{operation} on resource: {PRIMARY}"
        )

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("X-Amz-Target") == denied:
                    status, headers = 400, {"Content-Type": "application/x-amz-json-1.1"}
                    payload = json.dumps({"__type": "AccessDeniedException", "Message": message}).encode()
                else:
                    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                    forwarded = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    connection.request("POST", self.path, body, forwarded)
                    answer = connection.getresponse()
                    status, headers, payload = answer.status, dict(answer.getheaders()), answer.read()
                    connection.close()
                # The service's own Date goes through: the core reads the service's clock from it.
                self.send_response_only(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> DenyingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
