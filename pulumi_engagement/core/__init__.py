"""The shared core: validation, tokens, client and operations for ssm-contacts engagements.

It imports botocore only and uses relative imports, so the same files
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
    is_transient,
    translate,
)
from .localstate import LocalState
from .operations import (
    ACKNOWLEDGED,
    DEFAULT_FIND_WINDOW,
    ENDED_UNACKNOWLEDGED,
    TIMED_OUT,
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
from .token import IDENTIFYING_FIELDS, dedup_token, derive_token, next_episode_token, resolve_token
from .validation import check, describe_rules, field_name, validate
from .version import PRODUCT, VERSION

__all__ = [
    "ACKNOWLEDGED",
    "DEFAULT_FIND_WINDOW",
    "ENDED_UNACKNOWLEDGED",
    "IDENTIFYING_FIELDS",
    "PRODUCT",
    "TIMED_OUT",
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
    "LocalState",
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
    "dedup_token",
    "derive_token",
    "describe_rules",
    "field_name",
    "is_transient",
    "iso",
    "make_client",
    "next_episode_token",
    "resolve_token",
    "to_utc",
    "translate",
    "validate",
]
