"""Page people through AWS Systems Manager Incident Manager Contacts.

The shared core lives in :mod:`pulumi_engagement.core` and depends on boto3
only. The Pulumi names are imported lazily so that the CLI and the Ansible
collection never pay for (or need) the Pulumi SDK; without it, importing them
raises an ImportError that names the extra to install.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from .extras import extra_hint


def _load_core_file(name: str) -> Any:
    """The core's module ``name`` (one that imports only the standard library), loaded as a file.

    Importing it would run core/__init__, which loads botocore, and `import pulumi_engagement`
    (the CLI's --help and --version, its start-up before the collector is paused) must stay light.
    """
    spec = importlib.util.spec_from_file_location(
        f"{__name__}._core_{name}", Path(__file__).with_name("core") / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# core/version.py is the one version source.
__version__ = str(_load_core_file("version").VERSION)

__all__ = ["Engagement", "EngagementArgs", "EngagementProvider", "__version__"]

_PULUMI_NAMES = ("Engagement", "EngagementArgs", "EngagementProvider")


def __getattr__(name: str) -> Any:
    if name in _PULUMI_NAMES:
        try:
            from .pulumi_adapter import resource
        except ModuleNotFoundError as exc:
            if exc.name != "pulumi" and not (exc.name or "").startswith("pulumi."):
                raise
            # `from None`: the message says all there is to say; a chained traceback from the
            # SDK import would bury it.
            raise ImportError(extra_hint(f"pulumi_engagement.{name}", "pulumi"), name="pulumi") from None
        return getattr(resource, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
