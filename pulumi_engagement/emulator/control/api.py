"""The one control API of the emulator: the same methods and return types in-process and over HTTP.

Three things implement :class:`EmulatorControlAPI`: :class:`~.control_client.EmulatorControl`
(a client of a running emulator's ``/_emulator/`` endpoint), :class:`~.control_inprocess.InProcessControl`
(this interpreter's emulator, which the pytest plugin's ``ssm_contacts`` fixture and the control
endpoint itself use) and the plugin's ``ssm_contacts_endpoint`` handle. Subclasses implement the
abstract methods; the rest derive from them here, once. Stdlib only (the core's timeutil is
loaded as a file, without botocore).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import Any

from ... import _load_core_file
from ..drill.faults import FaultConfig

_timeutil = _load_core_file("timeutil")


def parse_time(text: str) -> datetime:
    """An aware UTC datetime from the endpoint's ISO 8601 answer."""
    parsed: datetime = _timeutil.to_utc(text)
    return parsed


__all__ = ["EmulatorControlAPI", "SeedSource"]

#: A seed: a YAML/JSON file path or the document itself.
SeedSource = str | Path | dict[str, Any]


class EmulatorControlAPI(ABC):
    """Drive an emulator: clock, faults, settings, counters, reset, seed, codes, outbox."""

    @abstractmethod
    def state(self) -> dict[str, Any]:
        """``{"now", "time_scale", "calls", "engagements", "injected", "faults", "config"}``."""

    @abstractmethod
    def advance(self, seconds: float) -> datetime:
        """Move the virtual clock ``seconds`` ahead (due events run); returns the new virtual now."""

    @abstractmethod
    def set_time(self, when: datetime) -> datetime:
        """Set the virtual clock (naive is UTC); returns the new virtual now."""

    @abstractmethod
    def set_time_scale(self, scale: float) -> float:
        """Virtual seconds per real second (0 freezes the clock); returns the scale in effect."""

    @abstractmethod
    def get_faults(self) -> FaultConfig:
        """The active faults."""

    @abstractmethod
    def set_faults(self, **fields: Any) -> FaultConfig:
        """Replace the faults with these :class:`~.faults.FaultConfig` fields (none: no faults)."""

    @abstractmethod
    def reset(self, reseed: bool = False) -> dict[str, Any]:
        """Wipe data, counters and faults; clock and settings back to the start. Returns :meth:`state`.

        ``reseed`` re-applies the seed the emulator started with, if any.
        """

    @abstractmethod
    def seed(
        self, path_or_dict: SeedSource, account_id: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        """Apply a seed; returns ``{"account_id", "region", "contacts": {alias: arn}, "channels": {...}}``."""

    @abstractmethod
    def codes(self, account_id: str | None = None, region: str | None = None) -> dict[str, dict[str, str]]:
        """``{"activation_codes": {channel ARN: code}, "accept_codes": {page ARN: code}}``.

        Every account and region unless ``account_id``/``region`` narrow it.
        """

    @abstractmethod
    def outbox(self, account_id: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        """Every message the emulator "sent" (activation codes, pages with their accept code), oldest
        first, each with its ``AccountId`` and ``Region``; every account and region unless narrowed."""

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The emulator's settings: ``{"token_retention": seconds or None}``."""

    @abstractmethod
    def set_config(self, **fields: Any) -> dict[str, Any]:
        """Change settings (fields not given keep their value); ``token_retention=None`` is forever."""

    @abstractmethod
    def wait_for_calls(self, operation: str, at_least: int = 1, timeout: float = 60.0) -> int:
        """Attempts of ``operation`` (since the last reset) once there are ``at_least``, or after
        ``timeout`` real seconds (at most 300): for waiting on calls another process makes."""

    # -- derived ----------------------------------------------------------------------------------

    def calls(self, operation: str | None = None) -> Any:
        """Attempts received per operation, or the count for one operation (0 if never called)."""
        calls = self.state()["calls"]
        return calls.get(operation, 0) if operation else calls

    def injected(self, operation: str | None = None) -> dict[str, Any]:
        """Faults answered since the last reset.

        ``{"throttled": {op: n}, "errors": {op: n}, "dropped": {op: n}}``; with ``operation``,
        ``{"throttled": n, "errors": n, "dropped": n}`` for that operation.
        """
        injected = self.state()["injected"]
        if operation is None:
            return injected
        return {kind: counts.get(operation, 0) for kind, counts in injected.items()}

    def engagements(self) -> int:
        """Engagements created (idempotent replays not counted)."""
        return int(self.state()["engagements"])

    def now(self) -> datetime:
        """The virtual clock's now."""
        return parse_time(self.state()["now"])

    def clear_faults(self) -> FaultConfig:
        """No faults any more; returns the (empty) faults in effect."""
        return self.set_faults()

    def set_token_retention(self, seconds: float | None) -> dict[str, Any]:
        """Forget StartEngagement tokens whose engagement started more than ``seconds`` ago (virtual
        time); ``None`` remembers them until reset (the default)."""
        return self.set_config(token_retention=seconds)
