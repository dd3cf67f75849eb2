"""Optional extras of the distribution, and the one-line hint shown when one is missing.

The core needs boto3 only; the emulator and the Pulumi resource need extras. A user
who lacks one gets a line naming the extra to install instead of a traceback.
Stdlib only: this is checked before anything heavy is imported.
"""

from __future__ import annotations

import importlib.util

__all__ = ["EMULATOR_MODULES", "extra_hint", "missing_module"]

# What `moto[server]` and PyYAML bring that the emulator imports (flask: moto's server app).
EMULATOR_MODULES = ("moto", "flask", "werkzeug", "yaml")


def extra_hint(what: str, extra: str) -> str:
    """``the emulator needs the [emulator] extra: pip install 'pulumi-engagement[emulator]'``."""
    return f"{what} needs the [{extra}] extra: pip install 'pulumi-engagement[{extra}]'"


def missing_module(modules: tuple[str, ...]) -> str | None:
    """The first of ``modules`` that cannot be imported (found without importing it), or None."""
    for name in modules:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):
            return name
    return None
