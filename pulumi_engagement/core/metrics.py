"""Response metrics of an engagement: who was paged, through which channels, who acknowledged, how fast.

Two halves, so the arithmetic can be tested from fixed inputs and reused by every adapter:

- :func:`fetch_response_data` reads what the service shows (DescribeEngagement,
  ListPagesByEngagement, ListPageReceipts; with ``details``, also GetContact for the plan,
  ListPageResolutions for the stage of each page and ListContactChannels for channel names);
- :func:`compute_metrics` turns that into :class:`EngagementMetrics`, without any I/O.

:func:`response_metrics` does both.

Stage of a page, from the best evidence available (``stage_source``):

1. ``resolution``: the ``StageIndex`` the service gives in ListPageResolutions for the
   escalation plan that resolved to the page's contact.
2. ``plan``: the contact's plan (GetContact) as a schedule: stage *i* begins at the engagement's
   start plus the durations of the stages before it, and pages its targets then. A page belongs
   to the latest stage that targets its contact and began at or before the page was first sent
   (a contact named in several stages is told apart by the time). For a personal contact the
   units are channels: each SENT receipt belongs to the stage that targets its channel. The plan
   is read as it is now: one edited since the engagement started can mislead this step, so a
   unit the plan cannot place sends every unit to step 3.
3. ``sent_times``: without a usable plan, each distinct first-send time opens a new stage
   (everyone a stage pages is sent to at the stage's start).

Acknowledgement is a READ receipt (or ReadTime) at or before the engagement's stop; a READ that
arrives after the engagement ended is kept in the timeline but does not count.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .metrics_model import ChannelMarks, EngagementMetrics, PageMetrics, StageMetrics, TimelineEvent
from .model import Page, Receipt
from .response_data import fetch_response_data

if TYPE_CHECKING:
    from .metrics_model import ResponseData
    from .operations import EngagementClient

__all__ = ["compute_metrics", "fetch_response_data", "response_metrics"]

#: Order of events that share a timestamp: causes before effects.
_EVENT_ORDER = {
    "engagement_started": 0,
    "stage_started": 1,
    "sent": 2,
    "delivered": 3,
    "error": 4,
    "read": 5,
    "stop": 6,
    "engagement_stopped": 7,
}


def response_metrics(
    client: EngagementClient, engagement_arn: str, details: bool = True
) -> EngagementMetrics:
    """The response metrics of one engagement, as the service shows them now."""
    return compute_metrics(fetch_response_data(client, engagement_arn, details=details))


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def _min(values: list[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _alias(arn: str | None) -> str | None:
    """The contact alias of a contact or contact-channel ARN (``.../contact/alice``)."""
    if not arn or "/" not in arn:
        return arn
    return arn.split("/")[1]


def _targets(stage: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(target ARNs, essential contact ARNs) of one plan stage."""
    targets: list[str] = []
    essential: list[str] = []
    for target in stage.get("Targets") or ():
        contact = target.get("ContactTargetInfo")
        channel = target.get("ChannelTargetInfo")
        if contact and contact.get("ContactId"):
            targets.append(contact["ContactId"])
            if contact.get("IsEssential"):
                essential.append(contact["ContactId"])
        elif channel and channel.get("ContactChannelId"):
            targets.append(channel["ContactChannelId"])
    return targets, essential


def _plan_stage(
    target: str | None, when: datetime | None, plan: list[tuple[datetime, list[str]]]
) -> int | None:
    """0-based stage of the plan that paged ``target`` at ``when`` (see the module docstring)."""
    candidates = [i for i, (_, targets) in enumerate(plan) if target in targets]
    if not candidates:
        return None
    if when is not None:
        begun = [i for i in candidates if plan[i][0] <= when]
        if begun:
            return begun[-1]
    return candidates[0]


def _cluster(times: dict[str, datetime | None]) -> dict[str, int]:
    """0-based stage per unit: each distinct first-send time opens the next stage."""
    distinct = sorted({t for t in times.values() if t is not None})
    return {unit: distinct.index(t) for unit, t in times.items() if t is not None}


def _sort_time(when: datetime | None) -> tuple[bool, float]:
    """Sort key: by time, the untimed last (None never compares with a datetime)."""
    return (when is None, when.timestamp() if when is not None else 0.0)


def _channel_marks(page: Page, channel_info: dict[str, dict[str, str]]) -> list[ChannelMarks]:
    by_channel: dict[str | None, dict[str, Any]] = {}
    for receipt in sorted(page.receipts, key=lambda r: _sort_time(r.receipt_time)):
        if receipt.contact_channel_arn is None:
            continue  # a READ or STOP without a channel concerns the page, not one channel
        marks = by_channel.setdefault(receipt.contact_channel_arn, {})
        key = {
            "SENT": "sent_time",
            "DELIVERED": "delivery_time",
            "READ": "read_time",
            "STOP": "stop_time",
        }.get(receipt.receipt_type)
        if key is not None and marks.get(key) is None:
            marks[key] = receipt.receipt_time
        if receipt.receipt_type == "ERROR" and marks.get("error") is None:
            marks["error"] = receipt.receipt_info or "error"
    out = []
    for arn, marks in by_channel.items():
        info = channel_info.get(arn or "", {})
        out.append(
            ChannelMarks(contact_channel_arn=arn, name=info.get("name"), type=info.get("type"), **marks)
        )
    out.sort(key=lambda c: _sort_time(c.sent_time))
    return out


@dataclass(frozen=True)
class _Staging:
    """Which stage paged what: the plan as a schedule and each unit's 0-based stage.

    Units are what a stage pages: pages (escalation plan) or the channels of the one page
    (personal contact), keyed ``"<page ARN> <channel ARN>"``.
    """

    escalation: bool
    plan: list[tuple[datetime, list[str]]]  # per stage: planned start, target ARNs
    essentials: list[list[str]]
    durations: list[int | None]
    units: dict[str, tuple[str | None, datetime | None]]  # unit -> (target ARN, first send)
    assigned: dict[str, int]
    source: str | None

    def channel_stage(self, page_arn: str, channel_arn: str | None) -> int | None:
        """1-based stage of a personal contact's channel, when one was assigned."""
        index = self.assigned.get(f"{page_arn} {channel_arn}")
        return index + 1 if index is not None else None


def _is_escalation(data: ResponseData) -> bool:
    """Pages go to other contacts (an escalation plan or an on-call schedule), as GetContact says or,
    unread, as the pages show."""
    return data.contact_type in ("ESCALATION", "ONCALL_SCHEDULE") or (
        data.contact_type is None and any(p.contact_arn != data.engagement.contact_arn for p in data.pages)
    )


def _schedule(
    data: ResponseData,
) -> tuple[list[tuple[datetime, list[str]]], list[list[str]], list[int | None]]:
    """(planned start and targets, essential targets, duration) of each stage of the plan."""
    plan: list[tuple[datetime, list[str]]] = []
    essentials: list[list[str]] = []
    durations: list[int | None] = []
    start = data.engagement.start_time
    if data.plan_stages and start is not None:
        offset = timedelta()
        for stage in data.plan_stages:
            targets, essential = _targets(stage)
            plan.append((start + offset, targets))
            essentials.append(essential)
            minutes = stage.get("DurationInMinutes")
            durations.append(minutes)
            offset += timedelta(minutes=minutes or 0)
    return plan, essentials, durations


def _staging(data: ResponseData, channel_lists: dict[str, list[ChannelMarks]]) -> _Staging:
    escalation = _is_escalation(data)
    plan, essentials, durations = _schedule(data)
    units: dict[str, tuple[str | None, datetime | None]] = {}
    for page in data.pages:
        if escalation:
            # A member on shift was paged because the plan names their schedule: the schedule is the target.
            target = (data.on_shift.get(page.page_arn) or {}).get("schedule_arn") or page.contact_arn
            units[page.page_arn] = (target, page.sent_time)
            continue
        for marks in channel_lists[page.page_arn]:
            if marks.sent_time is not None and marks.contact_channel_arn:
                units[f"{page.page_arn} {marks.contact_channel_arn}"] = (
                    marks.contact_channel_arn,
                    marks.sent_time,
                )
    assigned: dict[str, int] = {}
    source: str | None = None
    if units:
        if escalation and all(p.page_arn in data.stage_indexes for p in data.pages):
            assigned, source = {p.page_arn: data.stage_indexes[p.page_arn] for p in data.pages}, "resolution"
        elif plan:
            placed = {u: _plan_stage(target, when, plan) for u, (target, when) in units.items()}
            if all(i is not None for i in placed.values()):
                assigned, source = {u: i for u, i in placed.items() if i is not None}, "plan"
        if source is None:
            assigned, source = _cluster({u: when for u, (_, when) in units.items()}), "sent_times"
    return _Staging(escalation, plan, essentials, durations, units, assigned, source)


def _stage_metrics(staging: _Staging) -> list[StageMetrics]:
    planned = staging.source in ("plan", "resolution")
    stage_count = len(staging.plan) if planned and staging.plan else 0
    if staging.assigned:
        stage_count = max(stage_count, max(staging.assigned.values()) + 1)
    stages: list[StageMetrics] = []
    for index in range(stage_count):
        members = [u for u, i in staging.assigned.items() if i == index]
        paged = tuple(dict.fromkeys(staging.units[u][0] for u in members if staging.units[u][0]))
        if index < len(staging.plan) and planned:
            planned_start, targets = staging.plan[index]
            start_time, duration = planned_start, staging.durations[index]
            target_arns, essential = tuple(targets), tuple(staging.essentials[index])
        else:
            start_time, duration = _min([staging.units[u][1] for u in members]), None
            target_arns, essential = paged, ()
        stages.append(
            StageMetrics(
                stage=index + 1,
                start_time=start_time,
                duration_minutes=duration,
                targets=target_arns,
                essential_targets=essential,
                paged=paged,
                reached=bool(members),
            )
        )
    return stages


def _first_read(page: Page) -> tuple[datetime | None, Receipt | None]:
    """When the page was read (ReadTime, else its first READ receipt), and that receipt."""
    read_receipts = [r for r in page.receipts if r.receipt_type == "READ" and r.receipt_time is not None]
    read_receipts.sort(key=lambda r: r.receipt_time)
    first = read_receipts[0] if read_receipts else None
    return page.read_time or (first.receipt_time if first else None), first


def _page_metrics(
    page: Page,
    channels: list[ChannelMarks],
    staging: _Staging,
    stop: datetime | None,
    on_shift: dict[str, Any] | None = None,
) -> PageMetrics:
    read_time, first_read = _first_read(page)
    # An acknowledgement counts only at or before the engagement stopped.
    acknowledged = read_time is not None and (stop is None or read_time <= stop)
    stop_receipts = [r for r in page.receipts if r.receipt_type == "STOP"]
    stage_index = staging.assigned.get(page.page_arn) if staging.escalation else None
    essential = None
    if stage_index is not None and stage_index < len(staging.essentials) and staging.source != "sent_times":
        essential = staging.units[page.page_arn][0] in staging.essentials[stage_index]
    if not staging.escalation:
        channels = [
            dataclasses.replace(c, stage=staging.channel_stage(page.page_arn, c.contact_channel_arn))
            for c in channels
        ]
    ack_receipt = first_read if acknowledged else None
    return PageMetrics(
        page_arn=page.page_arn,
        contact_arn=page.contact_arn,
        contact_alias=_alias(page.contact_arn),
        stage=stage_index + 1 if stage_index is not None else None,
        essential=essential,
        channels=tuple(channels),
        sent_time=page.sent_time,
        delivery_time=page.delivery_time,
        read_time=read_time,
        acknowledged=acknowledged,
        acknowledged_by=page.contact_arn if acknowledged else None,
        acknowledged_via=ack_receipt.contact_channel_arn if ack_receipt else None,
        acknowledgement_note=ack_receipt.receipt_info if ack_receipt else None,
        stop_time=_min([r.receipt_time for r in stop_receipts]),
        stop_reason=next((r.receipt_info for r in stop_receipts if r.receipt_info), None),
        seconds_to_delivery=_seconds(page.sent_time, page.delivery_time),
        seconds_to_read=_seconds(page.sent_time, read_time),
        on_shift=on_shift,
    )


def _stop_cause(stop: datetime | None, stop_receipts: list[Receipt], acks: list[PageMetrics]) -> str | None:
    if stop is None:
        return None
    if stop_receipts:
        return "stopped"
    if any(p.read_time == stop for p in acks):
        return "acknowledged"
    return "ended"


def _timeline(
    data: ResponseData,
    staging: _Staging,
    stages: list[StageMetrics],
    page_metrics: list[PageMetrics],
    stop_info: str | None,
) -> tuple[TimelineEvent, ...]:
    engagement = data.engagement
    start = engagement.start_time
    events: list[TimelineEvent] = []

    def add(when: datetime | None, kind: str, **values: Any) -> None:
        if when is not None:
            events.append(TimelineEvent(time=when, offset_seconds=_seconds(start, when), kind=kind, **values))

    add(start, "engagement_started", contact_arn=engagement.contact_arn)
    for stage in stages:
        if stage.reached:
            add(stage.start_time, "stage_started", stage=stage.stage)
    stage_of = {p.page_arn: p.stage for p in page_metrics}
    for page in data.pages:
        for receipt in page.receipts:
            channel_stage = stage_of[page.page_arn]
            if not staging.escalation and receipt.contact_channel_arn:
                channel_stage = staging.channel_stage(page.page_arn, receipt.contact_channel_arn)
            add(
                receipt.receipt_time,
                receipt.receipt_type.lower(),
                stage=channel_stage,
                page_arn=page.page_arn,
                contact_arn=page.contact_arn,
                contact_channel_arn=receipt.contact_channel_arn,
                info=receipt.receipt_info,
            )
        if page.read_time is not None and not any(r.receipt_type == "READ" for r in page.receipts):
            add(
                page.read_time,
                "read",
                stage=stage_of[page.page_arn],
                page_arn=page.page_arn,
                contact_arn=page.contact_arn,
            )
    add(engagement.stop_time, "engagement_stopped", contact_arn=engagement.contact_arn, info=stop_info)
    events.sort(key=lambda e: (e.time, _EVENT_ORDER.get(e.kind, 9)))
    return tuple(events)


def compute_metrics(data: ResponseData) -> EngagementMetrics:
    """The metrics of one engagement from fetched data; no I/O, so fixed inputs give fixed results."""
    engagement = data.engagement
    start, stop = engagement.start_time, engagement.stop_time
    channel_lists = {p.page_arn: _channel_marks(p, data.channels) for p in data.pages}
    staging = _staging(data, channel_lists)
    stages = _stage_metrics(staging)
    reached = [s.stage for s in stages if s.reached]
    page_metrics = [
        _page_metrics(p, channel_lists[p.page_arn], staging, stop, data.on_shift.get(p.page_arn))
        for p in data.pages
    ]
    acks = sorted((p for p in page_metrics if p.acknowledged), key=lambda p: p.read_time)
    first_ack = acks[0] if acks else None
    stop_receipts = [r for p in data.pages for r in p.receipts if r.receipt_type == "STOP"]
    stop_reason = next((r.receipt_info for r in stop_receipts if r.receipt_info), None)
    stop_cause = _stop_cause(stop, stop_receipts, acks)
    ended_unacknowledged = stop is not None and first_ack is None
    status = "acknowledged" if first_ack else ("ended_unacknowledged" if ended_unacknowledged else "running")
    return EngagementMetrics(
        engagement_arn=engagement.engagement_arn,
        contact_arn=engagement.contact_arn,
        contact_type=data.contact_type,
        start_time=start,
        stop_time=stop,
        status=status,
        acknowledged=first_ack is not None,
        acknowledged_by=first_ack.contact_arn if first_ack else None,
        acknowledged_at=first_ack.read_time if first_ack else None,
        acknowledged_via=first_ack.acknowledged_via if first_ack else None,
        time_to_first_page=_seconds(start, _min([p.sent_time for p in data.pages])),
        time_to_first_delivery=_seconds(start, _min([p.delivery_time for p in data.pages])),
        time_to_acknowledge=_seconds(start, first_ack.read_time) if first_ack else None,
        stage_reached=max(reached) if reached else None,
        stages_planned=len(data.plan_stages) if data.plan_stages is not None else None,
        stage_source=staging.source,
        ended_unacknowledged=ended_unacknowledged,
        stop_cause=stop_cause,
        stop_reason=stop_reason,
        pages=tuple(page_metrics),
        stages=tuple(stages),
        timeline=_timeline(data, staging, stages, page_metrics, stop_reason or stop_cause),
        notes=data.notes,
        handovers=_handovers(page_metrics),
    )


def _handovers(pages: list[PageMetrics]) -> tuple[dict[str, Any], ...]:
    """Where the person on shift in a rotation changed between two of its pages, in send order."""
    last: dict[str, PageMetrics] = {}
    out: list[dict[str, Any]] = []
    for page in sorted((p for p in pages if p.on_shift), key=lambda p: _sort_time(p.sent_time)):
        shift = page.on_shift or {}
        before = last.get(shift["rotation_arn"])
        if before is not None and before.on_shift and before.on_shift["shift_start"] != shift["shift_start"]:
            out.append(
                {
                    "schedule": shift["schedule"],
                    "rotation": shift["rotation"],
                    "at": shift["shift_start"],
                    "from": before.on_shift["contact_alias"],
                    "to": shift["contact_alias"],
                }
            )
        last[shift["rotation_arn"]] = page
    return tuple(out)
