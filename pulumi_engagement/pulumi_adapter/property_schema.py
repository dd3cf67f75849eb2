"""The Engagement's properties as a schema sees them: one type and one description per property.

Which properties exist, which are required, secret, replacing or updating comes from
``properties`` (the tables the dynamic provider already maps with); this module adds only what a
schema needs beyond them (a type and a description per property) and the camelCase names the
provider plugin, its schema and the generated SDKs use. A test keeps both tables in step.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..core import page_fields
from .properties import (
    COMPUTED_FIELDS,
    INPUT_FIELDS,
    METRIC_FIELDS,
    REPLACE_FIELDS,
    SECRET_FIELDS,
    WAIT_STATUS,
)

#: The plugin's package: `engagement:index:Engagement`, `pulumi-resource-engagement`, `engagement:region`.
#: Short and plain in a YAML `type:`, and nothing like pulumi-aws's `aws:ssmcontacts` module.
PACKAGE = "engagement"
RESOURCE_TOKEN = f"{PACKAGE}:index:Engagement"
#: Outputs beyond the inputs: the engagement as the service reports it, then the response metrics.
OUTPUT_FIELDS = (*COMPUTED_FIELDS, *METRIC_FIELDS, WAIT_STATUS, "wait_error")
#: Every input not read from the service model is optional; stop_on_delete defaults to true.
DEFAULTS: dict[str, Any] = {"stop_on_delete": True}
#: Provider configuration (`engagement:region` ...): the resource's connection inputs, as defaults.
CONFIG_FIELDS = ("region", "profile", "endpoint_url")

_STRING, _BOOL, _NUMBER = {"type": "string"}, {"type": "boolean"}, {"type": "number"}
#: Schema type per property; a property not named here is a string.
TYPES: dict[str, dict[str, Any]] = {
    "stop_on_delete": _BOOL,
    "wait_for_acknowledgement": _BOOL,
    "fail_on_unacknowledged": _BOOL,
    "acknowledged": _BOOL,
    "time_to_acknowledge": _NUMBER,
    "pages": {"type": "array", "items": {"$ref": "pulumi.json#/Any"}},
}

DESCRIPTIONS: dict[str, str] = {
    "contact_id": "ARN of the contact or escalation plan to page.",
    "sender": "Who is paging (shown to the responder).",
    "subject": "Subject of the page (secret in the state).",
    "content": "Body of the page (secret in the state).",
    "public_subject": "Subject for insecure channels (SMS, voice); secret in the state.",
    "public_content": "Body for insecure channels; secret in the state.",
    "incident_id": "The incident the page belongs to.",
    "idempotency_token": (
        "Explicit token naming this page. By default each episode of the alert gets one derived from "
        "the resource's URN and the page, so a retried `pulumi up` cannot page twice while the engagement "
        "runs, and a create after it stopped pages anew."
    ),
    "dedup_key": (
        "Pages to the contact with this key share one engagement while it runs, whatever their text."
    ),
    "stop_on_delete": "Stop the engagement on destroy or replace (default true).",
    "stop_reason": "Reason recorded by StopEngagement.",
    "region": (
        "AWS region (default: the ARN's region, provider config, then AWS_REGION / AWS_DEFAULT_REGION)."
    ),
    "profile": "AWS profile (default: provider config, then AWS_PROFILE). A change pages nobody.",
    "endpoint_url": (
        "Service endpoint, e.g. the local emulator (default: provider config, then "
        "AWS_ENDPOINT_URL_SSM_CONTACTS)."
    ),
    "wait_for_acknowledgement": (
        "Create waits until a page is acknowledged (a READ receipt), the engagement ends unacknowledged, "
        "or acknowledgementTimeout passes (default false)."
    ),
    "acknowledgement_timeout": (
        'How long create waits: seconds ("600") or a duration ("30s", "5m", "1h30m"), at most 24 hours. '
        "Default: the create custom timeout less 30 s if set, else 10 minutes."
    ),
    "fail_on_unacknowledged": (
        "Fail the create when the wait ends without an acknowledgement (default false: recorded as "
        "acknowledged false). The engagement stays in the stack. Needs waitForAcknowledgement."
    ),
    "engagement_arn": "ARN of the engagement (also the resource id).",
    "contact_arn": "ARN of the contact or escalation plan that was paged.",
    "start_time": "When the engagement started, ISO 8601 UTC.",
    "stop_time": "When it stopped (ISO 8601 UTC); absent while it runs. `pulumi refresh` updates it.",
    "acknowledged": "Whether a page was acknowledged (a READ receipt before the engagement stopped).",
    "acknowledged_by": "ARN of the contact whose acknowledgement came first.",
    "acknowledged_at": "When the first acknowledgement came (ISO 8601 UTC).",
    "time_to_acknowledge": "Seconds from the engagement's start to the first acknowledgement (MTTA).",
    "pages": (
        "One object per page: pageArn, contactArn, stage, channels (with sent, delivery and read times), "
        "sentTime, deliveryTime, readTime, acknowledged. `pulumi refresh` fills it."
    ),
    WAIT_STATUS: "How create's wait ended: acknowledged, ended_unacknowledged, timeout, error or not_waited.",
    "wait_error": "With waitStatus error: the permanent error that ended the wait (e.g. access denied).",
}


# Cached: every plugin request and response renames each of its properties (a bounded set of names).
@lru_cache(maxsize=1024)
def camel(name: str) -> str:
    """A snake_case property as Pulumi schemas name it ("contact_id" -> "contactId")."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@lru_cache(maxsize=1024)
def snake(name: str) -> str:
    """The inverse of :func:`camel` ("contactId" -> "contact_id")."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def required_inputs() -> tuple[str, ...]:
    """The inputs StartEngagement requires, as botocore's service model says."""
    return tuple(f.name for f in page_fields() if f.required)


def property_spec(name: str) -> dict[str, Any]:
    """One property's schema: type, description, secret flag, default."""
    spec: dict[str, Any] = {**TYPES.get(name, _STRING), "description": DESCRIPTIONS[name]}
    if name in SECRET_FIELDS:
        spec["secret"] = True
    if name in DEFAULTS:
        spec["default"] = DEFAULTS[name]
    return spec


__all__ = [
    "CONFIG_FIELDS",
    "DEFAULTS",
    "DESCRIPTIONS",
    "INPUT_FIELDS",
    "OUTPUT_FIELDS",
    "PACKAGE",
    "REPLACE_FIELDS",
    "RESOURCE_TOKEN",
    "TYPES",
    "camel",
    "property_spec",
    "required_inputs",
    "snake",
]
