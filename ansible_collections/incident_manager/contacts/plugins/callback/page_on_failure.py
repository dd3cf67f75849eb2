# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: page_on_failure
type: notification
short_description: Page the on-call once when a playbook run fails
version_added: 0.2.0
description:
  - Pages a contact or escalation plan through AWS Systems Manager Incident Manager Contacts when a
    playbook run ends with failed or unreachable hosts, without a C(block)/C(rescue) in any play.
  - One page per run, for all the hosts that failed, sent when the run ends; its content names the
    failed tasks and hosts (and the first line of each error), truncated to the service's maximum
    length with a marker.
  - The page goes through the same code as M(incident_manager.contacts.engagement), with the same
    duplicate rule; a run whose hosts all succeed, a run in check mode (C(--check)) and failures of tasks
    run in check mode never page.
  - A page that cannot be sent never hides the playbook's own failure; a warning says why and the run's
    exit code stays the playbook's.
  - Prints one line with the engagement's ARN when it pages. Credentials are never printed.
author:
  - pulumi-engagement developers (@pulumi-engagement)
requirements:
  - Enable it with O(ignore:callbacks_enabled=incident_manager.contacts.page_on_failure) in the
    C([defaults]) section of C(ansible.cfg) or E(ANSIBLE_CALLBACKS_ENABLED).
  - boto3 (botocore) on the controller.
options:
  contact_id:
    description:
      - ARN of the contact or escalation plan to page. Without it the callback only warns.
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_CONTACT_ID
    ini:
      - section: callback_page_on_failure
        key: contact_id
  sender:
    description:
      - Who is paging, shown to the responder.
    type: str
    default: ansible
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_SENDER
    ini:
      - section: callback_page_on_failure
        key: sender
  subject:
    description:
      - Subject of the page.
      - By default C(Ansible playbook <name> failed on <n> host(s)).
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_SUBJECT
    ini:
      - section: callback_page_on_failure
        key: subject
  incident_id:
    description:
      - Incident ID of the page.
      - By default derived from the playbook and the run, C(ansible-<playbook>-<UTC start time>-<pid>), so
        every failed run pages. Set it (for example to a CI pipeline's ID) to have a retried run that fails
        the same way while its engagement is still open page nobody.
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_INCIDENT_ID
    ini:
      - section: callback_page_on_failure
        key: incident_id
  dedup_key:
    description:
      - Identity of the alert for the duplicate rule, when the installed core supports it; ignored otherwise.
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_DEDUP_KEY
    ini:
      - section: callback_page_on_failure
        key: dedup_key
  'on':
    description:
      - Which hosts count as a failed run. V(failed) hosts with a failed task (not rescued, not ignored),
        V(unreachable) hosts, or V(both).
    type: str
    choices: [failed, unreachable, both]
    default: both
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_ON
    ini:
      - section: callback_page_on_failure
        key: 'on'
  region:
    description:
      - The AWS region. By default E(AWS_REGION), E(AWS_DEFAULT_REGION) or E(EC2_REGION), then the region of
        O(contact_id).
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_REGION
    ini:
      - section: callback_page_on_failure
        key: region
  profile:
    description:
      - A named AWS profile. By default E(AWS_PROFILE).
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_PROFILE
    ini:
      - section: callback_page_on_failure
        key: profile
  endpoint_url:
    description:
      - URL to use instead of the AWS endpoint, for example the project's local emulator.
      - By default E(AWS_ENDPOINT_URL_SSM_CONTACTS) (through botocore), then E(AWS_URL) or E(EC2_URL).
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_ENDPOINT_URL
    ini:
      - section: callback_page_on_failure
        key: endpoint_url
  access_key:
    description:
      - AWS access key ID. By default botocore's credential chain (E(AWS_ACCESS_KEY_ID), profiles, roles).
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_ACCESS_KEY
    ini:
      - section: callback_page_on_failure
        key: access_key
  secret_key:
    description:
      - AWS secret access key. Never printed.
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_SECRET_KEY
    ini:
      - section: callback_page_on_failure
        key: secret_key
  session_token:
    description:
      - AWS session token. Never printed.
    type: str
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_SESSION_TOKEN
    ini:
      - section: callback_page_on_failure
        key: session_token
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate.
    type: bool
    default: true
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_VALIDATE_CERTS
    ini:
      - section: callback_page_on_failure
        key: validate_certs
  aws_ca_bundle:
    description:
      - CA bundle to verify the endpoint's certificate with. By default E(AWS_CA_BUNDLE).
    type: path
    env:
      - name: ANSIBLE_PAGE_ON_FAILURE_AWS_CA_BUNDLE
    ini:
      - section: callback_page_on_failure
        key: aws_ca_bundle
seealso:
  - module: incident_manager.contacts.engagement
"""

EXAMPLES = r"""
# ansible.cfg
# [defaults]
# callbacks_enabled = incident_manager.contacts.page_on_failure
#
# [callback_page_on_failure]
# contact_id = arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall
# sender = deploy-pipeline

# Or from the environment, e.g. in a CI job:
#   ANSIBLE_CALLBACKS_ENABLED=incident_manager.contacts.page_on_failure \
#   ANSIBLE_PAGE_ON_FAILURE_CONTACT_ID=arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall \
#   ANSIBLE_PAGE_ON_FAILURE_INCIDENT_ID="deploy-$CI_PIPELINE_ID" \
#   ansible-playbook site.yml
"""

import dataclasses  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from ansible import context  # noqa: E402
from ansible.plugins.callback import CallbackBase  # noqa: E402

from ansible_collections.incident_manager.contacts.plugins.module_utils.common import (  # noqa: E402
    HAS_BOTOCORE,
    client_config,
)
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core import (  # noqa: E402
    EngagementClient,
    StartRequest,
    page_fields,
)

TRUNCATED = "\n[... truncated]"
#: Longest error excerpt per host, so one verbose failure cannot crowd out the list of hosts.
MESSAGE_EXCERPT = 200
CONNECTION_OPTIONS = (
    "region",
    "profile",
    "endpoint_url",
    "access_key",
    "secret_key",
    "session_token",
    "validate_certs",
    "aws_ca_bundle",
)
_REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION", "EC2_REGION")
# What IncidentId and Sender allow (from the service model); anything else becomes "-".
_NOT_ALLOWED = re.compile(r"[^a-zA-Z0-9_@#%*+=:?./!-]")


def bounded(text: str, limit: int) -> str:
    """text cut to at most limit characters, ending with a marker when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED)] + TRUNCATED


def one_line(text: object) -> str:
    lines = str(text).strip().splitlines()
    return lines[0].strip() if lines else ""


def max_length(member: str, default: int) -> int:
    """The service model's maximum length of a StartEngagement member."""
    return next((f.max_length for f in page_fields() if f.api_name == member and f.max_length), default)


class Failure:
    """One failed or unreachable task result, reduced to what the page needs."""

    def __init__(self, host: str, task: str, message: str, unreachable: bool, check_mode: bool) -> None:
        self.host = host
        self.task = task
        self.message = message
        self.unreachable = unreachable
        self.check_mode = check_mode


def _attr(result: object, public: str, private: str) -> object:
    # ansible-core 2.19 names them host/task/result; older versions only have the _-prefixed ones.
    value = getattr(result, public, None)
    return value if value is not None else getattr(result, private, None)


class CallbackModule(CallbackBase):
    """Pages once per failed playbook run, when the run ends (v2_playbook_on_stats)."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "incident_manager.contacts.page_on_failure"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None) -> None:
        super().__init__(display=display)
        self._playbooks: list[str] = []
        self._failures: list[Failure] = []
        self._started = datetime.now(timezone.utc)
        self._check_mode = False

    # -- events -------------------------------------------------------------------------------

    def v2_playbook_on_start(self, playbook) -> None:
        name = os.path.basename(getattr(playbook, "_file_name", "") or "playbook")
        self._playbooks.append(name)
        self._check_mode = bool(context.CLIARGS.get("check", False))
        if not self.get_option("contact_id"):
            self._display.warning("page_on_failure: contact_id is not set, a failed run will not page anyone")

    def v2_runner_on_failed(self, result, ignore_errors: bool = False) -> None:
        if not ignore_errors:
            self._record(result, unreachable=False)

    def v2_runner_on_unreachable(self, result) -> None:
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats) -> None:
        try:
            self._page_if_failed(stats)
        except Exception as exc:  # pylint: disable=broad-except
            # Never let the page hide the playbook's own outcome: warn, and the run ends as it would.
            self._display.warning(f"page_on_failure: could not page: {type(exc).__name__}: {one_line(exc)}")

    # -- internals ----------------------------------------------------------------------------

    def _record(self, result, unreachable: bool) -> None:
        try:
            host = _attr(result, "host", "_host")
            task = _attr(result, "task", "_task")
            data = _attr(result, "result", "_result") or {}
            hidden = bool(getattr(task, "no_log", False)) or bool(data.get("_ansible_no_log"))
            message = "" if hidden else one_line(data.get("msg", ""))
            self._failures.append(
                Failure(
                    host=host.get_name() if host is not None else "?",
                    task=task.get_name() if task is not None else "?",
                    message=message[:MESSAGE_EXCERPT],
                    unreachable=unreachable,
                    check_mode=bool(getattr(task, "check_mode", False)),
                )
            )
        except Exception as exc:  # pylint: disable=broad-except
            self._display.warning(f"page_on_failure: could not record a failure: {one_line(exc)}")

    def _failed_hosts(self, stats) -> list[str]:
        on = self.get_option("on")
        hosts: set[str] = set()
        if on in ("failed", "both"):
            hosts.update(h for h, n in stats.failures.items() if n)
        if on in ("unreachable", "both"):
            hosts.update(h for h, n in stats.dark.items() if n)
        # A task run in check mode changed nothing: a host that failed only such tasks never pages.
        only_checked = {f.host for f in self._failures if f.check_mode} - {
            f.host for f in self._failures if not f.check_mode
        }
        return sorted(hosts - only_checked)

    def _final_failures(self, hosts: list[str]) -> list[Failure]:
        """The failure that ended each failed host: its last one.

        Ignored failures are never recorded; a rescued one is followed by the failure that really
        ended the host (a failed host runs nothing more), so the last recorded failure is the one
        the run failed on.
        """
        last: dict[str, Failure] = {}
        for failure in self._failures:
            if failure.host in hosts and not failure.check_mode:
                last.pop(failure.host, None)  # keep the playbook's order of the final failures
                last[failure.host] = failure
        return list(last.values())

    def _page_if_failed(self, stats) -> None:
        hosts = self._failed_hosts(stats)
        if not hosts or self._check_mode:
            return
        failures = self._final_failures(hosts)
        contact_id = self.get_option("contact_id")
        if not contact_id:
            self._display.warning(f"page_on_failure: {len(hosts)} host(s) failed but contact_id is not set")
            return
        if not HAS_BOTOCORE:
            self._display.warning("page_on_failure: cannot page, boto3 (botocore) is not installed")
            return
        total = len(stats.processed) or len(hosts)
        request = self._request(contact_id, hosts, failures, total)
        client = EngagementClient.from_config(client_config(self._connection(contact_id)))
        outcome = client.ensure_started(request, check_mode=False)
        for warning in getattr(outcome, "warnings", ()) or ():
            self._display.warning(f"page_on_failure: {warning}")
        arn = outcome.engagement.engagement_arn if outcome.engagement is not None else "?"
        if outcome.changed:
            self._display.display(
                f"page_on_failure: paged {contact_id} for {len(hosts)} failed host(s): {arn}"
            )
        else:
            self._display.display(f"page_on_failure: already paged, engagement still open: {arn}")

    def _name(self) -> str:
        return ", ".join(self._playbooks) or "playbook"

    def _request(
        self, contact_id: str, hosts: list[str], failures: list[Failure], total: int
    ) -> StartRequest:
        subject = (
            self.get_option("subject") or f"Ansible playbook {self._name()} failed on {len(hosts)} host(s)"
        )
        values = dict(
            contact_id=contact_id,
            sender=self.get_option("sender"),
            subject=bounded(subject, max_length("Subject", 2048)),
            content=bounded(self._content(hosts, failures, total), max_length("Content", 8192)),
            incident_id=self.get_option("incident_id") or self._default_incident_id(),
        )
        dedup_key = self.get_option("dedup_key")
        if dedup_key and "dedup_key" in {f.name for f in dataclasses.fields(StartRequest)}:
            values["dedup_key"] = dedup_key
        return StartRequest(**values)

    def _default_incident_id(self) -> str:
        stem = os.path.splitext(self._playbooks[0] if self._playbooks else "playbook")[0]
        run = f"{self._started:%Y%m%dT%H%M%SZ}-{os.getpid()}"
        return _NOT_ALLOWED.sub("-", f"ansible-{stem}-{run}")[:1024]

    def _content(self, hosts: list[str], failures: list[Failure], total: int) -> str:
        lines = [
            f"Ansible playbook {self._name()} failed on {len(hosts)} of {total} host(s): {', '.join(hosts)}."
        ]
        by_task: dict[tuple[str, bool], list[Failure]] = {}
        for failure in failures:
            by_task.setdefault((failure.task, failure.unreachable), []).append(failure)
        for (task, unreachable), group in by_task.items():
            state = "unreachable" if unreachable else "failed"
            names = sorted({f.host for f in group})
            lines.append("")
            lines.append(f"Task '{task}' {state} on {len(names)} host(s): {', '.join(names)}")
            lines.extend(f"  {f.host}: {f.message}" for f in group if f.message)
        without_task = sorted(set(hosts) - {f.host for f in failures})
        if without_task:
            lines.append("")
            lines.append(f"Failed without a recorded task: {', '.join(without_task)}")
        return "\n".join(lines)

    def _connection(self, contact_id: str) -> dict:
        params = {name: self.get_option(name) for name in CONNECTION_OPTIONS}
        if not params["region"]:
            params["region"] = next((os.environ[n] for n in _REGION_ENV if os.environ.get(n)), None)
        if not params["region"] and contact_id.startswith("arn:"):
            params["region"] = contact_id.split(":")[3] or None
        if params["aws_ca_bundle"] is None and os.environ.get("AWS_CA_BUNDLE"):
            params["aws_ca_bundle"] = os.environ["AWS_CA_BUNDLE"]
        return params
