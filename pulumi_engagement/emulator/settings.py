"""Process-wide emulator settings that are not faults: how long StartEngagement tokens are remembered.

AWS does not document how long it remembers a StartEngagement ``IdempotencyToken``, so the
emulator lets callers choose (``--token-retention``, ``POST /_emulator/config``, the seed key
``token_retention``, :meth:`InProcessEmulator.set_config`): ``None`` (the default) remembers
tokens for the life of the emulator state; a number of seconds forgets a token once its
engagement started longer ago than that on the virtual clock.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "MAX_TOKEN_RETENTION",
    "EmulatorSettings",
    "SettingsError",
    "check_seconds",
    "get_settings",
    "reset",
    "set_settings",
    "token_retention",
]

#: A hundred years: anything longer is "forever" spelled with a typo.
MAX_TOKEN_RETENTION = 100 * 365.25 * 86400


class SettingsError(ValueError):
    """A setting is out of range; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def check_seconds(field: str, value: Any, maximum: float, minimum: float = 0.0) -> float:
    """``value`` as a finite float in ``[minimum, maximum]``, else :class:`SettingsError` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SettingsError(field, f"must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SettingsError(field, f"must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise SettingsError(field, f"must be a finite number, got {number}")
    if number < minimum:
        raise SettingsError(field, f"must be >= {minimum:g}, got {number:g}")
    if number > maximum:
        raise SettingsError(field, f"must be <= {maximum:g}, got {number:g}")
    return number


@dataclass(frozen=True)
class EmulatorSettings:
    """``token_retention``: seconds a StartEngagement token is remembered, ``None`` = forever."""

    token_retention: float | None = None

    def __post_init__(self) -> None:
        if self.token_retention is not None:
            value = check_seconds("token_retention", self.token_retention, MAX_TOKEN_RETENTION)
            object.__setattr__(self, "token_retention", value)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> EmulatorSettings:
        data = dict(data or {})
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            known = ", ".join(cls.__dataclass_fields__)
            raise SettingsError(sorted(unknown)[0], f"unknown setting (known: {known})")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_lock = threading.Lock()
_settings = EmulatorSettings()


def get_settings() -> EmulatorSettings:
    with _lock:
        return _settings


def set_settings(
    settings: EmulatorSettings | dict[str, Any] | None = None, **fields: Any
) -> EmulatorSettings:
    """Change some settings (fields not given keep their value); returns the result."""
    global _settings
    changes = settings.to_dict() if isinstance(settings, EmulatorSettings) else dict(settings or {})
    changes.update(fields)
    with _lock:
        _settings = EmulatorSettings.from_dict({**_settings.to_dict(), **changes})
        return _settings


def token_retention() -> float | None:
    return get_settings().token_retention


def reset() -> None:
    """Back to the defaults (tokens remembered forever)."""
    global _settings
    with _lock:
        _settings = EmulatorSettings()
