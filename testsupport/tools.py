"""Command-line tools the tests run as subprocesses."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def installed_script(name: str) -> str | None:
    """The console script ``name`` next to the interpreter running the tests (the venv's), else the
    one on PATH; None when neither exists."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)
