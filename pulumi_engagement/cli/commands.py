"""The ``engagement`` subcommands: each maps its flags onto one core call and its result onto a
document and an exit code. No paging logic lives here; the core is imported only when a command
runs, so ``--help`` and usage errors never load botocore.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import report
from .context import Context
from .terminal import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_UNACKNOWLEDGED,
    PROG,
    UsageError,
    error_line,
    one_line,
)


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
        ctx.error(error_line(exc))
        return _wait_doc(exc.status, exc.engagement, exc.pages), EXIT_TIMEOUT
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
    ctx.error(f"ended unacknowledged: {how}; nobody read a page")
    return doc, EXIT_UNACKNOWLEDGED


def _start_request(args: Any) -> Any:
    """The core's StartRequest for the page on the command line (``--content -``: from stdin)."""
    from ..core.model import StartRequest
    from .parser import STDIN_FIELDS

    values = vars(args).copy()
    for name in STDIN_FIELDS:
        if values.get(name) == "-":
            # A log tail may hold bytes that are not UTF-8: they become U+FFFD instead of a crash.
            values[name] = sys.stdin.buffer.read().decode("utf-8", "replace")
    return StartRequest.from_mapping(values)


def _start_result(ctx: Context, request: Any, outcome: Any) -> str:
    """What start did ("paged", "would_page", "found_existing"), noted on stderr as well."""
    if outcome.engagement is None:
        ctx.note(f"dry run: would page {request.contact_id} (nothing sent)")
        return "would_page"
    if outcome.changed:
        ctx.note(f"paged {request.contact_id}: {outcome.engagement.engagement_arn}")
        return "would_page" if ctx.args.dry_run else "paged"
    ctx.note(
        f"found the existing engagement {outcome.engagement.engagement_arn} "
        f"(started {outcome.engagement.to_dict()['start_time']}), still running; not paged again"
    )
    return "found_existing"


def cmd_start(ctx: Context) -> int:
    args = ctx.args
    if args.wait and args.dry_run:
        raise UsageError(f"{PROG} start: --wait cannot be combined with --dry-run (a dry run never pages)")
    request = _start_request(args)
    # Validate before the client exists: invalid input never needs credentials or a region.
    request.validate()
    outcome = ctx.client.ensure_started(request, window=_timedelta(args.window), check_mode=args.dry_run)
    result = _start_result(ctx, request, outcome)
    for warning in outcome.warnings:
        ctx.stderr.write(f"{PROG}: warning: {one_line(warning)}\n")
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


def _reach_row(reach: dict[str, Any]) -> dict[str, Any]:
    """One person a page would reach, flat (for the table): the shift's fields beside theirs."""
    shift = reach.get("on_shift") or {}
    return {
        "stage": reach["stage"],
        "at": reach["at"],
        "alias": reach["alias"],
        "essential": reach["essential"],
        "schedule": shift.get("schedule"),
        "rotation": shift.get("rotation"),
        "shift": f"{shift['shift_start']} - {shift['shift_end']} {shift['shift_type']}" if shift else None,
    }


def cmd_oncall(ctx: Context) -> int:
    """Who would be paged: exit 0 when someone would be, 1 when a page would reach nobody."""
    from ..core.oncall import who_is_on_call

    doc = who_is_on_call(ctx.client, ctx.args.target, ctx.args.at).to_dict()
    for gap in doc["gaps"]:
        stage = f" (stage {gap['stage']})" if gap["stage"] else ""
        ctx.stderr.write(f"{PROG}: warning: nobody on shift in {gap['schedule']} at {gap['at']}{stage}\n")
    shown = doc if ctx.output != "table" else {**doc, "reaches": [_reach_row(r) for r in doc["reaches"]]}
    if not doc["reaches"]:
        ctx.error(f"a page to {doc['target']} at {doc['at']} would reach nobody")
        ctx.emit(shown)
        return EXIT_ERROR
    ctx.emit(shown)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context], int]] = {
    "start": cmd_start,
    "describe": cmd_describe,
    "stop": cmd_stop,
    "list": cmd_list,
    "pages": cmd_pages,
    "wait": cmd_wait,
    "report": report.cmd_report,
    "oncall": cmd_oncall,
}


def run_emulator(argv: list[str]) -> int:
    """``engagement emulator ...``: the emulator's own entry point, if its extra is installed."""
    from ..extras import EMULATOR_MODULES, extra_hint, missing_module

    if missing_module(EMULATOR_MODULES):
        sys.stderr.write(f"{PROG}: {extra_hint('the emulator', 'emulator')}\n")
        return EXIT_ERROR
    try:
        from ..emulator.__main__ import main as emulator_main
    except ImportError as exc:
        sys.stderr.write(
            f"{PROG} emulator: needs the emulator extra ({one_line(str(exc))}): "
            "pip install 'pulumi-engagement[emulator]'\n"
        )
        return EXIT_ERROR
    result = emulator_main(argv)
    return int(result or 0)
