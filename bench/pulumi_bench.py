"""Benchmark 3 (and half of 7): Creates through the real dynamic provider server over gRPC.

The provider server is the SDK's own ``python -m pulumi.dynamic``, driven with
the SDK's stubs exactly as the engine drives it (the Pulumi helper's
``tests/pulumi/pulumi_harness.ProviderProcess``).
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

from .harness import PLAN_ARN, REGION, ROOT, Emulator, Result, fake_credentials, median

sys.path.insert(0, str(ROOT / "tests" / "pulumi"))


def _vm_kib(pid: int, key: str) -> int:
    """VmRSS / VmHWM (peak RSS) of a live process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not found for pid {pid}")


def bench_pulumi(emu: Emulator, n: int = 100) -> tuple[Result, Result]:
    """100 Check+Create over gRPC vs 100 bare boto3 start_engagement calls, interleaved one by one."""
    import boto3
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi_harness import PROVIDER_KEY, ProviderProcess, provider_env, urn_of

    from pulumi_engagement import EngagementProvider

    emu.reset()
    serialized = serialize_provider(EngagementProvider())
    run = uuid.uuid4().hex[:6]
    provider = ProviderProcess(provider_env(PULUMI_ENGAGEMENT_BENCH="1"))
    try:
        provider.configure({"aws:region": REGION, "pulumi-engagement:endpointUrl": emu.endpoint_url})
        with fake_credentials():
            bare = boto3.client("ssm-contacts", region_name=REGION, endpoint_url=emu.endpoint_url)
            bare.list_engagements(MaxResults=1)  # connection and first-call set-up outside the timing
        create_s: list[float] = []
        check_s: list[float] = []
        bare_s: list[float] = []
        bare_describe_s: list[float] = []
        rss_after_first = 0
        for i in range(n):
            name = f"bench-{run}-{i}"
            props = {
                "contact_id": PLAN_ARN,
                "sender": "gameday",
                "subject": f"Drill {run} #{i}",
                "content": "This is a drill (benchmark).",
                "incident_id": f"pulumi-{run}-{i}",
                "token_scope": urn_of(name),
                PROVIDER_KEY: serialized,
            }
            # Alternate who goes first so drift and warm caches hit both sides alike.
            order = ("provider", "bare") if i % 2 == 0 else ("bare", "provider")
            for who in order:
                if who == "provider":
                    t0 = time.perf_counter()
                    checked, failures = provider.check(urn_of(name), props)
                    t1 = time.perf_counter()
                    if failures:
                        raise RuntimeError(f"check failed: {failures}")
                    arn, outs = provider.create(urn_of(name), checked)
                    t2 = time.perf_counter()
                    if outs.get("engagement_arn") != arn:
                        raise RuntimeError("create returned no engagement_arn")
                    check_s.append(t1 - t0)
                    create_s.append(t2 - t1)
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
                    bare_s.append(t1 - t0)
                    bare_describe_s.append(t2 - t0)
            if i == 0:
                rss_after_first = _vm_kib(provider.proc.pid, "VmRSS")
        peak = _vm_kib(provider.proc.pid, "VmHWM")
        rss_end = _vm_kib(provider.proc.pid, "VmRSS")
    finally:
        provider.close()

    ratio = sum(create_s) / sum(bare_s)
    timing = Result(
        name=f"3. Pulumi: {n} Creates over gRPC",
        value=ratio,
        unit="ratio",
        goal="<= 1.3x",
        met=ratio <= 1.3,
        compared_with=f"{n} bare boto3 start_engagement calls (interleaved)",
        details={
            "create_total_s": round(sum(create_s), 3),
            "bare_start_total_s": round(sum(bare_s), 3),
            "create_median_ms": round(median(create_s) * 1000, 2),
            "bare_start_median_ms": round(median(bare_s) * 1000, 2),
            "check_median_ms": round(median(check_s) * 1000, 2),
            "ratio_vs_bare_start_plus_describe": round(sum(create_s) / sum(bare_describe_s), 3),
            "note": "Create = StartEngagement + DescribeEngagement (start_time is an output); "
            "the engine's Check before each Create is timed separately",
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
        },
    )
    return timing, memory
