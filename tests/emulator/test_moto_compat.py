"""The moto internals the emulator relies on still have the shape moto_compat expects.

If one of these fails after a moto upgrade, the message names what moved; the fix belongs in
pulumi_engagement/emulator/moto_compat.py and nowhere else.
"""

from __future__ import annotations

import re
from typing import Any

import moto.backend_index
import pytest

from pulumi_engagement.emulator import moto_compat
from pulumi_engagement.emulator.moto_compat import BackendDict, BaseResponse, MotoShapeError


def test_the_installed_moto_has_the_expected_shape() -> None:
    moto_compat.check_moto_shape()


def test_url_patterns_changing_shape_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto.backend_index, "backend_url_patterns", {"ssmcontacts": re.compile("x")})
    with pytest.raises(MotoShapeError, match=r"backend_url_patterns is no longer a list of \(service name"):
        moto_compat.check_moto_shape()
    monkeypatch.setattr(moto.backend_index, "backend_url_patterns", [("s3", "not compiled")])
    with pytest.raises(MotoShapeError, match=r"update pulumi_engagement/emulator/moto_compat\.py"):
        moto_compat.register_service("x", moto_compat, ("x", re.compile("x")))


def test_backend_dict_signature_change_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def changed(self: Any, backend_class: type, service: str) -> None:
        raise AssertionError("never called")

    monkeypatch.setattr(BackendDict, "__init__", changed)
    with pytest.raises(MotoShapeError, match=r"BackendDict\(backend, service_name\) now takes"):
        moto_compat.check_moto_shape()


def test_responses_dispatch_hook_change_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BaseResponse, "dispatch", staticmethod(lambda *a: None))
    with pytest.raises(MotoShapeError, match=r"BaseResponse\.dispatch is no longer a classmethod"):
        moto_compat.check_moto_shape()
    monkeypatch.undo()
    monkeypatch.setattr(BaseResponse, "setup_class", lambda self, request: None)
    with pytest.raises(MotoShapeError, match=r"setup_class\(request, full_url, headers\) now takes"):
        moto_compat.check_moto_shape()


def test_registration_is_what_moto_looks_up(ssm_contacts: Any) -> None:
    """moto finds the service as moto.ssmcontacts and its routes beside the backend's models module."""
    from moto.backends import get_backend

    from pulumi_engagement.emulator.service import models, urls

    backend_dict = get_backend("ssmcontacts")  # type: ignore[call-overload]
    assert backend_dict is models.ssmcontacts_backends
    backend = backend_dict["123456789012"]["us-east-1"]
    assert type(backend).__module__.endswith(".models")
    assert set(backend.url_paths.values()) == set(urls.url_paths.values())
    names = [name for name, _ in moto.backend_index.backend_url_patterns]
    assert names.count("ssmcontacts") == 1


def test_reset_hook_is_installed_once() -> None:
    from pulumi_engagement.emulator import register

    register()
    before = BackendDict.__dict__["reset"]
    moto_compat.hook_backend_reset(lambda: None)  # already hooked by register(): a no-op
    assert BackendDict.__dict__["reset"] is before
