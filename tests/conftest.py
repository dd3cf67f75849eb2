"""Shared by every suite: each test gets its own per-user state directory (locks and hints).

The core keeps a hint of each alert's latest engagement under $XDG_RUNTIME_DIR (or ~/.cache);
tests point both at a fresh directory so no test sees another's hints, and subprocesses they
start (the CLI, ansible-playbook, the Pulumi provider) inherit it.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_state_directory(tmp_path_factory, monkeypatch):
    state = tmp_path_factory.mktemp("state")
    state.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(state))
    monkeypatch.setenv("XDG_CACHE_HOME", str(state / "cache"))
    return state
