"""`pulumi preview` never pages, and what it shows is what `pulumi up` then does.

Each preview saves its plan and the following `up` runs with ``--plan`` (Pulumi's update plans):
the engine itself fails the update if it would do anything the preview did not show.
"""

from __future__ import annotations

from pathlib import Path

from pulumi import automation as auto

from . import programs
from .support import Project, Service, changes

TYPE = "pulumi-python:dynamic:Engagement"  # as the progress display abbreviates it


def _preview_then_up(
    stack: auto.Stack, tmp_path: Path, service: Service, name: str, shows: tuple[str, ...] = ()
) -> dict[str, int]:
    """Preview (saving the plan), check nothing was sent and the lines ``shows`` are shown, then
    `up --plan`; returns the changes, which preview and up must agree on."""
    before = dict(service.control.calls())
    plan = tmp_path / f"{name}.plan.json"
    preview = stack.preview(plan=str(plan))
    assert service.control.calls() == before, "preview made a call to the service"
    secrets = [programs.PAGE["content"], programs.PAGE["public_content"]]
    assert [text for text in secrets if text in preview.stdout] == []
    assert [line for line in shows if line not in preview.stdout] == [], preview.stdout
    shown = changes(preview)
    done = changes(stack.up(plan=str(plan)))
    assert done == shown, f"preview showed {shown}, up did {done}"
    return shown


def test_preview_of_a_new_stack_pages_nobody_and_up_does_what_it_showed(
    project: Project, service: Service, tmp_path: Path
) -> None:
    stack = project.stack("dev", programs.pages("alpha", "beta", incident_id=None))

    shown = _preview_then_up(stack, tmp_path, service, "create")

    assert shown == {"create": 3}
    assert service.calls("StartEngagement") == 2 and len(service.engagements()) == 2


def test_preview_with_unknown_inputs_and_after_a_change_pages_nobody(
    project: Project, service: Service, tmp_path: Path
) -> None:
    stack = project.stack("dev", programs.chained("[DRILL] first"))

    assert _preview_then_up(stack, tmp_path, service, "fresh") == {"create": 3}
    first, second = service.engagements()
    assert second["IncidentId"] == first["EngagementArn"].rsplit("/", 1)[-1]

    # A new subject replaces the first engagement: the second's incident id, the first's ARN, is
    # unknown until the replacement is created, so the second is replaced too.
    stack.workspace.program = programs.chained("[DRILL] first, take two")
    shown = _preview_then_up(
        stack,
        tmp_path,
        service,
        "change",
        shows=(
            # The engine names no field for a secret's change (the dynamic provider server passes
            # no changed-field names); it names the unknown one.
            f"+- {TYPE} first replace\n",
            f"+- {TYPE} second replace [diff: ~incident_id]\n",
        ),
    )

    assert shown == {"replace": 2, "same": 1}
    engagements = service.engagements()
    assert len(engagements) == 4 and service.calls("StartEngagement") == 4
    assert [("StopTime" in e) for e in engagements] == [True, True, False, False]

    stack.workspace.program = programs.chained("[DRILL] first, take two")
    assert _preview_then_up(stack, tmp_path, service, "same") == {"same": 3}
    assert service.calls("StartEngagement") == 4
