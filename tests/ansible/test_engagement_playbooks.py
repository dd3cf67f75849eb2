"""The collection's modules run by the real ansible-playbook against the emulator over HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .support import (
    ALICE,
    PRIMARY,
    ROOT,
    SECONDARY,
    Emulator,
    ansible_doc,
    ansible_env,
    page_task,
    probe_report,
    run_probe,
    run_tasks,
)


def test_start_pages_then_rerun_is_unchanged_with_the_same_arn(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    first = run_tasks(
        tmp_path, emulator, [page_task(return_content=True)], name="first", connection=connection
    ).only()[0]
    assert first.get("failed") is not True, first
    assert first["changed"] is True
    engagement = first["engagement"]
    assert engagement["engagement_arn"].startswith(
        "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/primary-oncall/"
    )
    assert engagement["contact_arn"] == PRIMARY
    assert engagement["subject"] == "Deploy of release 42 failed"
    assert engagement["incident_id"] == "deploy-42"
    assert engagement["start_time"].endswith("Z") and engagement["stop_time"] is None
    assert engagement["idempotency_token"].startswith("pe1-")

    second = run_tasks(tmp_path, emulator, [page_task()], name="second", connection=connection).only()[0]
    assert second["changed"] is False
    assert second["engagement"]["engagement_arn"] == engagement["engagement_arn"]
    assert emulator.control.engagements() == 1
    assert emulator.control.calls("StartEngagement") == 1


def test_check_mode_creates_nothing_and_reports_the_change(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    result = run_tasks(
        tmp_path,
        emulator,
        [page_task(return_content=True)],
        args=("--check", "--diff"),
        connection=connection,
    ).only()[0]
    assert result["changed"] is True
    assert result["engagement"]["engagement_arn"] is None
    assert result["engagement"]["contact_arn"] == PRIMARY
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["subject"] == "Deploy of release 42 failed"
    assert emulator.control.calls("StartEngagement") == 0
    assert emulator.control.engagements() == 0


def test_check_mode_on_an_existing_page_reports_unchanged(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    real = run_tasks(tmp_path, emulator, [page_task()], name="real", connection=connection).only()[0]
    checked = run_tasks(
        tmp_path, emulator, [page_task()], args=("--check",), name="check", connection=connection
    ).only()[0]
    assert checked["changed"] is False
    assert checked["engagement"]["engagement_arn"] == real["engagement"]["engagement_arn"]
    assert emulator.control.calls("StartEngagement") == 1


def test_invalid_input_names_the_option_and_creates_nothing(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    run = run_tasks(
        tmp_path,
        emulator,
        [
            page_task(subject="x" * 2049),
            page_task(contact_id="not an arn!"),
            {"name": "Missing", "incident_manager.contacts.engagement": {"contact_id": PRIMARY}},
        ],
        connection=connection,
    )
    too_long, bad_pattern, missing = run.only()
    assert too_long["failed"] is True
    assert "subject: longer than 2048 characters (rule: max_length)" in too_long["msg"]
    assert too_long["violations"] == [
        {"option": "subject", "rule": "max_length", "message": "longer than 2048 characters"}
    ]
    assert bad_pattern["failed"] is True
    assert "contact_id" in bad_pattern["msg"] and "pattern" in bad_pattern["msg"]
    assert missing["failed"] is True
    assert "sender" in missing["msg"] and "subject" in missing["msg"]
    assert emulator.control.calls("StartEngagement") == 0
    assert emulator.control.engagements() == 0


def test_many_hosts_with_forks_page_exactly_once(tmp_path: Path, emulator: Emulator, connection: str) -> None:
    run = run_tasks(tmp_path, emulator, [page_task()], hosts=12, forks=12, connection=connection)
    results = [host_results[0] for host_results in run.results.values()]
    assert len(results) == 12
    assert all(r.get("failed") is not True for r in results), run.output
    assert sum(r["changed"] for r in results) == 1  # the truth: one host paged, the others found it
    assert len({r["engagement"]["engagement_arn"] for r in results}) == 1
    assert emulator.control.engagements() == 1


def test_stopped_then_stopped_again(tmp_path: Path, emulator: Emulator, connection: str) -> None:
    arn = run_tasks(tmp_path, emulator, [page_task()], name="start", connection=connection).only()[0][
        "engagement"
    ]["engagement_arn"]
    stop = {
        "name": "Stop",
        "incident_manager.contacts.engagement": {
            "state": "stopped",
            "engagement_id": arn,
            "reason": "handled by the deploy team",
        },
    }
    checked = run_tasks(
        tmp_path, emulator, [stop], args=("--check", "--diff"), name="check", connection=connection
    ).only()[0]
    assert checked["changed"] is True
    assert checked["diff"]["before"]["state"] == "running" and checked["diff"]["after"]["state"] == "stopped"
    assert emulator.control.calls("StopEngagement") == 0

    first, second = run_tasks(tmp_path, emulator, [stop, stop], name="stop", connection=connection).only()
    assert first["changed"] is True
    assert first["engagement"]["stop_time"] is not None
    assert second["changed"] is False
    assert emulator.control.calls("StopEngagement") == 1


def test_stopped_without_an_id_stops_the_matching_page(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    started = run_tasks(tmp_path, emulator, [page_task()], name="start", connection=connection).only()[0]
    stop_by_page = page_task(state="stopped", reason="false alarm")
    first, second = run_tasks(
        tmp_path, emulator, [stop_by_page, stop_by_page], name="stop", connection=connection
    ).only()
    assert first["changed"] is True
    assert first["engagement"]["engagement_arn"] == started["engagement"]["engagement_arn"]
    assert second["changed"] is False


def test_wait_returns_when_the_simulated_responder_acknowledges(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    # Alice (stage 1 of primary-oncall) reads her page after 2 virtual minutes: 0.2 s at 600x.
    emulator.control.set_time_scale(600)
    result = run_tasks(
        tmp_path, emulator, [page_task(wait=True, wait_timeout=120)], connection=connection
    ).only()[0]
    assert result.get("failed") is not True, result
    assert result["changed"] is True
    assert result["wait_status"] == "acknowledged"
    assert result["acknowledged_by"] == [ALICE]
    read = [p for p in result["pages"] if p["acknowledged"]]
    assert [p["contact_arn"] for p in read] == [ALICE]
    assert "READ" in {r["receipt_type"] for r in read[0]["receipts"]}


def test_wait_timeout_fails_and_the_rescue_escalates(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    # At real-time speed nobody reads within one second.
    escalate = {
        "name": "Escalate",
        "incident_manager.contacts.engagement": {
            "contact_id": SECONDARY,
            "sender": "runbook",
            "subject": "ESCALATION: nobody acknowledged",
            "content": "{{ result_0.engagement.engagement_arn }}",
            "return_content": True,
        },
        "when": "result_0 is failed",
    }
    waited, escalated = run_tasks(
        tmp_path, emulator, [page_task(wait=True, wait_timeout=1), escalate], connection=connection
    ).only()
    assert waited["failed"] is True
    assert "not acknowledged within 1 seconds" in waited["msg"]
    assert waited["wait_status"] == "timeout"
    assert waited["changed"] is True
    assert waited["engagement"]["engagement_arn"].startswith("arn:aws:ssm-contacts:")
    assert waited["pages"], "the pages sent so far are returned"
    assert escalated["changed"] is True
    assert escalated["engagement"]["content"] == waited["engagement"]["engagement_arn"]
    assert emulator.control.engagements() == 2


def test_engagement_info_describes_lists_and_changes_nothing(tmp_path: Path, emulator: Emulator) -> None:
    arn = run_tasks(tmp_path, emulator, [page_task()], name="start").only()[0]["engagement"]["engagement_arn"]
    info = "incident_manager.contacts.engagement_info"
    one, listed, other_incident, bad = run_tasks(
        tmp_path,
        emulator,
        [
            {"name": "One", info: {"engagement_id": arn, "include_pages": True, "return_content": True}},
            {"name": "By incident", info: {"incident_id": "deploy-42"}},
            {"name": "Other incident", info: {"incident_id": "deploy-43"}},
            {"name": "Bad time", info: {"start_time": "yesterday"}},
        ],
        args=("--check",),
        name="info",
    ).only()
    assert one["changed"] is False
    assert one["engagement"]["engagement_arn"] == arn
    assert one["engagement"]["content"] == "migration 0042 failed: lock timeout"
    assert one["pages"] and one["pages"][0]["contact_arn"] == ALICE
    assert {r["receipt_type"] for r in one["pages"][0]["receipts"]} >= {"SENT"}
    assert [e["engagement_arn"] for e in listed["engagements"]] == [arn]
    assert other_incident["engagements"] == []
    assert bad["failed"] is True and "start_time" in bad["msg"]
    assert emulator.control.engagements() == 1


def test_throttling_is_retried(tmp_path: Path, emulator: Emulator, connection: str) -> None:
    # The page's first two StartEngagement attempts are throttled (ThrottlingException, which
    # amazon.aws's default list misses): botocore retries with the same token until one passes.
    emulator.control.set_faults(throttle_rate=1.0, max_faults=2, operations=["StartEngagement"])
    [paged] = run_tasks(tmp_path, emulator, [page_task()], connection=connection).only()
    assert paged.get("failed") is not True, paged
    assert paged["changed"] is True
    assert emulator.control.calls("StartEngagement") == 3  # throttled, throttled, passed
    assert emulator.control.engagements() == 1


def test_example_failed_deploy_playbook_pages_once(tmp_path: Path, emulator: Emulator) -> None:
    example = ROOT / "examples" / "ansible"
    env = ansible_env(tmp_path)
    del env["ANSIBLE_COLLECTIONS_PATH"]  # the example's ansible.cfg points at the repository
    cmd = [
        "ansible-playbook",
        "page-on-failed-deploy.yml",
        "-e",
        f"ssm_contacts_endpoint={emulator.endpoint_url}",
    ]
    first = subprocess.run(cmd, cwd=example, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "rescued=1" in first.stdout
    assert first.stdout.count("Paged arn:aws:ssm-contacts") == 1
    again = subprocess.run(cmd, cwd=example, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Paged arn" not in again.stdout and again.stdout.count("Already paged") == 3
    assert emulator.control.engagements() == 1


def test_ansible_doc_is_complete(tmp_path: Path) -> None:
    doc = ansible_doc(tmp_path, "incident_manager.contacts.engagement")
    assert doc.returncode == 0, doc.stderr
    text = doc.stdout
    needles = ("rescue:", "wait: true", "state: stopped", "idempotency_token", "aws_region", "RETURN VALUES")
    for needle in needles:
        assert needle in text, needle
    assert "ansible_failed_result" in text
    info = ansible_doc(tmp_path, "incident_manager.contacts.engagement_info")
    assert info.returncode == 0 and "include_pages" in info.stdout


# A module process as Ansible runs it (one task, then exit): run_task pauses the cyclic garbage
# collector until the client exists, then freezes what is alive and turns the collector back on.
_RUN_TASK_PROBE = """
import gc, json, sys
from ansible.module_utils.testing import patch_module_args
from ansible_collections.incident_manager.contacts.plugins.module_utils import common

seen = []

def main():
    with patch_module_args({"region": "us-east-1", "endpoint_url": sys.argv[1]}):
        em = common.EngagementModule({})
    seen.append(["before client", gc.isenabled()])
    em.client
    seen.append(["after client", gc.isenabled(), gc.get_freeze_count() > 0])
    sys.exit(0)  # as exit_json ends a task

try:
    common.run_task(main)
finally:
    report = {"seen": seen, "after": gc.isenabled(), "boto3": "boto3" in sys.modules}
    print(json.dumps(report), file=sys.stderr)
"""


def test_module_process_pauses_the_collector_only_while_starting(tmp_path: Path) -> None:
    # Building the client sends nothing, so no emulator is needed.
    proc = run_probe(tmp_path, _RUN_TASK_PROBE, "http://127.0.0.1:9")
    assert proc.returncode == 0, proc.stderr
    report = probe_report(proc)
    assert report["seen"] == [["before client", False], ["after client", True, True]]
    assert report["after"] is True
    # The client is botocore's: boto3 (s3transfer, multiprocessing) is never imported.
    assert report["boto3"] is False


def test_module_called_in_process_leaves_the_collector_alone(tmp_path: Path) -> None:
    # Without run_task (unit tests call main() directly), nothing changes the collector.
    probe = _RUN_TASK_PROBE.replace("common.run_task(main)", "main()")
    report = probe_report(run_probe(tmp_path, probe, "http://127.0.0.1:9"))
    assert report["seen"] == [["before client", True], ["after client", True, False]]
