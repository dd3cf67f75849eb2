"""The Pulumi programs the end-to-end cases run inline (each a function of no arguments, as the
Automation API wants), built from one page declaration."""

from __future__ import annotations

import runpy
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pulumi

from pulumi_engagement import Engagement, EngagementArgs
from testsupport.pulumi_cli import ENGAGEMENT_TYPE

from .support import PRIMARY, SEED, Program

#: The emulator's seed (examples/seed.yaml), to re-apply after a test empties it.
SEED_FILE = SEED

#: The page every case sends unless it says otherwise.
PAGE: dict[str, Any] = {
    "contact_id": PRIMARY,
    "sender": "e2e-drill",
    "subject": "[DRILL] checkout latency above SLO",
    "content": "A game-day drill page from the end-to-end suite.",
    "public_subject": "[DRILL] game-day page",
    "public_content": "Game-day drill in progress.",
    "incident_id": "e2e-drill",
}


def page(name: str, opts: pulumi.ResourceOptions | None = None, **overrides: Any) -> Engagement:
    """Declare one Engagement: PAGE with ``overrides`` (a None override leaves the input out)."""
    args = {k: v for k, v in {**PAGE, **overrides}.items() if v is not None}
    engagement = Engagement(name, EngagementArgs(**args), opts=opts)
    pulumi.export(f"{name}_arn", engagement.engagement_arn)
    pulumi.export(f"{name}_stop_time", engagement.stop_time)
    return engagement


def pages(*names: str, opts: pulumi.ResourceOptions | None = None, **overrides: Any) -> Program:
    """A program of one Engagement per name, each with the same page fields and options."""

    def program() -> None:
        for name in names:
            page(name, opts=opts, **overrides)

    return program


def numbered_subject(i: int) -> str:
    """The subject of ``numbered_pages``' i-th page."""
    return f"[DRILL] shard {i} down"


def numbered_pages(count: int, opts: pulumi.ResourceOptions | None = None) -> Program:
    """``count`` Engagements, each its own page (own subject and incident)."""

    def program() -> None:
        for i in range(count):
            page(f"page-{i:03d}", opts=opts, subject=numbered_subject(i), incident_id=f"e2e-{i:03d}")

    return program


def chained(first_subject: str) -> Program:
    """Two Engagements, the second's incident id an output of the first: unknown during preview
    whenever the first is created or replaced."""

    def program() -> None:
        first = page("first", subject=first_subject)
        page("second", incident_id=first.engagement_arn.apply(lambda arn: arn.rsplit("/", 1)[-1]))

    return program


def adopted(*arns: str) -> Program:
    """Engagements started elsewhere, adopted by ``Engagement.get`` as adopted-0, adopted-1, ..."""

    def program() -> None:
        for i, arn in enumerate(arns):
            engagement = Engagement.get(f"adopted-{i}", arn)
            pulumi.export(f"adopted-{i}_stop_time", engagement.stop_time)

    return program


def example(project_dir: Path) -> Program:
    """A project's own ``__main__.py``, run unchanged (as its language host would run it)."""
    main = str(project_dir / "__main__.py")
    return lambda: runpy.run_path(main, run_name="__main__")


def each(*programs: Callable[[], None]) -> Program:
    def program() -> None:
        for run in programs:
            run()

    return program


__all__: Sequence[str] = (
    "ENGAGEMENT_TYPE",
    "PAGE",
    "SEED_FILE",
    "adopted",
    "chained",
    "each",
    "example",
    "numbered_pages",
    "numbered_subject",
    "page",
    "pages",
)
