"""A replacement, refresh after what happens outside Pulumi, destroy, and the resource options,
each checked on what the emulator recorded."""

from __future__ import annotations

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_engagement.core import to_utc

from . import programs
from .support import ALICE, Project, Service, StepLog, changes, outputs_in_state


def test_a_replacing_change_pages_first_then_stops_the_old_and_pages_once(
    project: Project, emulator, service: Service
) -> None:
    # Real time on the emulator's clock, so the start and stop times order the two calls.
    emulator.control.set_time_scale(1)
    stack = project.stack("dev", programs.pages("drill"))
    stack.up()
    [old] = service.engagements()

    stack.workspace.program = programs.pages("drill", subject="[DRILL] checkout errors above SLO")
    log = StepLog()
    result = stack.up(on_event=log)

    # As the README promises: a new page goes out, then the old engagement is stopped.
    assert log.of("drill") == [
        ("create-replacement", ("subject",)),
        ("replace", ("subject",)),
        ("delete-replaced", ()),
    ]
    assert changes(result) == {"replace": 1, "same": 1}
    stopped, running = service.engagements()
    assert stopped["EngagementArn"] == old["EngagementArn"] and "StopTime" not in running
    assert to_utc(running["StartTime"]) <= to_utc(stopped["StopTime"])
    assert (service.calls("StartEngagement"), service.calls("StopEngagement")) == (2, 1)
    assert result.outputs["drill_arn"].value == running["EngagementArn"]

    assert changes(stack.up()) == {"same": 2}
    assert service.calls("StartEngagement") == 2 and len(service.engagements()) == 2


def test_refresh_shows_an_out_of_band_stop_and_an_acknowledgement_and_up_pages_nobody(
    project: Project, emulator, service: Service
) -> None:
    stack = project.stack("dev", programs.each(programs.pages("stopped"), programs.pages("answered")))
    outputs = stack.up().outputs
    stopped_arn, answered_arn = outputs["stopped_arn"].value, outputs["answered_arn"].value

    stopped_by_cli = project.engagement("stop", stopped_arn, "--reason", "stopped from a terminal")
    emulator.control.advance(120)  # alice's simulated responder acknowledges the running page
    result = stack.refresh()

    # The engine counts only a change of inputs (the provider's diff) as one: the page did not
    # change, so refresh reports both as unchanged, yet it writes what the service now says.
    assert changes(result) == {"same": 3}
    state = outputs_in_state(project, "dev")
    assert state["stopped"]["stop_time"] == stopped_by_cli["engagement"]["stop_time"]
    assert state["stopped"]["acknowledged"] is False
    answered = state["answered"]
    assert answered["engagement_arn"] == answered_arn
    assert (answered["acknowledged"], answered["acknowledged_by"]) == (True, ALICE)
    assert answered["time_to_acknowledge"] == 120 and answered["stop_time"] == answered["acknowledged_at"]

    # A stopped engagement stays in the stack as the record of the drill: up pages nobody, and
    # the program's exports now carry what refresh read.
    after = stack.up()
    assert changes(after) == {"same": 3}
    assert service.calls("StartEngagement") == 2
    assert after.outputs["stopped_stop_time"].value == state["stopped"]["stop_time"]
    assert after.outputs["answered_stop_time"].value == answered["stop_time"]


def test_destroy_stops_each_running_engagement_once_and_an_already_stopped_one_cleanly(
    project: Project, service: Service
) -> None:
    stack = project.stack("dev", programs.each(programs.pages("running"), programs.pages("stopped")))
    outputs = stack.up().outputs
    stopped_by_cli = project.engagement("stop", outputs["stopped_arn"].value)

    result = stack.destroy()

    assert changes(result) == {"delete": 3}
    assert project.engagements_in_state("dev") == []
    assert service.calls("StopEngagement") == 2, "one StopEngagement from the terminal, one by destroy"
    by_arn = {e["EngagementArn"]: e for e in service.engagements()}
    assert "StopTime" in by_arn[outputs["running_arn"].value]
    first_stop = to_utc(stopped_by_cli["engagement"]["stop_time"])
    assert to_utc(by_arn[outputs["stopped_arn"].value]["StopTime"]) == first_stop


def test_retain_on_delete_protect_and_ignore_changes_are_honoured(project: Project, service: Service) -> None:
    def program(subject: str) -> programs.Program:
        return programs.each(
            programs.pages("retained", opts=pulumi.ResourceOptions(retain_on_delete=True)),
            programs.pages("protected", opts=pulumi.ResourceOptions(protect=True)),
            programs.pages(
                "ignoring", subject=subject, opts=pulumi.ResourceOptions(ignore_changes=["subject"])
            ),
        )

    stack = project.stack("dev", program("[DRILL] first subject"))
    outputs = stack.up().outputs
    stack.workspace.program = program("[DRILL] a subject the resource ignores")
    assert changes(stack.up()) == {"same": 4}
    assert service.calls("StartEngagement") == 3

    with pytest.raises(auto.CommandError, match="protected"):
        stack.destroy()
    assert "protected" in outputs_in_state(project, "dev")
    changes_left = changes(stack.destroy(exclude_protected=True))

    assert changes_left.get("delete", 0) >= 1
    assert list(outputs_in_state(project, "dev")) == ["protected"]
    running = {e["EngagementArn"] for e in service.engagements() if "StopTime" not in e}
    assert running == {outputs["retained_arn"].value, outputs["protected_arn"].value}
    assert service.calls("StopEngagement") == 1, "only the ignoring one is stopped"
