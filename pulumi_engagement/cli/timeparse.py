"""Durations ("90", "30m", "1h30m") and points in time (ISO 8601 or "2h" meaning two hours ago)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

#: The longest duration accepted (ten years): beyond it datetime arithmetic overflows.
MAX_DURATION = 3650 * 86400.0
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+")


def parse_duration(text: str) -> float:
    """Seconds in a duration: a bare number is seconds; units s, m, h, d, w can be chained ("1h30m")."""
    value = text.strip().lower()
    try:
        seconds = float(value)
    except ValueError:
        if not _DURATION.fullmatch(value):
            raise ValueError(f"not a duration like 90, 30s, 5m, 2h or 1h30m: {text!r}") from None
        seconds = sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(value))
    if seconds < 0 or seconds != seconds:  # negative or NaN
        raise ValueError(f"must not be negative: {text!r}")
    if seconds > MAX_DURATION:  # inf, 1e12: no wait or window is longer than this
        raise ValueError(f"longer than {MAX_DURATION // 86400:.0f} days: {text!r}")
    return seconds


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 (naive means UTC), "now", or a duration ago ("2h", "30m")."""
    value = text.strip()
    now = now or datetime.now(timezone.utc)
    if value.lower() == "now":
        return now
    if _DURATION.fullmatch(value.lower()):
        return now - timedelta(seconds=parse_duration(value))
    iso = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError(
            f"not an ISO 8601 time (2024-05-01T10:00:00Z) or a duration ago (2h, 30m): {text!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
