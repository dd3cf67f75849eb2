"""The provider keeps one client per connection configuration for the life of its process.

Building a botocore session and client costs tens of milliseconds and several MiB: a provider that built
one per call made 100 Creates take many times as long as the calls themselves. These tests count the
clients a provider builds (a hook on botocore's ``Session.create_client``, which every client goes
through) while the emulator counts what reaches the service, and check that the serialized provider
stays tiny and client-free however much it has been used.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import botocore.session
import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_engagement import EngagementProvider

from .support import FAKE_SECRET, PRIMARY, PROVIDER_KEY, REGION, ProviderProcess, provider_env, urn_of

SERIALIZED = serialize_provider(EngagementProvider())

#: Run in the provider server before it starts: log the service name of every client built.
COUNT_CLIENTS = """
import os
import botocore.session

_create_client = botocore.session.Session.create_client

def _counting_create_client(self, service_name, *args, **kwargs):
    with open(os.environ["PE_TEST_CLIENT_LOG"], "a") as log:
        log.write(service_name + "\\n")
    return _create_client(self, service_name, *args, **kwargs)

botocore.session.Session.create_client = _counting_create_client
"""


def page(i: int, **overrides: Any) -> dict[str, Any]:
    """The inputs of Engagement(f"drill-{i}", ...): a distinct page each."""
    props = {
        "contact_id": PRIMARY,
        "sender": "gameday",
        "subject": f"Game day #{i} (drill)",
        "content": "This is a drill.",
        "incident_id": f"gameday-{i}",
        "token_scope": urn_of(f"drill-{i}"),
        PROVIDER_KEY: SERIALIZED,
    }
    props.update(overrides)
    return props


def up(proc: ProviderProcess, i: int, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Check + Create over gRPC, as `pulumi up` does for a new resource."""
    checked, failures = proc.check(urn_of(f"drill-{i}"), page(i, **overrides))
    assert failures == {}
    return proc.create(urn_of(f"drill-{i}"), checked)


def built(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


def stack_config(endpoint_url: str) -> ConfigureRequest:
    config = {"aws:region": REGION, "pulumi-engagement:endpointUrl": endpoint_url}
    return ConfigureRequest(Config(config, "p"))


@pytest.fixture
def count_clients(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Service names of the botocore clients built in this process during the test."""
    names: list[str] = []
    original: Callable[..., Any] = botocore.session.Session.create_client

    def counting(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        names.append(service_name)
        return original(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting)
    return names


def test_every_create_of_a_provider_process_shares_one_client(emulator, tmp_path):
    log = tmp_path / "clients.log"
    proc = ProviderProcess(provider_env(PE_TEST_CLIENT_LOG=str(log)), preamble=COUNT_CLIENTS)
    try:
        proc.configure({"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator.endpoint_url})
        # The engine creates independent resources in parallel: the first use races on the server's pool.
        with ThreadPoolExecutor(4) as pool:
            created = list(pool.map(lambda i: up(proc, i), range(12)))
        assert len({arn for arn, _ in created}) == 12
        assert built(log) == ["ssm-contacts"]
        # Each Create is exactly StartEngagement + DescribeEngagement; nothing else reaches the service.
        assert emulator.control.state()["calls"] == {
            "StartEngagement": 12,
            "DescribeEngagement": 12,
        }

        # Refresh and destroy go through the same client; so does a resource that names the stack's own
        # region: the client belongs to the configuration, not to where the setting came from.
        arn, outs = created[0]
        proc.read(arn, urn_of("drill-0"), outs, page(0))
        proc.delete(arn, urn_of("drill-0"), outs, page(0))
        up(proc, 12, region=REGION)
        assert built(log) == ["ssm-contacts"]

        # Another endpoint is another connection configuration: one more client, then reused too.
        other = emulator.endpoint_url + "/"
        up(proc, 13, endpoint_url=other)
        up(proc, 14, endpoint_url=other)
        assert built(log) == ["ssm-contacts", "ssm-contacts"]
        assert emulator.control.engagements() == 15
    finally:
        proc.close()


def test_concurrent_first_creates_build_one_client_and_new_config_builds_another(
    emulator, aws_env, count_clients
):
    provider = EngagementProvider()
    provider.configure(stack_config(emulator.endpoint_url))
    assert count_clients == []  # nothing is built until a call needs it
    start = threading.Barrier(8)

    def create(i: int) -> str:
        start.wait()  # all eight reach the empty cache together
        return provider.create(page(i)).id

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(create, range(8)))
    assert len(set(ids)) == 8
    assert count_clients == ["ssm-contacts"]

    provider.configure(stack_config(emulator.endpoint_url + "/"))
    provider.create(page(8))
    provider.create(page(9))
    assert count_clients == ["ssm-contacts", "ssm-contacts"]
    assert emulator.control.engagements() == 10


def test_a_used_provider_pickles_as_small_and_client_free_as_a_new_one(emulator, aws_env):
    provider = EngagementProvider()
    provider.configure(stack_config(emulator.endpoint_url))
    created = provider.create(page(0))  # now it holds a live client (and its lock)

    raw = base64.b64decode(serialize_provider(provider))
    assert len(raw) < 200
    # Byte for byte what an unused provider serializes to: use never changes the state's provider.
    assert raw == base64.b64decode(SERIALIZED)
    for leak in (b"botocore", b"urllib3", b"ssm-contacts", b"_clients", b"lock", b"AKIAFAKE"):
        assert leak not in raw.lower()
    assert emulator.endpoint_url.encode() not in raw and FAKE_SECRET.encode() not in raw

    # The copy starts without configuration or clients and builds its own when configured.
    restored = dill.loads(raw)
    restored.configure(stack_config(emulator.endpoint_url))
    assert restored.read(created.id, created.outs).outs["engagement_arn"] == created.id
