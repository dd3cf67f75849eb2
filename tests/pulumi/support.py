"""Helpers for the Pulumi suite: the contacts it pages, and program-level stand-ins for the engine.

The engine-level stand-in (``ProviderProcess``, driving the real dynamic provider server over
gRPC) lives in ``testsupport.pulumi_provider``, shared with the benchmarks, and is re-exported here.

``ForwardingMocks`` / ``ForwardingMonitor`` run a Pulumi program under
``pulumi.runtime.set_mocks`` while forwarding every dynamic resource to its
provider (check, then create or read), applying ``additional_secret_outputs``
as the engine does, so program-level tests exercise the real provider.
"""

from __future__ import annotations

import base64
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dill
import pulumi
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2

from pulumi_engagement import Engagement, EngagementArgs, EngagementProvider
from testsupport.pulumi_provider import (
    FAKE_SECRET,
    PROVIDER_KEY,
    TYPE,
    ProviderProcess,
    deserialize,
    provider_env,
    serialize,
    urn_of,
)

__all__ = [
    "ACCOUNT",
    "FAKE_SECRET",
    "PRIMARY",
    "PROVIDER_KEY",
    "REGION",
    "ROOT",
    "SECONDARY",
    "SEED",
    "SERIALIZED",
    "TYPE",
    "ForwardingMocks",
    "ForwardingMonitor",
    "GrpcForwardingMocks",
    "ProviderProcess",
    "deserialize",
    "drill_engagement",
    "inputs",
    "mocked_runtime",
    "provider_env",
    "serialize",
    "up",
    "urn_of",
]

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
#: What the program sends in __provider (Engagement serializes the same singleton-like instance).
SERIALIZED = serialize_provider(EngagementProvider())


#: The drill's page, as a program passes it to EngagementArgs (``inputs`` adds what Engagement adds).
_DRILL_ARGS: dict[str, Any] = {
    "contact_id": PRIMARY,
    "sender": "gameday",
    "subject": "Game day: checkout is down (drill)",
    "content": "This is a drill. Acknowledge and join #gameday.",
    "incident_id": "gameday-42",
}


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def inputs(name: str = "drill", **overrides: Any) -> dict[str, Any]:
    """The inputs a program registers for Engagement(name, ...) (None values are not sent)."""
    return _without_none({**_DRILL_ARGS, "token_scope": urn_of(name), PROVIDER_KEY: SERIALIZED, **overrides})


def drill_engagement(
    name: str = "drill", opts: pulumi.ResourceOptions | None = None, **overrides: Any
) -> Engagement:
    """The drill's Engagement, declared in a program, with ``overrides`` (None leaves an argument out)."""
    return Engagement(name, EngagementArgs(**_without_none({**_DRILL_ARGS, **overrides})), opts=opts)


def up(provider: ProviderProcess, name: str = "drill", **overrides: Any) -> tuple[str, dict, dict]:
    """check + create, as `pulumi up` does for a new resource: (id, outputs, checked inputs)."""
    checked, failures = provider.check(urn_of(name), inputs(name, **overrides))
    assert failures == {}
    id_, outs = provider.create(urn_of(name), checked)
    return id_, outs, checked


# -- program level: mocks that forward dynamic resources to their provider ------------------------


def _load_provider(serialized: Any, config: dict[str, Any], project: str) -> Any:
    provider = dill.loads(base64.b64decode(rpc.unwrap_rpc_secret(serialized)))
    provider.configure(ConfigureRequest(Config(raw_config=dict(config), project_name=project)))
    return provider


class CheckFailed(ValueError):
    """A resource's Check failed: the program fails, as under the engine (tests cause it on purpose)."""


class _DynamicResourceMocks(Mocks):
    """Mocks that hand dynamic resources to ``forward``; any other resource gets a made-up id."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.created: list[dict[str, Any]] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        if not args.typ.startswith("pulumi-python:dynamic"):
            return f"{args.name}-id", dict(args.inputs)
        return self.forward(args)

    @abstractmethod
    def forward(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        """(id, outputs) of a dynamic resource, from its provider."""

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        return {}, None

    @staticmethod
    def check_failed(args: MockResourceArgs, problems: list[str]) -> ValueError:
        """The error the engine reports for a resource whose Check failed."""
        return CheckFailed(f"{args.typ} resource {args.name!r} has a problem: {'; '.join(problems)}")


class ForwardingMocks(_DynamicResourceMocks):
    """Dynamic resources go to their real provider (check, then create, or read for a get)."""

    def __init__(self, config: dict[str, Any], project: str = "project") -> None:
        super().__init__(project)
        self.config = config

    def forward(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        serialized = args.inputs[PROVIDER_KEY]
        provider = _load_provider(serialized, self.config, self.project)
        if args.resource_id:  # Engagement.get(name, id): the engine calls Read with only the inputs
            result = provider.read(args.resource_id, dict(args.inputs))
            return result.id, {**(result.outs or {}), PROVIDER_KEY: serialized}
        checked = provider.check({}, dict(args.inputs))
        if checked.failures:
            raise self.check_failed(args, [f"{f.property}: {f.reason}" for f in checked.failures])
        created = provider.create(checked.inputs)
        self.created.append(created.outs or {})
        return created.id, {**(created.outs or {}), PROVIDER_KEY: serialized}


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


class GrpcForwardingMocks(_DynamicResourceMocks):
    """Like ForwardingMocks, but through the real dynamic provider server over gRPC (Check, then
    Create), as the engine does: the program's resources reach the provider in its own process."""

    def __init__(self, provider: ProviderProcess, project: str = "project", stack: str = "dev") -> None:
        super().__init__(project)
        self.provider = provider
        self.stack = stack

    def forward(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        urn = urn_of(args.name, self.project, self.stack)
        checked, failures = self.provider.check(urn, dict(args.inputs))
        if failures:
            raise self.check_failed(args, [f"{k}: {v}" for k, v in failures.items()])
        id_, outs = self.provider.create(urn, checked)
        self.created.append(outs)
        return id_, outs


@contextmanager
def mocked_runtime(forwarding: Mocks, project: str) -> Iterator[None]:
    """Pulumi programs run under ``set_mocks`` with ``forwarding`` (outputs secretized as the engine
    does) on a fresh root stack, so exports do not leak between tests; config and options are
    reset afterwards."""
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config({})
    pulumi.runtime.set_mocks(
        forwarding, project=project, stack="dev", preview=False, monitor=ForwardingMonitor(forwarding)
    )
    yield
    pulumi.runtime.set_all_config({})
    settings.reset_options()
