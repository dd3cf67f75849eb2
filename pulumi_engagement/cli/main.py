"""The ``engagement`` command: page, wait for an acknowledgement, escalate, from any shell.

This is the entry point: it parses the command line (``parser``), runs one command
(``commands``) and turns what escaped it into one stderr line and an exit code (``terminal``).
It is on the start path of every runbook call, so it imports only the standard library and the
core (botocore); YAML and the emulator are imported lazily, only when asked for.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

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


class _StartupGC:
    """Python's cyclic garbage collector, paused while this process starts up.

    Start-up (importing botocore, building its session and client) allocates hundreds of
    thousands of long-lived objects and almost no garbage cycles, yet the collector would run
    ~100 times while they are allocated and scan them all again at interpreter exit: measured,
    15-20% of `engagement start`.
    ``resume`` (when the client exists) freezes what is alive (gc.freeze: never scanned again,
    not even at exit) and turns the collector back on, so a long `wait` polls with it on.

    The Ansible modules do the same (``_StartupGC`` in the collection's ``module_utils/common.py``)
    but cannot share this code: the collection may not import this package, and a shared copy in
    the core would not serve here, since importing anything from ``pulumi_engagement.core`` loads
    botocore (the package imports its client), the very import this pause must cover. Their one
    difference follows from when each pauses: a module pauses after its imports (ansible-core,
    the core, botocore) and freezes those first; this pauses before any heavy import, when nothing
    is yet worth freezing.
    """

    def __init__(self) -> None:
        self.paused = gc.isenabled()
        if self.paused:
            gc.disable()

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            gc.freeze()
            gc.enable()


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Entry point of the console script; returns the exit code."""
    if argv is not None:  # called in-process (tests, other programs): leave their collector alone
        return _main(argv, stdout, stderr, lambda: None)
    # The console script: this process exits when main returns (see _StartupGC).
    startup_gc = _StartupGC()
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
