"""The shared core: validation, tokens, client and operations for ssm-contacts engagements.

It imports boto3/botocore only and uses relative imports, so the same files
ship inside the Ansible collection (a generated copy under plugins/module_utils).
"""

from .client import ClientConfig, make_client
from .errors import (
    AccessDeniedError,
    ConfigurationError,
    ConflictError,
    CredentialsError,
    DataEncryptionError,
    EndpointError,
    EngagementError,
    FieldViolation,
    InternalServerError,
    ResourceNotFoundError,
    ServiceError,
    ServiceQuotaExceededError,
    ServiceValidationError,
    ThrottlingError,
    ValidationError,
    WaitTimeout,
    translate,
)
from .operations import (
    DEFAULT_FIND_WINDOW,
    Engagement,
    EngagementClient,
    EngagementSummary,
    Page,
    Receipt,
    StartOutcome,
    StartRequest,
    WaitResult,
)
from .timeutil import iso, to_utc
from .token import IDENTIFYING_FIELDS, derive_token, resolve_token
from .validation import check, describe_rules, field_name, validate
from .version import PRODUCT, VERSION

__all__ = [
    "DEFAULT_FIND_WINDOW",
    "IDENTIFYING_FIELDS",
    "PRODUCT",
    "VERSION",
    "AccessDeniedError",
    "ClientConfig",
    "ConfigurationError",
    "ConflictError",
    "CredentialsError",
    "DataEncryptionError",
    "EndpointError",
    "Engagement",
    "EngagementClient",
    "EngagementError",
    "EngagementSummary",
    "FieldViolation",
    "InternalServerError",
    "Page",
    "Receipt",
    "ResourceNotFoundError",
    "ServiceError",
    "ServiceQuotaExceededError",
    "ServiceValidationError",
    "StartOutcome",
    "StartRequest",
    "ThrottlingError",
    "ValidationError",
    "WaitResult",
    "WaitTimeout",
    "check",
    "derive_token",
    "describe_rules",
    "field_name",
    "iso",
    "make_client",
    "resolve_token",
    "to_utc",
    "translate",
    "validate",
]
