"""The response metrics' values: what compute_metrics reads (ResponseData) and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .model import Engagement, Page, _ToDict


@dataclass(frozen=True)
class ChannelMarks(_ToDict):
    """What happened on one channel of one page."""

    contact_channel_arn: str | None
    name: str | None = None
    type: str | None = None
    stage: int | None = None  # the personal plan's stage (1-based) that used this channel
    sent_time: datetime | None = None
    delivery_time: datetime | None = None
    read_time: datetime | None = None
    stop_time: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class PageMetrics(_ToDict):
    page_arn: str
    contact_arn: str | None
    contact_alias: str | None
    stage: int | None  # 1-based stage of the escalation plan that paged this contact
    essential: bool | None  # the plan's IsEssential for this contact, when the plan is known
    channels: tuple[ChannelMarks, ...]
    sent_time: datetime | None
    delivery_time: datetime | None
    read_time: datetime | None
    acknowledged: bool
    acknowledged_by: str | None  # the page's contact, when it acknowledged
    acknowledged_via: str | None  # the channel of the READ receipt, when the service names one
    acknowledgement_note: str | None
    stop_time: datetime | None
    stop_reason: str | None
    seconds_to_delivery: float | None  # sent -> first delivery
    seconds_to_read: float | None  # sent -> read
    # Paged as the member on shift of an on-call schedule: the shift (see oncall.ShiftInfo.to_dict).
    on_shift: dict[str, Any] | None = None


@dataclass(frozen=True)
class StageMetrics(_ToDict):
    stage: int  # 1-based
    start_time: datetime | None  # planned start (plan) or first send (otherwise)
    duration_minutes: int | None
    targets: tuple[str, ...]  # contact ARNs (escalation plan) or channel ARNs (personal plan)
    essential_targets: tuple[str, ...]
    paged: tuple[str, ...]  # contact ARNs this stage paged (channel ARNs for a personal plan)
    reached: bool


@dataclass(frozen=True)
class TimelineEvent(_ToDict):
    time: datetime
    offset_seconds: float | None  # since the engagement started
    kind: str  # engagement_started, stage_started, sent, delivered, error, read, stop, engagement_stopped
    stage: int | None = None
    page_arn: str | None = None
    contact_arn: str | None = None
    contact_channel_arn: str | None = None
    info: str | None = None


@dataclass(frozen=True)
class EngagementMetrics(_ToDict):
    engagement_arn: str
    contact_arn: str | None
    contact_type: str | None  # ESCALATION, PERSONAL or ONCALL_SCHEDULE, when the contact could be read
    start_time: datetime | None
    stop_time: datetime | None
    status: str  # acknowledged, ended_unacknowledged or running
    acknowledged: bool
    acknowledged_by: str | None  # contact ARN of the first acknowledgement
    acknowledged_at: datetime | None
    acknowledged_via: str | None
    time_to_first_page: float | None  # seconds from start to the first SENT
    time_to_first_delivery: float | None  # seconds from start to the first delivery
    time_to_acknowledge: float | None  # seconds from start to the first READ (MTTA)
    stage_reached: int | None  # highest stage (1-based) that paged someone
    stages_planned: int | None  # stages in the plan, when it is known
    stage_source: str | None  # resolution, plan or sent_times: see the module's docstring
    ended_unacknowledged: bool
    stop_cause: str | None  # acknowledged, stopped (StopEngagement), ended (plan ran out), or None
    stop_reason: str | None  # from the STOP receipts' ReceiptInfo
    pages: tuple[PageMetrics, ...]
    stages: tuple[StageMetrics, ...]
    timeline: tuple[TimelineEvent, ...]
    notes: tuple[str, ...] = ()
    # Each change of the person on shift between two pages through the same rotation: from, to, when.
    handovers: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class ResponseData:
    """Everything :func:`compute_metrics` reads, as fetched from the service."""

    engagement: Engagement
    pages: tuple[Page, ...]
    contact_type: str | None = None
    plan_stages: tuple[dict[str, Any], ...] | None = None  # API shape: DurationInMinutes, Targets
    stage_indexes: dict[str, int] = field(default_factory=dict)  # page ARN -> 0-based StageIndex
    channels: dict[str, dict[str, str]] = field(default_factory=dict)  # channel ARN -> name, type
    notes: tuple[str, ...] = ()
    on_shift: dict[str, dict[str, Any]] = field(default_factory=dict)  # page ARN -> its shift
