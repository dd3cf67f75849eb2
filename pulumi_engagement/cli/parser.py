"""The ``engagement`` command line: flags, subcommands and their help.

The page's flags and the retry modes come from the core. It is imported when the parser is
built, not when this module is: the console script pauses the collector before that (main.py).
"""

from __future__ import annotations

import argparse
import functools
from typing import Any

from . import report
from .output import FORMATS
from .terminal import PROG, UsageError
from .timeparse import parse_duration, parse_time

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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line instead of argparse's usage block, so runbook logs stay greppable.
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


# -- argument types: argparse turns ArgumentTypeError into a usage error naming the flag ---------


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


# -- options shared by several commands ----------------------------------------------------------


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    """Connection and output options, accepted before or after the subcommand.

    On subcommands the defaults are SUPPRESS so a value given before the
    subcommand is not overwritten by the subparser's default.
    """

    from ..core.client import RETRY_MODES

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
        choices=RETRY_MODES,
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


def _add_duration(parser: argparse.ArgumentParser, flag: str, default: str, help_text: str) -> None:
    parser.add_argument(flag, metavar="DURATION", type=_duration, default=_duration(default), help=help_text)


def _add_wait_options(parser: argparse.ArgumentParser) -> None:
    _add_duration(
        parser,
        "--timeout",
        DEFAULT_TIMEOUT,
        f"give up after this long: seconds or 30s, 5m, 1h (default: {DEFAULT_TIMEOUT}); exit 4",
    )
    _add_duration(
        parser,
        "--interval",
        DEFAULT_INTERVAL,
        f"first poll interval, backing off to 30s (default: {DEFAULT_INTERVAL})",
    )


def _add_arn(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("arn", metavar="ARN", help="engagement ARN")


# -- the subcommands -----------------------------------------------------------------------------


def _subcommand(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand parser with the common options and the exit-code epilog."""
    parser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
        **kwargs,
    )
    _add_common(parser, top=False)
    return parser


#: Help for the page's flags, one per StartRequest field (the flags themselves come from the core).
#: ``stdin``: "-" as the value means "read it from standard input".
PAGE_FLAGS: dict[str, dict[str, Any]] = {
    "contact_id": {"aliases": ("--contact",), "metavar": "ARN", "help": "contact or plan ARN"},
    "sender": {"help": "who is paging, e.g. deploy-bot"},
    "subject": {"help": "subject of the page (secure field)"},
    "content": {"help": "body of the page (secure field); '-' reads it from stdin", "stdin": True},
    "public_subject": {"help": "subject shown on channels that are not secure"},
    "public_content": {"help": "content shown on channels that are not secure"},
    "incident_id": {"help": "incident the page belongs to"},
    "idempotency_token": {
        "help": "explicit token naming this page (default: derived per episode of the alert, see below)"
    },
    "dedup_key": {
        "metavar": "KEY",
        "help": "pages to the contact with this key share one engagement while it runs, whatever their "
        "text (e.g. deploy-42 on every host)",
    },
}
#: The page's fields whose flag reads standard input when given "-".
STDIN_FIELDS = frozenset(name for name, spec in PAGE_FLAGS.items() if spec.get("stdin"))


def _add_page_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per field of the core's StartRequest (--contact-id, --sender, ...)."""
    from ..core.model import request_field_names

    page = parser.add_argument_group("the page (StartEngagement; the first four are required)")
    for name in request_field_names():
        spec = PAGE_FLAGS.get(name, {})
        flag = "--" + name.replace("_", "-")
        options = {key: spec[key] for key in ("metavar", "help") if key in spec}
        page.add_argument(flag, *spec.get("aliases", ()), dest=name, **options)


def _add_start(sub: Any) -> None:
    start = _subcommand(
        sub,
        "start",
        "page a contact or escalation plan, unless the same page already exists (re-runs never page twice)",
    )
    _add_page_flags(start)
    start.add_argument(
        "--dry-run",
        action="store_true",
        help="validate and look for a running engagement of this alert, but never page",
    )
    _add_duration(
        start,
        "--window",
        "24h",
        "--dry-run only: how far back to look for a running engagement (default: 24h)",
    )
    start.add_argument(
        "--wait",
        action="store_true",
        help="then wait for an acknowledgement (exit 4 on timeout, 6 if it ends unacknowledged)",
    )
    _add_wait_options(start)


def _add_describe(sub: Any) -> None:
    _add_arn(_subcommand(sub, "describe", "show one engagement"))


def _add_stop(sub: Any) -> None:
    stop = _subcommand(sub, "stop", "stop an engagement (already stopped is not an error)")
    _add_arn(stop)
    stop.add_argument("--reason", help="why it is stopped")
    stop.add_argument("--dry-run", action="store_true", help="report what would happen, stop nothing")


def _add_list(sub: Any) -> None:
    listing = _subcommand(
        sub, "list", "list engagements (every page of results), optionally by incident and time"
    )
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


def _add_pages(sub: Any) -> None:
    _add_arn(_subcommand(sub, "pages", "list the pages an engagement sent, with their receipts"))


def _add_wait(sub: Any) -> None:
    wait = _subcommand(sub, "wait", "wait until a page of the engagement is acknowledged or it stops")
    _add_arn(wait)
    _add_wait_options(wait)


def _at_time(text: str) -> Any:
    """``--at``: ISO 8601, "now", a duration ago (2h) or ahead (+2h)."""
    value = text.strip()
    if value.startswith("+"):
        from datetime import datetime, timedelta, timezone

        return datetime.now(timezone.utc) + timedelta(seconds=_duration(value[1:]))
    return _time(value)


def _add_oncall(sub: Any) -> None:
    oncall = _subcommand(
        sub,
        "oncall",
        "who a page to a contact, escalation plan or on-call schedule would reach, stage by stage "
        "(read from the service: plans, rotations, shifts, overrides; nothing is paged)",
    )
    oncall.add_argument(
        "target", metavar="TARGET", help="contact ARN or alias (PERSONAL, ESCALATION, ONCALL_SCHEDULE)"
    )
    oncall.add_argument(
        "--at",
        type=_at_time,
        metavar="TIME",
        help="when the page would start: ISO 8601, a duration ago (2h) or ahead (+2h); "
        "default: now on the service's clock",
    )


def _add_emulator(sub: Any) -> None:
    # Its own options belong to the emulator's parser; everything after the word is passed on.
    sub.add_parser(
        "emulator",
        help="run the local ssm-contacts emulator (as python -m pulumi_engagement.emulator; see its --help)",
        add_help=False,
        allow_abbrev=False,
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, then one subparser per command."""
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
    for add in (_add_start, _add_describe, _add_stop, _add_list, _add_pages, _add_wait, _add_oncall):
        add(sub)
    report.add_parser(functools.partial(_subcommand, sub), EPILOG)
    _add_emulator(sub)
    return parser
