"""Benchmark 3 (and half of 7): Creates through the real dynamic provider server over gRPC.

The provider server is the SDK's own ``python -m pulumi.dynamic``, driven with
the SDK's stubs exactly as the engine drives it (the Pulumi helper's
``tests/pulumi/pulumi_harness.ProviderProcess``).

Two comparisons are reported. Row 3 is the issue's own: a Create against one
bare boto3 ``start_engagement``. But a Create must output ``start_time``, which
StartEngagement does not return (its response is only the ARN); only
DescribeEngagement does, so every Create makes two service calls. Row 3b
compares it with the same two calls made bare, which is the work a Create
cannot avoid; the difference is what the provider and gRPC add.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import Any

from .harness import PLAN_ARN, REGION, ROOT, Emulator, Result, fake_credentials, median

sys.path.insert(0, str(ROOT / "tests" / "pulumi"))

GOAL = 1.3


def _vm_kib(pid: int, key: str) -> int:
    """VmRSS / VmHWM (peak RSS) of a live process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not found for pid {pid}")


def bench_pulumi(emu: Emulator, n: int = 100) -> tuple[Result, Result, Result]:
    """n Creates over gRPC vs n bare start_engagement calls (3) and vs n bare start + describe (3b),
    interleaved one by one; and the provider server's memory over those creates (7b)."""
    import boto3
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime.proto import provider_pb2
    from pulumi_harness import (
        PROVIDER_KEY,
        TYPE,
        ProviderProcess,
        deserialize,
        provider_env,
        serialize,
        urn_of,
    )

    from pulumi_engagement import EngagementProvider

    emu.reset()
    serialized = serialize_provider(EngagementProvider())
    run = uuid.uuid4().hex[:6]

    def props(name: str, i: int) -> dict[str, Any]:
        return {
            "contact_id": PLAN_ARN,
            "sender": "gameday",
            "subject": f"Drill {run} #{i}",
            "content": "This is a drill (benchmark).",
            "incident_id": f"pulumi-{run}-{i}",
            "token_scope": urn_of(name),
            PROVIDER_KEY: serialized,
        }

    provider = ProviderProcess(provider_env(PULUMI_ENGAGEMENT_BENCH="1"))
    try:
        provider.configure({"aws:region": REGION, "pulumi-engagement:endpointUrl": emu.endpoint_url})
        with fake_credentials():
            bare = boto3.client("ssm-contacts", region_name=REGION, endpoint_url=emu.endpoint_url)
            bare.list_engagements(MaxResults=1)  # client and first connection set up outside the timing

        # The provider's one-time set-up (unpickling, configure, building its client, first connection)
        # happens in one untimed Create, as the bare client's happens in the untimed call above.
        warm = f"bench-{run}-warm"
        checked, _ = provider.check(urn_of(warm), props(warm, -1))
        t0 = time.perf_counter()
        provider.create(urn_of(warm), checked)
        first_create_s = time.perf_counter() - t0
        rss_after_first = _vm_kib(provider.proc.pid, "VmRSS")

        create_s: list[float] = []
        check_s: list[float] = []
        bare_start_s: list[float] = []
        bare_both_s: list[float] = []
        for i in range(n):
            name = f"bench-{run}-{i}"
            # Alternate who goes first so drift and warm caches hit both sides alike.
            order = ("provider", "bare") if i % 2 == 0 else ("bare", "provider")
            for who in order:
                if who == "provider":
                    t0 = time.perf_counter()
                    checked, failures = provider.check(urn_of(name), props(name, i))
                    check_s.append(time.perf_counter() - t0)
                    if failures:
                        raise RuntimeError(f"check failed: {failures}")
                    # Only the gRPC call is timed: marshalling the request is the engine's work (Go, in
                    # real life), not the provider's, so the test harness's Python marshalling stays out.
                    request = provider_pb2.CreateRequest(
                        urn=urn_of(name), properties=serialize(checked), timeout=300, type=TYPE
                    )
                    t0 = time.perf_counter()
                    response = provider.stub.Create(request)
                    create_s.append(time.perf_counter() - t0)
                    if deserialize(response.properties).get("engagement_arn") != response.id:
                        raise RuntimeError("create returned no engagement_arn")
                else:
                    t0 = time.perf_counter()
                    resp = bare.start_engagement(
                        ContactId=PLAN_ARN,
                        Sender="gameday",
                        Subject=f"Drill {run} bare #{i}",
                        Content="This is a drill (benchmark).",
                        IncidentId=f"bare-{run}-{i}",
                    )
                    t1 = time.perf_counter()
                    bare.describe_engagement(EngagementId=resp["EngagementArn"])
                    t2 = time.perf_counter()
                    bare_start_s.append(t1 - t0)
                    bare_both_s.append(t2 - t0)
        peak = _vm_kib(provider.proc.pid, "VmHWM")
        rss_end = _vm_kib(provider.proc.pid, "VmRSS")
    finally:
        provider.close()
    calls = emu.control.state()["calls"]

    common = {
        "create_total_s": round(sum(create_s), 3),
        "create_median_ms": round(median(create_s) * 1000, 2),
        "first_create_ms": round(first_create_s * 1000, 1),
        "check_median_ms": round(median(check_s) * 1000, 2),
        # What the emulator saw from the provider (the bare side's n calls of each taken off), per Create.
        "service_calls_per_create": {
            op: round((calls.get(op, 0) - n) / (n + 1), 3) for op in ("StartEngagement", "DescribeEngagement")
        },
    }
    why = (
        "Create = StartEngagement + DescribeEngagement: start_time is an output of the resource and "
        "StartEngagement returns only the ARN; only DescribeEngagement returns StartTime"
    )
    ratio = sum(create_s) / sum(bare_start_s)
    issue_row = Result(
        name=f"3. Pulumi: {n} Creates over gRPC",
        value=ratio,
        unit="ratio",
        goal=f"<= {GOAL}x",
        met=ratio <= GOAL,
        compared_with=f"{n} bare boto3 start_engagement calls (interleaved)",
        details={
            **common,
            "bare_start_total_s": round(sum(bare_start_s), 3),
            "bare_start_median_ms": round(median(bare_start_s) * 1000, 2),
            "ratio_of_medians": round(median(create_s) / median(bare_start_s), 3),
            "why_two_calls": why + "; so this row compares two calls with one (see 3b for like with like)",
            "note": "ratio of sums; one untimed warm-up on each side (first_create_ms is the provider's, "
            "client construction included); only the Create RPC is timed, Check apart",
        },
    )
    fair = sum(create_s) / sum(bare_both_s)
    fair_row = Result(
        name=f"3b. Pulumi: {n} Creates over gRPC vs the same two calls bare",
        value=fair,
        unit="ratio",
        goal=f"<= {GOAL}x",
        met=fair <= GOAL,
        compared_with=f"{n} bare boto3 start_engagement + describe_engagement (interleaved)",
        details={
            **common,
            "bare_start_describe_total_s": round(sum(bare_both_s), 3),
            "bare_start_describe_median_ms": round(median(bare_both_s) * 1000, 2),
            "ratio_of_medians": round(median(create_s) / median(bare_both_s), 3),
            "overhead_median_ms": round((median(create_s) - median(bare_both_s)) * 1000, 2),
            "why_two_calls": why,
        },
    )
    growth = peak / rss_after_first
    memory = Result(
        name=f"7b. Memory: provider server after {n} creates",
        value=peak / 1024,
        unit="MiB peak RSS",
        goal="<= 1.5x its RSS after the first create (no growth)",
        met=growth <= 1.5,
        compared_with="the same process after its first create",
        details={
            "rss_after_first_create_mib": round(rss_after_first / 1024, 1),
            "rss_at_end_mib": round(rss_end / 1024, 1),
            "peak_over_first": round(growth, 3),
            "growth_per_create_kib": round((rss_end - rss_after_first) / n, 1),
        },
    )
    return issue_row, fair_row, memory
