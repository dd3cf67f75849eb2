"""Each test gets its own per-user state directory, so no test sees hints another test (or a
real run on this machine) left for the same alert.

The repository's tests/conftest.py imports this fixture for every other suite too."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_state_directory(tmp_path_factory, monkeypatch):
    state = tmp_path_factory.mktemp("state")
    state.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(state))
    monkeypatch.setenv("XDG_CACHE_HOME", str(state / "cache"))
    return state
