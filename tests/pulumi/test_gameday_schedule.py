"""The Pulumi game-day example, unchanged, pages an on-call schedule: the person on shift answers.

examples/oncall.yaml's `db-escalation` targets the schedule `db-oncall`; at 10:00 London dana is on
shift and her simulated responder acknowledges 2 virtual minutes in. The exported pages name the
rotation and shift, as the CLI's report does (the same core).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pulumi
import pytest

from .support import ROOT

# ``mocks``: the dynamic resource forwarded to the provider, in process and over gRPC.
from .test_acknowledgement import (  # noqa: F401
    FAST,
    arn,
    assert_same_numbers_as_the_cli,
    mocks,
    run_gameday_example,
)

ONCALL_SEED = ROOT / "examples" / "oncall.yaml"


@pytest.mark.usefixtures("mocks")
def test_the_gameday_example_pages_whoever_is_on_shift(emulator: Any) -> None:
    emulator.control.reset()
    emulator.control.set_time_scale(0)
    emulator.control.set_time(datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    emulator.control.seed(ONCALL_SEED)
    emulator.control.set_time_scale(FAST)
    pulumi.runtime.set_all_config({"gameday-drill:contactId": arn("db-escalation")})
    exported = run_gameday_example()
    emulator.control.set_time_scale(0)

    assert exported["wait_status"] == "acknowledged" and exported["acknowledged_by"] == arn("dana")
    assert exported["time_to_acknowledge"] == 120.0
    (page,) = exported["pages"]
    assert page["contact_alias"] == "dana" and page["stage"] == 1
    assert page["on_shift"]["schedule"] == "db-oncall" and page["on_shift"]["rotation"] == "db-follow-the-sun"
    assert_same_numbers_as_the_cli(emulator, exported)
