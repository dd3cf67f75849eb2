"""A YAML program (`runtime: yaml`, examples/pulumi/yaml-drill) run by `pulumi` against the emulator."""

from __future__ import annotations

import json

from testsupport.pulumi_provider import FAKE_SECRET

from .support import PRIMARY, drill, error_lines


def test_subject_and_content_are_secret_in_outputs_and_ciphertext_in_the_state(tmp_path, emulator):
    cli = drill(tmp_path, emulator.endpoint_url)
    cli.run("up", "--yes")

    assert cli.run("stack", "output", "subject").stdout.strip() == "[secret]"
    assert cli.run("stack", "output", "content").stdout.strip() == "[secret]"
    exported = json.dumps(cli.export())
    for plaintext in ("Game day: checkout is down", "This is a drill", FAKE_SECRET):
        assert plaintext not in exported
    [resource] = cli.engagements_in_state()
    for name in ("subject", "content"):
        for props in (resource["inputs"], resource["outputs"]):
            assert set(props[name]) == {"4dabf18193072939515e22adb298388d", "ciphertext"}


def test_pulumi_import_adopts_an_engagement_started_by_the_cli_without_paging(tmp_path, emulator):
    cli = drill(tmp_path, emulator.endpoint_url)
    started = cli.command(
        [
            "engagement",
            "start",
            "--contact-id",
            PRIMARY,
            "--sender",
            "runbook",
            "--subject",
            "disk full",
            "--content",
            "db-1 disk at 95%",
            "--output",
            "json",
        ]
    )
    arn = json.loads(started.stdout)["engagement"]["engagement_arn"]

    imported = cli.run("import", "engagement:index:Engagement", "adopted", arn, "--yes")
    assert emulator.starts() == 1 and len(emulator.engagements()) == 1
    assert f"contactId: {PRIMARY}" in imported.stdout  # the generated YAML, read back from the service
    [resource] = cli.engagements_in_state()
    assert resource["id"] == arn and resource["inputs"]["contactId"] == PRIMARY
    assert resource["outputs"]["sender"] == "runbook" and resource["outputs"]["stopOnDelete"] is True
    assert "disk full" not in json.dumps(cli.export())

    gone = arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    failed = cli.run("import", "engagement:index:Engagement", "ghost", gone, "--yes", ok=False)
    assert failed.returncode != 0
    assert f"error: Preview failed: resource '{gone}' does not exist" in error_lines(
        failed.stdout + failed.stderr
    )


def test_a_new_subject_replaces_new_page_first_and_a_stop_reason_updates_in_place(tmp_path, emulator):
    cli = drill(tmp_path, emulator.endpoint_url)
    cli.run("up", "--yes")
    [first] = emulator.engagements()
    program = cli.project / "Pulumi.yaml"

    program.write_text(program.read_text().replace("stopReason: game day over", "stopReason: drill done"))
    updated = cli.run("up", "--yes")
    assert "1 updated" in updated.stdout and emulator.starts() == 1

    program.write_text(program.read_text().replace("checkout is down", "payments are down"))
    preview = cli.run("preview", "--diff")
    assert "+-" in preview.stdout and emulator.starts() == 1  # a replacement is shown, nothing sent
    replaced = cli.run("up", "--yes").stdout
    engagements = {e["EngagementArn"]: e for e in emulator.engagements()}
    [resource] = cli.engagements_in_state()
    assert len(engagements) == 2 and resource["id"] != first["EngagementArn"]
    assert "StopTime" in engagements[first["EngagementArn"]] and "StopTime" not in engagements[resource["id"]]
    # Create before delete: the new page went out before the old engagement was stopped.
    assert replaced.index("created replacement") < replaced.index("deleted original"), replaced
