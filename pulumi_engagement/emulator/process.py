"""The emulator in a child process: ``python -m pulumi_engagement.emulator --port 0 ...``.

Tests and benchmarks that want the emulator out of their own interpreter (its
state is process-wide; it should not compete with the measured client for one
interpreter lock; xdist workers each need their own) start it with
:class:`EmulatorProcess`. Stdlib only, like :mod:`.control_client`: nothing here
imports moto.

```python
with EmulatorProcess(seed="examples/seed.yaml", time_scale=0) as emulator:
    emulator.control.advance(120)
    emulator_client(emulator.endpoint_url)  # from .sdk_client: a boto3 client with fake credentials
```
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from .control.client import EmulatorControl

__all__ = ["EmulatorProcess", "EmulatorStartError", "stop_process"]


class EmulatorStartError(RuntimeError):
    """The emulator process did not print its endpoint URL (the message carries its stderr)."""


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
    """Signal a child (SIGTERM by default), wait, kill it if it does not exit; returns its exit code.

    ``communicate`` rather than ``wait``: a child blocked writing to a full pipe must not hang us.
    """
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
    return process.returncode


class EmulatorProcess:
    """``python -m pulumi_engagement.emulator`` on a free loopback port, stopped on exit.

    ``seed`` (``--seed``), ``time_scale`` (``--time-scale``) and ``extra_args`` (any other
    flags, e.g. ``("--throttle-rate", "0.3")``) go on the command line; ``env`` replaces the
    child's environment (default: this process's). :meth:`start` (or ``with``) returns once the
    server accepts connections, or raises :class:`EmulatorStartError` with the child's stderr.
    """

    def __init__(
        self,
        seed: str | Path | None = None,
        time_scale: float | None = None,
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        python: str = sys.executable,
        host: str = "127.0.0.1",
        start_timeout: float = 60.0,
    ) -> None:
        command = [python, "-m", "pulumi_engagement.emulator", "--host", host, "--port", "0"]
        if seed is not None:
            command += ["--seed", str(seed)]
        if time_scale is not None:
            command += ["--time-scale", repr(float(time_scale))]
        self.command: list[str] = [*command, *extra_args]
        self.child_env = dict(env) if env is not None else None
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._endpoint_url: str | None = None
        self._control: EmulatorControl | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        if self._endpoint_url is None:
            raise RuntimeError("the emulator process is not started")
        return self._endpoint_url

    @property
    def control(self) -> EmulatorControl:
        """The control endpoint client (clock, faults, counters, reset, seed)."""
        if self._control is None:
            raise RuntimeError("the emulator process is not started")
        return self._control

    def start(self) -> EmulatorProcess:
        if self.process is not None:
            return self
        # stderr goes to a file, not a pipe: nobody reads it while the server runs, and a full pipe
        # would block the server; the file is read only to explain a failure.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=self.child_env,
        )
        try:
            line = self._first_line()
        except BaseException:
            self.stop(timeout=10)
            raise
        self._endpoint_url = line
        self._control = EmulatorControl(line)
        return self

    def _first_line(self) -> str:
        """The endpoint URL, the first stdout line; a deadline, so a hung child cannot hang the caller."""
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + self.start_timeout
        data = b""
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in data:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._failure(f"did not print its endpoint URL within {self.start_timeout:g} s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(fd, 4096)  # raw reads: a buffered readline could block past the deadline
                if not chunk:
                    code = self.process.wait(timeout=10)
                    raise self._failure(f"exited with code {code} before printing its endpoint URL")
                data += chunk
        line = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        if not line.startswith(("http://", "https://")):
            raise self._failure(f"printed {line!r} instead of its endpoint URL")
        return line

    def _failure(self, what: str) -> EmulatorStartError:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        stderr = self.stderr().strip()
        return EmulatorStartError(
            f"the emulator ({' '.join(self.command)}) {what}" + (f"; its stderr:\n{stderr}" if stderr else "")
        )

    def stderr(self) -> str:
        """What the child has written to stderr so far."""
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        """Stop the child (``sig``, then SIGKILL after ``timeout``); returns its exit code (0: clean)."""
        process, self.process = self.process, None
        code = None
        if process is not None:
            code = stop_process(process, sig, timeout)
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            with contextlib.suppress(OSError):
                self._stderr.close()
            self._stderr = None
        return code

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
