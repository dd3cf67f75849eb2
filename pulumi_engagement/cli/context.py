"""What a command runs with: its arguments, its streams, the client (built on first use), notes."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, TextIO

from .output import write
from .terminal import PROG, StatusLine, isatty


def make_client(args: argparse.Namespace) -> Any:
    """The core's EngagementClient for the connection options on the command line."""
    from ..core.client import ClientConfig
    from ..core.operations import EngagementClient

    # Unset retry options fall back, in the core, to AWS_RETRY_MODE / AWS_MAX_ATTEMPTS as boto3's do.
    config = ClientConfig(
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        retry_mode=args.retry_mode,
        max_attempts=args.max_attempts,
        user_agent="cli",
    )
    return EngagementClient.from_config(config)


class Context:
    """One run of a command: ``client`` is built on first use, so invalid input needs no credentials."""

    def __init__(
        self,
        args: argparse.Namespace,
        stdout: TextIO,
        stderr: TextIO,
        resume_gc: Callable[[], None] = lambda: None,
        client_factory: Callable[[argparse.Namespace], Any] = make_client,
    ) -> None:
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self.output = args.output or ("table" if isatty(stdout) else "json")
        self.quiet = bool(args.quiet)
        self._client: Any = None
        self._resume_gc = resume_gc
        self._client_factory = client_factory

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                self._client = self._client_factory(self.args)
            finally:
                # Start-up is over (see main): a long `wait` polls with the collector on.
                self._resume_gc()
        return self._client

    def note(self, text: str) -> None:
        """An informational stderr line ("paged ...", "found ..."), unless --quiet."""
        if not self.quiet:
            self.stderr.write(f"{PROG}: {text}\n")
            self.stderr.flush()

    def error(self, text: str) -> None:
        """A stderr line naming the command; shown even with --quiet."""
        self.stderr.write(f"{PROG} {self.args.command}: {text}\n")

    def emit(self, doc: Any) -> None:
        """The command's result document, on stdout in the chosen format."""
        write(doc, self.output, self.stdout)

    def status_line(self) -> StatusLine:
        return StatusLine(self.stderr, enabled=not self.quiet and isatty(self.stderr))
