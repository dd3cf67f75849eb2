"""A local emulator of AWS Systems Manager Incident Manager Contacts (``ssm-contacts``).

A moto service package (``models`` / ``responses`` / ``urls`` / ``exceptions``)
that :func:`register` plugs into moto at run time, so that ``moto.mock_aws()``
serves ssm-contacts in-process and :mod:`.server` serves it over loopback HTTP.
This module stays light: moto is imported only when registering.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any

__all__ = ["get_backend", "register", "reset"]

URL_PATTERN = ("ssmcontacts", re.compile(r"https?://ssm-contacts(-fips)?\.(.+)\.amazonaws\.com"))

_lock = threading.Lock()
_registered = False


def register() -> None:
    """Make moto serve ssm-contacts (idempotent).

    Aliases this package as ``moto.ssmcontacts`` (moto imports ``moto.<service>``
    to find ``<service>_backends``), adds the endpoint pattern to moto's backend
    index in place (the in-process stubber and the server both read that list),
    and hooks moto's reset so it also resets the clock, faults and counters.
    """
    global _registered
    with _lock:
        if _registered:
            return
        import moto.backend_index as backend_index
        from moto.core.base_backend import BackendDict

        sys.modules.setdefault("moto.ssmcontacts", sys.modules[__name__])
        if not any(name == URL_PATTERN[0] for name, _ in backend_index.backend_url_patterns):
            backend_index.backend_url_patterns.append(URL_PATTERN)

        original = BackendDict.__dict__["reset"].__func__
        if not getattr(original, "_ssm_contacts_hooked", False):

            def reset_with_emulator(cls: type) -> None:
                original(cls)
                _reset_process_state()

            reset_with_emulator._ssm_contacts_hooked = True  # type: ignore[attr-defined]
            BackendDict.reset = classmethod(reset_with_emulator)  # type: ignore[method-assign,assignment]

        from . import models  # noqa: F401 - creates the BackendDict and the clock listener

        _registered = True


def _reset_process_state() -> None:
    from . import clock, faults, settings

    clock.reset()
    faults.reset()
    settings.reset()


def reset() -> None:
    """Forget everything: all accounts' data, counters, faults, settings; the clock back to real time."""
    register()
    from moto.core.base_backend import BackendDict

    from .models import STATE_LOCK, ssmcontacts_backends

    with STATE_LOCK:
        BackendDict.reset()
        # reset() only visits BackendDicts moto saw in use; make sure ours is empty too.
        ssmcontacts_backends.clear()
        _reset_process_state()


def get_backend(account_id: str = "123456789012", region: str = "us-east-1") -> Any:
    """The ssm-contacts backend of one account and region."""
    register()
    from .models import get_backend as _get_backend

    return _get_backend(account_id, region)


def __getattr__(name: str) -> Any:
    # moto looks up ``moto.ssmcontacts.ssmcontacts_backends``: load the models lazily.
    if name == "ssmcontacts_backends":
        register()
        from .models import ssmcontacts_backends

        return ssmcontacts_backends
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
