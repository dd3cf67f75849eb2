"""Helpers for the packaging tests: the repository root and a venv without the extras."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def closure(*names: str) -> list[importlib.metadata.Distribution]:
    """The named installed distributions and everything they require (extras ignored)."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = re.split(r"[\s;<>=!~\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # optional or platform-specific, not installed
        seen[name] = dist
        todo += [req for req in dist.requires or [] if "extra ==" not in req]
    return list(seen.values())


@dataclass
class BareVenv:
    """A venv with the built wheel installed and only boto3 (and its requirements) importable."""

    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def engagement(self) -> Path:
        return self.root / "bin" / "engagement"

    def run(self, *argv: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in argv],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            # No PYTHONPATH: the checkout (which has no extras either, but is not what users get)
            # must not shadow the installed wheel.
            env={"PATH": f"{self.root / 'bin'}:/usr/bin:/bin", "HOME": str(self.root), **(env or {})},
            cwd=self.root,
        )
