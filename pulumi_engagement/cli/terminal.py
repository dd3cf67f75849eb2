"""What the ``engagement`` command shows besides its result: exit codes, error lines, the status line.

Standard library only: every run imports it, including ``--help`` and usage errors, which must
not pay for botocore.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

PROG = "engagement"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_NOT_FOUND = 3
EXIT_TIMEOUT = 4
EXIT_SERVICE = 5
EXIT_UNACKNOWLEDGED = 6
#: A run stopped by Ctrl-C, as a shell reports a process killed by SIGINT.
EXIT_INTERRUPTED = 130

#: Core error kinds (EngagementError.kind) to exit codes; anything else is EXIT_ERROR.
EXIT_BY_KIND = {
    "invalid_input": EXIT_INVALID,
    "not_found": EXIT_NOT_FOUND,
    "timeout": EXIT_TIMEOUT,
    "credentials": EXIT_ERROR,
    "throttled": EXIT_SERVICE,
    "service_error": EXIT_SERVICE,
}

#: Core field names that are not spelled "--field-name" on the command line.
_FIELD_FLAGS = {
    "engagement_id": "ARN",
    "time_range_value": "--since/--until",
    "time_range_value.start_time": "--since",
    "time_range_value.end_time": "--until",
}


class UsageError(Exception):
    """A command-line usage error: reported as one stderr line, exit 2."""


def flag_name(field: str) -> str:
    """The command-line flag for a core field name."""
    return _FIELD_FLAGS.get(field, "--" + field.replace("_", "-"))


def one_line(text: str) -> str:
    """``text`` with every run of white space (newlines included) folded into one space."""
    return " ".join(str(text).split())


def error_line(exc: BaseException) -> str:
    """The single stderr line for a core error: flag names instead of API names where they differ."""
    from ..core.errors import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(f"{flag_name(v.field)} ({v.api_name}): {v.message}" for v in exc.violations)
    return one_line(str(exc))


def exit_code(exc: BaseException) -> int:
    """The exit code for a core error, by its kind."""
    return EXIT_BY_KIND.get(getattr(exc, "kind", "error"), EXIT_ERROR)


def isatty(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal; False for streams that cannot tell (StringIO, closed)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class StatusLine:
    """A live, self-overwriting status line on a terminal; silent anywhere else."""

    def __init__(self, stream: TextIO, enabled: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.enabled = enabled
        self.clock = clock
        self.started = clock()
        self.shown = False

    def __call__(self, engagement: Any, pages: list[Any]) -> None:
        if not self.enabled:
            return
        delivered = sum(1 for p in pages if p.delivery_time is not None)
        elapsed = int(self.clock() - self.started)
        state = "stopped" if engagement.stopped else "waiting for an acknowledgement"
        text = (
            f"{state}: {len(pages)} page(s) sent, {delivered} delivered, "
            f"{sum(1 for p in pages if p.acknowledged)} read, {elapsed // 60}m{elapsed % 60:02d}s"
        )
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
