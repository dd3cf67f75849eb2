"""The control *client*: drives a running emulator through its ``/_emulator/`` endpoint. Stdlib only.

The endpoint it talks to is :mod:`.control_endpoint`; both follow :class:`~.control_api.EmulatorControlAPI`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..drill.faults import FaultConfig
from .api import EmulatorControlAPI, SeedSource, parse_time

__all__ = ["EmulatorControl", "EmulatorControlError"]


class EmulatorControlError(RuntimeError):
    """The control endpoint answered with an error."""


class EmulatorControl(EmulatorControlAPI):
    """Drive a running emulator over HTTP: clock, faults, settings, counters, reset, seed."""

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
        wait: float = 0.0,
    ) -> Any:
        """One control request; ``wait``: seconds the emulator may hold it before answering."""
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
            with urllib.request.urlopen(request, timeout=self.timeout + wait) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise EmulatorControlError(f"{method} /_emulator/{route}: HTTP {error.code}: {detail}") from None

    def state(self) -> dict[str, Any]:
        return self._request("GET", "state")

    def _clock(self, change: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "clock", change)

    def advance(self, seconds: float) -> datetime:
        return parse_time(self._clock({"advance_seconds": seconds})["now"])

    def set_time(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return parse_time(self._clock({"set": when.isoformat()})["now"])

    def set_time_scale(self, scale: float) -> float:
        return float(self._clock({"time_scale": scale})["time_scale"])

    def get_faults(self) -> FaultConfig:
        return FaultConfig.from_dict(self._request("GET", "faults"))

    def wait_for_calls(self, operation: str, at_least: int = 1, timeout: float = 60.0) -> int:
        query = {"operation": operation, "at_least": str(at_least), "timeout": str(timeout)}
        return int(self._request("GET", "calls", query=query, wait=timeout)["calls"])

    def set_faults(self, **fields: Any) -> FaultConfig:
        return FaultConfig.from_dict(self._request("POST", "faults", fields))

    def faults(self) -> dict[str, Any]:
        """The active faults as a dict (the older name of :meth:`get_faults`)."""
        return self.get_faults().to_dict()

    def reset(self, reseed: bool = False) -> dict[str, Any]:
        return self._request("POST", "reset", {"seed": True} if reseed else {})

    def seed(
        self, path_or_dict: SeedSource, account_id: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        if isinstance(path_or_dict, dict):
            raw = json.dumps(path_or_dict).encode()
            content_type = "application/json"
        else:
            raw = Path(path_or_dict).read_bytes()
            content_type = "application/yaml"
        query = {"account_id": account_id, "region": region}
        return self._request("POST", "seed", raw=raw, content_type=content_type, query=query)

    def codes(self, account_id: str | None = None, region: str | None = None) -> dict[str, dict[str, str]]:
        return self._request("GET", "codes", query={"account_id": account_id, "region": region})

    def outbox(self, account_id: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        query = {"account_id": account_id, "region": region}
        return self._request("GET", "outbox", query=query)["messages"]

    def config(self) -> dict[str, Any]:
        return self._request("GET", "config")

    def set_config(self, **fields: Any) -> dict[str, Any]:
        return self._request("POST", "config", fields)
