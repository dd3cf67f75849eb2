"""A connection whose host never answers, as when ssh is refused: Ansible marks the host unreachable.

The tests use it instead of ssh to a closed port so they need no ssh client on the machine.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection import ConnectionBase

DOCUMENTATION = """
name: refused
short_description: Every connection is refused
description:
  - Raises AnsibleConnectionFailure on connect, so the host is reported unreachable.
author: pulumi-engagement tests
"""


class Connection(ConnectionBase):
    transport = "refused"

    def _connect(self) -> Connection:
        raise AnsibleConnectionFailure(
            f"connect to host {self._play_context.remote_addr}: Connection refused"
        )

    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> Any:
        self._connect()

    def put_file(self, in_path: str, out_path: str) -> None:
        self._connect()

    def fetch_file(self, in_path: str, out_path: str) -> None:
        self._connect()

    def close(self) -> None:
        self._connected = False
