"""The API's secure fields (subject, content, public_subject, public_content) stay out of Ansible's
-vvv output, its log file (ANSIBLE_LOG_PATH) and the managed node's syslog, with the real
ansible-playbook against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

from pulumi_engagement.core import ClientConfig, EngagementClient

from .support import PRIMARY, Emulator, page_task, probe_report, run_probe, run_tasks

#: Unique markers: searched for in every output, so any leak of a secure field is caught.
MARKERS = {
    "subject": "SUBJ-MARKER-7f3a91c2",
    "content": "CONTENT-MARKER-b84e0d55",
    "public_subject": "PUBSUBJ-MARKER-2c9d6e11",
    "public_content": "PUBCONTENT-MARKER-e07a4b93",
}
MASKED = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
INFO = "incident_manager.contacts.engagement_info"


def service(emulator: Emulator) -> EngagementClient:
    return EngagementClient.from_config(
        ClientConfig(
            region="us-east-1",
            endpoint_url=emulator.endpoint_url,
            access_key="AKIAEXAMPLEFAKE",
            secret_key="fake",
        )
    )


def leaks(text: str) -> list[str]:
    return [name for name, marker in MARKERS.items() if marker in text]


def test_vvv_output_and_log_file_never_show_the_secure_fields(tmp_path: Path, emulator: Emulator) -> None:
    log = tmp_path / "ansible.log"
    describe = {"name": "Describe", INFO: {"engagement_id": "{{ result_0.engagement.engagement_arn }}"}}
    listed = {"name": "List", INFO: {"incident_id": "deploy-42"}}
    # An invalid page fails: its message names the option and the rule, never the value.
    invalid = page_task(content=MARKERS["content"] + "x" * 9000)
    run = run_tasks(
        tmp_path,
        emulator,
        [page_task(**MARKERS), page_task(**MARKERS), describe, listed, invalid],
        args=("-vvv", "--diff"),
        env={"ANSIBLE_LOG_PATH": str(log)},
    )
    paged, again, described, summaries, failed = run.only()
    assert paged["changed"] is True and again["changed"] is False, run.output
    arn = paged["engagement"]["engagement_arn"]
    # The page really carried the markers: the service has them.
    live = service(emulator).describe(arn)
    assert {name: getattr(live, name) for name in MARKERS} == MARKERS
    assert failed["failed"] is True and "content: longer than 8192 characters" in failed["msg"]

    # The output and the log file are full of the run (task names, ARN, module_args) ...
    log_text = log.read_text()
    for text in (run.output, log_text):
        assert arn in text and "module_args" in text and "contact_id" in text
    # ... but never of a secure field.
    assert leaks(run.output) == [], run.output
    assert leaks(log_text) == []
    for result in (paged, again, described, failed):
        assert leaks(json.dumps(result)) == [], result
    # The invocation's module_args that -vvv prints mask the no_log options.
    for name in MARKERS:
        assert f'"{name}": "{MASKED}"' in run.output, name
    # The results leave the secure fields out rather than masking them.
    for engagement in (paged["engagement"], described["engagement"], *summaries["engagements"]):
        assert not set(MARKERS) & set(engagement), engagement
    assert paged["engagement"]["sender"] == "deploy-pipeline"
    assert "subject" not in paged["diff"]["after"]


def test_return_content_returns_them_and_module_args_stay_masked(tmp_path: Path, emulator: Emulator) -> None:
    describe = {
        "name": "Describe",
        INFO: {"engagement_id": "{{ result_0.engagement.engagement_arn }}", "return_content": True},
    }
    run = run_tasks(tmp_path, emulator, [page_task(return_content=True, **MARKERS), describe], args=("-vvv",))
    paged, described = run.only()
    assert paged["changed"] is True
    for result in (paged, described):
        assert {name: result["engagement"][name] for name in MARKERS} == MARKERS
    for name in MARKERS:
        assert f'"{name}": "{MASKED}"' in run.output, name
    assert '"return_content": true' in run.output


# The module run as Ansible runs it on a managed node, with syslog captured where AnsibleModule
# writes its "Invoked with ..." line (journald off, so the syslog path is taken).
_SYSLOG_PROBE = """
import json, sys, syslog
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.incident_manager.contacts.plugins.modules import engagement

written = []
basic.has_journal = False
syslog.openlog = lambda *a, **k: None
syslog.syslog = lambda priority, msg: written.append(msg)
args = json.loads(sys.argv[1])
try:
    with patch_module_args(args):
        engagement.main()
except SystemExit:
    pass
print(json.dumps(written), file=sys.stderr)
"""


def test_the_managed_nodes_syslog_is_not_given_them(tmp_path: Path, emulator: Emulator) -> None:
    args = dict(
        contact_id=PRIMARY,
        sender="deploy-pipeline",
        region="us-east-1",
        endpoint_url=emulator.endpoint_url,
        return_content=True,  # even when the result carries them, syslog does not
        **MARKERS,
    )
    proc = run_probe(tmp_path, _SYSLOG_PROBE, json.dumps(args))
    written = probe_report(proc)
    (invoked,) = [line for line in written if "Invoked with" in line]
    assert "sender=deploy-pipeline" in invoked and f"contact_id={PRIMARY}" in invoked
    for name in MARKERS:
        assert f"{name}=NOT_LOGGING_PARAMETER" in invoked
    assert leaks(invoked) == []
    # The module really ran and paged; its result carries the fields because the task asked.
    result = json.loads(proc.stdout)
    assert result["changed"] is True and result["engagement"]["subject"] == MARKERS["subject"]
    assert emulator.control.engagements() == 1
