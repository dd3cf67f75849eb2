"""The Pulumi SDK internals the provider and resource rely on (pulumi_adapter/sdk_internals.py).

Each test names what changed upstream when it fails, so an SDK upgrade breaks here, loudly, rather
than as a provider that misreads values or derived tokens that silently change.
"""

from __future__ import annotations

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc

from pulumi_engagement import Engagement
from pulumi_engagement.core import StartRequest
from pulumi_engagement.pulumi_adapter.sdk_internals import (
    ENGAGEMENT_TYPE,
    SECRET_SIG,
    SECRET_SIG_KEY,
    UNKNOWN,
    is_unknown,
    unwrap_secret,
)


def test_the_secret_envelope_is_the_sdks() -> None:
    assert rpc._special_sig_key == SECRET_SIG_KEY, "pulumi.runtime.rpc changed its signature key"
    assert rpc._special_secret_sig == SECRET_SIG, "pulumi.runtime.rpc changed its secret signature"
    assert unwrap_secret({SECRET_SIG_KEY: SECRET_SIG, "value": "x"}) == "x"
    assert unwrap_secret({"value": "x"}) == {"value": "x"}


def test_unknowns_are_recognised_in_both_shapes() -> None:
    assert UNKNOWN == rpc.UNKNOWN
    assert is_unknown(rpc.UNKNOWN) and is_unknown(Unknown())
    assert not is_unknown("a value") and not is_unknown(None)


def test_the_written_out_type_is_what_the_sdk_builds() -> None:
    built = f"pulumi-python:{Engagement._resource_type_name}"
    assert built == ENGAGEMENT_TYPE, (
        f"the SDK now types Engagement as {built!r}: URNs (and so derived tokens' scope) would differ "
        "from the state's; decide whether to follow it"
    )


def test_a_derived_token_scoped_by_a_known_urn_is_pinned() -> None:
    # Tokens already issued must never change: a stack upgraded to a new release must find the
    # engagement its earlier `up` started. This is the token of a known page under a known URN.
    urn = f"urn:pulumi:dev::drills::{ENGAGEMENT_TYPE}::drill"
    request = StartRequest(
        contact_id="arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall",
        sender="gameday",
        subject="Game day: api latency",
        content="This is a drill",
        incident_id="gameday-2026-11",
    )
    # Computed with the 0.1.0 release's token.py: the token of the first episode is unchanged.
    assert request.token(urn) == "pe1-CTcp6olEIr5MAnAd37NObswg4e_pcLArT0r5sZ3CIAM"


def test_engagement_urn_uses_the_public_create_urn() -> None:
    assert callable(pulumi.create_urn)
