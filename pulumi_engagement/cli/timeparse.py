"""Durations ("90", "30m", "1h30m") and points in time (ISO 8601 or "2h" meaning two hours ago).

Both parse with the core's timeutil, loaded as a file: this module is imported on the CLI's
start-up, before the console script pauses the collector, so it must not load botocore.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .. import _load_core_file

_timeutil = _load_core_file("timeutil")
parse_duration = _timeutil.parse_duration


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 (naive means UTC), "now", or a duration ago ("2h", "30m")."""
    value = text.strip()
    now = now or datetime.now(timezone.utc)
    if value.lower() == "now":
        return now
    if _timeutil.is_duration(value):
        return now - timedelta(seconds=parse_duration(value))
    try:
        return _timeutil.to_utc(value)
    except ValueError:
        raise ValueError(
            f"not an ISO 8601 time (2024-05-01T10:00:00Z) or a duration ago (2h, 30m): {text!r}"
        ) from None
