"""The callback plugin incident_manager.contacts.page_on_failure, enabled in a real ansible-playbook run
against the emulator: one page per failed run, never for a successful or check-mode run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pulumi_engagement.core import ClientConfig, Engagement, EngagementClient

from .support import (
    CALLBACK,
    FAIL_TASK,
    PRIMARY,
    SECRET,
    Emulator,
    Playbook,
    ansible_env,
    callback_env,
    deploy_play,
    deploy_play_of,
    run_playbook,
)


def engagements(emulator: Emulator) -> list[Engagement]:
    client = EngagementClient.from_config(
        ClientConfig(
            region="us-east-1",
            endpoint_url=emulator.endpoint_url,
            access_key="AKIAEXAMPLEFAKE",
            secret_key="x",
        )
    )
    return [client.describe(s.engagement_arn) for s in client.list()]


def paged_lines(run: Playbook) -> list[str]:
    return [line for line in run.output.splitlines() if "page_on_failure: paged" in line]


def test_a_failed_ten_host_run_pages_exactly_once_naming_the_hosts_and_task(
    tmp_path: Path, emulator: Emulator
) -> None:
    failing = ["web-01", "web-04", "web-07", "web-09"]
    run = run_playbook(
        tmp_path,
        [deploy_play(failing)],
        unreachable=1,
        env=callback_env(emulator, sender="deploy-pipeline"),
    )
    assert run.rc == 4, run.output  # unreachable hosts: ansible-playbook's own exit code, unchanged
    assert "failed=1" in run.output and "unreachable=1" in run.output
    assert emulator.control.calls("StartEngagement") == 1
    (page,) = engagements(emulator)
    assert page.contact_arn == PRIMARY
    assert page.sender == "deploy-pipeline"
    assert page.subject == "Ansible playbook deploy.yml failed on 5 host(s)"
    assert page.incident_id.startswith("ansible-deploy-")
    content = page.content
    assert f"Task '{FAIL_TASK}' failed on 4 host(s): web-01, web-04, web-07, web-09" in content
    for host in failing:
        assert f"{host}: migration failed on {host}" in content
    assert "dark-00" in content and "unreachable" in content
    for ok_host in ("web-00", "web-02", "web-08"):
        assert ok_host not in content
    (line,) = paged_lines(run)
    assert page.engagement_arn in line


def test_every_host_failing_still_pages_once(tmp_path: Path, emulator: Emulator) -> None:
    run = run_playbook(
        tmp_path, [deploy_play([f"web-{i:02d}" for i in range(10)])], env=callback_env(emulator)
    )
    assert run.rc == 2, run.output
    (page,) = engagements(emulator)
    assert "failed on 10 of 10 host(s)" in page.content
    assert len(paged_lines(run)) == 1


def test_a_successful_run_never_pages(tmp_path: Path, emulator: Emulator) -> None:
    run = run_playbook(tmp_path, [deploy_play([])], env=callback_env(emulator))
    assert run.rc == 0, run.output
    assert "failed=1" not in run.output and run.output.count("ok=1 ") == 10
    assert emulator.control.engagements() == 0
    assert emulator.control.calls("StartEngagement") == 0
    assert "page_on_failure" not in run.output


#: A deploy that fails everywhere and is rolled back by its rescue: the hosts count as rescued.
RESCUED_DEPLOY = {
    "name": "Deploy with a fallback",
    "block": [{"name": FAIL_TASK, "ansible.builtin.fail": {"msg": "broke"}}],
    "rescue": [{"name": "Roll back", "ansible.builtin.debug": {"msg": "rolled back"}}],
}


def test_rescued_and_ignored_failures_never_page(tmp_path: Path, emulator: Emulator) -> None:
    ignored = {"name": "Flaky probe", "ansible.builtin.fail": {"msg": "ignored"}, "ignore_errors": True}
    play = deploy_play_of([ignored, RESCUED_DEPLOY])
    run = run_playbook(tmp_path, [play], hosts=3, env=callback_env(emulator))
    assert run.rc == 0, run.output
    assert "rescued=1" in run.output and "ignored=1" in run.output
    assert emulator.control.engagements() == 0


def test_a_rescued_failure_is_not_named_in_the_page(tmp_path: Path, emulator: Emulator) -> None:
    smoke_test = {
        "name": "Smoke test",
        "ansible.builtin.fail": {"msg": "smoke test failed"},
        "when": "inventory_hostname == 'web-01'",
    }
    play = deploy_play_of([RESCUED_DEPLOY, smoke_test])
    run = run_playbook(tmp_path, [play], hosts=3, env=callback_env(emulator))
    assert run.rc == 2, run.output
    (page,) = engagements(emulator)
    assert "Task 'Smoke test' failed on 1 host(s): web-01" in page.content
    assert FAIL_TASK not in page.content


def test_a_failed_run_in_check_mode_never_pages(tmp_path: Path, emulator: Emulator) -> None:
    # The fail module runs in check mode too, so the run fails: still no page.
    run = run_playbook(
        tmp_path, [deploy_play(["web-00", "web-05"])], env=callback_env(emulator), args=("--check",)
    )
    assert run.rc == 2, run.output
    assert "failed=1" in run.output
    assert emulator.control.calls("StartEngagement") == 0
    assert emulator.control.engagements() == 0


def test_a_play_in_check_mode_never_pages_but_a_real_failure_after_it_does(
    tmp_path: Path, emulator: Emulator
) -> None:
    checked = {**deploy_play(["web-00"]), "name": "dry run", "check_mode": True}
    run = run_playbook(tmp_path, [checked], hosts=2, env=callback_env(emulator))
    assert run.rc == 2, run.output
    assert emulator.control.engagements() == 0

    real = deploy_play(["web-01"])
    run = run_playbook(tmp_path, [checked, real], hosts=2, env=callback_env(emulator))
    assert run.rc == 2, run.output
    (page,) = engagements(emulator)
    assert "failed on 1 of 2 host(s): web-01." in page.content
    assert "web-00" not in page.content


def test_on_unreachable_ignores_failed_hosts(tmp_path: Path, emulator: Emulator) -> None:
    run = run_playbook(
        tmp_path, [deploy_play(["web-00"])], hosts=2, env=callback_env(emulator, on="unreachable")
    )
    assert run.rc == 2, run.output
    assert emulator.control.engagements() == 0


def test_an_unreachable_endpoint_warns_and_keeps_the_plays_exit_code(
    tmp_path: Path, emulator: Emulator
) -> None:
    env = callback_env(
        emulator, endpoint_url="http://127.0.0.1:9", access_key="AKIAEXAMPLEFAKE", secret_key=SECRET
    )
    env["AWS_MAX_ATTEMPTS"] = "1"  # botocore's own setting: no retries, so the warning comes at once
    run = run_playbook(tmp_path, [deploy_play(["web-02"])], hosts=3, env=env)
    assert run.rc == 2, run.output
    assert "failed=1" in run.output
    assert "page_on_failure: could not page:" in run.output
    assert "127.0.0.1:9" in run.output  # the warning says where it could not connect
    assert paged_lines(run) == []
    assert emulator.control.engagements() == 0


def test_configured_in_ansible_cfg(tmp_path: Path, emulator: Emulator) -> None:
    cfg = f"""[defaults]
callbacks_enabled = {CALLBACK}

[callback_page_on_failure]
contact_id = {PRIMARY}
sender = nightly-deploy
subject = Nightly deploy failed
incident_id = nightly-2024-05-01
region = us-east-1
endpoint_url = {emulator.endpoint_url}
"""
    run = run_playbook(tmp_path, [deploy_play(["web-03"])], hosts=4, cfg=cfg)
    assert run.rc == 2, run.output
    (page,) = engagements(emulator)
    assert (page.sender, page.subject, page.incident_id) == (
        "nightly-deploy",
        "Nightly deploy failed",
        "nightly-2024-05-01",
    )
    assert "web-03: migration failed on web-03" in page.content
    (line,) = paged_lines(run)
    assert page.engagement_arn in line

    # The same failure again while its engagement is open: the module's duplicate rule, no second page.
    again = run_playbook(tmp_path, [deploy_play(["web-03"])], hosts=4, cfg=cfg)
    assert again.rc == 2
    assert emulator.control.engagements() == 1
    assert paged_lines(again) == [] and page.engagement_arn in again.output


@pytest.mark.parametrize("where", ["env", "cfg"])
def test_a_long_subject_and_content_are_cut_to_the_models_limits(
    tmp_path: Path, emulator: Emulator, where: str
) -> None:
    long_subject = "S" * 3000
    names = [f"{i:02d}-" + "h" * 900 for i in range(10)]  # the content would be far over 8192 characters
    if where == "env":
        settings: dict[str, Any] = dict(env=callback_env(emulator, subject=long_subject))
    else:
        settings = dict(
            cfg=f"[defaults]\ncallbacks_enabled = {CALLBACK}\n\n[callback_page_on_failure]\n"
            f"contact_id = {PRIMARY}\nregion = us-east-1\nendpoint_url = {emulator.endpoint_url}\n"
            f"subject = {long_subject}\n"
        )
    run = run_playbook(tmp_path, [deploy_play(names)], hosts=names, **settings)
    assert run.rc == 2, run.output
    (page,) = engagements(emulator)
    assert len(page.subject) == 2048 and page.subject.endswith("[... truncated]")
    assert len(page.content) == 8192 and page.content.endswith("[... truncated]")
    assert page.content.startswith("Ansible playbook deploy.yml failed on 10 of 10 host(s): 00-hhh")


def test_ansible_doc_documents_every_option(tmp_path: Path) -> None:
    doc = subprocess.run(
        [sys.executable, "-m", "ansible.cli.doc", "-t", "callback", CALLBACK],
        env=ansible_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert doc.returncode == 0, doc.stderr
    for option in ("contact_id", "sender", "subject", "incident_id", "on", "endpoint_url", "secret_key"):
        assert f"ANSIBLE_PAGE_ON_FAILURE_{option.upper()}" in doc.stdout, option
    assert "callback_page_on_failure" in doc.stdout
