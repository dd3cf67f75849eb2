"""Every use of the Pulumi SDK's internals, fenced in one place.

The provider sees property values in the SDK's wire shapes (the unknown sentinel, secret
envelopes) and the resource scopes its derived token by its URN, whose type part the SDK
builds. Each such fact is named here once; ``tests/pulumi/test_sdk_internals.py`` fails loudly
when the installed SDK's shape changes, instead of a provider that silently misreads values or a
token that silently changes.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc

#: The wire sentinel for a value not known during preview (public in pulumi.runtime.rpc).
UNKNOWN: str = rpc.UNKNOWN
#: The envelope of a secret value on the wire: {SECRET_SIG_KEY: SECRET_SIG, "value": ...}.
#: Private in the SDK (``_special_sig_key``, ``_special_secret_sig``), so copied and checked by a test.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
#: The type token of ``Engagement`` (``class Engagement(Resource, module="engagement", name="Engagement")``).
#: Written out rather than read from the SDK's private ``_resource_type_name``: the derived token is
#: scoped by the URN, so an SDK change to type naming must not change every token (a test compares).
ENGAGEMENT_TYPE = "pulumi-python:dynamic/engagement:Engagement"


def is_unknown(value: Any) -> bool:
    """True for a value not known during preview: the SDK's ``Unknown`` object or the wire sentinel."""
    if isinstance(value, str):
        return value == UNKNOWN
    return isinstance(value, Unknown)


def unwrap_secret(value: Any) -> Any:
    """The value inside a secret envelope, or the value itself (the engine strips secrets for
    dynamic providers, acceptSecrets=False, but mocks and future engines may not)."""
    if isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG:
        return value.get("value")
    return value


def engagement_urn(resource_name: str, parent: pulumi.Resource | None) -> pulumi.Output[str]:
    """The URN an Engagement named ``resource_name`` will get: create is never given its URN."""
    return pulumi.Output.from_input(pulumi.create_urn(resource_name, ENGAGEMENT_TYPE, parent))
