"""Python's cyclic garbage collector, paused while a one-task process starts up.

Start-up (importing botocore, building its session and client) allocates hundreds of thousands
of long-lived objects and almost no garbage cycles, yet the collector would run ~100 times while
they are allocated and scan them all again at interpreter exit: measured, 15-20% of a CLI start
or an Ansible task. ``resume`` (once the client exists) freezes what is alive (gc.freeze: never
scanned again, not even at exit) and turns the collector back on, so a long wait polls with it on.
Only for a process that exits when its one task is done (a console script, an Ansible module):
tests and library callers keep their collector as it is.
"""

from __future__ import annotations

import gc


class StartupGC:
    def __init__(self) -> None:
        self.paused = False

    def pause(self) -> None:
        if gc.isenabled():
            gc.freeze()  # what is imported by now lives as long as the process too
            gc.disable()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            gc.freeze()
            gc.enable()


#: The process's one start-up: the entry point pauses it, whoever builds the client resumes it.
STARTUP_GC = StartupGC()
