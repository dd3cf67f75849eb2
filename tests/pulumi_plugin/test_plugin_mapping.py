"""The plugin's mapping in-process (no engine): camelCase faces of the dynamic provider's answers."""

from __future__ import annotations

import asyncio

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    ConfigureRequest,
    DiffRequest,
    PropertyDiffKind,
    ReadRequest,
)

from pulumi_engagement.pulumi_adapter.plugin import EngagementPlugin, to_snake, to_wire

from .support import PRIMARY, REGION

URN = "urn:pulumi:dev::drill::engagement:index:Engagement::page"
PAGE = {"contactId": PRIMARY, "sender": "gameday", "subject": "drill", "content": "a drill"}


def _wire(values: dict) -> dict[str, PropertyValue]:
    return {key: PropertyValue(value) for key, value in values.items()}


def _plugin(endpoint_url: str) -> EngagementPlugin:
    plugin = EngagementPlugin()
    config = ConfigureRequest({}, _wire({"region": REGION, "endpointUrl": endpoint_url}), True, False)
    asyncio.run(plugin.configure(config))
    return plugin


def test_check_names_fields_in_camel_case_and_marks_the_secure_fields_secret():
    plugin = EngagementPlugin()
    news = _wire({**PAGE, "contactId": "nope", "stopReason": 7.0})
    checked = asyncio.run(plugin.check(CheckRequest(URN, {}, news, b"")))
    assert [f.property for f in checked.failures] == ["contactId", "stopReason"]
    assert checked.failures[0].reason.startswith("contactId (ContactId): does not match the pattern")
    assert checked.inputs["subject"].is_secret and checked.inputs["content"].is_secret
    assert checked.inputs["stopOnDelete"] == PropertyValue(True)  # the tables' default


def test_diff_replaces_on_the_page_and_updates_the_stop_settings_in_place():
    plugin = EngagementPlugin()
    olds = _wire({**PAGE, "stopReason": "done", "engagementArn": "arn:x"})
    news = _wire({**PAGE, "subject": "other", "stopReason": "over"})
    diff = asyncio.run(plugin.diff(DiffRequest(URN, "arn:x", olds, news, [])))
    assert diff.replaces == ["subject"] and diff.changes is True
    assert diff.detailed_diff["subject"].kind == PropertyDiffKind.UPDATE_REPLACE
    assert diff.detailed_diff["stopReason"].kind == PropertyDiffKind.UPDATE
    unknown = asyncio.run(
        plugin.diff(DiffRequest(URN, "arn:x", olds, {**news, "sender": PropertyValue(Computed())}, []))
    )
    assert "sender" in unknown.replaces  # unknown during preview: shown as a replacement, nothing sent


def test_read_without_inputs_adopts_the_engagement_and_fills_its_inputs(emulator, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    arn = emulator.client.start_engagement(ContactId=PRIMARY, Sender="runbook", Subject="s", Content="c")[
        "EngagementArn"
    ]
    read = asyncio.run(_plugin(emulator.endpoint_url).read(ReadRequest(URN, arn, {}, {})))
    assert read.resource_id == arn and emulator.starts() == 1
    assert to_snake(read.inputs) == {
        "contact_id": PRIMARY,
        "sender": "runbook",
        "subject": "s",
        "content": "c",
        "stop_on_delete": True,
    }
    assert read.inputs["subject"].is_secret and read.properties["engagementArn"].value == arn


def test_outputs_are_camel_case_all_the_way_down_and_the_urn_stays_inside():
    wire = to_wire(
        {"token_scope": URN, "pages": [{"page_arn": "p", "channels": [{"sent_time": "t"}]}], "x": 1}
    )
    assert set(wire) == {"pages", "x"} and wire["x"].value == 1.0
    [page] = wire["pages"].value
    assert set(page.value) == {"pageArn", "channels"}
    assert set(page.value["channels"].value[0].value) == {"sentTime"}
