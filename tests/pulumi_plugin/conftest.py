"""Fixtures: a seeded loopback emulator per test (frozen clock) and the CLI in a temp project."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .support import SEED


class Emulator:
    """A loopback emulator server: its endpoint, control API and a boto3 client."""

    def __init__(self, server: Any) -> None:
        from pulumi_engagement.emulator.control import EmulatorControl
        from pulumi_engagement.emulator.sdk_client import emulator_client

        self.endpoint_url: str = server.endpoint_url
        self.control = EmulatorControl(self.endpoint_url)
        self.client = emulator_client(self.endpoint_url, "us-east-1")

    def engagements(self) -> list[dict[str, Any]]:
        """Every engagement the service holds, described (stop time included)."""
        arns = [e["EngagementArn"] for e in self.client.list_engagements()["Engagements"]]
        return [self.client.describe_engagement(EngagementId=arn) for arn in arns]

    def starts(self) -> int:
        return int(self.control.calls("StartEngagement") or 0)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    from pulumi_engagement.emulator.web.server import EmulatorServer

    with EmulatorServer(host="127.0.0.1", port=0, seed=SEED, time_scale=0.0) as server:
        yield Emulator(server)
