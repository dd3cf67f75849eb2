"""The emulator's process-wide virtual clock.

Everything time-dependent in the emulator (timestamps, escalation stages,
delivery receipts, simulated responders) reads this clock, never the wall
clock, so tests can jump minutes ahead without sleeping. The clock runs at
``time_scale`` times real time from an anchor; ``time_scale = 0`` freezes it
(only :meth:`VirtualClock.advance` and :meth:`VirtualClock.set` move it).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from ...core.timeutil import to_utc

__all__ = ["VirtualClock", "advance", "clock", "freeze", "now", "reset", "set", "set_time"]


class VirtualClock:
    """A monotonic-anchored clock that can be scaled, frozen, advanced and set."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        self.reset()

    def reset(self) -> None:
        """Back to real time: scale 1, no offset."""
        with self._lock:
            self._scale = 1.0
            self._anchor_mono = time.monotonic()
            self._anchor_virtual = datetime.now(timezone.utc)

    def _reanchor(self) -> None:
        # Called with the lock held: freeze the current reading as the new anchor.
        current = self.now()
        self._anchor_mono = time.monotonic()
        self._anchor_virtual = current

    def now(self) -> datetime:
        """The current virtual time, an aware UTC datetime."""
        with self._lock:
            elapsed = (time.monotonic() - self._anchor_mono) * self._scale
            return self._anchor_virtual + timedelta(seconds=elapsed)

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        """Jump ``seconds`` ahead (never backwards) and run due events."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"the clock only moves forwards by a finite amount, got {seconds}")
        with self._lock:
            self._reanchor()
            self._anchor_virtual += timedelta(seconds=seconds)
            result = self._anchor_virtual
        self._notify()
        return result

    def set(self, value: datetime) -> datetime:
        """Set the virtual time (the scale is kept)."""
        with self._lock:
            self._anchor_mono = time.monotonic()
            # Naive datetimes are taken as UTC: the service speaks UTC only.
            self._anchor_virtual = to_utc(value)
            result = self._anchor_virtual
        self._notify()
        return result

    @property
    def time_scale(self) -> float:
        return self._scale

    @time_scale.setter
    def time_scale(self, scale: float) -> None:
        if not math.isfinite(scale) or scale < 0:
            # NaN would make every later reading (and every call) fail until reset.
            raise ValueError(f"time_scale must be a finite number >= 0, got {scale}")
        with self._lock:
            self._reanchor()
            self._scale = float(scale)

    def freeze(self) -> None:
        """Stop the clock: only advance() and set() move it afterwards."""
        self.time_scale = 0.0

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every advance()/set() (the backends process due events)."""
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()


clock = VirtualClock()


def now() -> datetime:
    return clock.now()


def advance(seconds: float) -> datetime:
    return clock.advance(seconds)


def set_time(value: datetime) -> datetime:
    return clock.set(value)


def reset() -> None:
    clock.reset()


def freeze() -> None:
    clock.freeze()


# The module mirrors the clock object: `clock.set(...)` and `clock.time_scale` work on either.
set = set_time


def __getattr__(name: str) -> float:
    if name == "time_scale":
        return clock.time_scale
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
