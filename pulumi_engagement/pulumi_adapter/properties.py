"""The Engagement resource's properties: which inputs replace, update or wait, how they read,
and how outputs are built from the core's results (the provider maps Pulumi calls with these)."""

from __future__ import annotations

from typing import Any

from ..core import (
    IDENTIFYING_FIELDS,
    SECURE_FIELDS,
    EngagementMetrics,
    field_name,
    request_field_names,
)
from ..core.model import TOKEN_MEMBER
from ..core.timeutil import parse_duration
from .sdk_internals import unwrap_secret

PROVIDER_KEY = "__provider"

#: StartEngagement's members (API names) and the snake_case inputs that carry them.
START_MEMBERS = (*IDENTIFYING_FIELDS, TOKEN_MEMBER)
START_FIELDS = tuple(field_name(api) for api in START_MEMBERS)
#: The inputs that identify a page (all but the token), and the explicit token's input.
IDENTIFYING_INPUTS = START_FIELDS[:-1]
TOKEN_FIELD = START_FIELDS[-1]
#: The page's canonical order starts with whom to page; the service reports it as contact_arn.
CONTACT_FIELD = START_FIELDS[0]
#: Every field of the core's request: the members, then the core's own (the dedup key).
REQUEST_FIELDS = request_field_names()
#: A change to any of these is a different page (or a page somewhere else): replace.
REPLACE_FIELDS = (*REQUEST_FIELDS, "region", "endpoint_url")
#: How create waits for an acknowledgement; they govern the wait, not the page.
WAIT_FIELDS = ("wait_for_acknowledgement", "acknowledgement_timeout", "fail_on_unacknowledged")
#: A change only to these is applied in place: no new page. The profile is *how* the engagement is
#: reached (credentials), not what or where it is, so switching profiles must not page again.
UPDATE_FIELDS = ("stop_on_delete", "stop_reason", "profile", *WAIT_FIELDS)
#: Response metrics (core.metrics) as outputs, plus how create's wait ended.
METRIC_FIELDS = ("acknowledged", "acknowledged_by", "acknowledged_at", "time_to_acknowledge", "pages")
WAIT_STATUS = "wait_status"
#: wait_status without a wait (and of an adopted engagement); the others are the core's wait outcomes
#: (acknowledged, ended_unacknowledged, timeout) and "error" (a permanent error while waiting).
NOT_WAITED = "not_waited"
WAIT_ERROR = "error"
#: Set by the resource from opts.custom_timeouts.create (seconds), so check can hold the wait within it.
CREATE_TIMEOUT_KEY = "create_timeout"
DEFAULT_ACKNOWLEDGEMENT_TIMEOUT = 600.0
#: A `pulumi up` that holds the stack's lock for more than a day is a mistake, not a drill.
MAX_ACKNOWLEDGEMENT_TIMEOUT = 86400.0
#: The create timeout must leave this much beyond the wait for the page itself and the final read.
CREATE_TIMEOUT_MARGIN = 30.0
#: The API's "secure" fields: secret outputs in the state.
SECRET_FIELDS = SECURE_FIELDS
#: Outputs computed from DescribeEngagement.
COMPUTED_FIELDS = ("engagement_arn", "contact_arn", "start_time", "stop_time")
#: Set by the resource to its own URN; scopes the derived token so a retried create reuses it.
TOKEN_SCOPE_KEY = "token_scope"
CONNECTION_FIELDS = ("region", "profile", "endpoint_url")
#: Every input of the resource, in EngagementArgs' order: the page's fields, then the provider's own.
INPUT_FIELDS = (*REQUEST_FIELDS, "stop_on_delete", "stop_reason", *CONNECTION_FIELDS, *WAIT_FIELDS)
#: Stack configuration read by configure(); the endpoint key lives in this project's namespace.
CONFIG_REGION = "aws:region"
CONFIG_PROFILE = "aws:profile"
CONFIG_ENDPOINT_URL = "pulumi-engagement:endpointUrl"


def _plain(props: dict[str, Any] | None) -> dict[str, Any]:
    """Props without the serialized provider, secrets unwrapped, empty strings as absent."""
    out: dict[str, Any] = {}
    for key, value in (props or {}).items():
        if key == PROVIDER_KEY:
            continue
        value = unwrap_secret(value)
        out[key] = None if value == "" else value
    return out


def _stop_on_delete(props: dict[str, Any]) -> bool:
    value = props.get("stop_on_delete")
    return True if value is None else bool(value)


def duration_seconds(value: Any) -> float:
    """Seconds in a duration input: a number of seconds, or a string like "90", "30s", "5m", "1h30m".

    Raises ValueError naming the rule (not the field: callers add it).
    """
    if isinstance(value, bool):
        raise ValueError("must be a number of seconds or a duration like 30s, 5m or 1h")
    if isinstance(value, (int, float)):
        seconds = float(value)
        if seconds != seconds or seconds < 0:
            raise ValueError(f"must not be negative: {value!r}")
        return seconds
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError("must be a number of seconds or a duration like 30s, 5m or 1h")


def _create_timeout(props: dict[str, Any]) -> float | None:
    limit = props.get(CREATE_TIMEOUT_KEY)
    if isinstance(limit, (int, float)) and not isinstance(limit, bool) and limit > 0:
        return float(limit)
    return None


def _acknowledgement_timeout(props: dict[str, Any]) -> float:
    """The wait: the input, else what the create custom timeout leaves (less the margin), else 10 min."""
    value = props.get("acknowledgement_timeout")
    if value is None:
        limit = _create_timeout(props)
        if limit is not None:
            return max(limit - CREATE_TIMEOUT_MARGIN, 1.0)
        return DEFAULT_ACKNOWLEDGEMENT_TIMEOUT
    try:
        return duration_seconds(value)
    except ValueError:  # check refused it already; a state written by hand must not break the wait
        return DEFAULT_ACKNOWLEDGEMENT_TIMEOUT


def _given_timeout(props: dict[str, Any]) -> Any:
    """acknowledgement_timeout as seconds when readable (else as given), None when not set."""
    value = props.get("acknowledgement_timeout")
    try:
        return None if value is None else duration_seconds(value)
    except ValueError:
        return value


def _flag(props: dict[str, Any], name: str) -> bool:
    return bool(props.get(name))


def _drop_none(value: Any) -> Any:
    """Nested dicts without None values: what the state would keep anyway, so outputs compare stably."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def metric_outputs(metrics: EngagementMetrics, wait_status: str) -> dict[str, Any]:
    """The acknowledgement outputs from the core's metrics: JSON-ready (ISO strings, float seconds).

    Pages carry ARNs, times, channels and receipt notes; never the subject or content.
    """
    # Only these fields: converting the whole metrics (timeline, stages) cost more than the rest of a create.
    data = metrics.field_dict(
        "acknowledged", "acknowledged_by", "acknowledged_at", "time_to_acknowledge", "pages"
    )
    return {
        "acknowledged": bool(data["acknowledged"]),
        "acknowledged_by": data["acknowledged_by"],
        "acknowledged_at": data["acknowledged_at"],
        "time_to_acknowledge": data["time_to_acknowledge"],
        "pages": _drop_none(data["pages"]),
        WAIT_STATUS: wait_status,
    }


def _region_of(arn: str | None) -> str | None:
    """The region inside an ssm-contacts ARN (arn:aws:ssm-contacts:REGION:ACCOUNT:...)."""
    parts = (arn or "").split(":")
    if len(parts) > 4 and parts[0] == "arn":
        return parts[3] or None
    return None


def _label(props: dict[str, Any], arn: str | None = None) -> str:
    """How errors name the engagement: its resource name (from the URN) and its ARN when known."""
    scope = props.get(TOKEN_SCOPE_KEY)
    name = scope.rsplit("::", 1)[-1] if isinstance(scope, str) and "::" in scope else None
    if name and arn:
        return f"{name!r} ({arn})"
    return repr(name) if name else (arn or "(unnamed)")
