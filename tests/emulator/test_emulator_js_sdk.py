"""The AWS SDK for JavaScript v3 (@aws-sdk/client-ssm-contacts) drives the rotation lifecycle over HTTP.

Its own serializers (Date objects, the ShiftCoverages map) and parsers (epoch timestamps back to
Dates, modelled errors) meet the emulator: what the script prints is what it would see from AWS.
The SDK is installed by `make js-deps` (npm, pinned in tests/js/package.json).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from .support import REPO, build_world

JS = REPO / "tests" / "js"


def node_and_sdk() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the JavaScript SDK test needs Node.js 18 or later")
    if not (JS / "node_modules" / "@aws-sdk" / "client-ssm-contacts").is_dir():
        pytest.fail("@aws-sdk/client-ssm-contacts is not installed: run `make js-deps`")
    return node


def test_js_sdk_rotation_lifecycle(ssm_contacts_endpoint: Any) -> None:
    node = node_and_sdk()
    client = ssm_contacts_endpoint.client()
    world = build_world(client, lambda arn: ssm_contacts_endpoint.control.codes()["activation_codes"][arn])
    proc = subprocess.run(
        [node, str(JS / "rotations.mjs"), ssm_contacts_endpoint.endpoint_url, world["alice"], world["bob"]],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=JS,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["rotation"]["name"] == "js rotation" and out["rotation"]["zone"] == "Europe/Berlin"
    assert out["rotation"]["start"] == "2026-01-05T09:00:00.000Z"
    assert out["rotation"]["recurrence"]["ShiftCoverages"]["MON"][0]["End"] == {
        "HourOfDay": 17,
        "MinuteOfHour": 0,
    }
    # Monday 12 Jan, covered 09:00-17:00 Berlin (08:00-16:00 UTC); the 10:00 hand-off makes it bob's
    # from 09:00 UTC.
    assert out["shifts"] == [
        {
            "start": "2026-01-12T08:00:00.000Z",
            "end": "2026-01-12T09:00:00.000Z",
            "contacts": [world["alice"]],
            "type": "REGULAR",
            "overridden": None,
        },
        {
            "start": "2026-01-12T09:00:00.000Z",
            "end": "2026-01-12T16:00:00.000Z",
            "contacts": [world["bob"]],
            "type": "REGULAR",
            "overridden": None,
        },
    ]
    assert [(s["contacts"], s["type"], s["overridden"]) for s in out["overridden"]] == [
        ([world["alice"]], "REGULAR", None),
        ([world["bob"]], "REGULAR", None),
        ([world["alice"]], "OVERRIDDEN", [world["bob"]]),
        ([world["bob"]], "REGULAR", None),
    ]
    assert out["after_delete"] == {"name": "ResourceNotFoundException", "resourceType": "ROTATION"}
