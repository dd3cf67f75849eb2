"""The ``engagement`` command: page, wait for an acknowledgement, escalate, from any shell.

This is the entry point: it parses the command line (``parser``), runs one command
(``commands``) and turns what escaped it into one stderr line and an exit code (``terminal``).
It is on the start path of every runbook call, so it imports only the standard library and the
core (botocore); YAML and the emulator are imported lazily, only when asked for.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from .. import _load_core_file
from .commands import COMMANDS, run_emulator
from .context import Context, make_client
from .output import OutputUnavailable, check_available
from .parser import build_parser
from .terminal import (
    EXIT_BY_KIND,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_SERVICE,
    EXIT_TIMEOUT,
    EXIT_UNACKNOWLEDGED,
    PROG,
    StatusLine,
    UsageError,
    error_line,
    exit_code,
    one_line,
)

# The names this module has always offered, wherever they now live.
__all__ = [
    "EXIT_BY_KIND",
    "EXIT_ERROR",
    "EXIT_INVALID",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_TIMEOUT",
    "EXIT_UNACKNOWLEDGED",
    "PROG",
    "Context",
    "StatusLine",
    "UsageError",
    "build_parser",
    "error_line",
    "exit_code",
    "main",
    "make_client",
]


# Loaded as a file: importing it from the core would load botocore before the collector is paused.
_StartupGC = _load_core_file("startup_gc").StartupGC


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point of the console script; returns the exit code."""
    if argv is not None:  # called in-process (tests, other programs): leave their collector alone
        return _main(argv, stdout, stderr, lambda: None)
    # The console script: this process exits when main returns (see core/startup_gc.py).
    startup_gc = _StartupGC()
    startup_gc.pause()
    try:
        return _main(argv, stdout, stderr, startup_gc.resume)
    finally:
        startup_gc.resume()


def _main(
    argv: Sequence[str] | None, stdout: TextIO | None, stderr: TextIO | None, resume_gc: Callable[[], None]
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    command: str | None = None
    try:
        args, extra = parser.parse_known_args(argv)
        if args.command == "emulator":
            resume_gc()  # a long-running server
            return run_emulator(extra)
        command = args.command
        if extra:
            raise UsageError(
                f"{PROG} {args.command}: unrecognized arguments: {' '.join(extra)} "
                f"(see '{PROG} {args.command} --help')"
            )
        # make_client is looked up now, not bound at import, so a caller can wrap it (tests/cli do).
        ctx = Context(args, stdout, stderr, resume_gc, client_factory=make_client)
        check_available(ctx.output)
        return COMMANDS[args.command](ctx)
    except UsageError as exc:
        stderr.write(one_line(str(exc)) + "\n")
        return EXIT_INVALID
    except OutputUnavailable as exc:
        stderr.write(f"{PROG}: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        stderr.write(f"{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `engagement list | head`: the reader left; not an error worth a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        from ..core.errors import EngagementError

        if not isinstance(exc, EngagementError):
            raise
        prefix = f"{PROG} {command}" if command else PROG
        stderr.write(f"{prefix}: {error_line(exc)}\n")
        return exit_code(exc)
