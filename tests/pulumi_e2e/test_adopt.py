"""Adopting an engagement started elsewhere: ``Engagement.get`` works; ``pulumi import`` cannot
import a dynamic resource (pulumi/pulumi#16175)."""

from __future__ import annotations

from . import programs
from .support import ALICE, PRIMARY, SECONDARY, Project, Service, changes, outputs_in_state


def _start_from_a_terminal(project: Project, contact: str, subject: str) -> str:
    started = project.engagement(
        "start", "--contact-id", contact, "--sender", "terminal", "--subject", subject, "--content", "c"
    )
    assert started["changed"] is True
    return str(started["engagement"]["engagement_arn"])


def test_engagement_get_adopts_without_paging_and_refresh_and_destroy_act_on_it(
    project: Project, emulator, service: Service
) -> None:
    answered = _start_from_a_terminal(project, PRIMARY, "adopted: alice answers")
    running = _start_from_a_terminal(project, SECONDARY, "adopted: nobody answers")
    stack = project.stack("dev", programs.adopted(answered, running))

    result = stack.up()

    assert changes(result) == {"create": 1}, "the engine does not count reads as changes"
    assert [r.get("external") for r in project.engagements_in_state("dev")] == [True, True]
    assert service.calls("StartEngagement") == 2, "adopting pages nobody"
    state = outputs_in_state(project, "dev")
    assert state["adopted-0"]["engagement_arn"] == answered and "stop_time" not in state["adopted-0"]
    assert state["adopted-0"]["contact_id"] == PRIMARY, "the inputs are read back from the service"

    emulator.control.advance(120)  # alice acknowledges the first
    stack.refresh()
    state = outputs_in_state(project, "dev")
    assert (state["adopted-0"]["acknowledged"], state["adopted-0"]["acknowledged_by"]) == (True, ALICE)
    assert "stop_time" in state["adopted-0"] and "stop_time" not in state["adopted-1"]

    # An adopted engagement is read-only: destroy drops it from the stack and never stops it.
    stack.destroy()
    assert project.engagements_in_state("dev") == []
    assert service.calls("StopEngagement") == 0
    assert [e["EngagementArn"] for e in service.engagements() if "StopTime" not in e] == [running]
    assert service.calls("StartEngagement") == 2


def test_pulumi_import_of_an_engagement_fails_and_pages_nobody(project: Project, service: Service) -> None:
    arn = _start_from_a_terminal(project, PRIMARY, "to import")
    # `pulumi import` needs the project's language host even when it generates no code; Python's
    # is not obtainable here, YAML's is, and the import goes the same way in any runtime.
    (project.dir / "Pulumi.yaml").write_text(f"name: {project.dir.name}\nruntime: yaml\n")
    project.pulumi("stack", "init", "dev")

    result = project.pulumi(
        "import", programs.ENGAGEMENT_TYPE, "imported", arn, "--yes", "--generate-code=false", check=False
    )

    # pulumi/pulumi#16175: the engine's Read carries no serialized provider, so the SDK's dynamic
    # provider server fails before any code of this package runs (docs/pulumi.md: use Engagement.get).
    assert result.returncode != 0
    assert "KeyError: '__provider'" in result.stdout + result.stderr
    assert project.engagements_in_state("dev") == []
    assert service.calls("StartEngagement") == 1 and service.calls("StopEngagement") == 0
