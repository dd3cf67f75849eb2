"""The console script ``pulumi-resource-engagement``: the provider plugin Pulumi finds on PATH.

Imports nothing of Pulumi until it runs, so a missing ``[pulumi]`` extra is one clear line.
"""

from __future__ import annotations

import sys

MISSING_SDK = (
    "pulumi-resource-engagement: the Pulumi SDK is not installed; "
    "install the plugin with: pip install 'pulumi-engagement[pulumi]'"
)


def main() -> None:
    try:
        from .plugin_server import serve
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("pulumi", "grpc", "google"):
            sys.exit(MISSING_SDK)
        raise
    serve(sys.argv[1:])
