"""The game-day drill example, run by the real engine as its README says, and the same drill
driven from Python as a game-day runner would (Automation API, inline program)."""

from __future__ import annotations

import json
from pathlib import Path

from pulumi import automation as auto

from pulumi_engagement.core import iso
from testsupport.pulumi_provider import FAKE_SECRET

from . import programs
from .support import ALICE, PRIMARY, ROOT, Project, Service, changes

EXAMPLE = ROOT / "examples" / "pulumi" / "gameday-drill"
SECRET_OUTPUTS = ("subject", "content")


def _stack_output_table(project: Project) -> dict[str, str]:
    """`pulumi stack output` as a user reads it: OUTPUT -> VALUE."""
    lines = project.pulumi("stack", "output", "--stack", "dev").stdout.splitlines()
    rows = [line.split(None, 1) for line in lines if line.startswith("    ") and line.strip()]
    return {row[0]: row[1].strip() for row in rows if len(row) == 2 and row[0] != "OUTPUT"}


def test_the_gameday_drill_pages_once_reports_the_truth_and_keeps_secrets(
    project: Project, emulator, service: Service, pulumi_cli: Path, tmp_path: Path
) -> None:
    drill = Project.from_example(pulumi_cli, tmp_path, project.env, EXAMPLE)
    stack = drill.stack("dev", programs.example(drill.dir), {"incidentId": "gameday-e2e"})
    # alice's simulated responder acknowledges 120 virtual seconds after her page: let the
    # emulator's clock run 600x so `pulumi up`'s wait sees it within a fraction of a second.
    emulator.control.set_time_scale(600)

    result = stack.up()

    assert changes(result) == {"create": 2}
    [engagement] = service.engagements()
    assert len(service.pages_sent()) >= 1 and service.calls("StartEngagement") == 1
    out = {name: value.value for name, value in result.outputs.items()}
    assert out["engagement_arn"] == engagement["EngagementArn"]
    assert out["paged"] == PRIMARY
    assert out["incident_id"] == "gameday-e2e" == engagement["IncidentId"]
    assert out["start_time"] == iso(engagement["StartTime"])
    assert out["stop_time"] == iso(engagement["StopTime"]) == out["acknowledged_at"]
    assert (out["acknowledged"], out["acknowledged_by"]) == (True, ALICE)
    assert (out["time_to_acknowledge"], out["wait_status"]) == (120, "acknowledged")
    [page] = out["pages"]
    assert (page["contact_arn"], page["stage"], page["acknowledged"]) == (ALICE, 1, True)
    assert out["subject"] == engagement["Subject"] and result.outputs["subject"].secret
    assert out["content"] == engagement["Content"] and result.outputs["content"].secret

    table = _stack_output_table(drill)
    assert {table[name] for name in SECRET_OUTPUTS} == {"[secret]"}
    assert table["engagement_arn"] == engagement["EngagementArn"]

    state = json.dumps(drill.deployment("dev"))
    plaintexts = [engagement[k] for k in ("Subject", "Content", "PublicSubject", "PublicContent")]
    assert [text for text in [*plaintexts, FAKE_SECRET] if text in state] == []
    revealed = drill.pulumi("stack", "export", "--stack", "dev", "--show-secrets").stdout
    assert all(text in revealed for text in plaintexts), "the secrets are in the state, encrypted"
    assert FAKE_SECRET not in revealed

    again = stack.up()

    assert changes(again) == {"same": 2}, "nothing changed: the engine must report the drill unchanged"
    assert service.calls("StartEngagement") == 1 and len(service.engagements()) == 1


def _run_drill(project: Project, contact_arn: str) -> dict[str, object]:
    """A game-day runner's shape: page, read the outputs, stop the drill, drop the stack."""

    def program() -> None:
        programs.page("runner-page", contact_id=contact_arn, incident_id="runner-drill")

    stack = auto.create_or_select_stack(
        stack_name="runner",
        project_name="gameday-runner",
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(project.dir),
            env_vars=project.env,
            pulumi_home=project.env["PULUMI_HOME"],
            pulumi_command=auto.PulumiCommand(root=str(project.command_root)),
            project_settings=auto.ProjectSettings(name="gameday-runner", runtime="python"),
        ),
    )
    try:
        outputs = {k: v.value for k, v in stack.up().outputs.items()}
        stack.destroy()
    finally:
        stack.workspace.remove_stack("runner")
    return outputs


def test_a_drill_driven_from_python_pages_once_and_cleans_up(project: Project, service: Service) -> None:
    outputs = _run_drill(project, PRIMARY)

    [engagement] = service.engagements()
    assert outputs["runner-page_arn"] == engagement["EngagementArn"]
    assert service.calls("StartEngagement") == 1
    assert service.calls("StopEngagement") == 1 and "StopTime" in engagement
