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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .errors import AccessDeniedError, ResourceNotFoundError
from .operations import Engagement, EngagementClient, Page
from .timeutil import iso

__all__ = [
    "ChannelMarks",
    "EngagementMetrics",
    "PageMetrics",
    "ResponseData",
    "StageMetrics",
    "TimelineEvent",
    "compute_metrics",
    "fetch_response_data",
    "response_metrics",
]

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


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and datetimes as plain JSON-ready values (ISO 8601 UTC strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


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


class _ToDict:
    def to_dict(self) -> dict[str, Any]:
        """snake_case keys, timestamps as ISO 8601 UTC strings, durations as float seconds."""
        return _plain(self)


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
    contact_type: str | None  # ESCALATION or PERSONAL, when the contact could be read
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


# -- fetching ---------------------------------------------------------------------------------------


def fetch_response_data(client: EngagementClient, engagement_arn: str, details: bool = True) -> ResponseData:
    """Read the engagement, its pages and receipts (and, with ``details``, plan, stages and channels).

    The engagement is described first: if it has stopped, the pages read afterwards are final.
    Detail calls the caller may not be allowed (or whose contact was deleted) leave a note
    instead of failing the report.
    """
    engagement = client.describe(engagement_arn)
    pages = tuple(client.pages(engagement_arn, receipts=True))
    if not details:
        return ResponseData(engagement=engagement, pages=pages)
    notes: list[str] = []

    def optional(what: str, call: Any) -> Any:
        try:
            return call()
        except (AccessDeniedError, ResourceNotFoundError) as exc:
            notes.append(f"{what}: {exc.code}")
            return None

    contact_type = None
    plan_stages = None
    contact = optional(
        "plan not read (GetContact)",
        lambda: client._call("GetContact", {"ContactId": engagement.contact_arn}),
    )
    if contact is not None:
        contact_type = contact.get("Type")
        plan_stages = tuple((contact.get("Plan") or {}).get("Stages") or ())

    stage_indexes: dict[str, int] = {}
    if contact_type != "PERSONAL":
        for page in pages:
            resolutions = optional(
                "stages not resolved (ListPageResolutions)",
                lambda page=page: list(
                    client._paginate("ListPageResolutions", {"PageId": page.page_arn}, "PageResolutions")
                ),
            )
            for item in resolutions or ():
                if item.get("StageIndex") is not None and item.get("ContactArn") == engagement.contact_arn:
                    stage_indexes[page.page_arn] = int(item["StageIndex"])
            if resolutions is None:
                break  # denied once, denied for every page

    channels: dict[str, dict[str, str]] = {}
    for contact_arn in dict.fromkeys(p.contact_arn for p in pages if p.contact_arn):
        listed = optional(
            "channel names not read (ListContactChannels)",
            lambda contact_arn=contact_arn: list(
                client._paginate("ListContactChannels", {"ContactId": contact_arn}, "ContactChannels")
            ),
        )
        for item in listed or ():
            channels[item["ContactChannelArn"]] = {"name": item.get("Name"), "type": item.get("Type")}
    return ResponseData(
        engagement=engagement,
        pages=pages,
        contact_type=contact_type,
        plan_stages=plan_stages,
        stage_indexes=stage_indexes,
        channels=channels,
        notes=tuple(dict.fromkeys(notes)),
    )


def response_metrics(
    client: EngagementClient, engagement_arn: str, details: bool = True
) -> EngagementMetrics:
    """The response metrics of one engagement, as the service shows them now."""
    return compute_metrics(fetch_response_data(client, engagement_arn, details=details))


# -- computing --------------------------------------------------------------------------------------


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


def compute_metrics(data: ResponseData) -> EngagementMetrics:
    """The metrics of one engagement from fetched data; no I/O, so fixed inputs give fixed results."""
    engagement = data.engagement
    start, stop = engagement.start_time, engagement.stop_time

    def in_time(when: datetime | None) -> bool:
        return when is not None and (stop is None or when <= stop)

    # -- per page, before stages ------------------------------------------------------------------
    channel_lists = {p.page_arn: _channel_marks(p, data.channels) for p in data.pages}
    reads: dict[str, tuple[datetime | None, Any]] = {}
    for page in data.pages:
        read_receipts = [r for r in page.receipts if r.receipt_type == "READ" and r.receipt_time is not None]
        read_receipts.sort(key=lambda r: r.receipt_time)
        first = read_receipts[0] if read_receipts else None
        read_time = page.read_time or (first.receipt_time if first else None)
        reads[page.page_arn] = (read_time, first)

    # -- stages -----------------------------------------------------------------------------------
    escalation = data.contact_type == "ESCALATION" or (
        data.contact_type is None and any(p.contact_arn != engagement.contact_arn for p in data.pages)
    )
    plan: list[tuple[datetime, list[str]]] = []
    essentials: list[list[str]] = []
    durations: list[int | None] = []
    if data.plan_stages and start is not None:
        offset = timedelta()
        for stage in data.plan_stages:
            targets, essential = _targets(stage)
            plan.append((start + offset, targets))
            essentials.append(essential)
            minutes = stage.get("DurationInMinutes")
            durations.append(minutes)
            offset += timedelta(minutes=minutes or 0)

    # Units a stage pages: pages (escalation plan) or channels of the one page (personal contact).
    units: dict[str, tuple[str | None, datetime | None]] = {}  # unit -> (target ARN, first send)
    if escalation:
        for page in data.pages:
            units[page.page_arn] = (page.contact_arn, page.sent_time)
    else:
        for page in data.pages:
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

    stage_count = len(plan) if source in ("plan", "resolution") and plan else 0
    if assigned:
        stage_count = max(stage_count, max(assigned.values()) + 1)
    stages: list[StageMetrics] = []
    for index in range(stage_count):
        members = [u for u, i in assigned.items() if i == index]
        paged = tuple(dict.fromkeys(units[u][0] for u in members if units[u][0]))
        if index < len(plan) and source in ("plan", "resolution"):
            planned_start, targets = plan[index]
            stages.append(
                StageMetrics(
                    stage=index + 1,
                    start_time=planned_start,
                    duration_minutes=durations[index],
                    targets=tuple(targets),
                    essential_targets=tuple(essentials[index]),
                    paged=paged,
                    reached=bool(members),
                )
            )
        else:
            stages.append(
                StageMetrics(
                    stage=index + 1,
                    start_time=_min([units[u][1] for u in members]),
                    duration_minutes=None,
                    targets=paged,
                    essential_targets=(),
                    paged=paged,
                    reached=bool(members),
                )
            )
    reached = [s.stage for s in stages if s.reached]

    # -- pages --------------------------------------------------------------------------------------
    page_metrics: list[PageMetrics] = []
    for page in data.pages:
        read_time, first_read = reads[page.page_arn]
        acknowledged = in_time(read_time)
        stop_receipts = [r for r in page.receipts if r.receipt_type == "STOP"]
        stage_index = assigned.get(page.page_arn) if escalation else None
        essential = None
        if (
            escalation
            and stage_index is not None
            and stage_index < len(essentials)
            and source != "sent_times"
        ):
            essential = page.contact_arn in essentials[stage_index]
        channels = channel_lists[page.page_arn]
        if not escalation:
            channels = [
                dataclasses.replace(
                    c,
                    stage=(
                        assigned[f"{page.page_arn} {c.contact_channel_arn}"] + 1
                        if f"{page.page_arn} {c.contact_channel_arn}" in assigned
                        else None
                    ),
                )
                for c in channels
            ]
        page_metrics.append(
            PageMetrics(
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
                acknowledged_via=first_read.contact_channel_arn if acknowledged and first_read else None,
                acknowledgement_note=first_read.receipt_info if acknowledged and first_read else None,
                stop_time=_min([r.receipt_time for r in stop_receipts]),
                stop_reason=next((r.receipt_info for r in stop_receipts if r.receipt_info), None),
                seconds_to_delivery=_seconds(page.sent_time, page.delivery_time),
                seconds_to_read=_seconds(page.sent_time, read_time),
            )
        )

    # -- the engagement -------------------------------------------------------------------------------
    acks = sorted((p for p in page_metrics if p.acknowledged), key=lambda p: p.read_time)
    first_ack = acks[0] if acks else None
    stop_receipts = [r for p in data.pages for r in p.receipts if r.receipt_type == "STOP"]
    stop_reason = next((r.receipt_info for r in stop_receipts if r.receipt_info), None)
    if stop is None:
        stop_cause = None
    elif stop_receipts:
        stop_cause = "stopped"
    elif any(p.read_time == stop for p in acks):
        stop_cause = "acknowledged"
    else:
        stop_cause = "ended"
    ended_unacknowledged = stop is not None and first_ack is None
    status = "acknowledged" if first_ack else ("ended_unacknowledged" if ended_unacknowledged else "running")

    # -- timeline -------------------------------------------------------------------------------------
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
            if not escalation and receipt.contact_channel_arn:
                index = assigned.get(f"{page.page_arn} {receipt.contact_channel_arn}")
                channel_stage = index + 1 if index is not None else None
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
    add(stop, "engagement_stopped", contact_arn=engagement.contact_arn, info=stop_reason or stop_cause)
    events.sort(key=lambda e: (e.time, _EVENT_ORDER.get(e.kind, 9)))

    sent_times = [p.sent_time for p in data.pages]
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
        time_to_first_page=_seconds(start, _min(sent_times)),
        time_to_first_delivery=_seconds(start, _min([p.delivery_time for p in data.pages])),
        time_to_acknowledge=_seconds(start, first_ack.read_time) if first_ack else None,
        stage_reached=max(reached) if reached else None,
        stages_planned=len(data.plan_stages) if data.plan_stages is not None else None,
        stage_source=source,
        ended_unacknowledged=ended_unacknowledged,
        stop_cause=stop_cause,
        stop_reason=stop_reason,
        pages=tuple(page_metrics),
        stages=tuple(stages),
        timeline=tuple(events),
        notes=data.notes,
    )
