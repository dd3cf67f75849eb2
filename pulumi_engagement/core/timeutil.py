"""Timestamps: aware datetimes inside the core, ISO 8601 UTC strings at boundaries; durations.

Standard library only: the CLI loads this file before anything imports botocore (see
``pulumi_engagement._load_core_file``).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone

#: The longest duration accepted (ten years): beyond it datetime arithmetic overflows.
MAX_DURATION = 3650 * 86400.0
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+")


def to_utc(value: datetime | str | float | int | None) -> datetime | None:
    """Return an aware UTC datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        dt = datetime.fromtimestamp(value, tz=timezone.utc)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    else:
        raise TypeError(f"not a timestamp: {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z suffix, or None."""
    if value is None:
        return None
    dt = to_utc(value)
    assert dt is not None
    text = dt.isoformat(timespec="milliseconds" if dt.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def is_duration(text: str) -> bool:
    """Whether ``text`` is a duration with units ("30m", "1h30m"; a bare number is not)."""
    return _DURATION.fullmatch(text.strip().lower()) is not None


def parse_duration(text: str) -> float:
    """Seconds in a duration: a bare number is seconds; units s, m, h, d, w can be chained ("1h30m")."""
    value = text.strip().lower()
    try:
        seconds = float(value)
    except ValueError:
        if not _DURATION.fullmatch(value):
            raise ValueError(f"not a duration like 90, 30s, 5m, 2h or 1h30m: {text!r}") from None
        seconds = sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(value))
    if seconds < 0 or math.isnan(seconds):
        raise ValueError(f"must not be negative: {text!r}")
    if seconds > MAX_DURATION:  # inf, 1e12: no wait or window is longer than this
        raise ValueError(f"longer than {MAX_DURATION // 86400:.0f} days: {text!r}")
    return seconds
