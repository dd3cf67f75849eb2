"""The ``engagement`` command: page, wait for an acknowledgement, escalate, from any shell.

This module maps flags onto the shared core and the core's errors onto exit
codes; it holds no paging logic of its own. It is on the start path of every
runbook call, so it imports only the standard library and the core (botocore);
YAML and the emulator are imported lazily, only when asked for.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from . import report
from .output import FORMATS, OutputUnavailable, check_available, write
from .timeparse import parse_duration, parse_time

PROG = "engagement"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_NOT_FOUND = 3
EXIT_TIMEOUT = 4
EXIT_SERVICE = 5
EXIT_UNACKNOWLEDGED = 6

#: Core error kinds (EngagementError.kind) to exit codes; anything else is EXIT_ERROR.
EXIT_BY_KIND = {
    "invalid_input": EXIT_INVALID,
    "not_found": EXIT_NOT_FOUND,
    "timeout": EXIT_TIMEOUT,
    "credentials": EXIT_ERROR,
    "throttled": EXIT_SERVICE,
    "service_error": EXIT_SERVICE,
}

DEFAULT_TIMEOUT = "5m"
DEFAULT_INTERVAL = "2s"

EPILOG = """\
exit codes:
  0  success: paged, or this alert's engagement is still running (not paged again), or
     --wait: somebody acknowledged (a READ receipt). A page that went out but could not be
     read back is still 0, with a "warning:" line on stderr and its ARN in the result.
  2  invalid input: nothing was sent; one stderr line names the flag and the broken rule
     (argparse usage errors exit 2 as well)
  3  not found: no such engagement, contact or escalation plan
  4  wait timed out: nobody acknowledged before --timeout (the result is still printed)
  5  throttled or service error, after botocore's retries
  6  ended unacknowledged: the engagement stopped (its plan ran out, or someone stopped it)
     before anyone acknowledged; the result says which (stopped_by_request, stop_reason)
  1  anything else: credentials missing, expired or rejected, no region, access denied,
     endpoint unreachable or TLS failure, ...

paging (start):
  The same alert (same page, or same --dedup-key, to the same contact) pages nobody while its
  engagement is running, and pages again once that engagement has stopped. Racing runs page
  once. An explicit --idempotency-token names one page: a new token pages, a used one returns
  its engagement unchanged.

output:
  --output table on a terminal, json otherwise; yaml needs PyYAML. Results go to stdout,
  notes ("paged", "found existing") and errors to stderr.

environment (as boto3):
  AWS_REGION / AWS_DEFAULT_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_SSM_CONTACTS /
  AWS_ENDPOINT_URL, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS, and the usual credential variables
  and files. Credentials are never printed.

examples:
  engagement start --contact-id arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall \\
      --sender deploy-bot --subject "Deploy failed" --content "prod deploy 42 failed" \\
      --incident-id deploy-42 --wait --timeout 10m
  engagement list --incident-id deploy-42 --since 2h
  engagement stop ARN --reason "resolved"
"""

#: Core field names that are not spelled "--field-name" on the command line.
_FIELD_FLAGS = {
    "engagement_id": "ARN",
    "time_range_value": "--since/--until",
    "time_range_value.start_time": "--since",
    "time_range_value.end_time": "--until",
}


class UsageError(Exception):
    """A command-line usage error: reported as one stderr line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line instead of argparse's usage block, so runbook logs stay greppable.
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _duration(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _time(text: str) -> Any:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    """Connection and output options, accepted before or after the subcommand.

    On subcommands the defaults are SUPPRESS so a value given before the
    subcommand is not overwritten by the subparser's default.
    """

    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("connection and output")
    group.add_argument(
        "-o",
        "--output",
        choices=FORMATS,
        default=default(None),
        help="result format (default: table on a terminal, json otherwise)",
    )
    group.add_argument(
        "--region",
        default=default(None),
        help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile's)",
    )
    group.add_argument(
        "--profile", default=default(None), help="AWS shared-config profile (default: AWS_PROFILE)"
    )
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=default(None),
        help="service endpoint, e.g. the local emulator (default: AWS_ENDPOINT_URL_SSM_CONTACTS or AWS)",
    )
    group.add_argument(
        "--retry-mode",
        choices=("standard", "adaptive", "legacy"),
        default=default(None),
        help="botocore retry mode (default: AWS_RETRY_MODE or standard)",
    )
    group.add_argument(
        "--max-attempts",
        metavar="N",
        type=_positive_int,
        default=default(None),
        help="attempts per call, including the first (default: AWS_MAX_ATTEMPTS or 8)",
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="no notes on stderr"
    )


def _add_wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        metavar="DURATION",
        type=_duration,
        default=_duration(DEFAULT_TIMEOUT),
        help=f"give up after this long: seconds or 30s, 5m, 1h (default: {DEFAULT_TIMEOUT}); exit 4",
    )
    parser.add_argument(
        "--interval",
        metavar="DURATION",
        type=_duration,
        default=_duration(DEFAULT_INTERVAL),
        help=f"first poll interval, backing off to 30s (default: {DEFAULT_INTERVAL})",
    )


def build_parser() -> argparse.ArgumentParser:
    # The package's own version: importing the core here would load botocore just for --help.
    from .. import __version__ as VERSION

    parser = _Parser(
        prog=PROG,
        description="Page people through AWS Systems Manager Incident Manager Contacts, wait for an\n"
        "acknowledgement and escalate, from runbooks, CI jobs and cron.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {VERSION}")
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def command(name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
            **kwargs,
        )
        _add_common(p, top=False)
        return p

    start = command(
        "start",
        "page a contact or escalation plan, unless the same page already exists (re-runs never page twice)",
    )
    page = start.add_argument_group("the page (StartEngagement; the first four are required)")
    page.add_argument(
        "--contact-id", "--contact", dest="contact_id", metavar="ARN", help="contact or plan ARN"
    )
    page.add_argument("--sender", help="who is paging, e.g. deploy-bot")
    page.add_argument("--subject", help="subject of the page (secure field)")
    page.add_argument("--content", help="body of the page (secure field); '-' reads it from stdin")
    page.add_argument("--public-subject", help="subject shown on channels that are not secure")
    page.add_argument("--public-content", help="content shown on channels that are not secure")
    page.add_argument("--incident-id", help="incident the page belongs to")
    page.add_argument(
        "--idempotency-token",
        help="explicit token naming this page (default: derived per episode of the alert, see below)",
    )
    page.add_argument(
        "--dedup-key",
        metavar="KEY",
        help="pages to the contact with this key share one engagement while it runs, whatever their "
        "text (e.g. deploy-42 on every host)",
    )
    start.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and look for a running engagement of this alert, but never page",
    )
    start.add_argument(
        "--window",
        metavar="DURATION",
        type=_duration,
        default=_duration("24h"),
        help="--dry-run only: how far back to look for a running engagement (default: 24h)",
    )
    start.add_argument(
        "--wait",
        action="store_true",
        help="then wait for an acknowledgement (exit 4 on timeout, 6 if it ends unacknowledged)",
    )
    _add_wait_options(start)

    describe = command("describe", "show one engagement")
    describe.add_argument("arn", metavar="ARN", help="engagement ARN")

    stop = command("stop", "stop an engagement (already stopped is not an error)")
    stop.add_argument("arn", metavar="ARN", help="engagement ARN")
    stop.add_argument("--reason", help="why it is stopped")
    stop.add_argument("--dry-run", action="store_true", help="report what would happen, stop nothing")

    listing = command("list", "list engagements (every page of results), optionally by incident and time")
    listing.add_argument("--incident-id", help="only engagements of this incident")
    listing.add_argument(
        "--since",
        type=_time,
        metavar="TIME",
        help="started at or after: ISO 8601 or a duration ago (2h, 30m)",
    )
    listing.add_argument(
        "--until", type=_time, metavar="TIME", help="started at or before: ISO 8601 or a duration ago"
    )

    pages = command("pages", "list the pages an engagement sent, with their receipts")
    pages.add_argument("arn", metavar="ARN", help="engagement ARN")

    wait = command("wait", "wait until a page of the engagement is acknowledged or it stops")
    wait.add_argument("arn", metavar="ARN", help="engagement ARN")
    _add_wait_options(wait)

    report.add_parser(command, EPILOG)

    # Its own options belong to the emulator's parser; everything after the word is passed on.
    sub.add_parser(
        "emulator",
        help="run the local ssm-contacts emulator (as python -m pulumi_engagement.emulator; see its --help)",
        add_help=False,
        allow_abbrev=False,
    )
    return parser


# -- plumbing ----------------------------------------------------------------------------


def _flag(field: str) -> str:
    return _FIELD_FLAGS.get(field, "--" + field.replace("_", "-"))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def error_line(exc: BaseException) -> str:
    """The single stderr line for a core error: flag names instead of API names where they differ."""
    from ..core.errors import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(f"{_flag(v.field)} ({v.api_name}): {v.message}" for v in exc.violations)
    return _one_line(str(exc))


def exit_code(exc: BaseException) -> int:
    return EXIT_BY_KIND.get(getattr(exc, "kind", "error"), EXIT_ERROR)


def make_client(args: argparse.Namespace) -> Any:
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


class Context:
    def __init__(
        self,
        args: argparse.Namespace,
        stdout: TextIO,
        stderr: TextIO,
        resume_gc: Callable[[], None] = lambda: None,
    ) -> None:
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self.output = args.output or ("table" if _isatty(stdout) else "json")
        self.quiet = bool(args.quiet)
        self._client: Any = None
        self._resume_gc = resume_gc

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                self._client = make_client(self.args)
            finally:
                # Start-up is over (see main): a long `wait` polls with the collector on.
                self._resume_gc()
        return self._client

    def note(self, text: str) -> None:
        if not self.quiet:
            self.stderr.write(f"{PROG}: {text}\n")
            self.stderr.flush()

    def emit(self, doc: Any) -> None:
        write(doc, self.output, self.stdout)

    def status_line(self) -> StatusLine:
        return StatusLine(self.stderr, enabled=not self.quiet and _isatty(self.stderr))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _wait_doc(status: str, engagement: Any, pages: Sequence[Any], result: Any = None) -> dict:
    return {
        "status": status,
        "acknowledged": status == "acknowledged",
        "acknowledged_by": list(result.acknowledged_by) if result is not None else [],
        "stopped_by_request": bool(result is not None and result.stopped_by_request),
        "stop_reason": result.stop_reason if result is not None else None,
        "engagement": engagement.to_dict() if engagement is not None else None,
        "pages": [p.to_dict() for p in pages],
    }


def _wait(ctx: Context, arn: str) -> tuple[dict, int]:
    """Run the core's wait: exit 0 only when acknowledged; 4 on timeout; 6 when it ended unread."""
    from ..core.errors import WaitTimeout

    line = ctx.status_line()
    try:
        result = ctx.client.wait(arn, ctx.args.timeout, interval=ctx.args.interval, on_poll=line)
    except WaitTimeout as exc:
        line.close()
        doc = _wait_doc(exc.status, exc.engagement, exc.pages)
        ctx.stderr.write(f"{PROG} {ctx.args.command}: {error_line(exc)}\n")
        return doc, EXIT_TIMEOUT
    finally:
        line.close()
    doc = _wait_doc(result.status, result.engagement, result.pages, result)
    if result.acknowledged:
        ctx.note(f"acknowledged by {', '.join(result.acknowledged_by) or 'a responder'}")
        return doc, EXIT_OK
    how = (
        f"stopped by request ({result.stop_reason or 'no reason given'})"
        if result.stopped_by_request
        else "its plan ran out"
    )
    ctx.stderr.write(f"{PROG} {ctx.args.command}: ended unacknowledged: {how}; nobody read a page\n")
    return doc, EXIT_UNACKNOWLEDGED


# -- commands ----------------------------------------------------------------------------


def cmd_start(ctx: Context) -> int:
    from ..core.operations import StartRequest

    args = ctx.args
    if args.wait and args.dry_run:
        raise UsageError(f"{PROG} start: --wait cannot be combined with --dry-run (a dry run never pages)")
    content = args.content
    if content == "-":
        # A log tail may hold bytes that are not UTF-8: they become U+FFFD instead of a crash.
        content = sys.stdin.buffer.read().decode("utf-8", "replace")
    request = StartRequest(
        contact_id=args.contact_id,
        sender=args.sender,
        subject=args.subject,
        content=content,
        public_subject=args.public_subject,
        public_content=args.public_content,
        incident_id=args.incident_id,
        idempotency_token=args.idempotency_token,
        dedup_key=args.dedup_key,
    )
    # Validate before the client exists: invalid input never needs credentials or a region.
    request.validate()
    outcome = ctx.client.ensure_started(request, window=_timedelta(args.window), check_mode=args.dry_run)
    if outcome.engagement is None:
        result = "would_page"
        ctx.note(f"dry run: would page {request.contact_id} (nothing sent)")
    elif outcome.changed:
        result = "would_page" if args.dry_run else "paged"
        ctx.note(f"paged {request.contact_id}: {outcome.engagement.engagement_arn}")
    else:
        result = "found_existing"
        ctx.note(
            f"found the existing engagement {outcome.engagement.engagement_arn} "
            f"(started {outcome.engagement.to_dict()['start_time']}), still running; not paged again"
        )
    for warning in outcome.warnings:
        ctx.stderr.write(f"{PROG}: warning: {_one_line(warning)}\n")
    doc: dict[str, Any] = {
        "result": result,
        "changed": outcome.changed,
        "dry_run": bool(args.dry_run),
        "idempotency_token": outcome.idempotency_token,
        "engagement": outcome.engagement.to_dict() if outcome.engagement is not None else None,
        "warnings": list(outcome.warnings),
    }
    code = EXIT_OK
    if args.wait:
        doc["wait"], code = _wait(ctx, outcome.engagement.engagement_arn)
        doc["wait"].pop("engagement", None)  # already shown above, as it was at start
    ctx.emit(doc)
    return code


def _timedelta(seconds: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=seconds)


def cmd_describe(ctx: Context) -> int:
    ctx.emit({"engagement": ctx.client.describe(ctx.args.arn).to_dict()})
    return EXIT_OK


def cmd_stop(ctx: Context) -> int:
    args = ctx.args
    changed, _before, after = ctx.client.ensure_stopped(args.arn, args.reason, check_mode=args.dry_run)
    if args.dry_run:
        ctx.note("dry run: would stop it (nothing sent)" if changed else "already stopped")
    else:
        ctx.note("stopped" if changed else "already stopped; nothing to do")
    ctx.emit({"changed": changed, "dry_run": bool(args.dry_run), "engagement": after.to_dict()})
    return EXIT_OK


def cmd_list(ctx: Context) -> int:
    args = ctx.args
    summaries = ctx.client.list(incident_id=args.incident_id, start_time=args.since, end_time=args.until)
    ctx.emit({"engagements": [s.to_dict() for s in summaries]})
    return EXIT_OK


def cmd_pages(ctx: Context) -> int:
    pages = ctx.client.pages(ctx.args.arn, receipts=True)
    ctx.emit({"engagement_arn": ctx.args.arn, "pages": [p.to_dict() for p in pages]})
    return EXIT_OK


def cmd_wait(ctx: Context) -> int:
    doc, code = _wait(ctx, ctx.args.arn)
    ctx.emit(doc)
    return code


COMMANDS: dict[str, Callable[[Context], int]] = {
    "start": cmd_start,
    "describe": cmd_describe,
    "stop": cmd_stop,
    "list": cmd_list,
    "pages": cmd_pages,
    "wait": cmd_wait,
    "report": lambda ctx: report.cmd_report(ctx, EXIT_ERROR),
}


def run_emulator(argv: list[str]) -> int:
    from ..extras import EMULATOR_MODULES, extra_hint, missing_module

    if missing_module(EMULATOR_MODULES):
        sys.stderr.write(f"{PROG}: {extra_hint('the emulator', 'emulator')}\n")
        return EXIT_ERROR
    try:
        from ..emulator.__main__ import main as emulator_main
    except ImportError as exc:
        sys.stderr.write(
            f"{PROG} emulator: needs the emulator extra ({_one_line(str(exc))}): "
            "pip install 'pulumi-engagement[emulator]'\n"
        )
        return EXIT_ERROR
    result = emulator_main(argv)
    return int(result or 0)


class _StartupGC:
    """Python's cyclic garbage collector, paused while this process starts up.

    Start-up (importing botocore, building its session and client) allocates hundreds of
    thousands of long-lived objects and almost no garbage cycles, yet the collector would run
    ~100 times while they are allocated and scan them all again at interpreter exit: measured,
    15-20% of `engagement start`.
    ``resume`` (when the client exists) freezes what is alive (gc.freeze: never scanned again,
    not even at exit) and turns the collector back on, so a long `wait` polls with it on.
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
        ctx = Context(args, stdout, stderr, resume_gc)
        check_available(ctx.output)
        return COMMANDS[args.command](ctx)
    except UsageError as exc:
        stderr.write(_one_line(str(exc)) + "\n")
        return EXIT_INVALID
    except OutputUnavailable as exc:
        stderr.write(f"{PROG}: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        stderr.write(f"{PROG}: interrupted\n")
        return 130
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
