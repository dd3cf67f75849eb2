"""Shared pieces of the benchmarks: the emulator process, environments, timing and results.

Every benchmark talks to an emulator started here, on loopback and port 0, in
its own process (so the emulator does not compete with the measured client for
one interpreter lock). Ratios are measured side by side in one run, with the
contenders interleaved, because the machines are shared and noisy.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pulumi_engagement.emulator.process import EmulatorProcess

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
#: BENCH_RESULTS_DIR redirects the results, e.g. for a partial run (`--only`) that must not replace
#: the full run's bench/results/latest.*.
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")
SEED = ROOT / "examples" / "seed.yaml"

ACCOUNT = "123456789012"
REGION = "us-east-1"
PLAN_ARN = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"

#: The soak's faults (issue 7), all the emulator's: 30% of calls throttled before anything runs; of
#: the rest, 10% fail with InternalServerException and 10% of those left lose their response after
#: committing.
SOAK_EMULATOR_FAULTS = {"throttle_rate": 0.3, "error_rate": 0.1, "drop_rate": 0.1, "seed": 7}
SOAK_LABEL = "30% throttling, 10% InternalServerException, 10% commit-then-drop"

#: Fake credentials for the emulator only; never printed (see Result.details, which holds none).
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def tool(name: str) -> str:
    """A console script of this venv (engagement, aws, ansible-playbook)."""
    return str(VENV_BIN / name)


class Emulator(EmulatorProcess):
    """The emulator's CLI in a child process on 127.0.0.1, port 0, seeded; stopped on exit."""

    def __init__(self, seed: Path | None = SEED, time_scale: float | None = None, extra: Sequence[str] = ()):
        super().__init__(seed=seed, time_scale=time_scale, extra_args=extra, env=base_env())

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a child (CLI, AWS CLI, Ansible) that must reach this emulator only."""
        return base_env(AWS_ENDPOINT_URL_SSM_CONTACTS=self.endpoint_url, **extra)

    def reset(self) -> None:
        """Empty the emulator (data, counters, faults), then apply the seed again."""
        self.control.reset(reseed=True)

    def start_calls(self) -> int:
        return int(self.control.calls("StartEngagement"))

    def fault_stats(self, operation: str | None = None) -> dict[str, Any]:
        """Attempts and throttled answers (the soak's 30%), for one operation or all of them."""
        state = self.control.state()
        throttled_by_op = state["injected"]["throttled"]
        if operation is None:
            attempts, throttled = sum(state["calls"].values()), sum(throttled_by_op.values())
        else:
            attempts, throttled = state["calls"].get(operation, 0), throttled_by_op.get(operation, 0)
        return {
            "attempts": attempts,
            "throttled": throttled,
            "throttled_share": round(throttled / attempts, 3) if attempts else None,
        }


def base_env(**extra: str) -> dict[str, str]:
    """A clean AWS environment: fake credentials, the seed's region, no user config files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(_FAKE_CREDENTIALS)
    env.update(
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


@contextmanager
def fake_credentials() -> Iterator[None]:
    """In-process clients get the same fake credentials as the children (restored on exit)."""
    saved = {
        k: os.environ.get(k) for k in [*_FAKE_CREDENTIALS, "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]
    }
    os.environ.update(_FAKE_CREDENTIALS, AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_timed(cmd: Sequence[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 300) -> float:
    """Wall seconds of one child run; a failing child fails the benchmark (with its stderr)."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return elapsed


def run_with_rusage(cmd: Sequence[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[int, str, int]:
    """(exit code, stdout, peak RSS in KiB) of one child, measured by a small fork/exec wrapper."""
    wrapper = [sys.executable, "-S", str(ROOT / "bench" / "scripts" / "peak_rss.py")]
    proc = subprocess.run([*wrapper, *cmd], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    out, _, last = proc.stdout.rstrip("\n").rpartition("\n")
    return proc.returncode, out, int(last)


def interleave(contenders: dict[str, Callable[[int], float]], rounds: int) -> dict[str, list[float]]:
    """Run each contender once per round, rotating the order, so drift hits all alike."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(contenders[name](i))
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


@dataclass
class Result:
    """One line of bench/results/latest.json."""

    name: str
    value: float | None
    unit: str
    goal: str
    met: bool
    compared_with: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if isinstance(self.value, float):
            data["value"] = round(self.value, 4)
        return data


def failed(name: str, unit: str, goal: str, compared_with: str, error: BaseException) -> Result:
    """A benchmark that could not run is reported (not met), never silently dropped."""
    return Result(name, None, unit, goal, False, compared_with, {"error": f"{type(error).__name__}: {error}"})


def number_of(name: str) -> str:
    """A row's benchmark number: "6" for "6b. Fault soak ..."."""
    digits = ""
    for char in name:
        if not char.isdigit():
            break
        digits += char
    return digits


def merge_with_previous(
    results: list[Result], ran: set[str], directory: Path = RESULTS_DIR, name: str = "latest"
) -> tuple[list[Result], list[str]]:
    """Rows of the benchmarks ``ran`` replace theirs in the previous results; the others stay,
    marked with the time of the run that measured them. Returns (rows, those times)."""
    path = directory / f"{name}.json"
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return results, []
    earlier = previous.get("meta", {}).get("generated_at")
    merged: list[Result] = []
    placed: set[str] = set()
    for entry in previous.get("benchmarks", []):
        number = number_of(entry.get("name", ""))
        if number in ran:
            if number not in placed:
                merged += [r for r in results if number_of(r.name) == number]
                placed.add(number)
            continue
        kept = Result(**{k: entry.get(k) for k in ("name", "value", "unit", "goal", "met", "compared_with")})
        kept.details = dict(entry.get("details") or {})
        kept.details.setdefault("measured_in_run_of", earlier)
        merged.append(kept)
    merged += [r for r in results if number_of(r.name) not in placed]
    kept_from = sorted(
        {str(r.details["measured_in_run_of"]) for r in merged if r.details.get("measured_in_run_of")}
    )
    return merged, kept_from


def write_results(
    results: list[Result], directory: Path = RESULTS_DIR, name: str = "latest", note: str | None = None
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    meta = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "target": "local emulator on 127.0.0.1 (python -m pulumi_engagement.emulator)",
    }
    if note:
        meta["note"] = note
    json_path = directory / f"{name}.json"
    json_path.write_text(
        json.dumps({"meta": meta, "benchmarks": [r.to_dict() for r in results]}, indent=2) + "\n"
    )
    md_path = directory / f"{name}.md"
    md_path.write_text(markdown_table(results, meta))
    return json_path, md_path


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ratio":
        return f"{value:.2f}x"
    if unit == "ratio of R":
        return f"{value:.2f}"
    if abs(value) >= 100:
        return f"{value:.0f} {unit}"
    return f"{value:.3g} {unit}"


def markdown_table(results: list[Result], meta: dict[str, Any]) -> str:
    lines = [
        f"Benchmarks against the local emulator ({meta['generated_at']}, {meta['cpus']} CPUs, "
        f"Python {meta['python']}; `make bench`).",
        "",
        *([meta["note"], ""] if meta.get("note") else []),
        "| Benchmark | Result | Goal | Met | Compared with |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        met = "yes" if r.met else "**no**"
        # A row may spell its result out (benchmark 8: calls per operation and wall time).
        shown = r.details.get("result_text") if r.value is not None else None
        lines.append(
            f"| {r.name} | {shown or _fmt(r.value, r.unit)} | {r.goal} | {met} | {r.compared_with} |"
        )
    return "\n".join(lines) + "\n"
