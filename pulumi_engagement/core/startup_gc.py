"""Python's cyclic garbage collector, paused while a one-shot process starts up.

Start-up of an adapter process (the ``engagement`` console script, an Ansible task) means
importing botocore and building its session and client: hundreds of thousands of long-lived
objects and almost no garbage cycles, yet the collector would run ~100 times while they are
allocated and scan them all again at interpreter exit (measured: 15-20% of ``engagement start``,
~20% of an Ansible task). So the process pauses the collector, and once the client exists
``resume`` freezes everything alive (gc.freeze: never scanned again, not even at exit) and
turns the collector back on, so a long wait polls with it on.

Only for a process that exits when its one job is done: a library caller's collector is its own.
Standard library only: the CLI loads this file before anything imports botocore (see
``pulumi_engagement._load_core_file``).
"""

from __future__ import annotations

import gc


class StartupGC:
    """Pause the collector with ``pause``; ``resume`` (idempotent) freezes what is alive and resumes."""

    def __init__(self) -> None:
        self.paused = False

    def pause(self) -> None:
        if gc.isenabled():
            # What is alive already (the interpreter, and whatever the process imported so far) is
            # as long-lived as what start-up is about to build.
            gc.freeze()
            gc.disable()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            gc.freeze()
            gc.enable()
