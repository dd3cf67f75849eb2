"""The control *endpoint*: the server side of ``/_emulator/`` (its client is :mod:`.control_client`).

Built-in routes answer with an :class:`~.control_inprocess.InProcessControl`, so the endpoint and
the in-process API behave alike. Other modules add routes with :func:`register_control_route`;
their requests pass the same checks (see :mod:`.request_checks`). Requests here never reach
moto, so faults and call counters never apply to them.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from ...core.timeutil import to_utc
from ..drill.clock import clock
from ..drill.faults import MAX_CALLS_WAIT
from ..settings import SettingsError, check_seconds
from ..web.http_answers import StartResponse, answer, json_answer
from ..web.request_checks import JSON_TYPES, SEED_TYPES, WRITE_METHODS, media_type
from .inprocess import InProcessControl

__all__ = [
    "CONTROL_PREFIX",
    "ControlEndpoint",
    "ControlError",
    "ControlRequest",
    "RawResponse",
    "register_control_route",
]

CONTROL_PREFIX = "/_emulator/"
#: Control bodies larger than this are refused (a large seed is a few hundred kilobytes).
MAX_CONTROL_BODY = 16 * 1024 * 1024
#: A million times real time: a year passes in about 30 seconds.
MAX_TIME_SCALE = 1_000_000.0
#: The virtual clock stays within these years (datetime arithmetic and epoch seconds stay valid).
CLOCK_MIN = datetime(1970, 1, 1, tzinfo=timezone.utc)
CLOCK_MAX = datetime(3000, 1, 1, tzinfo=timezone.utc)


class ControlError(Exception):
    """Answer a control request with ``status`` and ``{"error": message[, "field": field]}``."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


@dataclass
class ControlRequest:
    """A request under ``/_emulator/`` that passed the Host, Origin and Content-Type checks."""

    method: str
    route: str  # the path after /_emulator/, without surrounding slashes
    query: dict[str, str]
    body: bytes
    content_type: str
    environ: dict[str, Any]

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (``{}`` if empty), else :class:`ControlError` 400."""
        return _json_object(self.body)

    def need(self, method: str) -> None:
        """:class:`ControlError` 405 unless this request uses ``method``."""
        if self.method != method:
            raise ControlError(405, f"use {method} for /_emulator/{self.route}")


@dataclass
class RawResponse:
    """A non-JSON control response (e.g. an HTML page); security headers are added unless given."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


ControlHandler = Callable[[ControlRequest], tuple[int, Any]]


@dataclass
class _Route:
    handler: ControlHandler
    body_types: tuple[str, ...]
    prefix: bool


_routes: dict[str, _Route] = {}
_routes_lock = threading.Lock()
_BUILTIN_ROUTES = frozenset(
    {"state", "calls", "clock", "faults", "config", "reset", "seed", "codes", "channels", "outbox"}
)
#: Route modules imported (if present) when an app is built, so they can register themselves.
_ROUTE_MODULES = ("inbox",)


def register_control_route(
    route: str,
    handler: ControlHandler,
    *,
    prefix: bool = False,
    body_types: Iterable[str] = JSON_TYPES,
) -> None:
    """Serve ``/_emulator/<route>`` (and ``<route>/...`` if ``prefix``) with ``handler``.

    The handler gets a :class:`ControlRequest` that already passed the server's checks (Host,
    Origin, and for POST/PUT/PATCH/DELETE a body type among ``body_types``) and returns
    ``(status, payload)``: a JSON-serialisable payload, or a :class:`RawResponse` (e.g. HTML).
    Raise :class:`ControlError` for an error answer. A same-origin page served this way may
    ``fetch`` JSON writes with ``Content-Type: application/json``. Registering a route again
    replaces it; the built-in routes cannot be replaced.
    """
    route = route.strip("/")
    if not route or route.split("/")[0] in _BUILTIN_ROUTES:
        raise ValueError(f"/_emulator/{route} is reserved")
    with _routes_lock:
        _routes[route] = _Route(handler, tuple(t.lower() for t in body_types), prefix)


def _find_route(route: str) -> _Route | None:
    if route.split("/")[0] in _BUILTIN_ROUTES:
        return None
    with _routes_lock:
        found = _routes.get(route)
        if found is not None:
            return found
        for name, candidate in _routes.items():
            if candidate.prefix and route.startswith(name + "/"):
                return candidate
    return None


def load_route_modules() -> None:
    """Import the optional route modules, which register their routes at import."""
    for name in _ROUTE_MODULES:
        module = f"{__package__}.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ControlError(400, "the body is not UTF-8") from None
    except RecursionError:
        raise ControlError(400, "the body is nested too deeply") from None
    except ValueError as error:
        raise ControlError(400, f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ControlError(400, "expected a JSON object")
    return data


# -- the clock route's body ------------------------------------------------------------------------


def _clock_target(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ControlError(400, "set: must be an ISO 8601 date-time string", field="set")
    try:
        target = to_utc(value)  # naive means UTC
    except ValueError:
        raise ControlError(400, f"set: not an ISO 8601 date-time: {value!r}", field="set") from None
    except OverflowError:  # an offset that takes it past year 1 or 9999: out of range
        target = None
    if target is None or not CLOCK_MIN <= target < CLOCK_MAX:
        raise ControlError(400, f"set: must be between {CLOCK_MIN.year} and {CLOCK_MAX.year}", field="set")
    return target


def _clock_advance(value: Any, base: datetime) -> float:
    advance = check_seconds("advance_seconds", value, (CLOCK_MAX - CLOCK_MIN).total_seconds())
    if (CLOCK_MAX - base).total_seconds() <= advance:
        raise ControlError(
            400, f"advance_seconds: the clock would pass {CLOCK_MAX.year}", field="advance_seconds"
        )
    return advance


def apply_clock_change(control: InProcessControl, data: dict[str, Any]) -> None:
    """``{"time_scale"?, "set"?, "advance_seconds"?}``, all checked before any is applied."""
    unknown = set(data) - {"time_scale", "set", "advance_seconds"}
    if unknown:
        name = sorted(unknown)[0]
        raise ControlError(400, f"{name}: unknown clock field", field=name)
    scale = check_seconds("time_scale", data["time_scale"], MAX_TIME_SCALE) if "time_scale" in data else None
    target = _clock_target(data["set"]) if "set" in data else None
    advance = None
    if "advance_seconds" in data:
        advance = _clock_advance(data["advance_seconds"], target if target is not None else clock.now())
    if scale is not None:
        control.set_time_scale(scale)
    if target is not None:
        control.set_time(target)
    if advance is not None:
        control.advance(advance)


# -- the endpoint ----------------------------------------------------------------------------------


def _error_payload(error: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(error, ControlError):
        payload: dict[str, Any] = {"error": str(error)}
        if error.field is not None:
            payload["field"] = error.field
        return error.status, payload
    if isinstance(error, SettingsError):
        return 400, {"error": str(error), "field": error.field}
    return 400, {"error": f"{type(error).__name__}: {error}"}


class ControlEndpoint:
    """Answers ``/_emulator/<route>`` requests that passed the Host and Origin checks."""

    def __init__(self, control: InProcessControl) -> None:
        self.control = control
        self._builtin: dict[str, ControlHandler] = {
            "state": self._state,
            "calls": self._calls,
            "clock": self._clock,
            "faults": self._faults,
            "config": self._config,
            "reset": self._reset,
            "seed": self._seed,
            "codes": self._codes,
            "channels/activation-codes": self._codes,
            "outbox": self._outbox,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse, route: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        content_type = environ.get("CONTENT_TYPE") or ""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if route == "inbox" or route.startswith("inbox/"):
            # The pager inbox: an HTML page and its JSON API (see inbox.py); it checks its own types.
            from ..drill.inbox import respond

            body = environ["wsgi.input"].read(min(length, MAX_CONTROL_BODY)) if length > 0 else b""
            return respond(method, route, body, content_type, start_response)
        try:
            status, payload = self._answer(environ, method, route, content_type, length)
        except Exception as error:  # the control endpoint reports, never crashes the server
            status, payload = _error_payload(error)
        if isinstance(payload, RawResponse):
            return answer(start_response, status, payload.body, payload.content_type, payload.headers)
        return json_answer(start_response, status, payload)

    def _answer(
        self, environ: dict[str, Any], method: str, route: str, content_type: str, length: int
    ) -> tuple[int, Any]:
        if length > MAX_CONTROL_BODY:
            raise ControlError(413, f"the body is larger than {MAX_CONTROL_BODY} bytes")
        registered = _find_route(route)
        if method in WRITE_METHODS:
            allowed = registered.body_types if registered else SEED_TYPES if route == "seed" else JSON_TYPES
            if media_type(content_type) not in allowed:
                raise ControlError(
                    415,
                    f"{method} /_emulator/{route} needs Content-Type: {' or '.join(allowed)} "
                    f"(got {content_type or 'none'})",
                )
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        request = ControlRequest(method, route, query, body, content_type, environ)
        handler = registered.handler if registered is not None else self._builtin.get(route)
        if handler is None:
            raise ControlError(404, f"unknown control route /_emulator/{route}")
        return handler(request)

    # -- built-in routes --------------------------------------------------------------------------

    def _state(self, request: ControlRequest) -> tuple[int, Any]:
        request.need("GET")
        return 200, self.control.state()

    def _calls(self, request: ControlRequest) -> tuple[int, Any]:
        request.need("GET")
        operation = request.query.get("operation")
        if "at_least" not in request.query:
            return 200, {"calls": self.control.calls(operation)}
        # Held until the count is reached (or the timeout): a test waits on another process's calls.
        if not operation:
            raise ControlError(400, "at_least: needs operation")
        try:
            at_least = int(request.query["at_least"])
            timeout = float(request.query.get("timeout", "60"))
        except ValueError:
            raise ControlError(400, "at_least: an integer; timeout: seconds") from None
        if at_least < 0 or not 0 <= timeout <= MAX_CALLS_WAIT:
            raise ControlError(400, f"at_least: at least 0; timeout: 0 to {MAX_CALLS_WAIT:g} seconds")
        return 200, {"calls": self.control.wait_for_calls(operation, at_least, timeout)}

    def _clock(self, request: ControlRequest) -> tuple[int, Any]:
        if request.method != "GET":
            request.need("POST")
            apply_clock_change(self.control, request.json())
        return 200, {"now": clock.now().isoformat(), "time_scale": clock.time_scale}

    def _faults(self, request: ControlRequest) -> tuple[int, Any]:
        if request.method == "GET":
            return 200, self.control.get_faults().to_dict()
        request.need("POST")
        return 200, self.control.set_faults(**request.json()).to_dict()

    def _config(self, request: ControlRequest) -> tuple[int, Any]:
        if request.method == "GET":
            return 200, self.control.config()
        request.need("POST")
        return 200, self.control.set_config(**request.json())

    def _reset(self, request: ControlRequest) -> tuple[int, Any]:
        request.need("POST")
        return 200, self.control.reset(reseed=bool(request.json().get("seed")))

    def _seed(self, request: ControlRequest) -> tuple[int, Any]:
        request.need("POST")
        from ..drill.seed import parse_seed_text

        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise ControlError(400, "the seed is not UTF-8") from None
        query = request.query
        return 200, self.control.seed(parse_seed_text(text), query.get("account_id"), query.get("region"))

    def _codes(self, request: ControlRequest) -> tuple[int, Any]:
        request.need("GET")
        # Every account and region unless the query narrows it.
        codes = self.control.codes(request.query.get("account_id"), request.query.get("region"))
        return 200, codes["activation_codes"] if request.route == "channels/activation-codes" else codes

    def _outbox(self, request: ControlRequest) -> tuple[int, Any]:
        request.need("GET")
        return 200, {
            "messages": self.control.outbox(request.query.get("account_id"), request.query.get("region"))
        }
