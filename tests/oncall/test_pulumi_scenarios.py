"""On-call drills through the Pulumi provider's real gRPC server (`python -m pulumi.dynamic`),
driven as the engine drives it, against the emulator process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_engagement.core.paging import READ_BACK_ATTEMPTS
from tests.pulumi.support import FAKE_SECRET, ProviderProcess, provider_env, urn_of
from tests.pulumi.support import inputs as pulumi_inputs
from tests.pulumi.support import up as pulumi_up

from .support import QUIET, REGION, Emulator


@pytest.fixture(scope="module")
def provider_server(
    ssm_contacts_process: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProviderProcess]:
    # botocore's default attempts (the read-back test proves its own budget bounds them); local state
    # (lock and hint files) of this module's own, so no earlier run's hint adds a read.
    state = tmp_path_factory.mktemp("provider-runtime")
    proc = ProviderProcess(provider_env(XDG_RUNTIME_DIR=str(state)))
    proc.configure({"aws:region": REGION, "pulumi-engagement:endpointUrl": ssm_contacts_process.endpoint_url})
    yield proc
    assert FAKE_SECRET not in proc.close()


@pytest.fixture
def provider(provider_server: ProviderProcess, emu: Emulator) -> ProviderProcess:
    return provider_server


def inputs(name: str, **overrides: Any) -> dict[str, Any]:
    return pulumi_inputs(name, **{"contact_id": QUIET, **overrides})


def up(provider: ProviderProcess, name: str = "drill", **overrides: Any) -> tuple[str, dict, dict]:
    return pulumi_up(provider, name, **{"contact_id": QUIET, **overrides})


def describe(emu: Emulator, arn: str) -> dict[str, Any]:
    run = emu.cli("describe", arn, "--output", "json")
    assert run.returncode == 0, run.stderr
    return run.doc["engagement"]


def test_destroy_then_up_again_a_month_later_pages_anew(provider: ProviderProcess, emu: Emulator) -> None:
    first, outs, checked = up(provider)
    assert emu.engagements() == 1
    provider.delete(first, urn_of("drill"), outs, checked)  # `pulumi destroy` stops it
    assert describe(emu, first)["stop_time"] is not None

    emu.control.advance(30 * 86400)
    second, outs2, _ = up(provider)  # same stack, name and inputs
    assert second != first
    assert emu.engagements() == 2
    assert describe(emu, second)["stop_time"] is None
    assert "stop_time" not in outs2


def test_a_replayed_create_while_running_adopts_its_engagement(
    provider: ProviderProcess, emu: Emulator
) -> None:
    first, _, _ = up(provider)
    emu.control.advance(60)
    again, _, _ = up(provider)  # the engine crashed before saving the state
    assert again == first
    assert emu.engagements() == 1


def test_a_b_a_replace_pages_a_new_a(provider: ProviderProcess, emu: Emulator) -> None:
    subject_b = "Game day: payments are down (drill)"
    a1, outs_a, checked_a = up(provider)
    emu.control.advance(60)
    # Replace A by B: the engine creates B, then deletes A (create-before-delete).
    checked_b, _ = provider.check(urn_of("drill"), inputs("drill", subject=subject_b), checked_a)
    assert list(provider.diff(a1, urn_of("drill"), outs_a, checked_b).replaces) == ["subject"]
    b, outs_b = provider.create(urn_of("drill"), checked_b)
    provider.delete(a1, urn_of("drill"), outs_a, checked_a)
    emu.control.advance(60)
    # And back to A.
    checked_a2, _ = provider.check(urn_of("drill"), inputs("drill"), checked_b)
    a2, outs_a2 = provider.create(urn_of("drill"), checked_a2)
    provider.delete(b, urn_of("drill"), outs_b, checked_b)

    assert len({a1, b, a2}) == 3
    assert emu.engagements() == 3
    assert describe(emu, a2)["stop_time"] is None
    assert outs_a2["subject"] == outs_a["subject"]


def test_a_page_sent_but_not_read_back_is_still_created(provider: ProviderProcess, emu: Emulator) -> None:
    emu.control.set_faults(throttle={"DescribeEngagement": 0})
    id_, outs, _ = up(provider, "unread")  # a name no other test uses: no hint to read first
    # The read-back's own budget, not botocore's 8 attempts per read: the create returns at once.
    assert emu.control.calls("DescribeEngagement") == READ_BACK_ATTEMPTS
    assert id_.startswith(QUIET.replace(":contact/", ":engagement/"))
    assert outs["engagement_arn"] == id_
    assert emu.engagements() == 1
    emu.control.clear_faults()
    # `pulumi refresh` fills in the rest.
    read_id, refreshed = provider.read(id_, urn_of("unread"), outs, inputs("unread"))
    assert read_id == id_ and refreshed["start_time"]


def test_a_create_keeps_a_hint_and_takes_no_machine_wide_lock(
    tmp_path: Path, ssm_contacts_process: Any, emu: Emulator
) -> None:
    # The token is scoped to the resource's URN and the engine runs one operation of a resource at a
    # time: no other process pages this alert, so no lock file is made; the hint (for a later
    # create of the same resource) is.
    state = tmp_path / "runtime"
    proc = ProviderProcess(provider_env(XDG_RUNTIME_DIR=str(state)))
    try:
        proc.configure(
            {"aws:region": REGION, "pulumi-engagement:endpointUrl": ssm_contacts_process.endpoint_url}
        )
        up(proc, "locks")
    finally:
        proc.close()
    files = [p.name for p in (state / "pulumi-engagement").iterdir()]
    assert [name for name in files if name.endswith(".json")], files
    assert not [name for name in files if name.endswith(".lock")], files
    assert emu.engagements() == 1
