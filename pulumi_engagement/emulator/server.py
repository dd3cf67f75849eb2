"""The emulator over loopback HTTP: moto's dispatcher plus the ``/_emulator/`` control endpoint.

A threaded werkzeug server (as moto's ThreadedMotoServer, but bound to
127.0.0.1 by default). Requests under ``/_emulator/`` never reach moto, so
faults and call counters never apply to them.

Browser safety: any web page a developer has open can send requests to
loopback, so every request is checked before it is served. ``Host`` must name
the server (loopback names or the bound address, with the bound port: DNS
rebinding sends the attacker's name); a request carrying an ``Origin`` must come
from the emulator's own origin; control-endpoint writes must be
``Content-Type: application/json`` (a type no cross-site "simple request" can
send); and no response carries ``Access-Control-Allow-*`` headers (moto's CORS
layer reflects any origin: its headers are stripped). Other modules add routes
under ``/_emulator/`` with :func:`register_control_route`; their requests pass
the same checks.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from . import register
from .clock import clock
from .exceptions import DropResponse
from .faults import FaultConfig
from .settings import SettingsError, check_seconds

__all__ = [
    "CONTROL_PREFIX",
    "ControlError",
    "ControlRequest",
    "EmulatorServer",
    "RawResponse",
    "control_state",
    "register_control_route",
]

CONTROL_PREFIX = "/_emulator/"

StartResponse = Callable[..., Any]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: Body types a control-endpoint write may have (none of them a CORS "simple request" type).
JSON_TYPES = ("application/json",)
SEED_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Control bodies larger than this are refused (a large seed is a few hundred kilobytes).
MAX_CONTROL_BODY = 16 * 1024 * 1024
#: A million times real time: a year passes in about 30 seconds.
MAX_TIME_SCALE = 1_000_000.0
#: The virtual clock stays within these years (datetime arithmetic and epoch seconds stay valid).
CLOCK_MIN = datetime(1970, 1, 1, tzinfo=timezone.utc)
CLOCK_MAX = datetime(3000, 1, 1, tzinfo=timezone.utc)

_STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
}
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]*/[^/,\s]*/[^/,\s]*/([^/,\s]+)/aws4_request")


def control_state() -> dict[str, Any]:
    """What ``GET /_emulator/state`` returns."""
    from . import faults, settings
    from .models import engagements_created

    return {
        "now": clock.now().isoformat(),
        "time_scale": clock.time_scale,
        "calls": faults.calls(),
        "engagements": engagements_created(),
        "injected": faults.injected(),
        "faults": faults.get_faults().to_dict(),
        "config": settings.get_settings().to_dict(),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class ControlError(Exception):
    """Answer a control request with ``status`` and ``{"error": message[, "field": field]}``."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


_ControlError = ControlError  # the old private name


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
    with _routes_lock:
        found = _routes.get(route)
        if found is not None:
            return found
        for name, candidate in _routes.items():
            if candidate.prefix and route.startswith(name + "/"):
                return candidate
    return None


def _load_route_modules() -> None:
    import importlib

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


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _split_host(value: str) -> tuple[str, int | None]:
    """``"[::1]:8080"`` -> ("::1", 8080); ``"localhost"`` -> ("localhost", None); bad -> ("", None)."""
    value = value.strip()
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep:
            return "", None
        port_text = rest[1:] if rest.startswith(":") else (None if not rest else "bad")
    else:
        host, sep, port_text = value.partition(":")
        if not sep:
            port_text = None
    if port_text is None:
        return host.lower(), None
    if not port_text.isdigit():
        return "", None
    return host.lower(), int(port_text)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _ssm_contacts_bound(environ: dict[str, Any]) -> bool:
    """Whether a request is meant for ssm-contacts: its target prefix or its SigV4 credential scope."""
    if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("SSMContacts."):
        return True
    match = _CREDENTIAL_SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    return bool(match) and match.group(1).lower() == "ssm-contacts"


class EmulatorApp:
    """WSGI app: the request checks, the control endpoint, ssm-contacts, else moto's dispatcher."""

    def __init__(
        self,
        time_scale: float = 1.0,
        seed: str | Path | dict[str, Any] | None = None,
        token_retention: float | None = None,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self._create_backend_app = create_backend_app
        self._ssm_app: Any = None
        self._ssm_app_lock = threading.Lock()
        self.time_scale = time_scale
        self.token_retention = token_retention
        self.startup_seed = seed
        # NAME allows that name on the bound port; NAME:PORT exactly that (a forwarded port).
        self.allowed_names: set[str] = set()
        self.allowed_host_ports: set[tuple[str, int]] = set()
        for entry in allowed_hosts:
            name, port = _split_host(entry)
            if not name:
                raise ValueError(f"not a host name or host:port: {entry!r}")
            if port is None:
                self.allowed_names.add(name)
            else:
                self.allowed_host_ports.add((name, port))
        # Set by EmulatorServer once bound; until then (an app used without the server) Host is not
        # checked, as there is nothing to check it against.
        self.bound_host: str | None = None
        self.bound_port: int | None = None
        _load_route_modules()

    def bind(self, host: str, port: int) -> None:
        """The address the server listens on: Host headers must name it (or loopback) and its port."""
        self.bound_host = _split_host(host)[0] if host.startswith("[") else host.lower()
        self.bound_port = port

    # -- request checks ---------------------------------------------------------------------------

    def _host_refusal(self, host_header: str | None) -> str | None:
        if self.bound_port is None or host_header is None:
            # No Host at all is not a browser (browsers always send it), so not DNS rebinding.
            return None
        host, port = _split_host(host_header)
        port = 80 if port is None else port
        if host and (host, port) in self.allowed_host_ports:
            return None
        if not host or port != self.bound_port:
            return f"Host {host_header!r} is not this emulator's address (allow it with --allow-host)"
        if host in LOOPBACK_NAMES or host == self.bound_host or host in self.allowed_names:
            return None
        wildcard = self.bound_host in ("", "0.0.0.0", "::")
        if wildcard and (_is_ip(host) or host == socket.gethostname().lower()):
            return None  # an address literal cannot be rebound; the machine's own name is ours
        return f"Host {host_header!r} is not this emulator's address (allow another name with --allow-host)"

    @staticmethod
    def _origin_refusal(environ: dict[str, Any]) -> str | None:
        origin = environ.get("HTTP_ORIGIN")
        if origin is None:
            return None
        host = environ.get("HTTP_HOST")
        if host and origin.strip().lower() == f"http://{host.strip().lower()}":
            return None
        return f"requests from origin {origin!r} are refused: only the emulator's own pages may call it"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response = _strip_cors(start_response)
        path = environ.get("PATH_INFO", "") or ""
        control = path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/")
        refusal = self._host_refusal(environ.get("HTTP_HOST")) or self._origin_refusal(environ)
        if refusal is not None:
            if control:
                return _json_answer(start_response, 403, {"error": refusal})
            return _aws_error(start_response, 403, "AccessDeniedException", refusal)
        if control:
            return self.control(environ, start_response, path[len(CONTROL_PREFIX) :].strip("/"))
        if _ssm_contacts_bound(environ):
            if environ.get("REQUEST_METHOD", "GET").upper() != "POST" or path not in ("", "/"):
                return _aws_error(
                    start_response,
                    404,
                    "UnknownOperationException",
                    "ssm-contacts is served by POST / with X-Amz-Target: SSMContacts.<Operation>",
                )
            app = self._ssm_contacts_app()
        else:
            app = self.moto_app
        from .responses import serving

        serving.active = True
        try:
            return app(environ, start_response)
        except DropResponse:
            # "Commit, then drop": close the connection without a byte of response.
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            # werkzeug treats ConnectionError as "client went away" and writes nothing.
            raise ConnectionAbortedError("response dropped by fault injection") from None
        finally:
            serving.active = False

    def _ssm_contacts_app(self) -> Any:
        # Routed here directly, not by moto's guesswork: an unsigned request or one with a
        # foreign target prefix would otherwise reach another moto service (S3 by default).
        with self._ssm_app_lock:
            if self._ssm_app is None:
                self._ssm_app = self._create_backend_app("ssmcontacts")
            return self._ssm_app

    # -- control endpoint -------------------------------------------------------------------------

    def control(self, environ: dict[str, Any], start_response: StartResponse, route: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        content_type = environ.get("CONTENT_TYPE") or ""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if route == "inbox" or route.startswith("inbox/"):
            # The pager inbox: an HTML page and its JSON API (see inbox.py); it checks its own types.
            from .inbox import respond

            body = environ["wsgi.input"].read(min(length, MAX_CONTROL_BODY)) if length > 0 else b""
            return respond(method, route, body, content_type, start_response)
        try:
            if length > MAX_CONTROL_BODY:
                raise ControlError(413, f"the body is larger than {MAX_CONTROL_BODY} bytes")
            registered = None if route.split("/")[0] in _BUILTIN_ROUTES else _find_route(route)
            if method in WRITE_METHODS:
                allowed = (
                    registered.body_types if registered else SEED_TYPES if route == "seed" else JSON_TYPES
                )
                if _media_type(content_type) not in allowed:
                    raise ControlError(
                        415,
                        f"{method} /_emulator/{route} needs Content-Type: {' or '.join(allowed)} "
                        f"(got {content_type or 'none'})",
                    )
            body = environ["wsgi.input"].read(length) if length > 0 else b""
            request = ControlRequest(method, route, query, body, content_type, environ)
            if registered is not None:
                status, payload = registered.handler(request)
            else:
                status, payload = self._route(request)
        except ControlError as error:
            status, payload = error.status, {"error": str(error)}
            if error.field is not None:
                payload["field"] = error.field
        except SettingsError as error:
            status, payload = 400, {"error": str(error), "field": error.field}
        except Exception as error:  # the control endpoint reports, never crashes the server
            status, payload = 400, {"error": f"{type(error).__name__}: {error}"}
        if isinstance(payload, RawResponse):
            return _answer(start_response, status, payload.body, payload.content_type, payload.headers)
        return _json_answer(start_response, status, payload)

    def _route(self, request: ControlRequest) -> tuple[int, Any]:
        from . import faults, settings

        method, route, query = request.method, request.route, request.query

        def need(expected: str) -> None:
            if method != expected:
                raise ControlError(405, f"use {expected} for /_emulator/{route}")

        if route == "state":
            need("GET")
            return 200, control_state()
        if route == "calls":
            need("GET")
            operation = query.get("operation")
            return 200, {"calls": faults.calls(operation) if operation else faults.calls()}
        if route == "clock":
            if method == "GET":
                return 200, {"now": clock.now().isoformat(), "time_scale": clock.time_scale}
            need("POST")
            self._set_clock(request.json())
            return 200, {"now": clock.now().isoformat(), "time_scale": clock.time_scale}
        if route == "faults":
            if method == "GET":
                return 200, faults.get_faults().to_dict()
            need("POST")
            data = request.json()
            config = (
                faults.set_faults(FaultConfig.from_dict(data)) if data else faults.set_faults(FaultConfig())
            )
            return 200, config.to_dict()
        if route == "config":
            if method == "GET":
                return 200, settings.get_settings().to_dict()
            need("POST")
            return 200, settings.set_settings(request.json()).to_dict()
        if route == "reset":
            need("POST")
            data = request.json()
            self.reset(reseed=bool(data.get("seed")))
            return 200, control_state()
        if route == "seed":
            need("POST")
            from .seed import load_seed, parse_seed_text

            try:
                text = request.body.decode("utf-8")
            except UnicodeDecodeError:
                raise ControlError(400, "the seed is not UTF-8") from None
            document = parse_seed_text(text)
            return 200, load_seed(document, account_id=query.get("account_id"), region=query.get("region"))
        if route in ("codes", "channels/activation-codes", "outbox"):
            need("GET")
            from .models import all_codes, all_outbox

            # Every account and region unless the query narrows it.
            account, region = query.get("account_id"), query.get("region")
            if route == "outbox":
                return 200, {"messages": all_outbox(account, region)}
            codes = all_codes(account, region)
            if route == "channels/activation-codes":
                return 200, codes["activation_codes"]
            return 200, codes
        raise ControlError(404, f"unknown control route /_emulator/{route}")

    @staticmethod
    def _set_clock(data: dict[str, Any]) -> None:

        unknown = set(data) - {"time_scale", "set", "advance_seconds"}
        if unknown:
            name = sorted(unknown)[0]
            raise ControlError(400, f"{name}: unknown clock field", field=name)
        # Check everything before changing anything: a refused request changes nothing.
        scale = None
        if "time_scale" in data:
            scale = check_seconds("time_scale", data["time_scale"], MAX_TIME_SCALE)
        target = None
        if "set" in data:
            if not isinstance(data["set"], str):
                raise ControlError(400, "set: must be an ISO 8601 date-time string", field="set")
            try:
                target = datetime.fromisoformat(data["set"].replace("Z", "+00:00"))
            except ValueError:
                raise ControlError(
                    400, f"set: not an ISO 8601 date-time: {data['set']!r}", field="set"
                ) from None
            if target.tzinfo is None:
                target = target.replace(tzinfo=timezone.utc)
            if not CLOCK_MIN <= target < CLOCK_MAX:
                raise ControlError(
                    400, f"set: must be between {CLOCK_MIN.year} and {CLOCK_MAX.year}", field="set"
                )
        advance = None
        if "advance_seconds" in data:
            span = (CLOCK_MAX - CLOCK_MIN).total_seconds()
            advance = check_seconds("advance_seconds", data["advance_seconds"], span)
            base = target if target is not None else clock.now()
            if (CLOCK_MAX - base).total_seconds() <= advance:
                raise ControlError(
                    400, f"advance_seconds: the clock would pass {CLOCK_MAX.year}", field="advance_seconds"
                )
        if scale is not None:
            clock.time_scale = scale
        if target is not None:
            clock.set(target)
        if advance is not None:
            clock.advance(advance)

    def reset(self, reseed: bool = False) -> None:
        """Empty every backend, zero counters, clear faults, clock to real now at the startup scale.

        Settings go back to the startup ones (``token_retention``), then the seed, if re-applied,
        may change them as at start.
        """
        from . import reset as reset_all
        from . import settings

        reset_all()
        clock.time_scale = self.time_scale
        settings.set_settings(token_retention=self.token_retention)
        if reseed and self.startup_seed is not None:
            from .seed import load_seed

            load_seed(self.startup_seed)


def _strip_cors(start_response: StartResponse) -> StartResponse:
    """Drop every ``Access-Control-*`` header (moto's CORS layer reflects any Origin) and any Date.

    The server's own Date (from the virtual clock) is the only one sent.
    """

    def wrapped(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        kept = [
            (name, value)
            for name, value in headers
            if not name.lower().startswith("access-control-") and name.lower() != "date"
        ]
        return (
            start_response(status, kept, exc_info) if exc_info is not None else start_response(status, kept)
        )

    return wrapped


_SECURITY_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    # No other site may frame a control page (and trick clicks on it).
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
)


def _answer(
    start_response: StartResponse,
    status: int,
    data: bytes,
    content_type: str,
    extra: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
    given = list(extra)
    names = {name.lower() for name, _ in given}
    headers += given + [(name, value) for name, value in _SECURITY_HEADERS if name.lower() not in names]
    start_response(f"{status} {_STATUS_TEXT.get(status, '')}".rstrip(), headers)
    return [data]


def _json_answer(start_response: StartResponse, status: int, payload: Any) -> list[bytes]:
    data = json.dumps(payload, default=_json_default).encode()
    return _answer(start_response, status, data, "application/json")


def _aws_error(start_response: StartResponse, status: int, error_type: str, message: str) -> list[bytes]:
    """An error in the json 1.1 protocol's shape, for requests refused before moto sees them."""
    data = json.dumps({"__type": error_type, "message": message}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Content-Length", str(len(data))),
        ("X-Amzn-ErrorType", error_type),
    ]
    start_response(f"{status} {_STATUS_TEXT.get(status, '')}".rstrip(), headers)
    return [data]


def _quiet_handler(verbose: bool) -> type:
    try:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
    except ImportError:
        # moto < 5.2.5 has no handler of its own; what it adds (underscored S3 metadata
        # headers) is nothing ssm-contacts uses, so werkzeug's handler serves the same.
        from werkzeug.serving import WSGIRequestHandler as MotoRequestHandler

    class Handler(MotoRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if verbose:
                super().log_request(code, size)

        def date_time_string(self, timestamp: float | None = None) -> str:
            # The Date header of every response is the service's clock: the virtual one.
            if timestamp is not None:
                return super().date_time_string(timestamp)
            from .responses import service_date

            return service_date()

    return Handler


class EmulatorServer:
    """The emulator on ``http://host:port`` in a background thread.

    ``port=0`` picks a free port; ``endpoint_url`` is valid after :meth:`start`.
    Starting applies ``time_scale``, ``token_retention``, ``faults`` and ``seed`` to the
    process-wide state (which the in-process mock shares: do not mix both in one test).
    ``allowed_hosts`` are extra names the ``Host`` header may carry (besides loopback names
    and the bound address), e.g. a container's service name when binding 0.0.0.0; ``NAME:PORT``
    allows a name on another port (a forwarded one).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: str | Path | dict[str, Any] | None = None,
        time_scale: float = 1.0,
        faults: FaultConfig | dict[str, Any] | None = None,
        verbose: bool = False,
        token_retention: float | None = None,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        self.host = host
        self.port = port
        self.token_retention = token_retention
        self.allowed_hosts = tuple(allowed_hosts)
        self.seed = seed
        self.time_scale = time_scale
        self.faults = faults
        self.verbose = verbose
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.app: EmulatorApp | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator server is not started")
        host, port = self._server.server_address[:2]
        try:
            if ipaddress.ip_address(host).version == 6:
                host = f"[{host}]"
        except ValueError:
            pass
        return f"http://{host}:{port}"

    def start(self) -> EmulatorServer:
        if self._server is not None:
            return self
        register()
        from werkzeug.serving import make_server

        from . import faults as fault_module
        from .seed import load_seed

        self.app = EmulatorApp(
            time_scale=self.time_scale,
            seed=self.seed,
            token_retention=self.token_retention,
            allowed_hosts=self.allowed_hosts,
        )
        self.app.reset()
        if self.seed is not None:
            load_seed(self.seed)
        if self.faults is not None:
            fault_module.set_faults(self.faults)
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=_quiet_handler(self.verbose)
        )
        self._server.daemon_threads = True
        self.app.bind(self.host, self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ssm-contacts-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
