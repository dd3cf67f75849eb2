"""The emulator over loopback HTTP: moto's dispatcher plus the ``/_emulator/`` control endpoint.

A threaded werkzeug server (as moto's ThreadedMotoServer, but bound to
127.0.0.1 by default). Requests under ``/_emulator/`` never reach moto, so
faults and call counters never apply to them.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from . import register
from .exceptions import DropResponse
from .faults import FaultConfig

__all__ = ["CONTROL_PREFIX", "EmulatorServer", "control_state"]

CONTROL_PREFIX = "/_emulator/"

StartResponse = Callable[..., Any]


def control_state() -> dict[str, Any]:
    """What ``GET /_emulator/state`` returns."""
    from . import faults
    from .clock import clock

    return {
        "now": clock.now().isoformat(),
        "time_scale": clock.time_scale,
        "calls": faults.calls(),
        "engagements": faults.engagements_created(),
        "injected": faults.injected(),
        "faults": faults.get_faults().to_dict(),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class _ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class EmulatorApp:
    """WSGI app: the control endpoint, else moto's domain dispatcher."""

    def __init__(self, time_scale: float = 1.0, seed: str | Path | dict[str, Any] | None = None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self.time_scale = time_scale
        self.startup_seed = seed

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or ""
        if path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/"):
            return self.control(environ, start_response, path[len(CONTROL_PREFIX) :].strip("/"))
        from .responses import serving

        serving.active = True
        try:
            return self.moto_app(environ, start_response)
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

    # -- control endpoint -------------------------------------------------------------------------

    def control(self, environ: dict[str, Any], start_response: StartResponse, route: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            status, payload = self._route(method, route, query, body, environ.get("CONTENT_TYPE") or "")
        except _ControlError as error:
            status, payload = error.status, {"error": str(error)}
        except (ValueError, TypeError, KeyError) as error:
            status, payload = 400, {"error": f"{type(error).__name__}: {error}"}
        except Exception as error:  # the control endpoint reports, never crashes the server
            status, payload = 400, {"error": f"{type(error).__name__}: {error}"}
        data = json.dumps(payload, default=_json_default).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "")
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def _route(
        self, method: str, route: str, query: dict[str, str], body: bytes, content_type: str
    ) -> tuple[int, Any]:
        from . import faults
        from .clock import clock

        def need(expected: str) -> None:
            if method != expected:
                raise _ControlError(405, f"use {expected} for /_emulator/{route}")

        def parse_json() -> dict[str, Any]:
            if not body.strip():
                return {}
            data = json.loads(body)
            if not isinstance(data, dict):
                raise _ControlError(400, "expected a JSON object")
            return data

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
            data = parse_json()
            if "time_scale" in data:
                clock.time_scale = float(data["time_scale"])
            if "set" in data:
                clock.set(datetime.fromisoformat(str(data["set"]).replace("Z", "+00:00")))
            if "advance_seconds" in data:
                clock.advance(float(data["advance_seconds"]))
            return 200, {"now": clock.now().isoformat(), "time_scale": clock.time_scale}
        if route == "faults":
            if method == "GET":
                return 200, faults.get_faults().to_dict()
            need("POST")
            data = parse_json()
            config = (
                faults.set_faults(FaultConfig.from_dict(data)) if data else faults.set_faults(FaultConfig())
            )
            return 200, config.to_dict()
        if route == "reset":
            need("POST")
            data = parse_json()
            self.reset(reseed=bool(data.get("seed")))
            return 200, control_state()
        if route == "seed":
            need("POST")
            from .seed import load_seed, parse_seed_text

            document = parse_seed_text(body.decode("utf-8"))
            return 200, load_seed(document, account_id=query.get("account_id"), region=query.get("region"))
        if route in ("codes", "channels/activation-codes", "outbox"):
            need("GET")
            from . import get_backend

            backend = get_backend(query.get("account_id", "123456789012"), query.get("region", "us-east-1"))
            if route == "outbox":
                from .models import STATE_LOCK

                with STATE_LOCK:
                    backend.process_due()
                    return 200, {"messages": list(backend.outbox)}
            codes = backend.codes()
            if route == "channels/activation-codes":
                return 200, codes["activation_codes"]
            return 200, codes
        raise _ControlError(404, f"unknown control route /_emulator/{route}")

    def reset(self, reseed: bool = False) -> None:
        """Empty every backend, zero counters, clear faults, clock to real now at the startup scale."""
        from . import reset as reset_all
        from .clock import clock

        reset_all()
        clock.time_scale = self.time_scale
        if reseed and self.startup_seed is not None:
            from .seed import load_seed

            load_seed(self.startup_seed)


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

    return Handler


class EmulatorServer:
    """The emulator on ``http://host:port`` in a background thread.

    ``port=0`` picks a free port; ``endpoint_url`` is valid after :meth:`start`.
    Starting applies ``time_scale``, ``faults`` and ``seed`` to the process-wide
    state (which the in-process mock shares: do not mix both in one test).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: str | Path | dict[str, Any] | None = None,
        time_scale: float = 1.0,
        faults: FaultConfig | dict[str, Any] | None = None,
        verbose: bool = False,
    ) -> None:
        self.host = host
        self.port = port
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

        self.app = EmulatorApp(time_scale=self.time_scale, seed=self.seed)
        self.app.reset()
        if self.seed is not None:
            load_seed(self.seed)
        if self.faults is not None:
            fault_module.set_faults(self.faults)
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=_quiet_handler(self.verbose)
        )
        self._server.daemon_threads = True
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
