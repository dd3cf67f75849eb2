"""Benchmark 2 (CLI start vs a bare boto3 script vs the AWS CLI), 7a (CLI peak RSS), CLI soak."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Any

from .harness import (
    PLAN_ARN,
    ROOT,
    SOAK_EMULATOR_FAULTS,
    SOAK_LABEL,
    Emulator,
    Result,
    interleave,
    median,
    run_timed,
    run_with_rusage,
    tool,
)

BARE_SCRIPT = ROOT / "bench" / "scripts" / "bare_boto3_start.py"


def _page_args(tag: str, i: int) -> list[str]:
    return [
        "--contact-id",
        PLAN_ARN,
        "--sender",
        "runbook",
        "--subject",
        f"CLI bench {tag} #{i}",
        "--content",
        f"benchmark page {i}",
        "--incident-id",
        f"{tag}-{i}",
    ]


def commands(tag: str, i: int) -> dict[str, list[str]]:
    """The same StartEngagement, three ways (each a distinct page, so every run really pages)."""
    return {
        "engagement start": [tool("engagement"), "start", "--output", "json", *_page_args(f"{tag}-cli", i)],
        "bare boto3 script": [sys.executable, str(BARE_SCRIPT), *_page_args(f"{tag}-boto3", i)],
        "aws ssm-contacts start-engagement": [
            tool("aws"),
            "ssm-contacts",
            "start-engagement",
            *_page_args(f"{tag}-awscli", i),
        ],
    }


def bench_cli(emu: Emulator, rounds: int = 15) -> list[Result]:
    emu.reset()
    env = emu.env()
    tag = uuid.uuid4().hex[:6]
    # One untimed warm-up of each: the first run of a fresh venv pays for the page cache.
    for cmd in commands(f"{tag}-warm", 0).values():
        run_timed(cmd, env)
    names = list(commands(tag, 0))
    samples = interleave(
        {name: (lambda i, n=name: run_timed(commands(tag, i)[n], env)) for name in names}, rounds
    )
    med = {name: median(values) for name, values in samples.items()}
    details: dict[str, Any] = {
        "rounds": rounds,
        "median_s": {name: round(v, 4) for name, v in med.items()},
        "min_s": {name: round(min(v), 4) for name, v in samples.items()},
        "note": "engagement start = ListEngagements (find an identical page) + StartEngagement + Describe",
    }
    vs_boto3 = med["engagement start"] / med["bare boto3 script"]
    vs_awscli = med["engagement start"] / med["aws ssm-contacts start-engagement"]
    return [
        Result(
            "2a. CLI start vs bare boto3 script",
            vs_boto3,
            "ratio",
            "<= 1.15x",
            vs_boto3 <= 1.15,
            "python script calling boto3 start_engagement (median of interleaved runs)",
            details,
        ),
        Result(
            "2b. CLI start vs AWS CLI",
            vs_awscli,
            "ratio",
            "<= 0.7x",
            vs_awscli <= 0.7,
            "aws ssm-contacts start-engagement (median of interleaved runs)",
            details,
        ),
    ]


def bench_cli_memory(emu: Emulator, rounds: int = 3) -> Result:
    """Peak RSS of one `engagement start` process, next to the bare boto3 script's."""
    env = emu.env()
    tag = uuid.uuid4().hex[:6]
    peaks: dict[str, list[int]] = {"engagement start": [], "bare boto3 script": [], "aws": []}
    for i in range(rounds):
        cmds = commands(f"{tag}-mem", i)
        for name, cmd in (
            ("engagement start", cmds["engagement start"]),
            ("bare boto3 script", cmds["bare boto3 script"]),
            ("aws", cmds["aws ssm-contacts start-engagement"]),
        ):
            code, _, kib = run_with_rusage(cmd, env)
            if code != 0:
                raise RuntimeError(f"{name} exited {code}")
            peaks[name].append(kib)
    cli = median(peaks["engagement start"]) / 1024
    bare = median(peaks["bare boto3 script"]) / 1024
    return Result(
        "7a. Memory: CLI start",
        cli,
        "MiB peak RSS",
        "<= 1.25x the bare boto3 script",
        cli <= 1.25 * bare,
        "bare boto3 script; AWS CLI",
        {
            "bare_boto3_mib": round(bare, 1),
            "aws_cli_mib": round(median(peaks["aws"]) / 1024, 1),
            "cli_over_bare": round(cli / bare, 3),
        },
    )


def soak_cli(emu: Emulator, n: int) -> dict[str, Any]:
    """n `engagement start` runs under the soak's faults: every run exits 0, one engagement each."""
    import subprocess

    emu.reset()
    emu.control.set_faults(**SOAK_EMULATOR_FAULTS)
    tag = f"clisoak-{uuid.uuid4().hex[:6]}"
    exit_codes: dict[int, int] = {}
    arns: set[str] = set()
    errors: list[str] = []
    env = emu.env()
    for i in range(n):
        proc = subprocess.run(
            [tool("engagement"), "start", "--output", "json", *_page_args(tag, i)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        exit_codes[proc.returncode] = exit_codes.get(proc.returncode, 0) + 1
        if proc.returncode == 0:
            arns.add(json.loads(proc.stdout)["engagement"]["engagement_arn"])
        else:
            errors.append(proc.stderr.strip()[-300:])
    emu.control.clear_faults()
    return {
        "tag": tag,
        "exit_codes": exit_codes,
        "arns": arns,
        "errors": errors[:3],
        "start_engagement": emu.fault_stats("StartEngagement"),
    }


def bench_soak_cli(emu: Emulator, n: int = 20) -> Result:
    """n runs of `engagement start`, each its own page, under faults: all exit 0, n engagements."""
    from .core_bench import audit, client_for
    from .harness import fake_credentials

    outcome = soak_cli(emu, n)
    with fake_credentials():
        counts = audit(client_for(emu), outcome["tag"], n)
    ok = outcome["exit_codes"] == {0: n} and len(outcome["arns"]) == n and counts["duplicates"] == 0
    ok = ok and counts["engagements"] == n
    return Result(
        f"6c. Fault soak (CLI, {n} runs)",
        float(counts["engagements"]),
        "engagements",
        f"exactly {n}, no duplicate, every run exits 0",
        ok,
        SOAK_LABEL,
        {
            "exit_codes": {str(k): v for k, v in outcome["exit_codes"].items()},
            "first_errors": outcome["errors"],
            "start_engagement": outcome["start_engagement"],
            "emulator_faults": SOAK_EMULATOR_FAULTS,
            "retries": "the CLI's defaults (standard mode, max_attempts 8)",
            **counts,
        },
    )
