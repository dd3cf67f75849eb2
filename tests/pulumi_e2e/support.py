"""What every end-to-end case shares: the CLI and projects (testsupport.pulumi_cli, shared with
the benchmarks), what the emulator recorded (``Service``, shared with tests/pulumi_plugin), what
the engine did (``StepLog``, ``changes``), the dynamic resource's face of the shared scenarios
(``DynamicFace``) and a proxy that denies one operation as IAM would (``DenyingProxy``).

Programs run as Automation API inline programs: ``pulumi.automation`` hosts the program's language
server in this process and runs the real ``pulumi`` binary with ``--client``; the engine then
starts the real dynamic provider (``pulumi-resource-pulumi-python`` -> ``python -m pulumi.dynamic``)
as for any project. Commands that do not run the program (``stack output``, ``stack export`` /
``import``, ``cancel``, ``import``) are run as the user types them, with ``Project.pulumi``.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from testsupport.pulumi_cli import (
    REGION,
    ROOT,
    Program,
    Project,
    base_env,
)
from testsupport.pulumi_scenarios import STOPPED_BY_HAND, Service

__all__ = ["Program", "Project", "Service", "base_env"]

ACCOUNT = "123456789012"
PRIMARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"
SECONDARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/secondary-oncall"
ALICE = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/alice"
SEED = ROOT / "examples" / "seed.yaml"


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


class DynamicFace:
    """The dynamic resource's face of the shared scenarios (testsupport.pulumi_scenarios): an
    Automation API stack of ``program``; ``steps`` keeps each step's change summary."""

    def __init__(self, project: Project, program: Program, stack: str = "dev") -> None:
        self.project = project
        self.name = stack
        self.stack = project.stack(stack, program)
        self.steps: list[tuple[str, dict[str, int]]] = []

    def preview(self) -> None:
        self.steps.append(("preview", changes(self.stack.preview())))

    def up(self, parallel: int | None = None) -> None:
        result = self.stack.up(parallel=parallel) if parallel else self.stack.up()
        self.steps.append(("up", changes(result)))

    def refresh(self) -> None:
        self.steps.append(("refresh", changes(self.stack.refresh())))

    def destroy(self) -> None:
        self.steps.append(("destroy", changes(self.stack.destroy())))

    def arns_in_state(self) -> list[str]:
        return [r["id"] for r in self.project.engagements_in_state(self.name)]

    def stop_time_in_state(self, arn: str) -> str | None:
        [outputs] = [r["outputs"] for r in self.project.engagements_in_state(self.name) if r["id"] == arn]
        return outputs.get("stop_time")

    def stop_by_hand(self, arn: str) -> None:
        self.project.engagement("stop", arn, "--reason", STOPPED_BY_HAND)


class DenyingProxy:
    """A loopback proxy in front of the emulator that answers one operation AccessDeniedException,
    as AWS does when the identity's policy lacks it, and forwards every other call unchanged."""

    def __init__(self, upstream: str, operation: str) -> None:
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
