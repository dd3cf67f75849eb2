"""The drill report as one self-contained HTML page: inline CSS and inline SVG, nothing fetched.

Every piece of text from the service (subject, sender, ARNs, receipt notes, stop reasons) is
escaped: a page's subject is whatever whoever paged chose to write. A Content-Security-Policy
that allows no source at all backs that up, so even a missed escape could neither run a script
nor make the browser fetch anything.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

__all__ = ["render_report"]

# Plot geometry (SVG user units).
LABEL_WIDTH = 260
PLOT_WIDTH = 760
RIGHT_PAD = 30
ROW_HEIGHT = 34
TOP = 46  # stage labels and the axis above the rows
BOTTOM = 34

_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430;
       margin: 0; background: #f6f7f9; }
main { max-width: 1080px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
.subject { font-size: 16px; color: #333; margin: 0 0 16px; word-break: break-word; }
.meta { color: #59606b; font-size: 12px; word-break: break-all; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px;
           margin: 16px 0; }
.card { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 10px 12px; }
.card .k { font-size: 12px; color: #59606b; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 18px; font-weight: 600; word-break: break-word; }
.card.good .v { color: #17803d; } .card.bad .v { color: #b42318; }
.panel { background: #fff; border: 1px solid #dde1e6; border-radius: 8px; padding: 8px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e7e9ec; vertical-align: top; }
th { background: #eef0f3; font-weight: 600; }
td.wrap { word-break: break-word; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; font-size: 12px; color: #3b4250; margin: 6px 4px; }
.legend svg { vertical-align: middle; margin-right: 4px; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.notes { color: #8a5a00; font-size: 12px; }
footer { color: #8a9099; font-size: 12px; margin-top: 24px; }
"""

_COLOURS = {
    "sent": "#5b6472",
    "delivered": "#2563eb",
    "read": "#17803d",
    "stop": "#b42318",
    "error": "#b42318",
}


def _e(value: Any) -> str:
    """Escaped text for element content and quoted attributes alike."""
    return html.escape("" if value is None else str(value), quote=True)


def _alias(arn: str | None) -> str:
    if not arn:
        return "-"
    return arn.split("/")[1] if "/" in arn else arn


def duration_text(seconds: float | None) -> str:
    """390.0 -> "6m 30s"; None -> "-"."""
    if seconds is None:
        return "-"
    total = round(seconds)
    sign = "-" if total < 0 else ""
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    frac = abs(seconds) - int(abs(seconds))
    return f"{sign}{abs(seconds):.1f}s" if frac and total < 10 else f"{sign}{secs}s"


def _time_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "-"


def _tick_step(span: float) -> float:
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400):
        if span / step <= 10:
            return float(step)
    return 86400.0 * max(1, round(span / 86400 / 10))


def _tick_label(seconds: float) -> str:
    seconds = int(seconds)
    if seconds == 0:
        return "0"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def _marker(kind: str, x: float, y: float) -> str:
    """One mark's shape: sent = hollow circle above the lane, delivered = dot on it, read = diamond
    below it, stop/error = a cross; offset vertically so marks one second apart stay visible."""
    colour = _COLOURS[kind]
    if kind == "sent":
        return f'<circle cx="{x:.1f}" cy="{y - 8:.1f}" r="5" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    if kind == "delivered":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'
    if kind == "read":
        cy = y + 9
        return (
            f'<path d="M{x:.1f} {cy - 6:.1f} L{x + 6:.1f} {cy:.1f} L{x:.1f} {cy + 6:.1f} '
            f'L{x - 6:.1f} {cy:.1f} Z" fill="{colour}"/>'
        )
    return (
        f'<path d="M{x - 5:.1f} {y - 5:.1f} L{x + 5:.1f} {y + 5:.1f} M{x + 5:.1f} {y - 5:.1f} '
        f'L{x - 5:.1f} {y + 5:.1f}" stroke="{colour}" stroke-width="2.5" fill="none"/>'
    )


def _rows(metrics: Any) -> list[dict[str, Any]]:
    """Lanes of the timeline: one per page and channel (one per page when nothing was sent)."""
    rows = []
    for page in metrics.pages:
        stage = f"stage {page.stage} · " if page.stage is not None else ""
        essential = "" if page.essential is None else (" (essential)" if page.essential else " (optional)")
        channels = list(page.channels) or [None]
        for index, channel in enumerate(channels):
            name = "-"
            if channel is not None:
                name = channel.name or _alias(channel.contact_channel_arn)
                if channel.type:
                    name = f"{name} ({channel.type})"
            rows.append(
                {
                    "page": page,
                    "channel": channel,
                    "first": index == 0,
                    "label": f"{stage}{page.contact_alias or _alias(page.contact_arn)}{essential}",
                    "channel_label": name,
                }
            )
    return rows


def timeline_svg(metrics: Any) -> str:
    """The engagement's timeline: stage bands, per-channel marks, acknowledgement and stop lines."""
    start = metrics.start_time
    rows = _rows(metrics)
    offsets = [e.offset_seconds for e in metrics.timeline if e.offset_seconds is not None]
    span = max([60.0, *offsets]) * 1.06 if offsets else 60.0
    height = TOP + max(1, len(rows)) * ROW_HEIGHT + BOTTOM
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT_PAD

    def x_of(seconds: float) -> float:
        return LABEL_WIDTH + max(0.0, min(seconds, span)) / span * PLOT_WIDTH

    def offset(when: datetime | None) -> float | None:
        return None if when is None or start is None else (when - start).total_seconds()

    parts = [
        f'<svg id="timeline" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="Timeline of the engagement">',
        f'<rect x="{LABEL_WIDTH}" y="{TOP}" width="{PLOT_WIDTH}" height="{height - TOP - BOTTOM}" '
        f'fill="#fbfbfc" stroke="#dde1e6"/>',
    ]
    # Stage bands: from each stage's start to the next one's (or the end of the plot).
    stage_starts = [(s, offset(s.start_time)) for s in metrics.stages]
    stop_offset = offset(metrics.stop_time)
    for index, (stage, begin) in enumerate(stage_starts):
        if begin is None or (stop_offset is not None and begin >= stop_offset and not stage.reached):
            continue
        end = next((b for _, b in stage_starts[index + 1 :] if b is not None), None)
        if end is None:
            end = begin + stage.duration_minutes * 60 if stage.duration_minutes else span
        if stop_offset is not None:
            end = min(end, stop_offset)
        x0, x1 = x_of(begin), x_of(max(end, begin))
        fill = "#e8eefb" if index % 2 == 0 else "#f0e9fb"
        state = "reached" if stage.reached else "not reached"
        parts.append(
            f'<g class="stage" data-stage="{stage.stage}" data-reached="{str(stage.reached).lower()}">'
            f"<title>Stage {stage.stage} ({state})</title>"
            f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 2):.1f}" height="{height - TOP - BOTTOM}" '
            f'fill="{fill}" opacity="{0.9 if stage.reached else 0.4}"/>'
            f'<text x="{x0 + 4:.1f}" y="{TOP - 8}" font-size="12" fill="#3b4250">'
            f"Stage {stage.stage}</text></g>"
        )
    # Axis ticks.
    step = _tick_step(span)
    tick = 0.0
    while tick <= span:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{height - BOTTOM}" stroke="#e3e6ea"/>'
            f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" font-size="11" fill="#59606b" '
            f'text-anchor="middle">{_e(_tick_label(tick))}</text>'
        )
        tick += step
    # Lanes and their marks.
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        page, channel = row["page"], row["channel"]
        if index % 2:
            parts.append(
                f'<rect x="0" y="{y - ROW_HEIGHT / 2:.1f}" width="{LABEL_WIDTH - 4}" height="{ROW_HEIGHT}" '
                f'fill="#f1f3f5"/>'
            )
        parts.append(
            f'<text x="6" y="{y - 3:.1f}" font-size="12" fill="#1d2430">{_e(row["label"])}</text>'
            f'<text x="6" y="{y + 11:.1f}" font-size="11" fill="#59606b">{_e(row["channel_label"])}</text>'
            f'<line x1="{LABEL_WIDTH}" y1="{y:.1f}" x2="{LABEL_WIDTH + PLOT_WIDTH}" y2="{y:.1f}" '
            f'stroke="#d4d8de" stroke-dasharray="2 3"/>'
        )
        marks: list[tuple[str, datetime | None, str | None]] = []
        if channel is not None:
            marks += [
                ("sent", channel.sent_time, None),
                ("delivered", channel.delivery_time, None),
                ("read", channel.read_time, None),
                ("error", channel.sent_time if channel.error else None, channel.error),
            ]
        if row["first"]:
            # Page-level events that name no channel: a READ via AcceptPage without a channel, STOP.
            if page.read_time is not None and (channel is None or page.acknowledged_via is None):
                marks.append(("read", page.read_time, page.acknowledgement_note))
            marks.append(("stop", page.stop_time, page.stop_reason))
        for kind, when, info in marks:
            at = offset(when)
            if at is None:
                continue
            who = f"{page.contact_alias or _alias(page.contact_arn)} · {row['channel_label']}"
            tip = f"{kind} {duration_text(at)} after start — {who}" + (f" — {info}" if info else "")
            parts.append(
                f'<g class="mark" data-kind="{kind}" data-contact="{_e(page.contact_alias)}" '
                f'data-channel="{_e(channel.name if channel is not None else "")}" '
                f'data-offset="{at:g}"><title>{_e(tip)}</title>{_marker(kind, x_of(at), y)}</g>'
            )
    # The acknowledgement and the stop: full-height lines with a label.
    ack = offset(metrics.acknowledged_at)
    stop = offset(metrics.stop_time)
    # The stop first: the acknowledgement's dashed line stays visible when both fall together.
    if stop is not None:
        x = x_of(stop)
        cause = {
            "acknowledged": "ended by the acknowledgement",
            "stopped": "stopped",
            "ended": "ended: the plan ran out",
        }.get(metrics.stop_cause or "", "stopped")
        label = f"{cause} at {duration_text(stop)}"
        if metrics.stop_reason:
            label += f": {metrics.stop_reason}"
        # Below the plot when the acknowledgement's label takes the space above it.
        y_text = height - 6 if ack is not None else TOP - 24
        anchor = "end" if x > LABEL_WIDTH + PLOT_WIDTH * 0.7 else "start"
        dx = -4 if anchor == "end" else 4
        parts.append(
            f'<g id="stop" class="event" data-kind="stopped" data-offset="{stop:g}">'
            f"<title>{_e(label)}</title>"
            f'<line x1="{x:.1f}" y1="{TOP - 20}" x2="{x:.1f}" y2="{height - BOTTOM + 4}" stroke="#b42318" '
            f'stroke-width="2"/>'
            f'<text x="{x + dx:.1f}" y="{y_text}" font-size="12" fill="#b42318" text-anchor="{anchor}" '
            f'font-weight="600">{_e(label[:140])}</text></g>'
        )
    if ack is not None:
        x = x_of(ack)
        label = f"acknowledged by {_alias(metrics.acknowledged_by)} at {duration_text(ack)}"
        anchor = "end" if x > LABEL_WIDTH + PLOT_WIDTH * 0.7 else "start"
        dx = -4 if anchor == "end" else 4
        parts.append(
            f'<g id="acknowledgement" class="event" data-kind="acknowledged" data-offset="{ack:g}">'
            f"<title>{_e(label)}</title>"
            f'<line x1="{x:.1f}" y1="{TOP - 20}" x2="{x:.1f}" y2="{height - BOTTOM}" stroke="#17803d" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{x + dx:.1f}" y="{TOP - 24}" font-size="12" fill="#17803d" text-anchor="{anchor}" '
            f'font-weight="600">{_e(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    def swatch(kind: str) -> str:
        return f'<svg width="16" height="26" viewBox="0 -13 16 26">{_marker(kind, 8, 0)}</svg>'

    items = [
        (swatch("sent"), "sent"),
        (swatch("delivered"), "delivered"),
        (swatch("read"), "read (acknowledged)"),
        (swatch("stop"), "stopped (STOP receipt) or error"),
        (
            '<svg width="18" height="12"><line x1="9" y1="0" x2="9" y2="12" stroke="#17803d" '
            'stroke-width="2" stroke-dasharray="4 2"/></svg>',
            "acknowledgement",
        ),
        (
            '<svg width="18" height="12"><line x1="9" y1="0" x2="9" y2="12" stroke="#b42318" '
            'stroke-width="2"/></svg>',
            "end of the engagement",
        ),
    ]
    return '<div class="legend">' + "".join(f"<span>{s}{_e(t)}</span>" for s, t in items) + "</div>"


def _card(key: str, value: str, tone: str = "") -> str:
    return f'<div class="card {tone}"><div class="k">{_e(key)}</div><div class="v">{_e(value)}</div></div>'


def render_report(
    engagement: Any, metrics: Any, generated_at: datetime | None = None, version: str = ""
) -> str:
    """The whole page. ``engagement`` is the core's Engagement; ``metrics`` its EngagementMetrics."""
    stage = "-"
    if metrics.stage_reached is not None:
        stage = str(metrics.stage_reached)
        if metrics.stages_planned:
            stage += f" of {metrics.stages_planned}"
    status = {
        "acknowledged": "acknowledged",
        "ended_unacknowledged": "ended unacknowledged",
        "running": "running, not acknowledged yet",
    }.get(metrics.status, metrics.status)
    cards = [
        _card("Outcome", status, "good" if metrics.acknowledged else "bad"),
        _card("Time to acknowledge (MTTA)", duration_text(metrics.time_to_acknowledge)),
        _card("Acknowledged by", _alias(metrics.acknowledged_by)),
        _card("Stage reached", stage),
        _card(
            "Ended unacknowledged",
            "yes" if metrics.ended_unacknowledged else "no",
            "bad" if metrics.ended_unacknowledged else "",
        ),
        _card("Time to first delivery", duration_text(metrics.time_to_first_delivery)),
        _card("Pages sent", str(sum(1 for p in metrics.pages if p.sent_time is not None))),
        _card(
            "Stopped",
            "-"
            if metrics.stop_time is None
            else f"{metrics.stop_cause or 'yes'}"
            + (f": {metrics.stop_reason}" if metrics.stop_reason else ""),
        ),
    ]
    page_rows = []
    for page in metrics.pages:
        for channel in page.channels or [None]:
            cells = [
                page.contact_alias or _alias(page.contact_arn),
                page.stage if page.stage is not None else "-",
                "-" if page.essential is None else ("yes" if page.essential else "no"),
                "-"
                if channel is None
                else f"{channel.name or _alias(channel.contact_channel_arn)}"
                + (f" ({channel.type})" if channel.type else ""),
                _time_text(channel.sent_time if channel else page.sent_time),
                _time_text(channel.delivery_time if channel else page.delivery_time),
                _time_text(channel.read_time if channel else page.read_time),
                "yes" if page.acknowledged else "no",
            ]
            page_rows.append("<tr>" + "".join(f'<td class="wrap">{_e(c)}</td>' for c in cells) + "</tr>")
    channel_names = {
        c.contact_channel_arn: c.name for p in metrics.pages for c in p.channels if c.contact_channel_arn
    }
    event_rows = []
    for event in metrics.timeline:
        cells = [
            duration_text(event.offset_seconds),
            _time_text(event.time),
            event.kind.replace("_", " "),
            event.stage if event.stage is not None else "-",
            _alias(event.contact_arn),
            channel_names.get(event.contact_channel_arn) or _alias(event.contact_channel_arn)
            if event.contact_channel_arn
            else "-",
            event.info or "",
        ]
        event_rows.append("<tr>" + "".join(f'<td class="wrap">{_e(c)}</td>' for c in cells) + "</tr>")
    notes = "".join(f"<li>{_e(n)}</li>" for n in metrics.notes)
    subject = engagement.subject if engagement is not None else None
    meta = [
        ("Engagement", metrics.engagement_arn),
        ("Paged", metrics.contact_arn),
        ("Sender", getattr(engagement, "sender", None)),
        ("Incident", getattr(engagement, "incident_id", None)),
        ("Started", _time_text(metrics.start_time)),
        ("Stopped", _time_text(metrics.stop_time)),
    ]
    head = "".join(f"<div>{_e(k)}: {_e(v if v is not None else '-')}</div>" for k, v in meta)

    def header_row(names: list[str]) -> str:
        return "<tr>" + "".join(f"<th>{_e(n)}</th>" for n in names) + "</tr>"

    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            # Nothing may load: no scripts, no images, no fonts, no requests of any kind.
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Drill report: {_e(subject or metrics.engagement_arn)}</title>",
            f"<style>{_CSS}</style></head><body><main>",
            "<h1>Drill report</h1>",
            f'<p class="subject" id="subject">{_e(subject or "")}</p>',
            f'<div class="meta">{head}</div>',
            f'<section class="summary" id="summary">{"".join(cards)}</section>',
            "<h2>Timeline</h2>",
            f'<div class="panel">{timeline_svg(metrics)}{_legend()}</div>',
            f'<p class="notes">Stages from: {_e(metrics.stage_source or "-")}</p>' if metrics.stages else "",
            f'<ul class="notes">{notes}</ul>' if notes else "",
            "<h2>Pages</h2>",
            '<table id="pages">',
            header_row(
                ["Contact", "Stage", "Essential", "Channel", "Sent", "Delivered", "Read", "Acknowledged"]
            ),
            "".join(page_rows) or '<tr><td colspan="8">No pages.</td></tr>',
            "</table>",
            "<h2>Events</h2>",
            '<table id="events">',
            header_row(["After", "Time", "Event", "Stage", "Contact", "Channel", "Info"]),
            "".join(event_rows),
            "</table>",
            f"<footer>Generated by pulumi-engagement {_e(version)} "
            f"at {_e(_time_text(generated_at))}.</footer>",
            "</main></body></html>\n",
        ]
    )
