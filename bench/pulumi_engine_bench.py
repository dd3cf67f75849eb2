"""Benchmark 9: `pulumi up` by the real Pulumi engine, Engagements against the engine's own floor.

The real CLI (``make pulumi-cli``) runs ``pulumi up`` of a stack of 1 and of 20 Engagement
resources against the emulator (each a page: StartEngagement + DescribeEngagement), side by side,
round by round, with the same stacks of no-op dynamic resources (a create that returns its
inputs): the engine, its gRPC traffic and the dynamic provider server, with no work of ours. The
programs run inline (Automation API), as tests/pulumi_e2e runs them. Reported: the ratio at the
largest count (goal <= 1.3x) and the time each extra resource adds on both sides. The two calls a
page needs, made bare with one warm boto3 client in the same rounds, give the service's own share
(the emulator answers on the same cores), so the details show what the adapter adds beyond both.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ResourceProvider

from pulumi_engagement.emulator.sdk_client import emulator_client
from testsupport.pulumi_cli import Project, base_env, find_cli

from .harness import PLAN_ARN, ROOT, Emulator, Result, fake_credentials, interleave, median

GOAL = 1.3
PAGE = {
    "contact_id": PLAN_ARN,
    "sender": "bench",
    "subject": "[DRILL] engine benchmark",
    "content": "A page from bench/pulumi_engine_bench.py.",
    "incident_id": "bench-engine",
}


class NoopProvider(ResourceProvider):
    """The floor: a create that does nothing but name the resource (pickled by reference)."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(uuid.uuid4().hex, props)


class Noop(pulumi.dynamic.Resource):
    def __init__(self, name: str, props: dict[str, Any]) -> None:
        super().__init__(NoopProvider(), name, props)


def _program(kind: str, count: int, run: str) -> Any:
    def program() -> None:
        from pulumi_engagement import Engagement, EngagementArgs

        for i in range(count):
            page = {**PAGE, "subject": f"{PAGE['subject']} {run} #{i}"}
            if kind == "engagement":
                Engagement(f"r{i}", EngagementArgs(**page))
            else:
                Noop(f"r{i}", page)

    return program


def _timed_up(project: Project, kind: str, count: int, round_no: int) -> float:
    """Seconds of one `pulumi up` of a fresh stack (each round pages anew: its own stack name)."""
    name = f"{kind}-{count}-{round_no}"
    stack = project.stack(name, _program(kind, count, f"{name}-{uuid.uuid4().hex[:6]}"))
    start = time.perf_counter()
    stack.up()
    elapsed = time.perf_counter() - start
    stack.destroy()
    stack.workspace.remove_stack(name)
    return elapsed


def _bare_calls(client: Any, count: int, round_no: int) -> float:
    """Seconds of the two calls each page needs (StartEngagement + DescribeEngagement), ``count``
    times in a row with one warm boto3 client: the service's share, which the floor does not pay."""
    start = time.perf_counter()
    for i in range(count):
        page = {"ContactId": PLAN_ARN, "Sender": "bench", "Subject": f"bare {round_no} {i}", "Content": "c"}
        arn = client.start_engagement(**page)["EngagementArn"]
        client.describe_engagement(EngagementId=arn)
    return time.perf_counter() - start


def bench_engine(emu: Emulator, counts: tuple[int, int] = (1, 20), rounds: int = 5) -> list[Result]:
    cli_dir = find_cli()
    low, high = counts
    with tempfile.TemporaryDirectory(prefix="pulumi-engine-bench-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        # The dynamic provider process imports this module to unpickle NoopProvider.
        env = {**base_env(cli_dir, root / "home", emu.endpoint_url), "PYTHONPATH": str(ROOT)}
        project = Project(cli_dir, root, env, name="engine-bench")
        contenders = {
            f"{kind}-{count}": (lambda r, k=kind, c=count: _timed_up(project, k, c, r))
            for count in counts
            for kind in ("engagement", "noop")
        }
        with fake_credentials():
            client = emulator_client(emu.endpoint_url)
            contenders[f"bare-calls-{high}"] = lambda r: _bare_calls(client, high, r)
            _timed_up(project, "engagement", low, -1)  # warm the file caches of both sides once
            _timed_up(project, "noop", low, -1)
            samples = interleave(contenders, rounds)
    med = {name: median(values) for name, values in samples.items()}
    ratio = med[f"engagement-{high}"] / med[f"noop-{high}"]
    per_extra = {
        kind: (med[f"{kind}-{high}"] - med[f"{kind}-{low}"]) / (high - low) for kind in ("engagement", "noop")
    }
    details = {
        "pulumi": os.popen(f"{cli_dir / 'pulumi'} version").read().strip(),
        "rounds": rounds,
        "median_s": {k: round(v, 3) for k, v in med.items()},
        f"ratio_at_{low}": round(med[f"engagement-{low}"] / med[f"noop-{low}"], 3),
        # What the adapter and its provider process add beyond the floor and the calls themselves.
        f"adapter_overhead_at_{high}_s": round(
            med[f"engagement-{high}"] - med[f"noop-{high}"] - med[f"bare-calls-{high}"], 3
        ),
        "per_extra_resource_s": {k: round(v, 4) for k, v in per_extra.items()},
        "samples_s": {k: [round(v, 3) for v in vs] for k, vs in samples.items()},
    }
    floor = f"{high} no-op dynamic resources (the engine's floor)"
    return [
        Result(
            f"9. Pulumi engine: up of {high} Engagements",
            ratio,
            "ratio",
            f"<= {GOAL}x",
            ratio <= GOAL,
            floor,
            details,
        ),
        # Reported, not judged: the floor's own increment is within the noise of a busy machine.
        Result(
            "9b. Pulumi engine: time per extra Engagement",
            per_extra["engagement"],
            "s",
            "reported (no goal)",
            True,
            f"an extra no-op dynamic resource: {per_extra['noop']:.3f} s",
            {"counts": [low, high]},
        ),
    ]
