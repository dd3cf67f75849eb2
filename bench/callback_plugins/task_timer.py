"""Per-task wall time, written as JSON to $TASK_TIMER_OUT when the playbook ends.

Like ansible.posix's profile_tasks, but machine-readable: for each task, the
time from its start to the last host's result, measured in the controller.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: task_timer
type: aggregate
short_description: per-task wall time as JSON (benchmarks)
description: Writes [{name, seconds, hosts}] to the file named by TASK_TIMER_OUT.
requirements: [enable in ANSIBLE_CALLBACKS_ENABLED]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[dict] = []
        self.current: dict | None = None

    def v2_playbook_on_task_start(self, task, is_conditional) -> None:
        self.current = {"name": task.get_name(), "start": time.perf_counter(), "end": None, "hosts": 0}
        self.tasks.append(self.current)

    def _done(self, result) -> None:
        if self.current is not None:
            self.current["end"] = time.perf_counter()
            self.current["hosts"] += 1

    v2_runner_on_ok = _done
    v2_runner_on_failed = _done
    v2_runner_on_skipped = _done
    v2_runner_on_unreachable = _done

    def v2_playbook_on_stats(self, stats) -> None:
        out = os.environ.get("TASK_TIMER_OUT")
        if not out:
            return
        rows = [
            {"name": t["name"], "seconds": t["end"] - t["start"], "hosts": t["hosts"]}
            for t in self.tasks
            if t["end"] is not None
        ]
        with open(out, "w") as handle:
            json.dump(rows, handle)
