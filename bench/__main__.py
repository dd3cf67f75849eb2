"""``python -m bench``: run every benchmark against a local emulator and write bench/results/latest.*.

``--only 2,5`` runs some of them (their rows replace theirs in latest.*, the others stay, marked
with the run that measured them); ``--quick`` shrinks the counts for a smoke run
(its results go to a temporary directory, so latest.* is always a full run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import (
    ansible_bench,
    cli_bench,
    core_bench,
    cost_bench,
    oncall_bench,
    plugin_bench,
    pulumi_bench,
    pulumi_engine_bench,
)
from .harness import Emulator, Result, failed, merge_with_previous, write_results


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: what its row says if it crashes, and how to run it (full or ``--quick``)."""

    number: str
    label: str
    unit: str
    goal: str
    compared_with: str
    run: Callable[[Emulator, bool], object]


BENCHMARKS = (
    Benchmark(
        "1",
        "1. Ansible: engagement module task",
        "ratio",
        "<= 0.7x",
        "aws via ansible.builtin.command",
        lambda emu, q: ansible_bench.bench_ansible_tasks(emu, pairs=2 if q else 12),
    ),
    Benchmark(
        "1",
        "1b. Ansible: the module on a target",
        "ratio",
        "<= 0.7x",
        "aws via ansible.builtin.command",
        lambda emu, q: ansible_bench.bench_ansible_tasks(emu, pairs=2 if q else 12, connection="target"),
    ),
    Benchmark(
        "2",
        "2. CLI start",
        "ratio",
        "<= 1.15x / <= 0.7x",
        "bare boto3 script; AWS CLI",
        lambda emu, q: cli_bench.bench_cli(emu, rounds=3 if q else 21),
    ),
    Benchmark(
        "3",
        "3. Pulumi: Creates over gRPC",
        "ratio",
        "<= 1.3x",
        "bare boto3 start_engagement",
        lambda emu, q: pulumi_bench.bench_pulumi(emu, n=10 if q else 100),
    ),
    Benchmark(
        "4",
        "4. Fan-out",
        "ratio",
        "<= 1.2x, exactly 1 engagement",
        "a no-op task on the same hosts",
        lambda emu, q: ansible_bench.bench_fanout(emu, hosts=10 if q else 100, forks=5 if q else 20),
    ),
    Benchmark(
        "4",
        "4b. Fan-out, the module on every target",
        "ratio",
        "reported",
        "a no-op task on the same hosts",
        lambda emu, q: ansible_bench.bench_fanout(
            emu, hosts=10 if q else 100, forks=5 if q else 20, connection="target"
        ),
    ),
    Benchmark(
        "5",
        "5. Throttled throughput",
        "ratio of R",
        ">= 0.85 of R",
        "emulator limit R",
        lambda emu, q: core_bench.bench_throughput(emu, n=30 if q else 200),
    ),
    Benchmark(
        "6",
        "6. Fault soak (core)",
        "engagements",
        "exactly N",
        "faults",
        lambda emu, q: core_bench.bench_soak_core(emu, n=30 if q else 300, compare_shared=not q),
    ),
    Benchmark(
        "6",
        "6b. Fault soak (Ansible)",
        "engagements",
        "exactly N",
        "faults",
        lambda emu, q: ansible_bench.bench_soak_ansible(emu, hosts=4 if q else 30),
    ),
    Benchmark(
        "6",
        "6c. Fault soak (CLI)",
        "engagements",
        "exactly N",
        "faults",
        lambda emu, q: cli_bench.bench_soak_cli(emu, n=3 if q else 20),
    ),
    Benchmark(
        "7",
        "7a. Memory: CLI start",
        "MiB peak RSS",
        "<= 1.25x bare boto3",
        "bare boto3 script",
        lambda emu, q: cli_bench.bench_cli_memory(emu),
    ),
    Benchmark(
        "8",
        "8. Cost of a page: calls and wall time against history",
        "calls",
        "<= 2 calls (new alert, re-run while open); 2k+2 without hint",
        "find-first (previous design)",
        lambda emu, q: cost_bench.bench_cost(
            emu, histories=(0, 100) if q else (0, 300, 10_000), reps=3 if q else 5, k=10 if q else 50
        ),
    ),
    Benchmark(
        "9",
        "9. Pulumi engine: pulumi up",
        "ratio",
        "<= 1.3x",
        "no-op dynamic resources (the engine's floor)",
        # --quick: one round of 1 and 5 (the real CLI: a few seconds per up).
        lambda emu, q: pulumi_engine_bench.bench_engine(
            emu, counts=(1, 5) if q else (1, 20), rounds=1 if q else 5
        ),
    ),
    Benchmark(
        "10",
        "10. ListRotationShifts: a year of a weekly rotation, 20 overrides",
        "ms",
        "<= 50 ms",
        "ListContacts on the same client (round trip)",
        lambda emu, q: oncall_bench.bench_rotation_shifts(emu, rounds=5 if q else 21),
    ),
    Benchmark(
        "11",
        "11a. Plugin: Creates over gRPC",
        "ratio",
        "<= 1.3x",
        "bare boto3 start_engagement + describe_engagement",
        lambda emu, q: plugin_bench.bench_plugin_creates(emu, n=20 if q else 100),
    ),
    Benchmark(
        "11",
        "11b. pulumi up of 20: plugin, dynamic resource, engine floor",
        "ratio to floor",
        "reported",
        "20 dynamic Engagements; 20 no-op dynamic resources",
        lambda emu, q: plugin_bench.bench_plugin_up(emu, count=20, rounds=1 if q else 3),
    ),
)


def run_benchmark(bench: Benchmark, emu: Emulator, quick: bool) -> list[Result]:
    """The benchmark's rows, printed as they come; a crash becomes a failed row."""
    print(f"== {bench.label}", flush=True)
    start = time.perf_counter()
    try:
        produced = bench.run(emu, quick)
    except Exception as exc:  # one broken benchmark must not hide the others
        traceback.print_exc()
        produced = failed(bench.label, bench.unit, bench.goal, bench.compared_with, exc)
    items = list(produced) if isinstance(produced, (list, tuple)) else [produced]
    for item in items:
        item.details.setdefault("bench_wall_s", round(time.perf_counter() - start, 1))
        mark = "met" if item.met else "NOT MET"
        print(f"   {item.name}: {item.value} {item.unit} (goal {item.goal}: {mark})", flush=True)
    return items


def write_run(results: list[Result], only: set[str], quick: bool) -> tuple[Path, Path]:
    """Writes the run's results where they belong; returns (json path, markdown path)."""
    if quick:
        return write_results(results, Path(tempfile.gettempdir()) / "pulumi-engagement-bench")
    if not only:
        return write_results(results)
    # A partial run updates its own rows and keeps the others from the run that measured them.
    merged, kept_from = merge_with_previous(results, only)
    note = (
        f"Benchmark{'s' if len(only) > 1 else ''} {', '.join(sorted(only))} measured at this time; "
        f"the other rows come from the run{'s' if len(kept_from) > 1 else ''} of {', '.join(kept_from)}."
        if kept_from
        else None
    )
    return write_results(merged, note=note)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated benchmark numbers (1-10)")
    parser.add_argument("--quick", action="store_true", help="small counts, results in a temporary directory")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}

    results: list[Result] = []
    with Emulator() as emu:
        for bench in BENCHMARKS:
            if not only or bench.number in only:
                results.extend(run_benchmark(bench, emu, args.quick))

    json_path, md_path = write_run(results, only, args.quick)
    print(f"wrote {json_path} and {md_path}")
    print(md_path.read_text())
    return 0 if all(r.value is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
