"""``engagement report ARN``: the response metrics of an engagement, and a drill report page.

Imports nothing but the standard library (and ``terminal``) at module level: the parser imports this
module on every run of the command, and the core (botocore) is loaded only when the command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Callable
from typing import Any

from .terminal import EXIT_ERROR, EXIT_OK

__all__ = ["DESCRIPTION", "add_parser", "cmd_report", "table_doc"]

DESCRIPTION = """\
Report how an engagement was answered: who was paged, through which channels, when each page
was sent, delivered and read, who acknowledged and how fast (MTTA: from the engagement's start to
the first READ receipt), which stage of the escalation plan it reached, and whether it ended
unacknowledged and why it stopped.

--output json and yaml print every metric (timestamps as ISO 8601 UTC strings, durations in
seconds); table prints a summary, the pages and the timeline. --html FILE also writes a
self-contained page for a drill retrospective: a summary and a timeline of the stages, each
page's sent / delivered / read marks per contact and channel, the acknowledgement and the stop.
The page loads nothing from the network (inline CSS and SVG) and runs no script, so it can be
mailed or attached as it is.

Reads DescribeEngagement, ListPagesByEngagement, ListPageReceipts, and where allowed GetContact
(the plan), ListPageResolutions (stages) and ListContactChannels (channel names); without the
last three the stages come from the pages' send times. A READ after the engagement ended does
not count as an acknowledgement."""

EXAMPLES = """\
examples:
  engagement report ARN --output table
  engagement report ARN --html drill-2024-05-01.html --output json | jq .time_to_acknowledge
"""


def add_parser(command: Callable[..., argparse.ArgumentParser], epilog: str) -> None:
    """Add the subcommand through the parser's ``command(name, help)`` (common options, exit codes)."""
    parser = command(
        "report", "response metrics of an engagement (MTTA, who acknowledged), as a drill report"
    )
    parser.description = DESCRIPTION
    parser.epilog = EXAMPLES + "\n" + epilog
    parser.add_argument("arn", metavar="ARN", help="engagement ARN")
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="also write the report as a self-contained HTML page to FILE (replaced if it exists)",
    )


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "engagement_arn",
        "contact_arn",
        "status",
        "start_time",
        "stop_time",
        "acknowledged_by",
        "acknowledged_at",
        "time_to_acknowledge",
        "time_to_first_delivery",
        "stage_reached",
        "stages_planned",
        "ended_unacknowledged",
        "stop_cause",
        "stop_reason",
    )
    return {k: metrics[k] for k in keys}


def table_doc(metrics: Any) -> dict[str, Any]:
    """The metrics shaped for --output table: summary rows, then one row per page channel and event."""
    from .report_text import handover_text, shift_label

    doc = _summary(metrics.to_dict())
    names = {c.contact_channel_arn: c.name for p in metrics.pages for c in p.channels}
    pages = []
    for page in metrics.pages:
        for channel in page.channels or [None]:
            pages.append(
                {
                    "contact": page.contact_alias,
                    "stage": page.stage,
                    "essential": page.essential,
                    "on_shift": shift_label(page.on_shift) if page.on_shift else None,
                    "channel": (channel.name or channel.contact_channel_arn) if channel else None,
                    "sent": _iso(channel.sent_time if channel else page.sent_time),
                    "delivered": _iso(channel.delivery_time if channel else page.delivery_time),
                    "read": _iso(channel.read_time if channel else page.read_time),
                    "acknowledged": page.acknowledged,
                }
            )
    doc["pages"] = pages
    if metrics.handovers:
        doc["handovers"] = [handover_text(h) for h in metrics.handovers]
    doc["timeline"] = [
        {
            "after_s": e.offset_seconds,
            "event": e.kind,
            "stage": e.stage,
            "contact": (e.contact_arn or "").rsplit("/", 1)[-1] or None,
            "channel": names.get(e.contact_channel_arn) or e.contact_channel_arn,
            "info": e.info,
        }
        for e in metrics.timeline
    ]
    return doc


def _iso(value: Any) -> str | None:
    from ..core.timeutil import iso

    return iso(value)


def write_file(path: str, text: str) -> None:
    """Write next to the target and rename, so a reader never sees half a report."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp makes the file 0600; a report is a document to share: the user's umask decides.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def cmd_report(ctx: Any) -> int:
    from .. import __version__
    from ..core.metrics import compute_metrics, fetch_response_data

    args = ctx.args
    data = fetch_response_data(ctx.client, args.arn)
    metrics = compute_metrics(data)
    if args.html:
        from ..core.timeutil import utcnow
        from .report_html import render_report

        page = render_report(data.engagement, metrics, generated_at=utcnow(), version=__version__)
        try:
            write_file(args.html, page)
        except OSError as exc:
            ctx.error(f"cannot write {args.html}: {exc.strerror or exc}")
            return EXIT_ERROR
        ctx.note(f"wrote the drill report to {args.html}")
    ctx.emit(table_doc(metrics) if ctx.output == "table" else metrics.to_dict())
    return EXIT_OK
