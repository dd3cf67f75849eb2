"""The emulator over loopback HTTP: request checks, the ``/_emulator/`` control endpoint, then moto.

A threaded werkzeug server (as moto's ThreadedMotoServer, but bound to 127.0.0.1 by default).
Every request first passes the browser-safety checks of :mod:`.request_checks` (Host, Origin);
``/_emulator/`` goes to :mod:`.control_endpoint` and never reaches moto, so faults and call
counters never apply to it; ssm-contacts requests go to the emulator's own moto app; anything
else to moto's dispatcher. No response carries ``Access-Control-Allow-*`` headers
(:func:`~.http_answers.strip_cors`). Other modules add routes under ``/_emulator/`` with
:func:`register_control_route`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import register
from ..control.endpoint import (  # noqa: F401 - _routes and _routes_lock stay importable here
    CONTROL_PREFIX,
    MAX_TIME_SCALE,
    ControlEndpoint,
    ControlError,
    ControlRequest,
    RawResponse,
    _routes,
    _routes_lock,
    load_route_modules,
    register_control_route,
)
from ..control.inprocess import InProcessControl, control_state
from ..drill.faults import FaultConfig
from ..service.exceptions import DropResponse
from .http_answers import StartResponse, aws_error, json_answer, strip_cors
from .request_checks import HostPolicy, origin_refusal, ssm_contacts_bound

__all__ = [
    "CONTROL_PREFIX",
    "MAX_TIME_SCALE",
    "ControlError",
    "ControlRequest",
    "EmulatorApp",
    "EmulatorServer",
    "RawResponse",
    "control_state",
    "register_control_route",
]


class EmulatorApp:
    """WSGI app: the request checks, the control endpoint, ssm-contacts, else moto's dispatcher."""

    def __init__(
        self,
        time_scale: float = 1.0,
        seed: str | Path | dict[str, Any] | None = None,
        token_retention: float | None = None,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        from ..moto_compat import service_app_factory

        dispatcher, self._service_app = service_app_factory()
        self.moto_app = dispatcher()
        self._ssm_app: Any = None
        self._ssm_app_lock = threading.Lock()
        self.hosts = HostPolicy(allowed_hosts)
        self.control = InProcessControl(time_scale, token_retention, startup_seed=seed)
        self.endpoint = ControlEndpoint(self.control)
        load_route_modules()

    def bind(self, host: str, port: int) -> None:
        """The address the server listens on: Host headers must name it (or loopback) and its port."""
        self.hosts.bind(host, port)

    def reset(self, reseed: bool = False) -> None:
        """Empty every backend, zero counters, clear faults, clock to real now at the startup scale.

        Settings go back to the startup ones (``token_retention``), then the seed, if re-applied,
        may change them as at start.
        """
        self.control.reset(reseed=reseed)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response = strip_cors(start_response)
        path = environ.get("PATH_INFO", "") or ""
        control = path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/")
        refusal = self.hosts.refusal(environ.get("HTTP_HOST")) or origin_refusal(environ)
        if refusal is not None:
            if control:
                return json_answer(start_response, 403, {"error": refusal})
            return aws_error(start_response, 403, "AccessDeniedException", refusal)
        if control:
            return self.endpoint(environ, start_response, path[len(CONTROL_PREFIX) :].strip("/"))
        if not ssm_contacts_bound(environ):
            return self._serve(self.moto_app, environ, start_response)
        if environ.get("REQUEST_METHOD", "GET").upper() != "POST" or path not in ("", "/"):
            return aws_error(
                start_response,
                404,
                "UnknownOperationException",
                "ssm-contacts is served by POST / with X-Amz-Target: SSMContacts.<Operation>",
            )
        return self._serve(self._ssm_contacts_app(), environ, start_response)

    @staticmethod
    def _serve(app: Any, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        from ..service.responses import serving

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
                self._ssm_app = self._service_app("ssmcontacts")
            return self._ssm_app


def _request_handler(verbose: bool) -> type:
    from ..moto_compat import request_handler_base

    class Handler(request_handler_base()):  # type: ignore[misc]
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if verbose:
                super().log_request(code, size)

        def date_time_string(self, timestamp: float | None = None) -> str:
            # The Date header of every response is the service's clock: the virtual one.
            if timestamp is not None:
                return super().date_time_string(timestamp)
            from ..service.responses import service_date

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

        from ..drill import faults as fault_module

        self.app = EmulatorApp(
            time_scale=self.time_scale,
            seed=self.seed,
            token_retention=self.token_retention,
            allowed_hosts=self.allowed_hosts,
        )
        self.app.reset(reseed=True)
        if self.faults is not None:
            fault_module.set_faults(self.faults)
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=_request_handler(self.verbose)
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
