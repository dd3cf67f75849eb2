"""The local connection under another name: modules run on this machine exactly as on a target
reached by ssh (each in its own interpreter, from a file put in a remote tmp directory).

The engagement action plugin runs the task in the controller's worker when the connection is
``local``; tests and benchmarks use this one to run the module itself, as on any other target.
"""

from __future__ import annotations

from ansible.plugins.connection.local import Connection as LocalConnection

DOCUMENTATION = """
name: target
short_description: Run modules on this machine as on a remote target
description:
  - The local connection, named otherwise, so that action plugins that treat a local target
    specially run the module as they would on any other host.
author: pulumi-engagement tests
options:
  become_success_timeout:
    type: int
    default: 10
    description: As the local connection's.
    vars:
      - name: ansible_local_become_success_timeout
  become_strip_preamble:
    type: bool
    default: true
    description: As the local connection's.
    vars:
      - name: ansible_local_become_strip_preamble
extends_documentation_fragment:
  - connection_pipelining
"""


class Connection(LocalConnection):
    transport = "target"
