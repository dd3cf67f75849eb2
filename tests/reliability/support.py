"""Shared by the reliability guards: the emulator endpoint, its core client and a clean child environment."""

from __future__ import annotations

import os
from pathlib import Path

from pulumi_engagement.core import ClientConfig, EngagementClient
from pulumi_engagement.emulator.control import EmulatorControl

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed.yaml"
REGION = "us-east-1"
PRIMARY = f"arn:aws:ssm-contacts:{REGION}:123456789012:contact/primary-oncall"
#: Fake credentials, searched for in outputs to prove they never leak.
SECRET = "fake-secret-reliability-3c9e"


class Emulator:
    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.control = EmulatorControl(endpoint_url)

    def client(self, **options: object) -> EngagementClient:
        """The core's client on this emulator (options: ClientConfig fields)."""
        return EngagementClient.from_config(
            ClientConfig(region=REGION, endpoint_url=self.endpoint_url, **options)
        )

    def env(self) -> dict[str, str]:
        """A child's environment: fake credentials, this endpoint, nothing from the host's AWS set-up."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID="AKIAFAKERELIABILITY",
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_REGION=REGION,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
            AWS_ENDPOINT_URL_SSM_CONTACTS=self.endpoint_url,
        )
        return env
