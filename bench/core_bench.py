"""Benchmarks through the shared core only: throttled throughput (5) and the fault soak (6)."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pulumi_engagement.core import (
    ClientConfig,
    EngagementClient,
    EngagementError,
    StartRequest,
)
from testsupport.pages import numbered_pages

from .harness import (
    PLAN_ARN,
    REGION,
    SOAK_EMULATOR_FAULTS,
    SOAK_LABEL,
    Emulator,
    Result,
    fake_credentials,
)


@dataclass
class Run:
    """What happened to n pages sent from a pool of threads."""

    arns: dict[str, str] = field(default_factory=dict)  # incident id -> engagement ARN
    errors: dict[str, str] = field(default_factory=dict)  # incident id -> "kind: message"
    unexpected: dict[str, str] = field(default_factory=dict)  # exceptions outside the core's hierarchy
    elapsed: float = 0.0


def page_all(
    client: EngagementClient | Callable[[], EngagementClient],
    requests: list[StartRequest],
    threads: int,
    how: str = "start",
) -> Run:
    """Send every request from ``threads`` threads; nothing escapes unrecorded.

    ``client`` is one client shared by all threads, or a factory called once per page
    (as each CLI run or Ansible task builds its own).
    """
    run = Run()
    shared = client if isinstance(client, EngagementClient) else None

    def one(request: StartRequest) -> None:
        key = request.incident_id or ""
        try:
            client = shared or factory()
            if how == "start":
                run.arns[key] = client.start(request)
            else:
                outcome = client.ensure_started(request)
                assert outcome.engagement is not None
                run.arns[key] = outcome.engagement.engagement_arn
        except EngagementError as exc:  # handled: the core's hierarchy, with a kind
            run.errors[key] = f"{exc.kind}: {exc}"
        except Exception as exc:  # an unhandled error: a bug by the soak's definition
            run.unexpected[key] = f"{type(exc).__name__}: {exc}"

    factory = client if shared is None else None
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, requests))
    run.elapsed = time.perf_counter() - start
    return run


def audit(client: EngagementClient, run_prefix: str, expected: int) -> dict[str, Any]:
    """Count what the service holds for this run: engagements per incident id, without faults."""
    per_incident = Counter(
        s.incident_id for s in client.list() if s.incident_id and s.incident_id.startswith(run_prefix)
    )
    return {
        "engagements": sum(per_incident.values()),
        "distinct_pages": len(per_incident),
        "duplicates": sum(c - 1 for c in per_incident.values() if c > 1),
        "missing": expected - len(per_incident),
    }


def client_for(
    emu: Emulator, retry_mode: str = "standard", max_attempts: int | None = None
) -> EngagementClient:
    cfg = ClientConfig(region=REGION, endpoint_url=emu.endpoint_url, retry_mode=retry_mode)
    if max_attempts is not None:
        cfg = cfg.merged(max_attempts=max_attempts)
    return EngagementClient.from_config(cfg)


# -- 5: throttled throughput ----------------------------------------------------------------------


def throughput_once(
    emu: Emulator, retry_mode: str, max_attempts: int | None, n: int, threads: int, rate: float
) -> dict[str, Any]:
    emu.reset()
    emu.control.set_faults(throttle={"StartEngagement": rate})
    run_id = f"tp-{retry_mode}-{uuid.uuid4().hex[:6]}"
    with fake_credentials():
        client = client_for(emu, retry_mode, max_attempts)
        run = page_all(client, numbered_pages(PLAN_ARN, "bench", run_id, n), threads)
        attempts = emu.start_calls()
        emu.control.clear_faults()
        counts = audit(client, run_id, n)
    burst = max(1.0, rate)
    # The bucket starts full: discount its burst so the rate is what the limit sustains.
    achieved = (len(run.arns) - burst) / run.elapsed if run.elapsed else 0.0
    return {
        "retry_mode": retry_mode,
        "max_attempts": max_attempts or ClientConfig().max_attempts,
        "succeeded": len(run.arns),
        "failed": len(run.errors) + len(run.unexpected),
        "first_errors": sorted({*run.errors.values(), *run.unexpected.values()})[:3],
        "elapsed_s": round(run.elapsed, 2),
        "achieved_rate_per_s": round(achieved, 2),
        "ratio_of_R": round(achieved / rate, 3),
        "start_engagement_attempts": attempts,
        "throttled_attempts": attempts - len(run.arns),
        **counts,
    }


def bench_throughput(
    emu: Emulator,
    n: int = 200,
    threads: int = 16,
    rate: float = 10.0,
    modes: tuple[tuple[str, int | None], ...] = (("standard", None), ("adaptive", None)),
) -> Result:
    """Every retry mode in ``modes`` is measured; the value is the best one that lost nothing."""
    runs = [throughput_once(emu, mode, attempts, n, threads, rate) for mode, attempts in modes]
    clean = [r for r in runs if r["failed"] == 0 and r["duplicates"] == 0 and r["missing"] == 0]
    best = max(clean or runs, key=lambda r: r["ratio_of_R"])
    met = bool(clean) and best in clean and best["ratio_of_R"] >= 0.85
    return Result(
        name="5. Throttled throughput (core, 16 threads)",
        value=best["ratio_of_R"],
        unit="ratio of R",
        goal=">= 0.85 of R, no failure, no duplicate",
        met=met,
        compared_with=f"emulator limit R = {rate:g} StartEngagement/s ({n} distinct pages)",
        details={"chosen": f"{best['retry_mode']}, max_attempts {best['max_attempts']}", "runs": runs},
    )


# -- 6: fault soak --------------------------------------------------------------------------------


def soak_core(
    emu: Emulator,
    n: int = 300,
    threads: int = 16,
    retry_mode: str = "standard",
    max_attempts: int | None = None,
    how: str = "ensure_started",
    shared_client: bool = False,
) -> dict[str, Any]:
    """n pages through the core under the soak's faults (all injected by the emulator)."""
    emu.reset()
    emu.control.set_faults(**SOAK_EMULATOR_FAULTS)
    run_id = f"soak-{uuid.uuid4().hex[:6]}"
    with fake_credentials():
        cfg = ClientConfig(region=REGION, endpoint_url=emu.endpoint_url, retry_mode=retry_mode)
        cfg = cfg.merged(max_attempts=max_attempts)
        client = (
            EngagementClient.from_config(cfg)
            if shared_client
            else (lambda: EngagementClient.from_config(cfg))
        )
        run = page_all(client, numbered_pages(PLAN_ARN, "bench", run_id, n), threads, how=how)
        emu.control.clear_faults()
        # Counted before the audit, whose own calls are not part of the soak.
        start_stats = emu.fault_stats("StartEngagement")
        all_stats = emu.fault_stats()
        counts = audit(client_for(emu), run_id, n)
    return {
        "through": f"EngagementClient.{how} from {threads} threads, "
        + ("one shared client" if shared_client else "a client per page"),
        "retry_mode": retry_mode,
        "max_attempts": max_attempts or ClientConfig().max_attempts,
        "pages": n,
        "succeeded": len(run.arns),
        "handled_errors": len(run.errors),
        "unhandled_errors": len(run.unexpected),
        "first_errors": sorted({*run.errors.values(), *run.unexpected.values()})[:3],
        "distinct_arns_returned": len(set(run.arns.values())),
        "start_engagement": start_stats,
        "all_calls": {"attempts": all_stats["attempts"], "throttled_share": all_stats["throttled_share"]},
        "emulator_faults": SOAK_EMULATOR_FAULTS,
        "elapsed_s": round(run.elapsed, 2),
        **counts,
    }


def soak_verdict(details: dict[str, Any]) -> bool:
    n = details["pages"]
    return (
        details["succeeded"] == n
        and details["engagements"] == n
        and details["distinct_arns_returned"] == n
        and details["duplicates"] == 0
        and details["missing"] == 0
        and details["handled_errors"] == 0
        and details["unhandled_errors"] == 0
    )


def bench_soak_core(
    emu: Emulator, n: int = 300, max_attempts: int = 12, compare_shared: bool = True
) -> Result:
    """A client per page with max_attempts 12; the shared-client default is measured for comparison.

    A long-lived client shared by many threads fails here whatever its retry mode: standard
    mode's client-wide retry quota (500 units, 5 per throttled retry, 14 per other retry) runs
    dry under sustained faults, after which every error is raised at once; adaptive mode's
    rate limiter keeps slowing down because random throttling does not depend on the rate.
    """
    details = soak_core(emu, n=n, max_attempts=max_attempts)
    if compare_shared:
        shared = soak_core(emu, n=n, shared_client=True)
        details["compared_shared_client_default"] = {
            key: shared[key]
            for key in (
                "through",
                "retry_mode",
                "max_attempts",
                "succeeded",
                "handled_errors",
                "first_errors",
            )
        } | {"engagements": shared["engagements"], "duplicates": shared["duplicates"]}
    return Result(
        name=f"6. Fault soak (core, {n} pages)",
        value=float(details["engagements"]),
        unit="engagements",
        goal=f"exactly {n}, no duplicate, no unhandled error",
        met=soak_verdict(details),
        compared_with=SOAK_LABEL,
        details=details,
    )


def timed(fn: Callable[[], Result]) -> Result:
    start = time.perf_counter()
    result = fn()
    result.details.setdefault("bench_wall_s", round(time.perf_counter() - start, 2))
    return result
