# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options: amazon.aws's aliases and environment fallbacks, and the endpoint precedence."""

from __future__ import annotations

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.incident_manager.contacts.plugins.module_utils import common

AWS_VARIABLES = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "EC2_REGION",
    "AWS_URL",
    "EC2_URL",
    "AWS_ENDPOINT_URL_SSM_CONTACTS",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CA_BUNDLE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def params(args: dict) -> dict:
    with patch_module_args(args):
        return AnsibleModule(argument_spec=common.connection_argument_spec()).params


def test_aliases_like_amazon_aws() -> None:
    got = params(
        dict(
            aws_region="eu-west-1",
            aws_endpoint_url="http://127.0.0.1:1",
            aws_access_key_id="AK",
            aws_secret_access_key="SK",
        )
    )
    assert got["region"] == "eu-west-1"
    assert got["endpoint_url"] == "http://127.0.0.1:1"
    assert got["access_key"] == "AK" and got["secret_key"] == "SK"


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "token")
    got = params({})
    assert got["region"] == "ap-south-1" and got["session_token"] == "token"
    monkeypatch.setenv("AWS_REGION", "us-west-2")  # AWS_REGION wins over AWS_DEFAULT_REGION
    assert params({})["region"] == "us-west-2"


def test_endpoint_precedence() -> None:
    assert (
        common.endpoint_url({"endpoint_url": "http://explicit"}, {"AWS_URL": "http://env"})
        == "http://explicit"
    )
    assert common.endpoint_url({}, {"AWS_URL": "http://aws-url", "EC2_URL": "http://ec2"}) == "http://aws-url"
    # boto3 reads the service-specific variable itself; it beats amazon.aws's generic ones.
    assert (
        common.endpoint_url({}, {"AWS_ENDPOINT_URL_SSM_CONTACTS": "http://svc", "AWS_URL": "http://x"})
        is None
    )
    assert common.endpoint_url({}, {}) is None


def test_client_config_maps_tls_options_and_hides_secrets() -> None:
    config = common.client_config(
        dict(region="us-east-1", secret_key="very-secret", validate_certs=True, aws_ca_bundle="/ca.pem"),
        environ={},
    )
    assert config.verify == "/ca.pem"
    assert config.user_agent == "ansible"
    assert "very-secret" not in repr(config)
    assert common.client_config(dict(validate_certs=False), environ={}).verify is False
