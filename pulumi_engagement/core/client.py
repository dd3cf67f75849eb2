"""Client factory: one place that turns connection options into an ssm-contacts client."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ConfigurationError, translate
from .version import PRODUCT, VERSION

RETRY_MODES = ("standard", "adaptive", "legacy")
DEFAULT_MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class ClientConfig:
    """Connection options; secrets are excluded from repr so they never reach logs."""

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    #: None: aws_config's retries, then AWS_RETRY_MODE, then "standard".
    retry_mode: str | None = None
    #: Total attempts per call, the first included. None: aws_config's, then AWS_MAX_ATTEMPTS, then 8.
    max_attempts: int | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    #: True/False, or a CA bundle path (validate_certs / aws_ca_bundle).
    verify: bool | str | None = None
    #: Extra user-agent text, e.g. "ansible" or "pulumi"; the product and version are always added.
    user_agent: str | None = None
    #: Extra botocore Config options (amazon.aws's aws_config).
    botocore_config: dict[str, Any] | None = None

    def merged(self, **overrides: Any) -> ClientConfig:
        """A copy with the given non-None options replaced."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def user_agent_extra(adapter: str | None = None) -> str:
    suffix = f"{PRODUCT}/{VERSION}"
    return f"{suffix} md/{adapter}" if adapter else suffix


def resolve_retries(cfg: ClientConfig, environ: dict[str, str] | None = None) -> tuple[str, int]:
    """(retry mode, total attempts): explicit options, then aws_config's retries, then the
    environment as botocore reads it (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS), then the defaults."""
    env = os.environ if environ is None else environ
    configured = dict((cfg.botocore_config or {}).get("retries") or {})
    mode = cfg.retry_mode or configured.get("mode") or env.get("AWS_RETRY_MODE") or "standard"
    attempts: Any = cfg.max_attempts
    if attempts is None and configured.get("total_max_attempts") is not None:
        attempts = configured["total_max_attempts"]
    elif attempts is None and configured.get("max_attempts") is not None:
        attempts = int(configured["max_attempts"]) + 1  # botocore's max_attempts counts retries only
    elif attempts is None and env.get("AWS_MAX_ATTEMPTS"):
        try:
            attempts = int(env["AWS_MAX_ATTEMPTS"])
        except ValueError:
            raise ConfigurationError("AWS_MAX_ATTEMPTS: not an integer") from None
    attempts = DEFAULT_MAX_ATTEMPTS if attempts is None else attempts
    if mode not in RETRY_MODES:
        raise ConfigurationError(f"retry_mode: must be one of {', '.join(RETRY_MODES)}")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ConfigurationError("max_attempts: must be an integer of at least 1")
    return mode, attempts


_LOADERS: dict[str, Any] = {}


def shared_loader(data_path: str | None = None) -> Any:
    """botocore's data loader for a data path (AWS_DATA_PATH), one per process.

    Every botocore session otherwise builds its own loader and re-reads the model files:
    a directory scan of ~450 services per model type and the 1.2 MB endpoints.json. Sharing
    it lets validation and every client of the process (the Pulumi provider makes many) do
    that once. Loaders only cache parsed files, so one can serve several sessions.
    """
    key = data_path or ""
    loader = _LOADERS.get(key)
    if loader is None:
        from botocore.loaders import create_loader

        loader = _LOADERS[key] = create_loader(data_path)
    return loader


def make_client(config: ClientConfig | None = None, **options: Any) -> Any:
    """Build a botocore ssm-contacts client; nothing is sent until the first call.

    botocore directly, not boto3: boto3's session adds nothing a client of one service
    uses, and importing boto3 (s3transfer, multiprocessing) costs every start of the CLI
    and every Ansible task tens of milliseconds. ``AWS_ENDPOINT_URL_SSM_CONTACTS`` and
    ``AWS_ENDPOINT_URL`` are honoured by botocore itself when no endpoint_url is given.
    """
    from botocore.config import Config
    from botocore.session import Session

    cfg = (config or ClientConfig()).merged(**options)
    retry_mode, max_attempts = resolve_retries(cfg)
    if bool(cfg.access_key) != bool(cfg.secret_key):
        raise ConfigurationError("access_key and secret_key must be given together")
    if cfg.session_token and not cfg.access_key:
        raise ConfigurationError("session_token needs access_key and secret_key as well")
    botocore_options: dict[str, Any] = dict(cfg.botocore_config or {})
    botocore_options.update(
        retries={"mode": retry_mode, "total_max_attempts": max_attempts},
        connect_timeout=cfg.connect_timeout,
        read_timeout=cfg.read_timeout,
        user_agent_extra=" ".join(
            filter(None, [botocore_options.get("user_agent_extra"), user_agent_extra(cfg.user_agent)])
        ),
    )
    try:
        session = Session(profile=cfg.profile)
        session.register_component("data_loader", shared_loader(session.get_config_variable("data_path")))
        if cfg.access_key or cfg.secret_key or cfg.session_token:
            session.set_credentials(cfg.access_key, cfg.secret_key, cfg.session_token)
        # botocore reads AWS_DEFAULT_REGION only; as in the AWS CLI v2 and the other SDKs (and what
        # Lambda, CodeBuild and SSM Automation set), AWS_REGION wins over it and the profile's region.
        region = cfg.region or os.environ.get("AWS_REGION") or session.get_config_variable("region") or None
        return session.create_client(
            "ssm-contacts",
            region_name=region,
            endpoint_url=cfg.endpoint_url,
            verify=cfg.verify,
            config=Config(**botocore_options),
        )
    except Exception as exc:  # ProfileNotFound, NoRegionError, bad endpoint...
        raise translate(exc) from None
