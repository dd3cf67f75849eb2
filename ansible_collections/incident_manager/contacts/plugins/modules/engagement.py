#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: engagement
short_description: Page a contact or escalation plan through AWS Incident Manager, once
version_added: 0.1.0
description:
  - Starts an engagement (a page) to an AWS Systems Manager Incident Manager contact or escalation plan
    with StartEngagement, or stops one with StopEngagement.
  - "Dedup while open, page again once over (PagerDuty's dedup-key rule): while this alert's engagement is
    running, the same alert pages nobody and reports C(changed=false); once that engagement has stopped
    (stopped by anyone, acknowledged by an essential contact, or its plan ran out), the same alert pages
    again and reports C(changed=true). Re-running a task, or many hosts running it at once, pages once per
    episode."
  - The alert is the page's identifying options (contact, sender, subject, content, public fields,
    incident), or the contact and O(dedup_key) when given. Each episode has its own idempotency token,
    derived deterministically (the first from the alert, each later one from the previous episode's
    engagement ARN), so retried and racing calls reuse it and the service sends one page.
  - An engagement is reported as a new page (C(changed=true)) only if it started during this task, judged
    on the service's clock (its HTTP Date), never an older one the token returned.
  - A look-up that fails (throttled, denied) never stops the page; a page that went out but could not be
    read back is reported with its ARN, C(changed=true) and a warning.
  - "Cost: a new alert costs 2 calls (StartEngagement, DescribeEngagement) and a re-run while open 1 to
    2, whatever the account's history; an alert that already ended k times costs 2k + 2 on a controller
    that has not seen it before, 3 on one that has (a per-user hint file)."
  - The read-back of a page that went out has its own short budget (at most 6 DescribeEngagement
    attempts, 7.75 s of pauses), so the task returns C(changed=true) with the ARN within seconds even
    when DescribeEngagement is throttled for good.
  - "Known limit: two controllers paging the same alert within about a second of each other (the
    service's HTTP Date has whole seconds) get one engagement, but both may report C(changed=true)."
  - Every option is checked against the service's model (required, length, pattern) before any request is
    sent; the error names the option and the rule.
  - Check mode never starts or stops an engagement and reports what a real run would.
  - With O(wait=true) the task blocks until a page is acknowledged (a READ receipt), the engagement ends,
    or O(wait_timeout) passes, absorbing throttling and server errors meanwhile. Only an acknowledgement
    succeeds; a timeout (RV(wait_status=timeout)) or an engagement that ended with nobody acknowledging
    (RV(wait_status=ended_unacknowledged)) fails the task but still returns the engagement and its pages,
    so a C(rescue) can escalate.
author:
  - pulumi-engagement developers (@pulumi-engagement)
options:
  state:
    description:
      - V(started) pages unless this alert's engagement is still running.
      - V(stopped) stops the engagement O(engagement_id), or the newest engagement matching the page options
        within O(lookup_window).
    type: str
    choices: [started, stopped]
    default: started
  return_content:
    description:
      - Whether RV(engagement) (and the diff) include the page's O(subject), O(content), O(public_subject)
        and O(public_content).
      - These are the service's secure fields. The options are no_log, so their values never reach the
        C(-vvv) output, the log file (C(ANSIBLE_LOG_PATH)), the managed node's syslog or the task's
        C(invocation.module_args); by default they are left out of the result too.
      - With V(true) they are returned (and shown by C(-vvv) and callbacks) because the task asked for them;
        C(invocation.module_args) stays masked.
      - With V(false), as for any no_log option, Ansible also masks these values as C(********) wherever else
        they appear in the result (for example in an error message), so avoid very short subjects or content.
    type: bool
    version_added: 0.2.0
    default: false
  engagement_id:
    description:
      - ARN of the engagement to stop with O(state=stopped).
    type: str
    aliases: [engagement_arn]
  reason:
    description:
      - Why the engagement is stopped (StopEngagement's Reason).
    type: str
  lookup_window:
    description:
      - How far back, in minutes, to look for a matching engagement where a look-up is needed (never when
        paging) - in check mode (is one running?) and with O(state=stopped) and no O(engagement_id).
      - Such look-ups are bounded (at most 5 ListEngagements pages and 10 DescribeEngagement calls).
    type: int
    default: 1440
  wait:
    description:
      - Wait until a page of the engagement is acknowledged (read) or the engagement ends; fail unless
        acknowledged.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait with O(wait=true) before failing.
    type: int
    default: 600
extends_documentation_fragment:
  - incident_manager.contacts.page
  - incident_manager.contacts.connection
attributes:
  check_mode:
    support: full
    description: Never starts or stops an engagement; reports what a real run would report.
  diff_mode:
    support: full
    description: Shows the engagement before and after.
  action:
    support: full
    description: An action plugin runs the task in the controller's worker on a local connection (see notes).
notes:
  - "Where it runs: on a local connection (a local host, or C(delegate_to: localhost)) the task runs in the
    controller's worker process, which imported botocore once before Ansible forked its workers, so hosts
    paging at once do not each start a Python interpreter and botocore (about 0.2 s of CPU per host): 100
    local hosts paging one alert take about a quarter of the time of a no-op module on them. The options,
    checks, results, warnings and no_log masking are the module's. With C(become), a task C(environment),
    C(async), options that fail validation, no botocore on the controller, or any other connection, the
    module runs as usual on the target."
  - "IAM: paging needs C(ssm-contacts:StartEngagement) and C(ssm-contacts:DescribeEngagement);
    C(ssm-contacts:ListEngagements) is optional (check mode and a dedup key's conflict; paging itself
    never lists). O(wait=true) adds C(ssm-contacts:ListPagesByEngagement) and
    C(ssm-contacts:ListPageReceipts); O(state=stopped) needs C(ssm-contacts:StopEngagement) (and
    C(ssm-contacts:ListEngagements) without O(engagement_id))."
seealso:
  - module: incident_manager.contacts.engagement_info
  - name: StartEngagement API reference
    description: The API call this module makes.
    link: https://docs.aws.amazon.com/incident-manager/latest/APIReference/API_SSMContacts_StartEngagement.html
"""

EXAMPLES = r"""
- name: Page the on-call when a deploy fails
  block:
    - name: Deploy
      ansible.builtin.command: /usr/local/bin/deploy --release "{{ release }}"
      changed_when: true
  rescue:
    - name: Page the primary on-call escalation plan (once, however often this runs)
      incident_manager.contacts.engagement:
        contact_id: arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall
        sender: deploy-pipeline
        subject: "Deploy of {{ release }} failed on {{ inventory_hostname }}"
        content: "{{ ansible_failed_result.msg | default('deploy failed') }}"
        incident_id: "deploy-{{ release }}"
      delegate_to: localhost
      run_once: true

- name: Runbook step that waits for an acknowledgement and escalates on timeout
  block:
    - name: Page and wait up to 10 minutes for someone to read it
      incident_manager.contacts.engagement:
        contact_id: arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall
        sender: runbook
        subject: Database failover needs approval
        content: Approve the failover of db-1 in the runbook channel.
        wait: true
        wait_timeout: 600
      register: page
    - name: Who acknowledged
      ansible.builtin.debug:
        msg: "Acknowledged by {{ page.acknowledged_by | join(', ') }}"
  rescue:
    - name: Nobody answered, page the secondary plan
      incident_manager.contacts.engagement:
        contact_id: arn:aws:ssm-contacts:us-east-1:123456789012:contact/secondary-oncall
        sender: runbook
        subject: "ESCALATION: database failover needs approval"
        content: >-
          Nobody acknowledged {{ ansible_failed_result.engagement.engagement_arn | default('the page') }}

- name: Stop an engagement someone is already handling
  incident_manager.contacts.engagement:
    state: stopped
    engagement_id: "{{ page.engagement.engagement_arn }}"
    reason: Handled by the deploy team

- name: Set the region and the local emulator's endpoint once for every task of the collection
  module_defaults:
    group/incident_manager.contacts.contacts:
      region: us-east-1
      endpoint_url: http://127.0.0.1:5000
  block:
    - name: Page
      incident_manager.contacts.engagement:
        contact_id: arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall
        sender: drill
        subject: Game day drill
        content: This is a drill.
"""

RETURN = r"""
engagement:
  description:
    - The engagement, in snake_case. Timestamps are ISO 8601 UTC strings.
    - In check mode, when the task would page, the engagement that would be started (no ARN yet).
    - Also returned when the wait times out.
  returned: when an engagement was found, started or would be started
  type: dict
  contains:
    engagement_arn:
      description: ARN of the engagement; null in check mode when it would be started.
      type: str
      sample: arn:aws:ssm-contacts:us-east-1:123456789012:engagement/primary-oncall/0b5f9e4c-1f2a-4d7b
    contact_arn:
      description: ARN of the contact or escalation plan paged.
      type: str
      sample: arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall
    sender:
      description: Who paged.
      type: str
    subject:
      description: Secure subject; only with O(return_content=true).
      type: str
    content:
      description: Secure content; only with O(return_content=true).
      type: str
    public_subject:
      description: Insecure subject; only with O(return_content=true).
      type: str
    public_content:
      description: Insecure content; only with O(return_content=true).
      type: str
    incident_id:
      description: Incident ID.
      type: str
    start_time:
      description: When the engagement started.
      type: str
      sample: "2024-05-01T12:00:00Z"
    stop_time:
      description: When it stopped; null while it runs.
      type: str
    idempotency_token:
      description: The token StartEngagement was (or would be) called with.
      type: str
pages:
  description:
    - The engagement's pages, each with its receipts, with the keys
      M(incident_manager.contacts.engagement_info) returns in its
      RV(incident_manager.contacts.engagement_info#module:pages)
      (C(acknowledged) is true once a page was read).
  returned: when waited
  type: list
  elements: dict
wait_status:
  description: >-
    How the wait ended. V(acknowledged) (success), V(ended_unacknowledged) (the plan ran out or someone
    stopped it before anyone read a page) or V(timeout).
  returned: when waited
  type: str
  sample: acknowledged
acknowledged_by:
  description: ARNs of the contacts who acknowledged.
  returned: when waited
  type: list
  elements: str
stopped_by_request:
  description: Whether StopEngagement ended the engagement (the service leaves STOP receipts), not its plan.
  returned: when waited
  type: bool
stop_reason:
  description: The reason given to StopEngagement, when one was.
  returned: when waited
  type: str
violations:
  description: Broken rules of invalid options.
  returned: when the options are invalid
  type: list
  elements: dict
  sample: [{"option": "subject", "rule": "max_length", "message": "longer than 2048 characters"}]
"""

from ansible_collections.incident_manager.contacts.plugins.module_utils.common import (  # noqa: E402
    EngagementModule,
    run_task,
)
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_task import (  # noqa: E402
    argument_spec,
    required_if,
    run,
)


def main() -> None:
    run(EngagementModule(argument_spec(), supports_check_mode=True, required_if=required_if()))


if __name__ == "__main__":
    run_task(main)
