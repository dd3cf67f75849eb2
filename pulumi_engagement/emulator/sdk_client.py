"""A boto3 ssm-contacts client for the emulator: fake credentials, any region, any account.

The fixtures, the emulator's own tests and anyone driving an :class:`~.process.EmulatorProcess`
need the same client, so it is built in one place. boto3 is imported only when a client is made.
"""

from __future__ import annotations

from typing import Any

from . import DEFAULT_REGION

__all__ = ["emulator_client"]

#: moto's way of choosing the account of a request (without it: moto's default account).
ACCOUNT_HEADER = "x-moto-account-id"


def emulator_client(
    endpoint_url: str | None = None,
    region: str = DEFAULT_REGION,
    account_id: str | None = None,
    **config: Any,
) -> Any:
    """An ssm-contacts client signing with fake credentials; ``endpoint_url`` None is in-process
    (``moto.mock_aws``). ``account_id`` sends every request as that account; ``config`` is
    botocore's ``Config``, e.g. ``retries={"mode": "standard", "max_attempts": 5}``."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "ssm-contacts",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(**config) if config else None,
    )
    if account_id is not None:
        client.meta.events.register(
            "before-sign.ssm-contacts.*",
            lambda request, **_: request.headers.__setitem__(ACCOUNT_HEADER, account_id),
        )
    return client
