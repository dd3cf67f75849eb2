"""Client factory: configuration reaches botocore, secrets stay out of sight, nothing runs at import."""

from __future__ import annotations

import subprocess
import sys

import pytest
from botocore.exceptions import ProfileNotFound  # noqa: F401  (documents what from_config maps)

from pulumi_engagement.core import ClientConfig, EngagementError, make_client
from pulumi_engagement.core.version import PRODUCT, VERSION


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
    monkeypatch.delenv("AWS_ENDPOINT_URL_SSM_CONTACTS", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_region_endpoint_and_retries_reach_botocore():
    client = make_client(
        ClientConfig(
            region="eu-west-1", endpoint_url="http://127.0.0.1:9", retry_mode="adaptive", max_attempts=3
        )
    )
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 3}
    assert client.meta.config.connect_timeout == 10.0


def test_service_specific_endpoint_variable_is_honoured(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM_CONTACTS", "http://127.0.0.1:4599")
    assert make_client(region="us-east-1").meta.endpoint_url == "http://127.0.0.1:4599"


def test_user_agent_names_product_and_adapter():
    client = make_client(region="us-east-1", user_agent="ansible")
    assert f"{PRODUCT}/{VERSION} md/ansible" in client.meta.config.user_agent_extra


def test_explicit_credentials_are_used_and_never_shown():
    cfg = ClientConfig(
        region="us-east-1", access_key="AKIAEXPLICIT", secret_key="s3cr3t-value", session_token="tok3n"
    )
    client = make_client(cfg)
    creds = client._request_signer._credentials
    assert (creds.access_key, creds.secret_key, creds.token) == ("AKIAEXPLICIT", "s3cr3t-value", "tok3n")
    assert "s3cr3t-value" not in repr(cfg) and "tok3n" not in repr(cfg) and "AKIAEXPLICIT" not in repr(cfg)


def test_half_given_credentials_are_refused():
    with pytest.raises(EngagementError, match="access_key and secret_key"):
        make_client(region="us-east-1", access_key="AKIAONLY")


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(EngagementError, match="nope-profile"):
        make_client(region="us-east-1", profile="nope-profile")


def test_bad_retry_mode_is_refused():
    with pytest.raises(EngagementError, match="retry_mode"):
        make_client(region="us-east-1", retry_mode="eager")


def test_import_creates_no_client_and_opens_no_socket():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise AssertionError('network at import time')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "import sys, pulumi_engagement.core, pulumi_engagement\n"
        "assert 'pulumi' not in sys.modules and 'ansible' not in sys.modules and 'moto' not in sys.modules\n"
        "assert not any(m.startswith('boto3') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_aws_region_is_honoured_like_the_other_sdks(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")  # wins, as in the AWS CLI v2
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    assert make_client().meta.region_name == "ap-southeast-2"


def test_retry_options_precedence():
    from pulumi_engagement.core.client import resolve_retries

    env = {"AWS_RETRY_MODE": "adaptive", "AWS_MAX_ATTEMPTS": "4"}
    assert resolve_retries(ClientConfig(), env) == ("adaptive", 4)
    assert resolve_retries(ClientConfig(), {}) == ("standard", 8)
    from_aws_config = ClientConfig(botocore_config={"retries": {"mode": "legacy", "max_attempts": 2}})
    assert resolve_retries(from_aws_config, env) == ("legacy", 3)  # botocore's max_attempts counts retries
    assert resolve_retries(ClientConfig(retry_mode="standard", max_attempts=6), env) == ("standard", 6)


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        (ClientConfig(retry_mode="eager"), {}, "retry_mode"),
        (ClientConfig(max_attempts=0), {}, "max_attempts"),
        (ClientConfig(), {"AWS_MAX_ATTEMPTS": "many"}, "AWS_MAX_ATTEMPTS"),
    ],
)
def test_bad_retry_options_are_invalid_input(config, env, message):
    from pulumi_engagement.core import ConfigurationError
    from pulumi_engagement.core.client import resolve_retries

    with pytest.raises(ConfigurationError, match=message) as info:
        resolve_retries(config, env)
    assert info.value.kind == "invalid_input"
