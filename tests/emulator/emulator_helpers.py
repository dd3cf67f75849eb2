"""Helpers shared by the emulator tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SEED = REPO / "examples" / "seed.yaml"
ACCOUNT = "123456789012"
REGION = "us-east-1"
PRIMARY = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/primary-oncall"


def contact_arn(alias: str) -> str:
    return f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/{alias}"


def build_world(client: Any, activation_code: Any) -> dict[str, str]:
    """alice and bob (PERSONAL, activated SMS + EMAIL), escalation `oncall`: alice 5 min, then bob.

    ``activation_code(channel_arn) -> str`` gets the code the way the caller can (backend or control).
    """
    arns: dict[str, str] = {}
    for alias, phone in (("alice", "+15555550101"), ("bob", "+15555550102")):
        contact = client.create_contact(
            Alias=alias, DisplayName=alias.title(), Type="PERSONAL", Plan={"Stages": []}
        )
        arns[alias] = contact["ContactArn"]
        sms = client.create_contact_channel(
            ContactId=arns[alias], Name=f"{alias}-sms", Type="SMS", DeliveryAddress={"SimpleAddress": phone}
        )["ContactChannelArn"]
        email = client.create_contact_channel(
            ContactId=arns[alias],
            Name=f"{alias}-email",
            Type="EMAIL",
            DeliveryAddress={"SimpleAddress": f"{alias}@example.com"},
        )["ContactChannelArn"]
        for channel in (sms, email):
            client.activate_contact_channel(ContactChannelId=channel, ActivationCode=activation_code(channel))
        arns[f"{alias}-sms"], arns[f"{alias}-email"] = sms, email
        client.update_contact(
            ContactId=arns[alias],
            Plan={
                "Stages": [
                    {"DurationInMinutes": 1, "Targets": [{"ChannelTargetInfo": {"ContactChannelId": sms}}]},
                    {"DurationInMinutes": 0, "Targets": [{"ChannelTargetInfo": {"ContactChannelId": email}}]},
                ]
            },
        )
    arns["oncall"] = client.create_contact(
        Alias="oncall",
        Type="ESCALATION",
        Plan={
            "Stages": [
                {
                    "DurationInMinutes": 5,
                    "Targets": [{"ContactTargetInfo": {"ContactId": arns["alice"], "IsEssential": True}}],
                },
                {
                    "DurationInMinutes": 10,
                    "Targets": [{"ContactTargetInfo": {"ContactId": arns["bob"], "IsEssential": True}}],
                },
            ]
        },
    )["ContactArn"]
    return arns


def engage(client: Any, contact: str, token: str | None = None, **extra: Any) -> str:
    params = {"ContactId": contact, "Sender": "tests", "Subject": "disk full", "Content": "db01 is at 99%"}
    if token:
        params["IdempotencyToken"] = token
    params.update(extra)
    return client.start_engagement(**params)["EngagementArn"]
