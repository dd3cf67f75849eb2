"""Helpers for the packaging tests (and the Ansible suite's install test): the repository root,
and venvs that see only chosen distributions of this interpreter."""

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


def link_distributions(site: Path, links: Path, pth_name: str, *names: str) -> None:
    """Makes the named distributions of this interpreter, and their requirements, importable in the
    venv whose purelib is ``site`` and nothing else of it: symlinks in ``links``, named by the .pth
    file ``pth_name``. Offline and fast, where installing from the index would be neither."""
    links.mkdir()
    for dist in closure(*names):
        base = Path(str(dist.locate_file("")))
        for file in dist.files or []:
            top = file.parts[0]
            if top.endswith(".pth") or top in ("..", "__pycache__"):
                continue
            if not (links / top).exists() and (base / top).exists():
                (links / top).symlink_to(base / top)
    (site / pth_name).write_text(f"{links}\n")


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
