"""Stand-ins for the Pulumi engine, which cannot be installed here.

``ProviderProcess`` starts the SDK's real dynamic provider server
(``python -m pulumi.dynamic``) and drives it over gRPC with the SDK's own stubs,
building requests the way the engine does: the serialized provider travels in
the ``__provider`` property, secrets are stripped because the dynamic provider
answers Configure with ``acceptSecrets=False``, Check gets old *inputs*, Diff /
Update / Read / Delete get the old *outputs* (state).

``ForwardingMocks`` / ``ForwardingMonitor`` run a Pulumi program under
``pulumi.runtime.set_mocks`` while forwarding every dynamic resource to its
provider (check, then create or read), applying ``additional_secret_outputs``
as the engine does, so program-level tests exercise the real provider.
"""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import dill
import grpc
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc, resource_pb2

ROOT = Path(__file__).resolve().parents[2]


def _personal(alias: str) -> dict[str, Any]:
    return {
        "alias": alias,
        "channels": [{"name": f"{alias}-email", "type": "EMAIL", "address": f"{alias}@example.com"}],
    }


#: The contacts the tests page (the same names as examples/seed.yaml, kept here so tests own their data).
SEED = {
    "account_id": "123456789012",
    "region": "us-east-1",
    "contacts": [
        {
            "alias": "alice",
            "channels": [{"name": "alice-email", "type": "EMAIL", "address": "alice@example.com"}],
        },
        _personal("bob"),
        {
            "alias": "carol",
            "channels": [{"name": "carol-email", "type": "EMAIL", "address": "carol@example.com"}],
        },
        {
            "alias": "primary-oncall",
            "type": "ESCALATION",
            "plan": [
                {"duration_minutes": 5, "targets": [{"contact": "alice"}]},
                {"duration_minutes": 5, "targets": [{"contact": "bob"}]},
            ],
        },
        {
            "alias": "secondary-oncall",
            "type": "ESCALATION",
            "plan": [{"duration_minutes": 5, "targets": [{"contact": "carol"}]}],
        },
    ],
}
REGION = "us-east-1"
ACCOUNT = "123456789012"
PRIMARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"
SECONDARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/secondary-oncall"
#: Distinctive fake credentials: tests assert they never reach outputs, state or logs.
FAKE_SECRET = "fake-secret-never-to-be-printed"
PROVIDER_KEY = "__provider"
TYPE = "pulumi-python:dynamic/engagement:Engagement"


def serialize(props: dict[str, Any]) -> Any:
    """A property map as the engine sends it (the SDK's own serializer)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(props, {}))
    finally:
        loop.close()


def deserialize(struct: Any, keep_unknowns: bool = False) -> dict[str, Any]:
    return rpc.deserialize_properties(struct, keep_unknowns)


def urn_of(name: str, project: str = "drills", stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::{project}::{TYPE}::{name}"


class ProviderProcess:
    """The real dynamic provider server in a subprocess, driven as the engine drives it."""

    def __init__(self, env: dict[str, str], preamble: str | None = None) -> None:
        """``preamble``: Python run in the server process before the server starts (e.g. a hook that
        observes the process); the server itself is then started exactly as ``-m pulumi.dynamic`` does."""
        cmd = [sys.executable, "-m", "pulumi.dynamic"]
        if preamble is not None:
            start = "import runpy\nrunpy.run_module('pulumi.dynamic', run_name='__main__', alter_sys=True)\n"
            cmd = [sys.executable, "-c", f"{preamble}\n{start}"]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().decode().strip()
        if not first.isdigit():
            self.proc.kill()
            raise RuntimeError(
                f"dynamic provider did not print a port: {first!r} {self.proc.stderr.read()!r}"
            )
        self.channel = grpc.insecure_channel(f"127.0.0.1:{first}")
        grpc.channel_ready_future(self.channel).result(timeout=30)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def close(self) -> str:
        """Stop the server; returns what it wrote on stderr (checked for leaked secrets)."""
        self.channel.close()
        self.proc.kill()
        _, err = self.proc.communicate(timeout=30)
        return err.decode(errors="replace")

    # -- the engine's calls -------------------------------------------------------------------

    def configure(self, config: dict[str, str]) -> provider_pb2.ConfigureResponse:
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(
                variables=config,
                args=serialize(dict(config)),
                acceptSecrets=True,
                acceptResources=True,
            )
        )

    def check(
        self, urn: str, news: dict[str, Any], olds: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """(checked inputs, {property: reason})."""
        resp = self.stub.Check(
            provider_pb2.CheckRequest(
                urn=urn,
                olds=serialize(olds or {}),
                news=serialize(news),
                name=urn.rsplit("::", 1)[-1],
                type=TYPE,
            )
        )
        failures: dict[str, str] = {}
        for f in resp.failures:
            failures[f.property] = (
                f"{failures[f.property]}; {f.reason}" if f.property in failures else f.reason
            )
        return deserialize(resp.inputs, keep_unknowns=True), failures

    def diff(
        self, id_: str, urn: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> provider_pb2.DiffResponse:
        return self.stub.Diff(
            provider_pb2.DiffRequest(id=id_, urn=urn, olds=serialize(olds), news=serialize(news), type=TYPE)
        )

    def create(self, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        resp = self.stub.Create(
            provider_pb2.CreateRequest(urn=urn, properties=serialize(inputs), timeout=300, type=TYPE)
        )
        return resp.id, deserialize(resp.properties)

    def read(
        self, id_: str, urn: str, state: dict[str, Any] | None, inputs: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Refresh passes the state; a get (Engagement.get) passes no state, only inputs."""
        req = provider_pb2.ReadRequest(id=id_, urn=urn, type=TYPE, inputs=serialize(inputs or {}))
        if state is not None:
            req.properties.CopyFrom(serialize(state))
        resp = self.stub.Read(req)
        return resp.id, deserialize(resp.properties)

    def update(
        self, id_: str, urn: str, olds: dict[str, Any], news: dict[str, Any], old_inputs: dict[str, Any]
    ) -> dict[str, Any]:
        resp = self.stub.Update(
            provider_pb2.UpdateRequest(
                id=id_,
                urn=urn,
                olds=serialize(olds),
                news=serialize(news),
                old_inputs=serialize(old_inputs),
                timeout=300,
                type=TYPE,
            )
        )
        return deserialize(resp.properties)

    def delete(self, id_: str, urn: str, state: dict[str, Any], old_inputs: dict[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(
                id=id_,
                urn=urn,
                properties=serialize(state),
                old_inputs=serialize(old_inputs),
                timeout=300,
                type=TYPE,
            )
        )


# -- program level: mocks that forward dynamic resources to their provider ------------------------


def _load_provider(serialized: Any, config: dict[str, Any], project: str) -> Any:
    provider = dill.loads(base64.b64decode(rpc.unwrap_rpc_secret(serialized)))
    provider.configure(ConfigureRequest(Config(raw_config=dict(config), project_name=project)))
    return provider


class ForwardingMocks(Mocks):
    """Dynamic resources go to their real provider (check, then create, or read for a get)."""

    def __init__(self, config: dict[str, Any], project: str = "project") -> None:
        self.config = config
        self.project = project
        self.created: list[dict[str, Any]] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        if not args.typ.startswith("pulumi-python:dynamic"):
            return f"{args.name}-id", dict(args.inputs)
        serialized = args.inputs[PROVIDER_KEY]
        provider = _load_provider(serialized, self.config, self.project)
        if args.resource_id:  # Engagement.get(name, id): the engine calls Read with only the inputs
            result = provider.read(args.resource_id, dict(args.inputs))
            return result.id, {**(result.outs or {}), PROVIDER_KEY: serialized}
        checked = provider.check({}, dict(args.inputs))
        if checked.failures:
            problems = "; ".join(f"{f.property}: {f.reason}" for f in checked.failures)
            raise ValueError(f"{args.typ} resource {args.name!r} has a problem: {problems}")
        created = provider.create(checked.inputs)
        self.created.append(created.outs or {})
        return created.id, {**(created.outs or {}), PROVIDER_KEY: serialized}

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        return {}, None


class ForwardingMonitor(MockMonitor):
    """Applies additional_secret_outputs to the outputs, as the engine does (MockMonitor does not)."""

    def _secretize(self, obj: Any, secret_keys: list[str]) -> Any:
        if not secret_keys:
            return obj
        state = rpc.deserialize_properties(obj)
        for key in secret_keys:
            if key in state and state[key] is not None:
                state[key] = rpc.wrap_rpc_secret(rpc.unwrap_rpc_secret(state[key]))
        return serialize(state)

    def RegisterResource(self, request: Any) -> Any:
        resp = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return resp
        obj = self._secretize(resp.object, list(request.additionalSecretOutputs))
        return resource_pb2.RegisterResourceResponse(urn=resp.urn, id=resp.id, object=obj)

    def ReadResource(self, request: Any) -> Any:
        resp = super().ReadResource(request)
        obj = self._secretize(resp.properties, list(request.additionalSecretOutputs))
        return resource_pb2.ReadResourceResponse(urn=resp.urn, properties=obj)


def provider_env(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """A clean environment: fake credentials, no real profile or endpoint leaking in from the host."""
    env = {
        k: v
        for k, v in (base if base is not None else os.environ).items()
        if not k.startswith("AWS_") and not k.startswith("PULUMI_")
    }
    env.update(
        AWS_ACCESS_KEY_ID="AKIAFAKEFORTESTS0001",
        AWS_SECRET_ACCESS_KEY=FAKE_SECRET,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env


class GrpcForwardingMocks(Mocks):
    """Like ForwardingMocks, but through the real dynamic provider server over gRPC (Check, then
    Create), as the engine does: the program's resources reach the provider in its own process."""

    def __init__(self, provider: ProviderProcess, project: str = "project", stack: str = "dev") -> None:
        self.provider = provider
        self.project = project
        self.stack = stack
        self.created: list[dict[str, Any]] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        if not args.typ.startswith("pulumi-python:dynamic"):
            return f"{args.name}-id", dict(args.inputs)
        urn = urn_of(args.name, self.project, self.stack)
        checked, failures = self.provider.check(urn, dict(args.inputs))
        if failures:
            problems = "; ".join(f"{k}: {v}" for k, v in failures.items())
            raise ValueError(f"{args.typ} resource {args.name!r} has a problem: {problems}")
        id_, outs = self.provider.create(urn, checked)
        self.created.append(outs)
        return id_, outs

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        return {}, None
