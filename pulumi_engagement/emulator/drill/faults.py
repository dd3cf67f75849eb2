"""Fault injection and call counters (attempts, faults answered) for the emulator's ssm-contacts operations.

Faults never touch the control endpoint. The throttle is a token bucket per
operation measured on the real monotonic clock (not the virtual one), so
throughput benchmarks see real rates whatever ``--time-scale`` says;
``throttle_rate`` throttles a random fraction of calls instead (which no client
can learn to stay under, unlike a rate limit).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ..settings import SettingsError, check_seconds

__all__ = [
    "FaultConfig",
    "FaultDecision",
    "calls",
    "clear_faults",
    "get_faults",
    "injected",
    "parse_throttle",
    "reset",
    "set_faults",
    "wait_for_calls",
]

#: The longest a caller may wait for calls: longer would only look like a hung server.
MAX_CALLS_WAIT = 300.0


#: A minute: more would only look like a hung server.
MAX_LATENCY_MS = 60_000.0
#: Requests per second of a token bucket; far above anything a client on loopback reaches.
MAX_THROTTLE_RATE = 1_000_000.0


@dataclass
class FaultConfig:
    """What to inject.

    - ``throttle``: operation -> requests per second (token bucket, burst of
      ``max(1, rate)``; a rate of 0 throttles every call).
    - ``throttle_rate``: fraction of calls answered with ThrottlingException, before anything is
      committed.
    - ``error_rate``: fraction of calls answered with InternalServerException (500),
      before anything is committed.
    - ``drop_rate``: fraction of calls that are committed and then lose their response.
    - ``latency_ms``: real milliseconds added to every call (at most 60000).
    - ``seed``: seeds the random draws, for reproducible runs.
    - ``operations``: restrict throttle_rate/error/drop/latency to these operations (None = all).
    - ``max_faults``: stop injecting random throttles/errors/drops after this many (None = no limit):
      "fail once, then succeed" scenarios without hunting for a seed.
    """

    throttle: dict[str, float] = field(default_factory=dict)
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    latency_ms: float = 0.0
    seed: int | None = None
    operations: list[str] | None = None
    max_faults: int | None = None

    def __post_init__(self) -> None:
        # Every field is range-checked, naming the field (a SettingsError is a ValueError): a NaN
        # or an absurd value would otherwise break every later call until reset.
        for name in ("throttle_rate", "error_rate", "drop_rate"):
            setattr(self, name, check_seconds(name, getattr(self, name), 1.0))
        self.latency_ms = check_seconds("latency_ms", self.latency_ms, MAX_LATENCY_MS)
        throttle = self.throttle or {}
        if not isinstance(throttle, dict):
            raise SettingsError("throttle", "must be a mapping of operation to requests per second")
        self.throttle = {
            str(op): check_seconds(f"throttle.{op}", rate, MAX_THROTTLE_RATE) for op, rate in throttle.items()
        }
        if self.operations is not None:
            if not isinstance(self.operations, list | tuple) or not all(
                isinstance(op, str) for op in self.operations
            ):
                raise SettingsError("operations", "must be a list of operation names")
            self.operations = list(self.operations)
        for name in ("seed", "max_faults"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise SettingsError(name, f"must be an integer or null, got {value!r}")
        if self.max_faults is not None and self.max_faults < 0:
            raise SettingsError("max_faults", f"must be >= 0, got {self.max_faults}")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> FaultConfig:
        data = dict(data or {})
        unknown = set(data) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise SettingsError(sorted(unknown)[0], f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def is_empty(self) -> bool:
        return not (
            self.throttle or self.throttle_rate or self.error_rate or self.drop_rate or self.latency_ms
        )


def parse_throttle(specs: list[str]) -> dict[str, float]:
    """``["StartEngagement=10", "ListPagesByEngagement=2.5"]`` -> {op: rate}."""
    result: dict[str, float] = {}
    for spec in specs:
        op, sep, rate = spec.partition("=")
        if not sep or not op.strip():
            raise ValueError(f"throttle spec must be OPERATION=RATE, got {spec!r}")
        result[op.strip()] = float(rate)
    return result


@dataclass
class FaultDecision:
    throttled: bool = False
    error: bool = False
    drop: bool = False
    latency_s: float = 0.0


class _Bucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> bool:
        if self.rate <= 0:
            return False
        current = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (current - self.stamp) * self.rate)
        self.stamp = current
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


#: The kinds of fault counted by :func:`injected`.
_KINDS = ("throttled", "errors", "dropped")


class _State:
    """Process-wide: faults, buckets, random source and counters, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: Notified on every attempt counted (see wait_for_calls).
        self.counted = threading.Condition(self.lock)
        self.reset()

    def reset(self) -> None:
        self.config = FaultConfig()
        self.buckets: dict[str, _Bucket] = {}
        self.random = random.Random()
        self.throttle_random = random.Random()
        self.calls: Counter[str] = Counter()
        # Faults answered, per kind and operation (bucket and random throttles alike), like ``calls``.
        self.faulted: dict[str, Counter[str]] = {kind: Counter() for kind in _KINDS}
        self.injected = 0


_state = _State()


def set_faults(config: FaultConfig | dict[str, Any] | None = None, **fields: Any) -> FaultConfig:
    """Replace the active faults (buckets start full, the random source is reseeded)."""
    if config is None:
        config = FaultConfig(**fields)
    elif isinstance(config, dict):
        config = FaultConfig.from_dict({**config, **fields})
    with _state.lock:
        _state.config = config
        _state.buckets = {op: _Bucket(rate) for op, rate in config.throttle.items()}
        _state.random = random.Random(config.seed)
        # throttle_rate draws from a stream of its own, derived from the same seed, so that for a given
        # seed the error/drop draws (two per call) do not depend on whether throttle_rate is set.
        _state.throttle_random = random.Random(None if config.seed is None else f"throttle:{config.seed}")
        _state.injected = 0
    return config


def clear_faults() -> None:
    set_faults(FaultConfig())


def get_faults() -> FaultConfig:
    with _state.lock:
        return _state.config


def decide(operation: str) -> FaultDecision:
    """Count the attempt and decide which faults hit it (one decision per request).

    A throttled call (bucket or ``throttle_rate``) is neither failed nor dropped: it is answered
    before anything runs, and only faults actually answered count towards ``max_faults``.
    """
    with _state.lock:
        _state.calls[operation] += 1
        _state.counted.notify_all()
        config = _state.config
        decision = FaultDecision()
        bucket = _state.buckets.get(operation)
        if bucket is not None and not bucket.take():
            decision.throttled = True
        if config.operations is None or operation in config.operations:
            decision.latency_s = config.latency_ms / 1000.0
            # Always draw every number so a seed gives the same sequence whatever the rates.
            throttle_draw = _state.throttle_random.random()
            error_draw = _state.random.random()
            drop_draw = _state.random.random()
            allowed = config.max_faults is None or _state.injected < config.max_faults
            if allowed and not decision.throttled:
                if throttle_draw < config.throttle_rate:
                    decision.throttled = True
                elif error_draw < config.error_rate:
                    decision.error = True
                elif drop_draw < config.drop_rate:
                    decision.drop = True
                if decision.throttled or decision.error or decision.drop:
                    _state.injected += 1
        for kind, hit in zip(_KINDS, (decision.throttled, decision.error, decision.drop), strict=True):
            if hit:
                _state.faulted[kind][operation] += 1
        return decision


def calls(operation: str | None = None) -> dict[str, int] | int:
    """Attempts received per operation (including faulted ones), or for one operation."""
    with _state.lock:
        if operation is not None:
            return _state.calls.get(operation, 0)
        return dict(_state.calls)


def wait_for_calls(operation: str, at_least: int = 1, timeout: float = 60.0) -> int:
    """The attempts of ``operation`` once there are ``at_least`` of them, or when ``timeout`` real
    seconds (at most MAX_CALLS_WAIT) have passed: what a test waits on when another process makes
    the calls (no polling). Counted since the last reset, as ``calls``."""
    with _state.counted:
        _state.counted.wait_for(
            lambda: _state.calls.get(operation, 0) >= at_least, max(0.0, min(timeout, MAX_CALLS_WAIT))
        )
        return _state.calls.get(operation, 0)


def injected(operation: str | None = None) -> dict[str, dict[str, int]] | dict[str, int]:
    """Faults answered so far: ``{"throttled": {op: n}, "errors": {...}, "dropped": {...}}``.

    With ``operation``, that operation's counts: ``{"throttled": n, "errors": n, "dropped": n}``.
    Counted since the last reset (changing the faults does not zero them, as with ``calls``).
    """
    with _state.lock:
        if operation is not None:
            return {kind: _state.faulted[kind].get(operation, 0) for kind in _KINDS}
        return {kind: dict(_state.faulted[kind]) for kind in _KINDS}


def reset() -> None:
    """Clear faults and counters."""
    with _state.lock:
        _state.reset()
