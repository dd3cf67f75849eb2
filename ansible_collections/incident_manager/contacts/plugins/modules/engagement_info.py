#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: engagement_info
short_description: Read AWS Incident Manager engagements, their pages and receipts
version_added: 0.1.0
description:
  - With O(engagement_id), describes one engagement and, with O(include_pages=true), lists its pages and
    their receipts (who was paged, when it was delivered, who read it).
  - With O(engagement_id) and O(include_metrics=true), also returns its response metrics (RV(metrics)), the
    same as C(engagement report) shows. They are the time to acknowledge, who acknowledged, the stage reached,
    whether it ended unacknowledged, and each page's channels with their sent, delivered and read times.
  - Without it, lists engagements, optionally filtered by incident and time range.
  - With O(oncall_target), answers who a page to that contact, escalation plan or on-call schedule would
    reach at O(oncall_at) (RV(oncall)), stage by stage, with the shift that puts each person on call. It is
    read from the service (C(GetContact), C(GetRotation), C(ListRotationShifts)), never guessed, and pages
    nobody.
  - Changes nothing.
author:
  - pulumi-engagement developers (@pulumi-engagement)
options:
  engagement_id:
    description:
      - ARN of the engagement to describe.
    type: str
    aliases: [engagement_arn]
  include_pages:
    description:
      - With O(engagement_id), also return the engagement's pages.
    type: bool
    default: false
  include_receipts:
    description:
      - With O(include_pages=true), also return each page's receipts.
    type: bool
    default: true
  include_metrics:
    description:
      - With O(engagement_id), also return the response metrics (RV(metrics)).
      - Besides the engagement and its pages, this reads the plan (C(GetContact)), the stage of each page
        (C(ListPageResolutions)) and the paged contacts' channel names (C(ListContactChannels)); where
        those calls are denied, the stages come from the pages' send times and RV(metrics.notes) says so.
    type: bool
    version_added: 0.2.0
    default: true
  incident_id:
    description:
      - List only the engagements of this incident.
    type: str
  start_time:
    description:
      - List only the engagements started at or after this ISO 8601 time, for example V(2024-05-01T00:00:00Z).
    type: str
  end_time:
    description:
      - List only the engagements started at or before this ISO 8601 time.
    type: str
  oncall_target:
    description:
      - ARN or alias of a contact, escalation plan or on-call schedule (C(ONCALL_SCHEDULE)); the result's
        RV(oncall) says who a page to it would reach.
      - Exclusive with O(engagement_id), O(incident_id), O(start_time) and O(end_time).
    type: str
    version_added: 0.3.0
  oncall_at:
    description:
      - With O(oncall_target), when the page would start, an ISO 8601 time such as V(2024-05-04T03:00:00Z).
      - Default is now on the service's clock.
    type: str
    version_added: 0.3.0
  return_content:
    description:
      - Whether RV(engagement) includes the engagement's secure fields (subject, content, public_subject,
        public_content).
      - By default they are left out, so they never reach C(-vvv) output or the log file
        (C(ANSIBLE_LOG_PATH)); set V(true) in a task that needs them.
    type: bool
    version_added: 0.2.0
    default: false
extends_documentation_fragment:
  - incident_manager.contacts.connection
attributes:
  check_mode:
    support: full
    description: Reads only, so it runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing.
seealso:
  - module: incident_manager.contacts.engagement
"""

EXAMPLES = r"""
- name: Describe an engagement with its pages and receipts
  incident_manager.contacts.engagement_info:
    engagement_id: "{{ page.engagement.engagement_arn }}"
    include_pages: true
  register: info

- name: Read the engagement's subject and content too (left out of the result by default)
  incident_manager.contacts.engagement_info:
    engagement_id: "{{ page.engagement.engagement_arn }}"
    return_content: true
  register: full

- name: Was it read?
  ansible.builtin.debug:
    msg: "{{ info.pages | selectattr('acknowledged') | map(attribute='contact_arn') | list }}"

- name: How fast was the drill answered?
  ansible.builtin.debug:
    msg: >-
      {{ info.metrics.status }}: acknowledged by {{ info.metrics.acknowledged_by }}
      after {{ info.metrics.time_to_acknowledge }} s, stage {{ info.metrics.stage_reached }}

- name: Who would a page to the database escalation plan reach at 03:00 on Sunday?
  incident_manager.contacts.engagement_info:
    oncall_target: db-escalation
    oncall_at: "2024-05-05T03:00:00Z"
  register: oncall

- name: Name the first responder and the rotation that has them on call
  ansible.builtin.debug:
    msg: "{{ first.alias }} ({{ first.on_shift.rotation if first.on_shift else 'named directly' }})"
  vars:
    first: "{{ oncall.oncall.reaches[0] }}"

- name: Every engagement of an incident in the last day
  incident_manager.contacts.engagement_info:
    incident_id: deploy-1.4.2
    start_time: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() - 86400) }}"
  register: listed
"""

RETURN = r"""
engagement:
  description:
    - The engagement, in snake_case, with the keys M(incident_manager.contacts.engagement) returns in its
      RV(incident_manager.contacts.engagement#module:engagement) (except C(idempotency_token)).
    - The secure fields (C(subject), C(content), C(public_subject), C(public_content)) only with
      O(return_content=true).
  returned: when O(engagement_id) is given
  type: dict
  sample:
    engagement_arn: arn:aws:ssm-contacts:us-east-1:123456789012:engagement/primary-oncall/0b5f9e4c-1f2a-4d7b
    contact_arn: arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall
    sender: deploy-pipeline
    incident_id: deploy-1.4.2
    start_time: "2024-05-01T12:00:00Z"
    stop_time: null
pages:
  description: The engagement's pages, each with its receipts when O(include_receipts=true).
  returned: when O(include_pages=true)
  type: list
  elements: dict
  contains:
    page_arn:
      description: ARN of the page.
      type: str
    contact_arn:
      description: ARN of the contact paged.
      type: str
    sent_time:
      description: When the page was sent.
      type: str
    delivery_time:
      description: When it was delivered.
      type: str
    read_time:
      description: When it was read.
      type: str
    acknowledged:
      description: Whether the page was read.
      type: bool
    receipts:
      description: Receipts with C(receipt_type), C(receipt_time), C(contact_channel_arn), C(receipt_info).
      type: list
      elements: dict
metrics:
  description:
    - Response metrics of the engagement, the same as C(engagement report --output json) prints.
    - Timestamps are ISO 8601 UTC strings, durations are seconds.
    - An acknowledgement is a READ receipt at or before the engagement stopped.
  returned: when O(engagement_id) is given and O(include_metrics=true)
  type: dict
  contains:
    engagement_arn:
      description: ARN of the engagement.
      type: str
    contact_arn:
      description: ARN of the contact or escalation plan paged.
      type: str
    contact_type:
      description: C(ESCALATION), C(PERSONAL) or C(ONCALL_SCHEDULE); null when the contact could not be read.
      type: str
    start_time:
      description: When the engagement started.
      type: str
    stop_time:
      description: When it stopped; null while it runs.
      type: str
    status:
      description: C(acknowledged), C(ended_unacknowledged) or C(running).
      type: str
    acknowledged:
      description: Whether anyone acknowledged (READ) before the engagement stopped.
      type: bool
    acknowledged_by:
      description: ARN of the contact who acknowledged first.
      type: str
    acknowledged_at:
      description: When the first acknowledgement came.
      type: str
    acknowledged_via:
      description: ARN of the channel the first acknowledgement came through, when the service names one.
      type: str
    time_to_first_page:
      description: Seconds from the start to the first message sent.
      type: float
    time_to_first_delivery:
      description: Seconds from the start to the first delivery.
      type: float
    time_to_acknowledge:
      description: Seconds from the start to the first acknowledgement (MTTA); null when nobody acknowledged.
      type: float
    stage_reached:
      description: Highest stage (1-based) of the plan that paged someone.
      type: int
    stages_planned:
      description: Number of stages in the plan, when it could be read.
      type: int
    stage_source:
      description:
        - How stages were found, C(resolution) (the service's stage index), C(plan) (the plan's stage
          schedule) or C(sent_times) (each distinct first-send time is a stage).
      type: str
    ended_unacknowledged:
      description: Whether the engagement stopped with nobody having acknowledged.
      type: bool
    stop_cause:
      description:
        - C(acknowledged) (an essential contact's acknowledgement ended it), C(stopped) (StopEngagement),
          C(ended) (the plan ran out), or null while it runs.
      type: str
    stop_reason:
      description: The reason given to StopEngagement, as the STOP receipts show it.
      type: str
    pages:
      description:
        - One entry per page with C(page_arn), C(contact_arn), C(contact_alias), C(stage), C(essential),
          C(channels) (each with C(contact_channel_arn), C(name), C(type), C(sent_time), C(delivery_time),
          C(read_time), C(stop_time), C(error)), C(sent_time), C(delivery_time), C(read_time),
          C(acknowledged), C(acknowledged_by), C(acknowledged_via), C(acknowledgement_note), C(stop_time),
          C(stop_reason), C(seconds_to_delivery), C(seconds_to_read) and C(on_shift).
        - C(on_shift) is null unless the page went to the member on shift of an on-call schedule; then it
          names C(contact_alias), C(schedule_arn), C(schedule), C(rotation_arn), C(rotation), C(shift_start),
          C(shift_end) and C(shift_type) (C(REGULAR) or C(OVERRIDDEN)).
      type: list
      elements: dict
    stages:
      description:
        - One entry per stage with C(stage), C(start_time), C(duration_minutes), C(targets),
          C(essential_targets), C(paged) and C(reached).
      type: list
      elements: dict
    timeline:
      description:
        - Events in time order, each with C(time), C(offset_seconds), C(kind) (C(engagement_started),
          C(stage_started), C(sent), C(delivered), C(error), C(read), C(stop), C(engagement_stopped)),
          C(stage), C(page_arn), C(contact_arn), C(contact_channel_arn) and C(info).
      type: list
      elements: dict
    notes:
      description: What could not be read (for example a denied C(GetContact)) and so was derived.
      type: list
      elements: str
    handovers:
      description:
        - Each change of the person on shift in a rotation between two of the engagement's pages (a drill
          across a shift change), with C(schedule), C(rotation), C(at) (the new shift's start), C(from)
          and C(to) (contact aliases).
      type: list
      elements: dict
      version_added: 0.3.0
oncall:
  description:
    - Who a page to O(oncall_target) at O(oncall_at) would reach, in order. An escalation plan stops at the
      first essential acknowledgement, so a later stage lists who would be paged if nobody acknowledged
      before it.
  returned: when O(oncall_target) is given
  type: dict
  contains:
    target_arn:
      description: ARN of the contact asked about.
      type: str
    target:
      description: Its alias.
      type: str
    type:
      description: C(PERSONAL), C(ESCALATION) or C(ONCALL_SCHEDULE).
      type: str
    at:
      description: When the page would start (ISO 8601 UTC).
      type: str
    reaches:
      description:
        - One entry per person and stage with C(contact_arn), C(alias), C(display_name), C(at) (the stage's
          start), C(stage) (1-based; null when paged directly), C(essential) and C(on_shift).
        - C(on_shift) is null for a person named directly, else the shift that puts them on call, with
          C(schedule_arn), C(schedule), C(rotation_arn), C(rotation), C(shift_start), C(shift_end) and
          C(shift_type) (C(REGULAR) or C(OVERRIDDEN)).
      type: list
      elements: dict
    gaps:
      description:
        - Each schedule with nobody on shift when its stage would page it (C(schedule), C(at), C(stage)).
      type: list
      elements: dict
  sample:
    target: db-escalation
    type: ESCALATION
    at: "2024-05-05T03:00:00Z"
    reaches:
      - alias: erik
        stage: 1
        essential: true
        at: "2024-05-05T03:00:00Z"
        on_shift: {schedule: db-oncall, rotation: db-follow-the-sun, shift_type: REGULAR}
    gaps: []
engagements:
  description:
    - Engagement summaries, newest first.
    - Each has the keys C(engagement_arn), C(contact_arn), C(sender), C(incident_id), C(start_time) and
      C(stop_time), documented field by field in RV(incident_manager.contacts.engagement#module:engagement).
  returned: when neither O(engagement_id) nor O(oncall_target) is given
  type: list
  elements: dict
"""

from ansible_collections.incident_manager.contacts.plugins.module_utils.common import (  # noqa: E402
    EngagementModule,
    return_content_spec,
    run_task,
)
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core import (  # noqa: E402
    EngagementError,
    FieldViolation,
    ValidationError,
    response_metrics,
    to_utc,
    who_is_on_call,
)

# ListEngagements' nested members, as the core names them in its errors, are these options.
OPTION_NAMES = {
    "time_range_value.start_time": "start_time",
    "time_range_value.end_time": "end_time",
}


def argument_spec() -> dict:
    return dict(
        engagement_id=dict(type="str", aliases=["engagement_arn"]),
        include_pages=dict(type="bool", default=False),
        include_receipts=dict(type="bool", default=True),
        include_metrics=dict(type="bool", default=True),
        incident_id=dict(type="str"),
        start_time=dict(type="str"),
        end_time=dict(type="str"),
        oncall_target=dict(type="str"),
        oncall_at=dict(type="str"),
        **return_content_spec(),
    )


def _oncall(em: EngagementModule) -> dict:
    at = em.params["oncall_at"]
    try:
        when = to_utc(at) if at else None
    except ValueError:
        rule = FieldViolation("oncall_at", "oncall_at", "type", f"not an ISO 8601 time: {at!r}")
        raise ValidationError("oncall", [rule]) from None
    answer = who_is_on_call(em.client, em.params["oncall_target"], when).to_dict()
    for gap in answer["gaps"]:
        em.warn(f"nobody on shift in {gap['schedule']} at {gap['at']}")
    if not answer["reaches"]:
        em.warn(f"a page to {answer['target']} at {answer['at']} would reach nobody")
    return dict(changed=False, oncall=answer)


def run(em: EngagementModule) -> dict:
    params = em.params
    if params["oncall_target"]:
        return _oncall(em)
    if params["engagement_id"]:
        result = dict(changed=False, engagement=em.client.describe(params["engagement_id"]).to_dict())
        if params["include_pages"]:
            pages = em.client.pages(params["engagement_id"], receipts=params["include_receipts"])
            result["pages"] = [page.to_dict() for page in pages]
        if params["include_metrics"]:
            result["metrics"] = response_metrics(em.client, params["engagement_id"]).to_dict()
        return result
    summaries = em.client.list(
        incident_id=params["incident_id"], start_time=params["start_time"], end_time=params["end_time"]
    )
    summaries.sort(key=lambda s: s.start_time.timestamp() if s.start_time else 0, reverse=True)
    return dict(changed=False, engagements=[s.to_dict() for s in summaries])


def main() -> None:
    em = EngagementModule(
        argument_spec(),
        option_names=OPTION_NAMES,
        supports_check_mode=True,
        mutually_exclusive=[
            ("engagement_id", "incident_id"),
            ("engagement_id", "start_time"),
            ("engagement_id", "end_time"),
            ("oncall_target", "engagement_id"),
            ("oncall_target", "incident_id"),
            ("oncall_target", "start_time"),
            ("oncall_target", "end_time"),
        ],
        required_by={"oncall_at": "oncall_target"},
    )
    try:
        result = run(em)
    except EngagementError as exc:
        em.fail(exc)
    em.exit(**result)


if __name__ == "__main__":
    run_task(main)
