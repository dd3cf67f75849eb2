"""Timestamps: aware datetimes inside the core, ISO 8601 UTC strings at boundaries."""

from __future__ import annotations

from datetime import datetime, timezone


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
