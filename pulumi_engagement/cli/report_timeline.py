"""The drill report's timeline: one inline SVG of stage bands, each page's marks per contact and
channel, and the acknowledgement and stop lines; with its legend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from .report_text import alias, channel_label, duration_text, esc

# Plot geometry (SVG user units).
LABEL_WIDTH = 260
PLOT_WIDTH = 760
RIGHT_PAD = 30
ROW_HEIGHT = 34
TOP = 46  # stage labels and the axis above the rows
BOTTOM = 34

_COLOURS = {
    "sent": "#5b6472",
    "delivered": "#2563eb",
    "read": "#17803d",
    "stop": "#b42318",
    "error": "#b42318",
}


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
            rows.append(
                {
                    "page": page,
                    "channel": channel,
                    "first": index == 0,
                    "label": f"{stage}{page.contact_alias or alias(page.contact_arn)}{essential}",
                    "channel_label": channel_label(channel),
                }
            )
    return rows


@dataclass(frozen=True)
class _Plot:
    """The timeline's geometry: seconds after the engagement's start along x, one lane per row."""

    start: datetime | None
    span: float  # seconds shown: the last event plus a margin, at least a minute
    height: int

    @property
    def bottom(self) -> int:
        """The y of the plot area's lower edge (the axis labels go below it)."""
        return self.height - BOTTOM

    def x(self, seconds: float) -> float:
        return LABEL_WIDTH + max(0.0, min(seconds, self.span)) / self.span * PLOT_WIDTH

    def offset(self, when: datetime | None) -> float | None:
        """Seconds from the engagement's start to ``when``; None when either is unknown."""
        return None if when is None or self.start is None else (when - self.start).total_seconds()

    def label_anchor(self, x: float) -> tuple[str, int]:
        """Text anchor and x nudge of a label at ``x``: near the right edge it runs leftwards."""
        return ("end", -4) if x > LABEL_WIDTH + PLOT_WIDTH * 0.7 else ("start", 4)


def _plot(metrics: Any, lanes: int) -> _Plot:
    offsets = [e.offset_seconds for e in metrics.timeline if e.offset_seconds is not None]
    span = max([60.0, *offsets]) * 1.06 if offsets else 60.0
    return _Plot(start=metrics.start_time, span=span, height=TOP + max(1, lanes) * ROW_HEIGHT + BOTTOM)


def _stage_bands(plot: _Plot, metrics: Any) -> list[str]:
    """A band per stage, from its start to the next one's (or the end of the plot, or the stop)."""
    parts = []
    stage_starts = [(s, plot.offset(s.start_time)) for s in metrics.stages]
    stop_offset = plot.offset(metrics.stop_time)
    for index, (stage, begin) in enumerate(stage_starts):
        if begin is None or (stop_offset is not None and begin >= stop_offset and not stage.reached):
            continue
        end = next((b for _, b in stage_starts[index + 1 :] if b is not None), None)
        if end is None:
            end = begin + stage.duration_minutes * 60 if stage.duration_minutes else plot.span
        if stop_offset is not None:
            end = min(end, stop_offset)
        x0, x1 = plot.x(begin), plot.x(max(end, begin))
        fill = "#e8eefb" if index % 2 == 0 else "#f0e9fb"
        state = "reached" if stage.reached else "not reached"
        parts.append(
            f'<g class="stage" data-stage="{stage.stage}" data-reached="{str(stage.reached).lower()}">'
            f"<title>Stage {stage.stage} ({state})</title>"
            f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 2):.1f}" height="{plot.bottom - TOP}" '
            f'fill="{fill}" opacity="{0.9 if stage.reached else 0.4}"/>'
            f'<text x="{x0 + 4:.1f}" y="{TOP - 8}" font-size="12" fill="#3b4250">'
            f"Stage {stage.stage}</text></g>"
        )
    return parts


def _axis_ticks(plot: _Plot) -> list[str]:
    parts = []
    step = _tick_step(plot.span)
    tick = 0.0
    while tick <= plot.span:
        x = plot.x(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{plot.bottom}" stroke="#e3e6ea"/>'
            f'<text x="{x:.1f}" y="{plot.bottom + 16}" font-size="11" fill="#59606b" '
            f'text-anchor="middle">{esc(_tick_label(tick))}</text>'
        )
        tick += step
    return parts


def _lane_marks(row: dict[str, Any]) -> list[tuple[str, datetime | None, str | None]]:
    """The (kind, time, info) marks of one lane; times may be None (not happened)."""
    page, channel = row["page"], row["channel"]
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
    return marks


def _lane(plot: _Plot, index: int, row: dict[str, Any]) -> list[str]:
    """One lane: its labels, its dotted line and its marks, each with a tooltip."""
    y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
    page, channel = row["page"], row["channel"]
    parts = []
    if index % 2:
        parts.append(
            f'<rect x="0" y="{y - ROW_HEIGHT / 2:.1f}" width="{LABEL_WIDTH - 4}" height="{ROW_HEIGHT}" '
            f'fill="#f1f3f5"/>'
        )
    parts.append(
        f'<text x="6" y="{y - 3:.1f}" font-size="12" fill="#1d2430">{esc(row["label"])}</text>'
        f'<text x="6" y="{y + 11:.1f}" font-size="11" fill="#59606b">{esc(row["channel_label"])}</text>'
        f'<line x1="{LABEL_WIDTH}" y1="{y:.1f}" x2="{LABEL_WIDTH + PLOT_WIDTH}" y2="{y:.1f}" '
        f'stroke="#d4d8de" stroke-dasharray="2 3"/>'
    )
    for kind, when, info in _lane_marks(row):
        at = plot.offset(when)
        if at is None:
            continue
        who = f"{page.contact_alias or alias(page.contact_arn)} · {row['channel_label']}"
        tip = f"{kind} {duration_text(at)} after start — {who}" + (f" — {info}" if info else "")
        parts.append(
            f'<g class="mark" data-kind="{kind}" data-contact="{esc(page.contact_alias)}" '
            f'data-channel="{esc(channel.name if channel is not None else "")}" '
            f'data-offset="{at:g}"><title>{esc(tip)}</title>{_marker(kind, plot.x(at), y)}</g>'
        )
    return parts


class _EventStyle(NamedTuple):
    colour: str
    line_end: int  # y where the line ends
    text_y: int
    dashes: str = ""  # extra SVG attribute
    max_label: int | None = None  # characters of the label shown (the title keeps all)


def _event_line(plot: _Plot, element_id: str, kind: str, at: float, label: str, style: _EventStyle) -> str:
    """A full-height line at ``at`` with its label: the acknowledgement or the stop."""
    x = plot.x(at)
    anchor, dx = plot.label_anchor(x)
    return (
        f'<g id="{element_id}" class="event" data-kind="{kind}" data-offset="{at:g}">'
        f"<title>{esc(label)}</title>"
        f'<line x1="{x:.1f}" y1="{TOP - 20}" x2="{x:.1f}" y2="{style.line_end}" stroke="{style.colour}" '
        f'stroke-width="2"{style.dashes}/>'
        f'<text x="{x + dx:.1f}" y="{style.text_y}" font-size="12" fill="{style.colour}" '
        f'text-anchor="{anchor}" font-weight="600">{esc(label[: style.max_label])}</text></g>'
    )


_STOP_CAUSES = {
    "acknowledged": "ended by the acknowledgement",
    "stopped": "stopped",
    "ended": "ended: the plan ran out",
}


def _end_lines(plot: _Plot, metrics: Any) -> list[str]:
    """The stop's and the acknowledgement's lines, the stop first: where both fall together, the
    acknowledgement's dashed line stays visible on top."""
    parts = []
    ack = plot.offset(metrics.acknowledged_at)
    stop = plot.offset(metrics.stop_time)
    if stop is not None:
        label = f"{_STOP_CAUSES.get(metrics.stop_cause or '', 'stopped')} at {duration_text(stop)}"
        if metrics.stop_reason:
            label += f": {metrics.stop_reason}"
        style = _EventStyle(
            colour=_COLOURS["stop"],
            line_end=plot.bottom + 4,
            # Below the plot when the acknowledgement's label takes the space above it.
            text_y=plot.height - 6 if ack is not None else TOP - 24,
            max_label=140,  # a stop reason is free text
        )
        parts.append(_event_line(plot, "stop", "stopped", stop, label, style))
    if ack is not None:
        label = f"acknowledged by {alias(metrics.acknowledged_by)} at {duration_text(ack)}"
        style = _EventStyle(
            colour=_COLOURS["read"], line_end=plot.bottom, text_y=TOP - 24, dashes=' stroke-dasharray="6 3"'
        )
        parts.append(_event_line(plot, "acknowledgement", "acknowledged", ack, label, style))
    return parts


def timeline_svg(metrics: Any) -> str:
    """The engagement's timeline: stage bands, per-channel marks, acknowledgement and stop lines."""
    rows = _rows(metrics)
    plot = _plot(metrics, len(rows))
    width = LABEL_WIDTH + PLOT_WIDTH + RIGHT_PAD
    parts = [
        f'<svg id="timeline" role="img" width="{width}" height="{plot.height}" '
        f'viewBox="0 0 {width} {plot.height}" aria-label="Timeline of the engagement">',
        f'<rect x="{LABEL_WIDTH}" y="{TOP}" width="{PLOT_WIDTH}" height="{plot.bottom - TOP}" '
        f'fill="#fbfbfc" stroke="#dde1e6"/>',
    ]
    parts += _stage_bands(plot, metrics)
    parts += _axis_ticks(plot)
    for index, row in enumerate(rows):
        parts += _lane(plot, index, row)
    parts += _end_lines(plot, metrics)
    parts.append("</svg>")
    return "".join(parts)


def legend() -> str:
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
    return '<div class="legend">' + "".join(f"<span>{s}{esc(t)}</span>" for s, t in items) + "</div>"
