"""Every use of moto's internals, in one module.

moto has no plug-in API for a service it does not ship. An external backend registers by
aliasing its package as ``moto.<service>`` (moto imports that to find ``<service>_backends``),
appending its URL pattern to ``moto.backend_index.backend_url_patterns`` in place (the
in-process stubber and the server both read that list) and, to reset state of its own,
wrapping ``BackendDict.reset``. The base classes, the server's WSGI apps and its request
handler are imported from here too, so that a moto release which changes one of these shapes
fails here, with :func:`check_moto_shape` naming what changed (tests/emulator/test_moto_compat.py
runs it), rather than as a puzzling error deep in a request.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse
from moto.core.utils import camelcase_to_underscores
from moto.utilities.utils import get_partition

__all__ = [
    "BackendDict",
    "BaseBackend",
    "BaseResponse",
    "JsonRESTError",
    "MotoShapeError",
    "camelcase_to_underscores",
    "check_moto_shape",
    "get_partition",
    "hook_backend_reset",
    "register_service",
    "request_handler_base",
    "reset_all_backends",
    "service_app_factory",
]

_HOOK_MARK = "_ssm_contacts_hooked"


class MotoShapeError(RuntimeError):
    """moto changed an internal the emulator relies on; the message names it."""

    def __init__(self, what: str) -> None:
        super().__init__(f"moto changed: {what}; update pulumi_engagement/emulator/moto_compat.py")


def _url_patterns() -> list[tuple[str, re.Pattern[str]]]:
    import moto.backend_index as backend_index

    patterns = getattr(backend_index, "backend_url_patterns", None)
    if not isinstance(patterns, list) or not all(
        isinstance(entry, tuple)
        and len(entry) == 2
        and isinstance(entry[0], str)
        and isinstance(entry[1], re.Pattern)
        for entry in patterns
    ):
        raise MotoShapeError(
            "moto.backend_index.backend_url_patterns is no longer a list of (service name, compiled regex)"
        )
    return patterns


def _check_backend_dict() -> None:
    if not isinstance(BackendDict.__dict__.get("reset"), classmethod):
        raise MotoShapeError("BackendDict.reset is no longer a classmethod")
    params = list(inspect.signature(BackendDict.__init__).parameters)
    if params[:3] != ["self", "backend", "service_name"]:
        raise MotoShapeError(f"BackendDict(backend, service_name) now takes {params[1:]}")
    # BaseBackend finds a service's urls module by replacing the trailing "models" of the
    # backend class's module name: the backend class must stay in a module named models.
    if not isinstance(inspect.getattr_static(BaseBackend, "_url_module", None), property):
        raise MotoShapeError("BaseBackend no longer finds its urls module through _url_module")


def _check_dispatch() -> None:
    import moto.backends as backends

    if not callable(getattr(backends, "get_backend", None)):
        raise MotoShapeError("moto.backends.get_backend is gone")
    if not isinstance(inspect.getattr_static(BaseResponse, "dispatch", None), classmethod):
        raise MotoShapeError("BaseResponse.dispatch is no longer a classmethod")
    params = list(inspect.signature(BaseResponse.setup_class).parameters)
    if params[:4] != ["self", "request", "full_url", "headers"] or "use_raw_body" not in params:
        raise MotoShapeError(
            f"BaseResponse.setup_class(request, full_url, headers) now takes {params[1:]} "
            "(use_raw_body is needed as well)"
        )
    for name in ("_dispatch", "call_action"):
        if not hasattr(BaseResponse, name):
            raise MotoShapeError(f"BaseResponse.{name} is gone (the responses dispatch hook)")


def check_moto_shape() -> None:
    """Raise :class:`MotoShapeError` naming the first moto internal that lost the shape used here."""
    _url_patterns()
    _check_backend_dict()
    _check_dispatch()
    service_app_factory()


def register_service(alias: str, module: ModuleType, url_pattern: tuple[str, re.Pattern[str]]) -> None:
    """Make moto find ``module`` as ``moto.<alias>`` and route ``url_pattern``'s URLs to it (idempotent)."""
    patterns = _url_patterns()
    _check_backend_dict()
    sys.modules.setdefault(f"moto.{alias}", module)
    if not any(name == url_pattern[0] for name, _ in patterns):
        patterns.append(url_pattern)


def hook_backend_reset(callback: Callable[[], None]) -> None:
    """Run ``callback`` after every ``BackendDict.reset()`` (moto's reset of all services); idempotent."""
    original = BackendDict.__dict__["reset"].__func__
    if getattr(original, _HOOK_MARK, False):
        return

    def reset_with_callback(cls: type) -> None:
        original(cls)
        callback()

    setattr(reset_with_callback, _HOOK_MARK, True)
    BackendDict.reset = classmethod(reset_with_callback)  # type: ignore[method-assign,assignment]


def reset_all_backends() -> None:
    """moto's reset: every BackendDict moto saw in use (and, hooked, the emulator's own state)."""
    BackendDict.reset()


def service_app_factory() -> tuple[Callable[[], Any], Callable[[str], Any]]:
    """``(dispatcher(), service_app(name))``: moto's host-dispatching WSGI app and one service's app."""
    try:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    except ImportError as error:
        raise MotoShapeError(f"moto.moto_server.werkzeug_app lost its apps ({error})") from None

    def dispatcher() -> Any:
        return DomainDispatcherApplication(create_backend_app)

    return dispatcher, create_backend_app


def request_handler_base() -> type:
    """moto's werkzeug request handler, or werkzeug's own where moto has none.

    moto < 5.2.5 has no handler of its own; what it adds (underscored S3 metadata headers) is
    nothing ssm-contacts uses, so werkzeug's handler serves the same.
    """
    try:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
    except ImportError:
        from werkzeug.serving import WSGIRequestHandler as MotoRequestHandler
    return MotoRequestHandler
