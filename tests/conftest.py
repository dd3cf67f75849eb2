"""Shared by every suite: each test gets its own per-user state directory (locks and hints).

The core keeps a hint of each alert's latest engagement under $XDG_RUNTIME_DIR (or ~/.cache);
tests point both at a fresh directory so no test sees another's hints, and subprocesses they
start (the CLI, ansible-playbook, the Pulumi provider) inherit it.
"""

from __future__ import annotations

# One autouse fixture for both test trees. It is defined in the collection's unit-test conftest
# because `ansible-test units` only sees the collection; the repository root (pytest's pythonpath)
# holds ansible_collections/, so it is importable here, and a fixture imported into a conftest is
# registered as that conftest's own.
from ansible_collections.incident_manager.contacts.tests.unit.conftest import (  # noqa: F401
    _private_state_directory,
)
