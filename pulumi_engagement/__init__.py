"""Page people through AWS Systems Manager Incident Manager Contacts.

The shared core lives in :mod:`pulumi_engagement.core` and depends on boto3
only. The Pulumi names are imported lazily so that the CLI and the Ansible
collection never pay for (or need) the Pulumi SDK.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["Engagement", "EngagementArgs", "EngagementProvider", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Engagement", "EngagementArgs", "EngagementProvider"):
        from . import resource

        return getattr(resource, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
