"""A stand-in for the Pulumi engine, which cannot be installed here; shared by the Pulumi tests and
the benchmarks.

``ProviderProcess`` starts the SDK's real dynamic provider server
(``python -m pulumi.dynamic``) and drives it over gRPC with the SDK's own stubs,
building requests the way the engine does: the serialized provider travels in
the ``__provider`` property, secrets are stripped because the dynamic provider
answers Configure with ``acceptSecrets=False``, Check gets old *inputs*, Diff /
Update / Read / Delete get the old *outputs* (state).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import grpc
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

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
