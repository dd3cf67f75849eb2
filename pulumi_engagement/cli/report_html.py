"""The drill report as one self-contained HTML page: inline CSS and inline SVG, nothing fetched.

Every piece of text from the service (subject, sender, ARNs, receipt notes, stop reasons) is
escaped: a page's subject is whatever whoever paged chose to write. A Content-Security-Policy
that allows no source at all backs that up, so even a missed escape could neither run a script
nor make the browser fetch anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .report_text import alias, channel_label, duration_text, esc, handover_text, shift_label, time_text
from .report_timeline import legend, timeline_svg

__all__ = ["duration_text", "render_report", "timeline_svg"]

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


def _card(key: str, value: str, tone: str = "") -> str:
    return f'<div class="card {tone}"><div class="k">{esc(key)}</div><div class="v">{esc(value)}</div></div>'


_STATUS_TEXT = {
    "acknowledged": "acknowledged",
    "ended_unacknowledged": "ended unacknowledged",
    "running": "running, not acknowledged yet",
}


def _summary_cards(metrics: Any) -> list[str]:
    """The summary: outcome, MTTA, who acknowledged, how far the plan went, how it ended."""
    stage = "-"
    if metrics.stage_reached is not None:
        stage = str(metrics.stage_reached)
        if metrics.stages_planned:
            stage += f" of {metrics.stages_planned}"
    stopped = "-"
    if metrics.stop_time is not None:
        stopped = f"{metrics.stop_cause or 'yes'}" + (
            f": {metrics.stop_reason}" if metrics.stop_reason else ""
        )
    ended_unacknowledged = bool(metrics.ended_unacknowledged)
    return [
        _card(
            "Outcome",
            _STATUS_TEXT.get(metrics.status, metrics.status),
            "good" if metrics.acknowledged else "bad",
        ),
        _card("Time to acknowledge (MTTA)", duration_text(metrics.time_to_acknowledge)),
        _card("Acknowledged by", alias(metrics.acknowledged_by)),
        _card("Stage reached", stage),
        _card(
            "Ended unacknowledged",
            "yes" if ended_unacknowledged else "no",
            "bad" if ended_unacknowledged else "",
        ),
        _card("Time to first delivery", duration_text(metrics.time_to_first_delivery)),
        _card("Pages sent", str(sum(1 for p in metrics.pages if p.sent_time is not None))),
        _card("Stopped", stopped),
    ]


def _table_row(cells: list[Any]) -> str:
    return "<tr>" + "".join(f'<td class="wrap">{esc(c)}</td>' for c in cells) + "</tr>"


def _header_row(names: list[str]) -> str:
    return "<tr>" + "".join(f"<th>{esc(n)}</th>" for n in names) + "</tr>"


def _page_rows(metrics: Any) -> list[str]:
    """One row per page and channel it reached (one per page that reached none)."""
    rows = []
    for page in metrics.pages:
        for channel in page.channels or [None]:
            cells = [
                page.contact_alias or alias(page.contact_arn),
                page.stage if page.stage is not None else "-",
                "-" if page.essential is None else ("yes" if page.essential else "no"),
                shift_label(page.on_shift),
                channel_label(channel),
                time_text(channel.sent_time if channel else page.sent_time),
                time_text(channel.delivery_time if channel else page.delivery_time),
                time_text(channel.read_time if channel else page.read_time),
                "yes" if page.acknowledged else "no",
            ]
            rows.append(_table_row(cells))
    return rows


def _event_rows(metrics: Any) -> list[str]:
    channel_names = {
        c.contact_channel_arn: c.name for p in metrics.pages for c in p.channels if c.contact_channel_arn
    }
    rows = []
    for event in metrics.timeline:
        channel = "-"
        if event.contact_channel_arn:
            channel = channel_names.get(event.contact_channel_arn) or alias(event.contact_channel_arn)
        cells = [
            duration_text(event.offset_seconds),
            time_text(event.time),
            event.kind.replace("_", " "),
            event.stage if event.stage is not None else "-",
            alias(event.contact_arn),
            channel,
            event.info or "",
        ]
        rows.append(_table_row(cells))
    return rows


def _meta(engagement: Any, metrics: Any) -> str:
    """The lines under the title: which engagement, who paged whom, when."""
    meta = [
        ("Engagement", metrics.engagement_arn),
        ("Paged", metrics.contact_arn),
        ("Sender", getattr(engagement, "sender", None)),
        ("Incident", getattr(engagement, "incident_id", None)),
        ("Started", time_text(metrics.start_time)),
        ("Stopped", time_text(metrics.stop_time)),
    ]
    return "".join(f"<div>{esc(k)}: {esc(v if v is not None else '-')}</div>" for k, v in meta)


_PAGE_COLUMNS = [
    "Contact",
    "Stage",
    "Essential",
    "On shift",
    "Channel",
    "Sent",
    "Delivered",
    "Read",
    "Acknowledged",
]


def _handover_list(metrics: Any) -> str:
    """The hand-overs a drill ran across: the person on shift changed between two pages."""
    if not metrics.handovers:
        return ""
    items = "".join(f"<li>{esc(handover_text(h))}</li>" for h in metrics.handovers)
    return f'<h2>Hand-overs</h2><ul id="handovers">{items}</ul>'


_EVENT_COLUMNS = ["After", "Time", "Event", "Stage", "Contact", "Channel", "Info"]


def render_report(
    engagement: Any, metrics: Any, generated_at: datetime | None = None, version: str = ""
) -> str:
    """The whole page. ``engagement`` is the core's Engagement; ``metrics`` its EngagementMetrics."""
    notes = "".join(f"<li>{esc(n)}</li>" for n in metrics.notes)
    subject = engagement.subject if engagement is not None else None
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            # Nothing may load: no scripts, no images, no fonts, no requests of any kind.
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Drill report: {esc(subject or metrics.engagement_arn)}</title>",
            f"<style>{_CSS}</style></head><body><main>",
            "<h1>Drill report</h1>",
            f'<p class="subject" id="subject">{esc(subject or "")}</p>',
            f'<div class="meta">{_meta(engagement, metrics)}</div>',
            f'<section class="summary" id="summary">{"".join(_summary_cards(metrics))}</section>',
            "<h2>Timeline</h2>",
            f'<div class="panel">{timeline_svg(metrics)}{legend()}</div>',
            f'<p class="notes">Stages from: {esc(metrics.stage_source or "-")}</p>' if metrics.stages else "",
            f'<ul class="notes">{notes}</ul>' if notes else "",
            "<h2>Pages</h2>",
            '<table id="pages">',
            _header_row(_PAGE_COLUMNS),
            "".join(_page_rows(metrics)) or f'<tr><td colspan="{len(_PAGE_COLUMNS)}">No pages.</td></tr>',
            "</table>",
            _handover_list(metrics),
            "<h2>Events</h2>",
            '<table id="events">',
            _header_row(_EVENT_COLUMNS),
            "".join(_event_rows(metrics)),
            "</table>",
            f"<footer>Generated by pulumi-engagement {esc(version)} "
            f"at {esc(time_text(generated_at))}.</footer>",
            "</main></body></html>\n",
        ]
    )
