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

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
RESULTS_DIR = ROOT / "bench" / "results"
SEED = ROOT / "examples" / "seed.yaml"

ACCOUNT = "123456789012"
REGION = "us-east-1"
PLAN_ARN = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"

#: The soak's faults (issue 7): the emulator fails 10% of calls with InternalServerException and
#: drops 10% of responses after committing; the fault proxy throttles 30% before the emulator.
SOAK_EMULATOR_FAULTS = {"error_rate": 0.1, "drop_rate": 0.1, "seed": 7}
SOAK_THROTTLE_RATE = 0.3
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


class Emulator:
    """The emulator's CLI in a child process on 127.0.0.1, port 0; stopped on exit."""

    def __init__(self, seed: Path | None = SEED, time_scale: float | None = None, extra: Sequence[str] = ()):
        cmd = [sys.executable, "-m", "pulumi_engagement.emulator", "--host", "127.0.0.1", "--port", "0"]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        if time_scale is not None:
            cmd += ["--time-scale", str(time_scale)]
        cmd += list(extra)
        self.cmd = cmd
        self.process: subprocess.Popen[str] | None = None
        self.endpoint_url = ""
        self.control: Any = None

    def __enter__(self) -> Emulator:
        from pulumi_engagement.emulator.control import EmulatorControl

        self.process = subprocess.Popen(
            self.cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=base_env(),
            cwd=ROOT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError(f"emulator did not print its endpoint URL (got {line!r})")
        self.endpoint_url = line
        self.control = EmulatorControl(line)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self, endpoint_url: str | None = None, **extra: str) -> dict[str, str]:
        """Environment for a child (CLI, AWS CLI, Ansible) that must reach this emulator only.

        ``endpoint_url`` points the child at something in front of the emulator (the fault proxy).
        """
        return base_env(AWS_ENDPOINT_URL_SSM_CONTACTS=endpoint_url or self.endpoint_url, **extra)

    def reset(self) -> None:
        """Empty the emulator (data, counters, faults), then apply the seed again."""
        self.control.reset(reseed=True)

    def start_calls(self) -> int:
        return int(self.control.calls("StartEngagement"))


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


def write_results(
    results: list[Result], directory: Path = RESULTS_DIR, name: str = "latest"
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    meta = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "target": "local emulator on 127.0.0.1 (python -m pulumi_engagement.emulator)",
    }
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
        "| Benchmark | Result | Goal | Met | Compared with |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        met = "yes" if r.met else "**no**"
        lines.append(f"| {r.name} | {_fmt(r.value, r.unit)} | {r.goal} | {met} | {r.compared_with} |")
    return "\n".join(lines) + "\n"
