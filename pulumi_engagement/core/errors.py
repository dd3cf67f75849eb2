"""One error hierarchy for the core; each adapter translates it into its idiom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class EngagementError(Exception):
    """Base of every error the core raises."""

    #: Stable machine-readable kind, used by adapters (exit codes, Ansible results).
    kind = "error"

    def __init_subclass__(cls, *, kind: str | None = None, **rest: Any) -> None:
        # A subclass states its kind in its class line (``class X(EngagementError, kind="..."):``):
        # most errors differ only in kind (and a service error in its code), one line each.
        super().__init_subclass__(**rest)
        if kind is not None:
            cls.kind = kind

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class FieldViolation:
    """One broken rule of one field."""

    field: str  # snake_case name, as users of the adapters spell it
    api_name: str  # the API member name, e.g. "Subject"
    rule: str  # short rule id: required, min_length, max_length, pattern, enum, min, max, type
    message: str  # e.g. "longer than 2048 characters"
    limit: Any = None  # the rule's bound, pattern or allowed values, for callers that reword it

    def __str__(self) -> str:
        return f"{self.field} ({self.api_name}): {self.message}"


class ValidationError(EngagementError, kind="invalid_input"):
    """Input broke one or more rules of the service model; nothing was sent."""

    def __init__(self, operation: str, violations: list[FieldViolation]) -> None:
        self.operation = operation
        self.violations = list(violations)
        super().__init__("; ".join(str(v) for v in self.violations))


class ServiceError(EngagementError, kind="service_error"):
    """The service answered with an error (after botocore's retries)."""

    #: The service's error code this class stands for (a plain ServiceError keeps the one it got).
    code = "ServiceError"

    def __init_subclass__(cls, *, code: str | None = None, **rest: Any) -> None:
        super().__init_subclass__(**rest)
        if code is not None:
            cls.code = code

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        if code:
            self.code = code
        self.operation = operation
        self.request_id = request_id
        self.http_status = http_status
        self.details = details or {}
        prefix = f"{operation}: " if operation else ""
        super().__init__(f"{prefix}{self.code}: {message}")


# One class per error code of the service (those without a kind are "service_error").
class AccessDeniedError(ServiceError, code="AccessDeniedException", kind="access_denied"): ...


class DataEncryptionError(ServiceError, code="DataEncryptionException"): ...


class InternalServerError(ServiceError, code="InternalServerException"): ...


class ResourceNotFoundError(ServiceError, code="ResourceNotFoundException", kind="not_found"):
    @property
    def resource_id(self) -> str | None:
        return self.details.get("ResourceId")

    @property
    def resource_type(self) -> str | None:
        return self.details.get("ResourceType")


class ThrottlingError(ServiceError, code="ThrottlingException", kind="throttled"): ...


class ServiceValidationError(ServiceError, code="ValidationException", kind="invalid_input"):
    """The service itself rejected the input (local checks passed)."""

    @property
    def fields(self) -> list[dict[str, str]]:
        return list(self.details.get("Fields") or [])


class ConflictError(ServiceError, code="ConflictException"): ...


class ServiceQuotaExceededError(ServiceError, code="ServiceQuotaExceededException"): ...


class EndpointError(EngagementError, kind="connection"):
    """The endpoint could not be reached, or the connection dropped, after retries."""


class ConfigurationError(EngagementError, kind="invalid_input"):
    """A connection or retry option is invalid; nothing was sent."""


class CredentialsError(EngagementError, kind="credentials"):
    """No usable credentials were found; the message never includes secrets."""


class WaitTimeout(EngagementError, kind="timeout"):
    """Nobody acknowledged before the timeout. Carries what was seen last (wait status "timeout")."""

    status = "timeout"

    def __init__(
        self, message: str, *, engagement: Any = None, pages: Any = None, last_error: str | None = None
    ) -> None:
        super().__init__(message)
        self.engagement = engagement
        self.pages = pages or []
        #: The transient error of the last poll, when the deadline passed while the service was failing.
        self.last_error = last_error


#: Error codes with which AWS rejects the credentials or the signature rather than the request.
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "IncompleteSignatureException",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
        "RequestExpired",
        "AuthFailure",
    }
)


_BY_CODE: dict[str, type[ServiceError]] = {
    cls.code: cls
    for cls in (
        AccessDeniedError,
        DataEncryptionError,
        InternalServerError,
        ResourceNotFoundError,
        ThrottlingError,
        ServiceValidationError,
        ConflictError,
        ServiceQuotaExceededError,
    )
}
# Some SDKs and proxies shorten the codes.
_BY_CODE.update({code.removesuffix("Exception"): cls for code, cls in list(_BY_CODE.items())})


def service_error(
    code: str,
    message: str,
    *,
    operation: str | None = None,
    request_id: str | None = None,
    http_status: int | None = None,
    details: dict[str, Any] | None = None,
) -> ServiceError:
    """Build the right subclass for a service error code."""
    cls = _BY_CODE.get(code, ServiceError)
    return cls(
        message,
        code=code if cls is ServiceError else None,
        operation=operation,
        request_id=request_id,
        http_status=http_status,
        details=details,
    )


def translate(exc: BaseException, operation: str | None = None) -> EngagementError:
    """Map a botocore exception onto the core's hierarchy (anything else is returned wrapped)."""
    if isinstance(exc, EngagementError):
        return exc
    # Imported here so this module stays importable without botocore for docs tooling.
    from botocore.exceptions import (
        ClientError,
        HTTPClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )
    from botocore.exceptions import (
        ConnectionError as BotoConnectionError,
    )

    prefix = f"{operation}: " if operation else ""
    if isinstance(exc, ClientError):
        response = exc.response or {}
        err = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        details = {k: v for k, v in response.items() if k not in ("Error", "ResponseMetadata")}
        code = err.get("Code", "Unknown")
        if code in CREDENTIAL_CODES:
            # The message says why (expired, unknown key, bad signature); it never carries the secret.
            return CredentialsError(f"{prefix}{code}: {err.get('Message') or 'credentials rejected'}")
        return service_error(
            code,
            err.get("Message") or str(exc),
            operation=operation or getattr(exc, "operation_name", None),
            request_id=meta.get("RequestId"),
            http_status=meta.get("HTTPStatusCode"),
            details=details,
        )
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return CredentialsError(
            "no usable AWS credentials: set a profile, environment credentials or an instance role"
        )
    if isinstance(exc, NoRegionError):
        return EngagementError("no AWS region: pass a region or set AWS_REGION / AWS_DEFAULT_REGION")
    # Every transport failure (refused, dropped, timed out on connect or read, TLS, proxy) is an
    # endpoint error: botocore's ConnectionError covers the first ones, HTTPClientError the rest.
    if isinstance(exc, (BotoConnectionError, HTTPClientError)):
        return EndpointError(f"{prefix}{exc}")
    return EngagementError(f"{prefix}{type(exc).__name__}: {exc}")


def is_transient(exc: BaseException) -> bool:
    """Worth another try later: throttling, a 5xx, or the connection failing."""
    if isinstance(exc, (ThrottlingError, InternalServerError, EndpointError)):
        return True
    return isinstance(exc, ServiceError) and (exc.http_status or 0) >= 500
