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
from pathlib import Path

from . import ansible_bench, cli_bench, core_bench, cost_bench, pulumi_bench
from .harness import Emulator, Result, failed, merge_with_previous, write_results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated benchmark numbers (1-8)")
    parser.add_argument("--quick", action="store_true", help="small counts, results in a temporary directory")
    args = parser.parse_args(argv)
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    q = args.quick

    def want(number: str) -> bool:
        return not only or number in only

    results: list[Result] = []

    def run(number: str, label: str, unit: str, goal: str, compared: str, fn: Callable[[], object]) -> None:
        if not want(number):
            return
        print(f"== {label}", flush=True)
        start = time.perf_counter()
        try:
            produced = fn()
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            produced = failed(label, unit, goal, compared, exc)
        items = produced if isinstance(produced, (list, tuple)) else [produced]
        for item in items:
            item.details.setdefault("bench_wall_s", round(time.perf_counter() - start, 1))
            mark = "met" if item.met else "NOT MET"
            print(f"   {item.name}: {item.value} {item.unit} (goal {item.goal}: {mark})", flush=True)
            results.append(item)

    with Emulator() as emu:
        run(
            "1",
            "1. Ansible: engagement module task",
            "ratio",
            "<= 0.7x",
            "aws via ansible.builtin.command",
            lambda: ansible_bench.bench_ansible_tasks(emu, pairs=4 if q else 12),
        )
        run(
            "2",
            "2. CLI start",
            "ratio",
            "<= 1.15x / <= 0.7x",
            "bare boto3 script; AWS CLI",
            lambda: cli_bench.bench_cli(emu, rounds=5 if q else 21),
        )
        run(
            "3",
            "3. Pulumi: Creates over gRPC",
            "ratio",
            "<= 1.3x",
            "bare boto3 start_engagement",
            lambda: pulumi_bench.bench_pulumi(emu, n=20 if q else 100),
        )
        run(
            "4",
            "4. Fan-out",
            "engagements",
            "exactly 1",
            "the same page from every host",
            lambda: ansible_bench.bench_fanout(emu, hosts=20 if q else 100, forks=10 if q else 20),
        )
        run(
            "5",
            "5. Throttled throughput",
            "ratio of R",
            ">= 0.85 of R",
            "emulator limit R",
            lambda: core_bench.bench_throughput(emu, n=60 if q else 200),
        )
        run(
            "6",
            "6. Fault soak (core)",
            "engagements",
            "exactly N",
            "faults",
            lambda: core_bench.bench_soak_core(emu, n=60 if q else 300),
        )
        run(
            "6",
            "6b. Fault soak (Ansible)",
            "engagements",
            "exactly N",
            "faults",
            lambda: ansible_bench.bench_soak_ansible(emu, hosts=10 if q else 30),
        )
        run(
            "6",
            "6c. Fault soak (CLI)",
            "engagements",
            "exactly N",
            "faults",
            lambda: cli_bench.bench_soak_cli(emu, n=6 if q else 20),
        )
        run(
            "7",
            "7a. Memory: CLI start",
            "MiB peak RSS",
            "<= 1.25x bare boto3",
            "bare boto3 script",
            lambda: cli_bench.bench_cli_memory(emu),
        )
        run(
            "8",
            "8. Cost of a page: calls and wall time against history",
            "calls",
            "<= 3 calls (new alert, re-run while open); 2k+3 without hint",
            "find-first (previous design)",
            lambda: cost_bench.bench_cost(
                emu, histories=(0, 300) if q else (0, 300, 10_000), reps=3 if q else 5
            ),
        )

    if q:
        json_path, md_path = write_results(results, Path(tempfile.gettempdir()) / "pulumi-engagement-bench")
    elif only:
        # A partial run updates its own rows and keeps the others from the run that measured them.
        merged, kept_from = merge_with_previous(results, only)
        note = (
            f"Benchmark{'s' if len(only) > 1 else ''} {', '.join(sorted(only))} measured at this time; "
            f"the other rows come from the run{'s' if len(kept_from) > 1 else ''} of {', '.join(kept_from)}."
            if kept_from
            else None
        )
        json_path, md_path = write_results(merged, note=note)
    else:
        json_path, md_path = write_results(results)
    print(f"wrote {json_path} and {md_path}")
    print(md_path.read_text())
    return 0 if all(r.value is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
