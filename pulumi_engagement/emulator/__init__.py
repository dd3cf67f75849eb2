"""A local emulator of AWS Systems Manager Incident Manager Contacts (``ssm-contacts``).

A moto service package (``models`` / ``responses`` / ``urls`` / ``exceptions``)
that :func:`register` plugs into moto at run time, so that ``moto.mock_aws()``
serves ssm-contacts in-process and :mod:`.server` serves it over loopback HTTP.
This module stays light: moto is imported only when registering; every use of
moto's internals is in :mod:`.moto_compat`.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any

# The account and region the emulator uses when a caller names none (moto's default account).
DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

__all__ = ["get_backend", "register", "reset"]

URL_PATTERN = ("ssmcontacts", re.compile(r"https?://ssm-contacts(-fips)?\.(.+)\.amazonaws\.com"))

_lock = threading.Lock()
_registered = False


def register() -> None:
    """Make moto serve ssm-contacts (idempotent).

    Registers this package as moto's ``ssmcontacts`` service and hooks moto's reset so it
    also resets the clock, faults and settings (see :mod:`.moto_compat`).
    """
    global _registered
    with _lock:
        if _registered:
            return
        from . import moto_compat

        moto_compat.register_service(URL_PATTERN[0], sys.modules[__name__], URL_PATTERN)
        moto_compat.hook_backend_reset(_reset_process_state)
        from .service import models  # noqa: F401 - creates the BackendDict and the clock listener

        _registered = True


def _reset_process_state() -> None:
    from . import settings
    from .drill import clock, faults

    clock.reset()
    faults.reset()
    settings.reset()


def reset() -> None:
    """Forget everything: all accounts' data, counters, faults, settings; the clock back to real time."""
    register()
    from .moto_compat import reset_all_backends
    from .service.models import STATE_LOCK, ssmcontacts_backends

    with STATE_LOCK:
        reset_all_backends()
        # moto's reset only visits BackendDicts it saw in use; make sure ours is empty too.
        ssmcontacts_backends.clear()
        _reset_process_state()


def get_backend(account_id: str = DEFAULT_ACCOUNT_ID, region: str = DEFAULT_REGION) -> Any:
    """The ssm-contacts backend of one account and region."""
    register()
    from .service.models import get_backend as _get_backend

    return _get_backend(account_id, region)


def __getattr__(name: str) -> Any:
    # moto looks up ``moto.ssmcontacts.ssmcontacts_backends``: load the models lazily.
    if name == "ssmcontacts_backends":
        register()
        from .service.models import ssmcontacts_backends

        return ssmcontacts_backends
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
