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
from .metrics import (
    ChannelMarks,
    EngagementMetrics,
    PageMetrics,
    ResponseData,
    StageMetrics,
    TimelineEvent,
    compute_metrics,
    fetch_response_data,
    response_metrics,
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
    "ChannelMarks",
    "ClientConfig",
    "ConfigurationError",
    "ConflictError",
    "CredentialsError",
    "DataEncryptionError",
    "EndpointError",
    "Engagement",
    "EngagementClient",
    "EngagementError",
    "EngagementMetrics",
    "EngagementSummary",
    "FieldViolation",
    "InternalServerError",
    "Page",
    "PageMetrics",
    "Receipt",
    "ResourceNotFoundError",
    "ResponseData",
    "ServiceError",
    "ServiceQuotaExceededError",
    "ServiceValidationError",
    "StageMetrics",
    "StartOutcome",
    "StartRequest",
    "ThrottlingError",
    "TimelineEvent",
    "ValidationError",
    "WaitResult",
    "WaitTimeout",
    "check",
    "compute_metrics",
    "derive_token",
    "describe_rules",
    "fetch_response_data",
    "field_name",
    "iso",
    "make_client",
    "resolve_token",
    "response_metrics",
    "to_utc",
    "translate",
    "validate",
]
