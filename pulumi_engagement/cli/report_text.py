"""Text of the drill report: escaping and the human forms of times, durations, ARNs and channels."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any


def esc(value: Any) -> str:
    """Escaped text for element content and quoted attributes alike."""
    return html.escape("" if value is None else str(value), quote=True)


def alias(arn: str | None) -> str:
    """The name an ARN gives after its resource type (``...:contact/oncall`` -> ``oncall``); "-" for none."""
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


def time_text(value: datetime | None) -> str:
    """A UTC time to the second, as people read it; "-" for none."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "-"


def channel_label(channel: Any) -> str:
    """A channel's name (or its ARN's id) and type; "-" for a page that reached no channel."""
    if channel is None:
        return "-"
    name = channel.name or alias(channel.contact_channel_arn)
    return f"{name} ({channel.type})" if channel.type else name


def shift_label(on_shift: dict[str, Any] | None) -> str:
    """Who had the person on call: "rotation (schedule), shift start - end" ; "-" when paged directly."""
    if not on_shift:
        return "-"
    kind = " overridden" if on_shift.get("shift_type") == "OVERRIDDEN" else ""
    return (
        f"{on_shift['rotation']} ({on_shift['schedule']}){kind}, "
        f"{on_shift['shift_start']} - {on_shift['shift_end']}"
    )


def handover_text(handover: dict[str, Any]) -> str:
    """One hand-over: "db-oncall / db-follow-the-sun: dana -> erik at 2026-03-02T21:00:00Z"."""
    return (
        f"{handover['schedule']} / {handover['rotation']}: "
        f"{handover['from']} -> {handover['to']} at {handover['at']}"
    )
