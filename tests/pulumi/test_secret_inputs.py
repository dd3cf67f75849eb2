"""The secure fields (subject, content, public_subject, public_content) are secret *inputs*, not only
secret outputs: proven on the RegisterResource request a program sends (what the engine writes to the
checkpoint's inputs and shows in a preview's diff), and through the real dynamic provider server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from pulumi_engagement import Engagement
from pulumi_engagement.pulumi_adapter.dynamic_provider import SECRET_FIELDS

from .support import PRIMARY, PROVIDER_KEY, REGION, ProviderProcess, drill_engagement, provider_env, urn_of

MARKERS = {
    "subject": "PULUMI-SECRET-SUBJECT-4c1e",
    "content": "PULUMI-SECRET-CONTENT-9ab0",
    "public_subject": "PULUMI-SECRET-PUBSUBJ-77d2",
    "public_content": "PULUMI-SECRET-PUBCONTENT-e5f3",
}
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
ENGAGEMENT = "pulumi-python:dynamic/engagement:Engagement"


class RecordingMocks(Mocks):
    """Records what new_resource receives; echoes the inputs back as outputs (no provider, no page)."""

    def __init__(self) -> None:
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        self.inputs[args.name] = dict(args.inputs)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    """Keeps every RegisterResource request as it arrives on the wire (the engine's view)."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.requests: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        if request.type == ENGAGEMENT:
            copy = type(request)()
            copy.CopyFrom(request)
            self.requests[request.name] = copy
        return super().RegisterResource(request)


@pytest.fixture
def recording() -> Iterator[tuple[RecordingMocks, RecordingMonitor]]:
    mocks = RecordingMocks()
    monitor = RecordingMonitor(mocks)
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config({})
    pulumi.runtime.set_mocks(mocks, project="drills", stack="dev", preview=False, monitor=monitor)
    yield mocks, monitor
    settings.reset_options()


def run(program: Any) -> None:
    pulumi.runtime.test(program)()


def plaintext_paths(value: Any, needle: str, path: str = "") -> list[str]:
    """Where `needle` appears outside a secret wrapper."""
    if isinstance(value, dict):
        if all(value.get(k) == v for k, v in SECRET_SIG.items()):
            return []
        return [p for k, v in value.items() for p in plaintext_paths(v, needle, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in plaintext_paths(v, needle, f"{path}[{i}]")]
    return [path] if isinstance(value, str) and needle in value else []


def drill(name: str = "drill", **overrides: Any) -> Engagement:
    """The drill's Engagement with the marker texts in its secure fields."""
    return drill_engagement(name, **{**MARKERS, **overrides})


def test_register_resource_carries_the_secure_fields_as_secrets(recording) -> None:
    mocks, monitor = recording

    def program() -> None:
        drill("args")
        Engagement("kwargs", contact_id=PRIMARY, sender="gameday", **MARKERS)
        # An input that is already an Output (from another resource) is wrapped as well.
        drill("outputs", subject=pulumi.Output.from_input(MARKERS["subject"]))

    run(program)
    assert set(monitor.requests) == {"args", "kwargs", "outputs"}
    for name, request in monitor.requests.items():
        wire = json_format.MessageToDict(request.object)
        for field in SECRET_FIELDS:
            assert wire[field] == {**SECRET_SIG, "value": MARKERS[field]}, (name, field)
            assert plaintext_paths(wire, MARKERS[field]) == [], (name, field)
        # Identifiers are not secrets: a secret contact or sender would hide the diff people read.
        assert wire["contact_id"] == PRIMARY and wire["sender"] == "gameday"
        assert set(request.additionalSecretOutputs) >= set(SECRET_FIELDS)
        # What a mock's new_resource is given: the same secrets, still wrapped.
        received = mocks.inputs[name]
        for field in SECRET_FIELDS:
            assert rpc.is_rpc_secret(received[field]), (name, field)
            assert rpc.unwrap_rpc_secret(received[field]) == MARKERS[field]
        assert not rpc.is_rpc_secret(received["contact_id"])


def test_absent_optional_secure_fields_stay_absent(recording) -> None:
    _, monitor = recording

    def program() -> None:
        Engagement("minimal", contact_id=PRIMARY, sender="gameday", subject="s", content="c")

    run(program)
    wire = json_format.MessageToDict(monitor.requests["minimal"].object)
    assert wire["subject"] == {**SECRET_SIG, "value": "s"}
    assert wire.get("public_subject") is None and wire.get("public_content") is None


def test_outputs_of_the_secure_fields_are_secret(recording) -> None:
    seen: dict[str, bool] = {}

    def program() -> pulumi.Output:
        page = drill()
        outs = [getattr(page, f).is_secret() for f in (*SECRET_FIELDS, "contact_id")]

        async def collect() -> None:
            for name, future in zip((*SECRET_FIELDS, "contact_id"), outs, strict=True):
                seen[name] = await future

        return pulumi.Output.from_input(collect())

    run(program)
    assert seen == {**dict.fromkeys(SECRET_FIELDS, True), "contact_id": False}


# -- through the real dynamic provider server ------------------------------------------------------


def wire_inputs(recording_monitor: RecordingMonitor, name: str) -> dict[str, Any]:
    """A registered resource's inputs as the engine receives them (secrets still wrapped)."""
    return rpc.deserialize_properties(recording_monitor.requests[name].object)


def test_the_engine_strips_secrets_for_the_provider_and_pages_with_the_plaintext(
    recording, emulator, service
) -> None:
    _, monitor = recording
    run(lambda: drill())
    registered = wire_inputs(monitor, "drill")
    assert all(rpc.is_rpc_secret(registered[f]) for f in SECRET_FIELDS)

    proc = ProviderProcess(provider_env())
    try:
        configured = proc.configure(
            {"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator.endpoint_url}
        )
        # The dynamic provider does not accept secrets: the engine unwraps the inputs it sends, keeps
        # them secret in the checkpoint (they were registered secret) and marks the outputs named in
        # additionalSecretOutputs secret. Nothing about this is the provider's to change.
        assert configured.acceptSecrets is False
        stripped = {k: rpc.unwrap_rpc_secret(v) for k, v in registered.items()}
        stripped["token_scope"] = urn_of("drill")
        checked, failures = proc.check(urn_of("drill"), stripped)
        assert failures == {}
        id_, outs = proc.create(urn_of("drill"), checked)
        assert {f: outs[f] for f in SECRET_FIELDS} == MARKERS  # marked secret by the engine
        assert outs[PROVIDER_KEY] == registered[PROVIDER_KEY]
        live = service.describe(id_)
        assert {f: getattr(live, f) for f in SECRET_FIELDS} == MARKERS
    finally:
        stderr = proc.close()
    for marker in MARKERS.values():
        assert marker not in stderr


def test_secret_wrapped_inputs_work_over_grpc_too(recording, emulator, service) -> None:
    """An engine that kept secrets for this provider would send them wrapped: the provider unwraps them."""
    _, monitor = recording
    run(lambda: drill("wrapped"))
    registered = wire_inputs(monitor, "wrapped")
    registered["token_scope"] = urn_of("wrapped")
    proc = ProviderProcess(provider_env())
    try:
        proc.configure({"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator.endpoint_url})
        checked, failures = proc.check(urn_of("wrapped"), registered)
        assert failures == {}
        id_, outs = proc.create(urn_of("wrapped"), checked)
        live = service.describe(id_)
        assert {f: getattr(live, f) for f in SECRET_FIELDS} == MARKERS
        # Refresh reads them back for the state; the engine keeps them secret there.
        read_id, refreshed = proc.read(id_, urn_of("wrapped"), outs, checked)
        assert read_id == id_ and refreshed["subject"] == MARKERS["subject"]
        assert emulator.control.calls("StartEngagement") == 1
    finally:
        stderr = proc.close()
    for marker in MARKERS.values():
        assert marker not in stderr
