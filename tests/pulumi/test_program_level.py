"""Program level: Pulumi programs using Engagement under pulumi.runtime.set_mocks, with mocks that
forward the dynamic resource to the real provider, which talks to the emulator over HTTP."""

from __future__ import annotations

import base64
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import settings

from pulumi_engagement import Engagement, EngagementProvider

from .support import FAKE_SECRET, PRIMARY, REGION, ROOT, ForwardingMocks, drill_engagement, mocked_runtime

EXAMPLE = ROOT / "examples" / "pulumi" / "gameday-drill"
PROJECT = "gameday-drill"


@pytest.fixture
def mocks(emulator: Any, aws_env: None) -> Iterator[ForwardingMocks]:
    """set_mocks with forwarding; the provider gets the stack config the engine would send."""
    config = {"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator.endpoint_url}
    forwarding = ForwardingMocks(config, project=PROJECT)
    with mocked_runtime(forwarding, PROJECT):
        yield forwarding


def resolve(output: pulumi.Output) -> tuple[Any, bool]:
    """(value, is_secret) of an output, awaited the way pulumi.runtime.test does."""
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(output.future()), _sync_await(output.is_secret())


def test_program_pages_and_outputs_strings_with_secure_fields_secret(mocks, emulator, service):
    def program() -> pulumi.Output:
        page = drill_engagement(public_subject="Drill page", public_content="Drill, see the secure channel")

        def check(values: list[Any]) -> None:
            arn, contact_arn, start_time, stop_time, stop_on_delete = values
            assert arn.startswith(f"arn:aws:ssm-contacts:{REGION}:")
            assert contact_arn == PRIMARY
            assert isinstance(start_time, str) and start_time.endswith("Z")
            assert stop_time is None
            assert stop_on_delete is True
            live = service.describe(arn)
            assert live.subject == "Game day: checkout is down (drill)"
            assert not live.stopped

        # Secure fields are secret; identifiers are not.
        for name in ("subject", "content", "public_subject", "public_content"):
            value, secret = resolve(getattr(page, name))
            assert secret, name
            assert value
        for name in ("engagement_arn", "contact_arn", "start_time", "incident_id"):
            assert not resolve(getattr(page, name))[1], name
        return pulumi.Output.all(
            page.engagement_arn, page.contact_arn, page.start_time, page.stop_time, page.stop_on_delete
        ).apply(check)

    pulumi.runtime.test(program)()
    assert emulator.control.state()["engagements"] == 1
    assert FAKE_SECRET not in repr(mocks.created)


def test_keyword_inputs_and_invalid_input_fails_the_program_without_paging(mocks, emulator):
    def program() -> pulumi.Output:
        page = Engagement("bad", contact_id=PRIMARY, sender="gameday", subject="x" * 3000, content="c")
        return page.engagement_arn

    with pytest.raises(Exception, match=r"subject: subject \(Subject\): longer than 2048 characters"):
        pulumi.runtime.test(program)()
    assert emulator.control.state()["engagements"] == 0


def test_unknown_keyword_input_is_a_type_error(mocks):
    with pytest.raises(TypeError, match="unknown input"):
        Engagement("typo", contact_id=PRIMARY, sender="s", subject="s", content="c", incident="x")


def test_get_adopts_an_existing_engagement(mocks, service):
    from pulumi_engagement.core import StartRequest

    arn = service.start(StartRequest(contact_id=PRIMARY, sender="runbook", subject="Disk", content="98%"))

    def program() -> pulumi.Output:
        adopted = Engagement.get("adopted", arn)

        def check(values: list[Any]) -> None:
            assert values == [arn, PRIMARY, "runbook"]

        assert resolve(adopted.subject) == ("Disk", True)
        return pulumi.Output.all(adopted.engagement_arn, adopted.contact_arn, adopted.sender).apply(check)

    pulumi.runtime.test(program)()


def test_serialized_provider_is_small_by_reference_and_holds_no_configuration(mocks, emulator):
    provider = EngagementProvider()
    from pulumi.dynamic import Config, ConfigureRequest

    provider.configure(
        ConfigureRequest(
            Config({"aws:region": REGION, "pulumi-engagement:endpointUrl": emulator.endpoint_url}, "p")
        )
    )
    raw = base64.b64decode(serialize_provider(provider))
    assert b"pulumi_engagement.provider" in raw and b"EngagementProvider" in raw
    assert len(raw) < 200
    assert emulator.endpoint_url.encode() not in raw
    assert FAKE_SECRET.encode() not in raw


def test_the_gameday_drill_example_runs(mocks, emulator, service):
    """examples/pulumi/gameday-drill/__main__.py, unchanged, under the forwarding mocks."""
    # Without waiting (the waiting drill: test_acknowledgement.py).
    pulumi.runtime.set_all_config(
        {"gameday-drill:incidentId": "gameday-2024-q3", "gameday-drill:waitForAcknowledgement": "false"}
    )

    def program() -> pulumi.Output:
        runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__")
        outputs = settings.get_root_resource().outputs

        def check(values: dict[str, Any]) -> None:
            assert values["paged"] == PRIMARY
            assert values["incident_id"] == "gameday-2024-q3"
            live = service.describe(values["engagement_arn"])
            assert live.contact_arn == PRIMARY and live.incident_id == "gameday-2024-q3"
            assert values["start_time"].endswith("Z")
            assert values["acknowledged"] is False and values["wait_status"] == "not_waited"
            assert values["pages"] == []

        return pulumi.Output.all(**outputs).apply(check)

    pulumi.runtime.test(program)()
    assert emulator.control.calls("StartEngagement") == 1
    assert Path(EXAMPLE / "Pulumi.yaml").is_file()
