"""Check request parameters against botocore's model before anything is sent.

botocore itself checks only types, required members and minimum lengths; the
service also enforces maximum lengths, patterns, enums and integer ranges.
Every rule is read from the model at run time, never copied by hand, and all
broken rules are reported at once.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from botocore import xform_name
from botocore.model import ServiceModel, Shape

from .errors import FieldViolation, ValidationError
from .patterns import compile_pattern
from .timeutil import to_utc

SERVICE_NAME = "ssm-contacts"


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """The ssm-contacts model shipped with the installed botocore (no client, no network).

    Read through the loader the clients share (client.shared_loader), so the file is found and
    parsed once per process, and without a botocore session (its set-up is not needed here).
    """
    import os

    from .client import shared_loader

    data = shared_loader(os.environ.get("AWS_DATA_PATH")).load_service_model(SERVICE_NAME, "service-2")
    return ServiceModel(data, service_name=SERVICE_NAME)


def input_shape(operation: str) -> Shape:
    return service_model().operation_model(operation).input_shape


def field_name(api_name: str) -> str:
    """The snake_case spelling adapters use for an API member ("IncidentId" -> "incident_id")."""
    return xform_name(api_name)


def check(operation: str, params: dict[str, Any]) -> list[FieldViolation]:
    """Every broken rule of params (API member names) for operation; empty when valid."""
    shape = input_shape(operation)
    violations: list[FieldViolation] = []
    _check_structure(shape, params, "", "", violations)
    return violations


def validate(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Raise ValidationError naming every broken rule; return params without None values."""
    cleaned = {k: v for k, v in params.items() if v is not None}
    violations = check(operation, cleaned)
    if violations:
        raise ValidationError(operation, violations)
    return cleaned


def _violation(path: str, api_path: str, rule: str, message: str, limit: Any = None) -> FieldViolation:
    return FieldViolation(field=path, api_name=api_path, rule=rule, message=message, limit=limit)


def _check_structure(shape: Shape, value: Any, path: str, api_path: str, out: list[FieldViolation]) -> None:
    if not isinstance(value, dict):
        out.append(_violation(path, api_path, "type", "must be a mapping"))
        return
    for name in shape.required_members:
        if value.get(name) is None:
            out.append(
                _violation(_join(path, field_name(name)), _join(api_path, name), "required", "is required")
            )
    for name, member_value in value.items():
        member = shape.members.get(name)
        sub_path, sub_api = _join(path, field_name(str(name))), _join(api_path, str(name))
        if member is None:
            out.append(_violation(sub_path, sub_api, "unknown", f"is not a parameter of {shape.name}"))
        elif member_value is not None:
            _check_value(member, member_value, sub_path, sub_api, out)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _check_value(shape: Shape, value: Any, path: str, api_path: str, out: list[FieldViolation]) -> None:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            out.append(_violation(path, api_path, "type", f"must be a string, not {type(value).__name__}"))
            return
        _check_length(len(value), meta, "characters", path, api_path, out)
        if getattr(shape, "enum", None) and value not in shape.enum:
            allowed = ", ".join(shape.enum)
            out.append(_violation(path, api_path, "enum", f"must be one of {allowed}", list(shape.enum)))
        pattern = meta.get("pattern")
        # Length first: an over-long value is reported without scanning it.
        if (
            pattern
            and len(value) <= meta.get("max", len(value))
            and not compile_pattern(pattern).search(value)
        ):
            out.append(
                _violation(path, api_path, "pattern", f"does not match the pattern {pattern}", pattern)
            )
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(_violation(path, api_path, "type", f"must be an integer, not {type(value).__name__}"))
            return
        if "min" in meta and value < meta["min"]:
            out.append(_violation(path, api_path, "min", f"less than {meta['min']}", meta["min"]))
        if "max" in meta and value > meta["max"]:
            out.append(_violation(path, api_path, "max", f"greater than {meta['max']}", meta["max"]))
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(_violation(path, api_path, "type", "must be true or false"))
    elif kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (datetime, str, int, float)):
            out.append(_violation(path, api_path, "type", "must be a timestamp"))
            return
        try:
            to_utc(value)
        except (TypeError, ValueError, OverflowError, OSError):
            out.append(_violation(path, api_path, "type", "is not an ISO 8601 timestamp"))
    elif kind == "structure":
        _check_structure(shape, value, path, api_path, out)
    elif kind == "list":
        if not isinstance(value, (list, tuple)):
            out.append(_violation(path, api_path, "type", "must be a list"))
            return
        _check_length(len(value), meta, "items", path, api_path, out)
        for index, item in enumerate(value):
            _check_value(shape.member, item, f"{path}[{index}]", f"{api_path}[{index}]", out)
    elif kind == "map":
        if not isinstance(value, dict):
            out.append(_violation(path, api_path, "type", "must be a mapping"))
            return
        _check_length(len(value), meta, "entries", path, api_path, out)
        for key, item in value.items():
            _check_value(shape.key, key, f"{path}.{key}", f"{api_path}.{key}", out)
            _check_value(shape.value, item, f"{path}.{key}", f"{api_path}.{key}", out)


def _check_length(
    size: int, meta: dict[str, Any], unit: str, path: str, api_path: str, out: list[FieldViolation]
) -> None:
    if "min" in meta and size < meta["min"]:
        message = "must not be empty" if meta["min"] == 1 else f"shorter than {meta['min']} {unit}"
        out.append(_violation(path, api_path, "min_length", message, meta["min"]))
    if "max" in meta and size > meta["max"]:
        out.append(_violation(path, api_path, "max_length", f"longer than {meta['max']} {unit}", meta["max"]))
