"""Scenarios both real-CLI suites assert, each against its own face of the adapter.

tests/pulumi_e2e drives the dynamic resource (an Automation API inline program), tests/pulumi_plugin
the provider plugin (a YAML program run by `pulumi`). A scenario here is the steps and what the
service and the stack's state must show after each; a ``Face`` is how that suite does a step. Each
face keeps what its CLI reported per step (``steps``) so the suite can add what only it can check.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from pulumi_engagement.emulator.control import EmulatorControl
from pulumi_engagement.emulator.sdk_client import emulator_client

STOPPED_BY_HAND = "stopped by hand"


class Face(Protocol):
    """One stack of Engagements under the real CLI, as one suite drives it."""

    def preview(self) -> None: ...
    def up(self, parallel: int | None = None) -> None: ...
    def refresh(self) -> None: ...
    def destroy(self) -> None: ...
    def arns_in_state(self) -> list[str]: ...
    def stop_time_in_state(self, arn: str) -> str | None: ...
    def stop_by_hand(self, arn: str) -> None:
        """`engagement stop ARN` from a terminal: a stop Pulumi does not know of."""


class Service:
    """What the emulator recorded, read as someone with the AWS CLI would (and its control API)."""

    def __init__(self, endpoint_url: str, control: EmulatorControl, seed: Path | Mapping[str, Any]) -> None:
        self.endpoint_url = endpoint_url
        self.control = control
        self.client = emulator_client(endpoint_url)
        self._seed = seed

    def calls(self, operation: str) -> int:
        return int(self.control.calls(operation))

    def starts(self) -> int:
        return self.calls("StartEngagement")

    def engagements(self) -> list[dict[str, Any]]:
        """Every engagement, described, oldest first."""
        arns: list[str] = []
        for page in self.client.get_paginator("list_engagements").paginate():
            arns += [e["EngagementArn"] for e in page["Engagements"]]
        return [self.client.describe_engagement(EngagementId=arn) for arn in arns]

    def pages_sent(self) -> list[dict[str, Any]]:
        """The page messages the emulator "sent" to channels (its outbox), oldest first."""
        return [m for m in self.control.outbox() if m.get("Kind") == "PAGE"]

    def forget(self) -> None:
        """The service's data wiped (contacts seeded again): it no longer knows any engagement."""
        self.control.reset()
        self.control.seed(dict(self._seed) if isinstance(self._seed, Mapping) else self._seed)


def preview_pages_nobody_up_pages_once_and_again_nobody(face: Face, service: Service) -> str:
    """A stack of one Engagement: preview sends nothing, up pages once, up again pages nobody.
    Returns the engagement's ARN."""
    face.preview()
    assert service.control.calls() == {} and service.engagements() == []
    face.up()
    [engagement] = service.engagements()
    arn = engagement["EngagementArn"]
    assert "StopTime" not in engagement and face.arns_in_state() == [arn]
    face.up()
    assert service.starts() == 1 and len(service.engagements()) == 1
    return arn


def refresh_shows_an_out_of_band_stop_and_destroy_stops_only_a_running_one(
    face: Face, service: Service
) -> None:
    """A stack of one Engagement: destroy stops it once; up after that pages anew (that episode is
    over); a stop made outside Pulumi shows after refresh, and destroy then sends no second stop."""
    face.up()
    [first] = service.engagements()
    face.destroy()
    [stopped] = service.engagements()
    assert "StopTime" in stopped and face.arns_in_state() == [] and service.calls("StopEngagement") == 1

    face.up()  # the old episode is over: a new page
    running = [e for e in service.engagements() if "StopTime" not in e]
    assert service.starts() == 2 and len(running) == 1
    arn = running[0]["EngagementArn"]
    assert arn != first["EngagementArn"]
    face.stop_by_hand(arn)

    face.refresh()
    assert face.arns_in_state() == [arn] and face.stop_time_in_state(arn)
    face.destroy()  # already stopped: succeeds without another stop
    assert service.calls("StopEngagement") == 2, "one by the first destroy, one from the terminal"
    assert face.arns_in_state() == [] and len(service.engagements()) == 2


def refresh_drops_what_the_service_forgot_and_up_pages_again(face: Face, service: Service) -> None:
    """A stack of one Engagement the service then forgets: refresh drops it, up pages again, once."""
    face.up()
    service.forget()
    face.refresh()
    assert face.arns_in_state() == [] and service.engagements() == []
    face.up()
    assert service.starts() == 1 and len(service.engagements()) == 1


def parallel_16_under_faults_pages_each_once(
    face: Face, service: Service, subjects: list[str], faults: Mapping[str, Any]
) -> None:
    """A stack of one Engagement per subject, `up --parallel 16` while the service answers with
    ``faults``: every page went out exactly once and every one is in the state."""
    service.control.set_faults(**faults)
    face.up(parallel=16)
    injected = service.control.injected()
    assert sum(sum(kind.values()) for kind in injected.values()) > 0, f"no fault was exercised: {injected}"
    service.control.clear_faults()  # before reading back what the service holds

    engagements = service.engagements()
    assert sorted(e["Subject"] for e in engagements) == sorted(subjects), "a page missing or sent twice"
    assert service.control.engagements() == len(subjects)
    in_state = face.arns_in_state()
    assert len(in_state) == len(subjects) and set(in_state) == {e["EngagementArn"] for e in engagements}
