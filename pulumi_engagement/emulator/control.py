"""A stdlib-only client for the emulator's ``/_emulator/`` control endpoint."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["EmulatorControl", "EmulatorControlError"]


class EmulatorControlError(RuntimeError):
    """The control endpoint answered with an error."""


class EmulatorControl:
    """Drive a running emulator: clock, faults, settings, counters, reset, seed."""

    def __init__(self, endpoint_url: str, timeout: float = 30.0) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.timeout = timeout

    def _request(
        self,
        method: str,
        route: str,
        payload: Any = None,
        query: dict[str, str | None] | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        url = f"{self.endpoint_url}/_emulator/{route}"
        given = {k: v for k, v in (query or {}).items() if v is not None}
        if given:
            url += "?" + urllib.parse.urlencode(given)
        data = raw if raw is not None else (json.dumps(payload).encode() if payload is not None else None)
        if data is None and method != "GET":
            data = b"{}"
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            # The emulator refuses control writes without a JSON (or, for seeds, YAML) body type.
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise EmulatorControlError(f"{method} /_emulator/{route}: HTTP {error.code}: {detail}") from None

    def state(self) -> dict[str, Any]:
        """``{"now", "time_scale", "calls", "engagements", "injected", "faults"}``."""
        return self._request("GET", "state")

    def calls(self, operation: str | None = None) -> dict[str, int] | int:
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
        return self.state()["engagements"]

    def now(self) -> datetime:
        return datetime.fromisoformat(self.state()["now"])

    def advance(self, seconds: float) -> dict[str, Any]:
        return self._request("POST", "clock", {"advance_seconds": seconds})

    def set_time(self, when: datetime) -> dict[str, Any]:
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return self._request("POST", "clock", {"set": when.isoformat()})

    def set_time_scale(self, scale: float) -> dict[str, Any]:
        return self._request("POST", "clock", {"time_scale": scale})

    def set_faults(self, **fields: Any) -> dict[str, Any]:
        """Replace the faults (FaultConfig fields).

        ``throttle`` ({op: rate}), ``throttle_rate``, ``error_rate``, ``drop_rate``, ``latency_ms``,
        ``seed``, ``operations``, ``max_faults``.
        """
        return self._request("POST", "faults", fields)

    def clear_faults(self) -> dict[str, Any]:
        return self._request("POST", "faults", {})

    def faults(self) -> dict[str, Any]:
        return self._request("GET", "faults")

    def reset(self, reseed: bool = False) -> dict[str, Any]:
        """Wipe data, counters and faults; clock to real now. ``reseed`` re-applies the startup seed."""
        return self._request("POST", "reset", {"seed": True} if reseed else {})

    def seed(
        self,
        path_or_dict: str | Path | dict[str, Any],
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """Apply a seed (a YAML/JSON file path or a dict); returns the created ARNs."""
        if isinstance(path_or_dict, dict):
            raw = json.dumps(path_or_dict).encode()
            content_type = "application/json"
        else:
            raw = Path(path_or_dict).read_bytes()
            content_type = "application/yaml"
        query = {"account_id": account_id, "region": region}
        return self._request("POST", "seed", raw=raw, content_type=content_type, query=query)

    def codes(self, account_id: str | None = None, region: str | None = None) -> dict[str, dict[str, str]]:
        """``{"activation_codes": {channel ARN: code}, "accept_codes": {page ARN: code}}``.

        Every account and region unless ``account_id``/``region`` narrow it.
        """
        return self._request("GET", "codes", query={"account_id": account_id, "region": region})

    def outbox(self, account_id: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        """Every message the emulator "sent" (activation codes, pages with their accept code), oldest
        first, each with its ``AccountId`` and ``Region``; every account and region unless narrowed."""
        query = {"account_id": account_id, "region": region}
        return self._request("GET", "outbox", query=query)["messages"]

    def config(self) -> dict[str, Any]:
        """The emulator's settings: ``{"token_retention": seconds or None}``."""
        return self._request("GET", "config")

    def set_config(self, **fields: Any) -> dict[str, Any]:
        """Change settings (fields not given keep their value); ``token_retention=None`` is forever."""
        return self._request("POST", "config", fields)

    def set_token_retention(self, seconds: float | None) -> dict[str, Any]:
        """Forget StartEngagement tokens whose engagement started more than ``seconds`` ago (virtual
        time); ``None`` remembers them until reset (the default)."""
        return self.set_config(token_retention=seconds)
