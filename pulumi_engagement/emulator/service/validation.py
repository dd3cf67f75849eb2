"""Input validation as the service applies it, worded as the service words it.

The rules themselves are the shared core's (``pulumi_engagement.core.validation``:
read from botocore's model, linear-time patterns with Java/Smithy semantics), so
the emulator and the clients can never disagree about what is valid. This module
only rewords each broken rule into the service's ValidationException ``Fields``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.model import OperationModel

from ...core.errors import FieldViolation
from ...core.timeutil import to_utc
from ...core.validation import SERVICE_NAME, check, service_model
from .exceptions import ValidationException

__all__ = ["SERVICE_NAME", "operation_model", "operation_names", "parse_timestamp", "validate_input"]


def operation_model(name: str) -> OperationModel:
    return service_model().operation_model(name)


def operation_names() -> list[str]:
    return list(service_model().operation_names)


def parse_timestamp(value: Any) -> datetime | None:
    """Epoch seconds (what botocore sends for json 1.1) or an ISO 8601 string; None if neither."""
    if isinstance(value, str):
        try:
            return to_utc(float(value))
        except ValueError:
            pass
    try:
        return to_utc(value)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _service_message(violation: FieldViolation) -> str:
    rule, limit = violation.rule, violation.limit
    if rule == "required":
        return "Member must not be null"
    if rule in ("min_length", "max_length"):
        relation = "greater" if rule == "min_length" else "less"
        return f"Member must have length {relation} than or equal to {limit}"
    if rule in ("min", "max"):
        return f"Member must be {'greater' if rule == 'min' else 'less'} than or equal to {limit}"
    if rule == "pattern":
        return f"Member must satisfy regular expression pattern: {limit}"
    if rule == "enum":
        return f"Member must satisfy enum value set: [{', '.join(limit)}]"
    return f"Member {violation.message}"


def validate_input(operation: str, params: Any) -> None:
    """Raise ValidationException (FIELD_VALIDATION_FAILED, every bad field) if ``params`` break the model."""
    if not isinstance(params, dict):
        params = {"": params}
    # The service ignores members it does not model, as botocore never sends them.
    violations = [v for v in check(operation, params) if v.rule != "unknown"]
    if not violations:
        return
    fields = [{"Name": v.api_name, "Message": _service_message(v)} for v in violations]
    detail = "; ".join(f"Value at '{f['Name']}' failed to satisfy constraint: {f['Message']}" for f in fields)
    count = len(fields)
    raise ValidationException(
        f"{count} validation error{'s' if count > 1 else ''} detected: {detail}",
        reason="FIELD_VALIDATION_FAILED",
        fields=fields,
    )
