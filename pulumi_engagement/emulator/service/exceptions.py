"""ssm-contacts errors, with the members botocore's model declares for each."""

from __future__ import annotations

import json
from typing import Any

from ..moto_compat import JsonRESTError


class SSMContactsError(JsonRESTError):
    """An error whose body carries ``__type``, ``Message`` and the shape's extra members."""

    code = 400

    def __init__(self, error_type: str, message: str, **members: Any) -> None:
        super().__init__(error_type, message)
        body: dict[str, Any] = {"__type": error_type, "Message": message}
        body.update({k: v for k, v in members.items() if v is not None})
        self.members = body
        self.description = json.dumps(body)


class ValidationException(SSMContactsError):
    def __init__(
        self,
        message: str,
        reason: str = "FIELD_VALIDATION_FAILED",
        fields: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__("ValidationException", message, Reason=reason, Fields=fields)


def field_error(name: str, message: str, reason: str = "FIELD_VALIDATION_FAILED") -> ValidationException:
    """One invalid field, reported the way the service reports it."""
    return ValidationException(
        f"1 validation error detected: {name}: {message}",
        reason=reason,
        fields=[{"Name": name, "Message": message}],
    )


class ResourceNotFoundException(SSMContactsError):
    def __init__(self, resource_type: str, resource_id: str, message: str | None = None) -> None:
        super().__init__(
            "ResourceNotFoundException",
            message or f"{resource_type} not found: {resource_id}",
            ResourceId=resource_id,
            ResourceType=resource_type,
        )


class ConflictException(SSMContactsError):
    def __init__(
        self,
        resource_type: str,
        resource_id: str,
        message: str,
        dependent_entities: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(
            "ConflictException",
            message,
            ResourceId=resource_id,
            ResourceType=resource_type,
            DependentEntities=dependent_entities,
        )


class ThrottlingException(SSMContactsError):
    def __init__(self, operation: str) -> None:
        super().__init__(
            "ThrottlingException",
            f"Rate exceeded for {operation} (emulator fault injection)",
            QuotaCode="emulator-rate-limit",
            ServiceCode="ssm-contacts",
            RetryAfterSeconds=1,
        )


class InternalServerException(SSMContactsError):
    code = 500

    def __init__(self, message: str = "Internal server error (emulator fault injection)") -> None:
        super().__init__("InternalServerException", message, RetryAfterSeconds=1)


class ProtocolError(SSMContactsError):
    """A request the json 1.1 protocol layer rejects before any operation runs.

    These are the framework's errors, not ssm-contacts' modelled ones, and, as AWS's json 1.1
    services send them, their body is ``{"__type", "message"}`` (lower-case ``message``).
    """

    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(error_type, message)
        self.code = status
        self.members = {"__type": error_type, "message": message}
        self.description = json.dumps(self.members)


class SerializationException(ProtocolError):
    """The body is JSON of the wrong shape (not an object, nested too deep)."""

    def __init__(self, message: str) -> None:
        super().__init__("SerializationException", message)


class UnknownOperationException(ProtocolError):
    """``X-Amz-Target`` is missing, has another service's prefix, or names no ssm-contacts operation."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__("UnknownOperationException", message, status)


class DropResponse(Exception):
    """The request was committed; the transport must now close without answering."""
