"""A stack made by release 0.2.0 (fixtures/stack-0.2.0.json, made by fixtures/make_release_stack.py)
still refreshes, updates without paging, and destroys after upgrading to this version: its state
names the provider by the pickled path ``pulumi_engagement.provider.EngagementProvider``."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from pulumi_engagement.core import iso

from . import programs
from .support import Project, Service, changes, outputs_in_state

FIXTURE = Path(__file__).parent / "fixtures" / "stack-0.2.0.json"
PASSPHRASE = "release-0.2.0-fixture"  # fixtures/make_release_stack.py's


def test_a_stack_of_release_0_2_0_refreshes_updates_without_paging_and_destroys(
    project: Project, service: Service, tmp_path: Path
) -> None:
    # The release's engagement, in this emulator: the same page, started as that release started it.
    page = {"".join(w.title() for w in k.split("_")): v for k, v in programs.PAGE.items()}
    started = service.client.start_engagement(**{**page, "ContactId": programs.PAGE["contact_id"]})
    arn = started["EngagementArn"]
    start_time = iso(service.client.describe_engagement(EngagementId=arn)["StartTime"])
    text = FIXTURE.read_text().replace("${ENGAGEMENT_ARN}", arn).replace("${START_TIME}", start_time)
    state = json.loads(text)
    [release] = [r for r in state["deployment"]["resources"] if r["type"] == programs.ENGAGEMENT_TYPE]
    assert b"pulumi_engagement.provider" in base64.b64decode(release["inputs"]["__provider"])
    # The release's stack as its user has it: the same passphrase and salt.
    project.env["PULUMI_CONFIG_PASSPHRASE"] = PASSPHRASE
    project.pulumi("stack", "init", "dev")
    salt = state["deployment"]["secrets_providers"]["state"]["salt"]
    (project.dir / "Pulumi.dev.yaml").write_text(f"encryptionsalt: {salt}\n")
    (tmp_path / "stack.json").write_text(text)
    project.pulumi("stack", "import", "--file", str(tmp_path / "stack.json"), "--stack", "dev")
    stack = project.stack("dev", programs.pages("drill"))

    stack.refresh()
    assert len(service.engagements()) == 1
    assert outputs_in_state(project, "dev")["drill"]["engagement_arn"] == arn
    assert "stop_time" not in outputs_in_state(project, "dev")["drill"]

    assert changes(stack.up()) == {"same": 2}, "the upgraded program is the same page: no change"
    assert service.calls("StartEngagement") == 1, "only the release's own page"

    assert changes(stack.destroy()) == {"delete": 2}
    assert service.calls("StopEngagement") == 1
    assert "StopTime" in service.client.describe_engagement(EngagementId=arn)
