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


def escalation_plan(*stages: tuple[int, str, bool]) -> dict[str, Any]:
    """An ESCALATION contact's Plan paging one contact a stage: ``(minutes, contact ARN, essential)``."""
    return {
        "Stages": [
            {
                "DurationInMinutes": minutes,
                "Targets": [{"ContactTargetInfo": {"ContactId": contact, "IsEssential": essential}}],
            }
            for minutes, contact, essential in stages
        ]
    }


def one_contact_seed(alias: str, channel: dict[str, str], **place: str) -> dict[str, Any]:
    """A seed of one contact with one channel that a one-minute plan pages; ``place``: its
    ``account_id`` and/or ``region`` (the seed's defaults otherwise)."""
    plan = [{"duration_minutes": 1, "targets": [channel["name"]]}]
    return {**place, "contacts": [{"alias": alias, "channels": [channel], "plan": plan}]}


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
        Plan=escalation_plan((5, arns["alice"], True), (10, arns["bob"], True)),
    )["ContactArn"]
    return arns


def engage(client: Any, contact: str, token: str | None = None, **extra: Any) -> str:
    params = {"ContactId": contact, "Sender": "tests", "Subject": "disk full", "Content": "db01 is at 99%"}
    if token:
        params["IdempotencyToken"] = token
    params.update(extra)
    return client.start_engagement(**params)["EngagementArn"]


# SigV4-shaped (moto does not verify signatures): what routes a request to ssm-contacts.
SIGNED_AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/ssm-contacts/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0"
)


class RawResponse:
    """One HTTP exchange with the emulator, below any SDK."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def raw_request(
    endpoint_url: str,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    host: str | None = None,
) -> RawResponse:
    """Send exactly these bytes and headers; ``host`` replaces the Host header ("" sends none)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host:
            connection.putheader("Host", host)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body or method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return RawResponse(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def post_control(endpoint_url: str, route: str, body: bytes) -> RawResponse:
    """POST these JSON bytes to the control route ``/_emulator/<route>`` as they are: below the
    control client, which would refuse a bad value before sending it."""
    return raw_request(
        endpoint_url, "POST", f"/_emulator/{route}", body, {"Content-Type": "application/json"}
    )


def api_request(
    endpoint_url: str, target: str | None, body: bytes, signed: bool = True, **headers: str
) -> RawResponse:
    """A json 1.1 call as an SDK would frame it (minus a real signature)."""
    sent = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        sent["X-Amz-Target"] = target
    if signed:
        sent["Authorization"] = SIGNED_AUTH
    sent.update({name.replace("_", "-"): value for name, value in headers.items()})
    return raw_request(endpoint_url, "POST", "/", body, sent)
