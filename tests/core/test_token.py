"""Derived idempotency tokens: stable across processes, sensitive to every identifying field."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_engagement.core import (
    IDENTIFYING_FIELDS,
    StartRequest,
    check,
    dedup_token,
    derive_token,
    next_episode_token,
)
from pulumi_engagement.core.validation import input_shape

BASE = {
    "ContactId": "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall",
    "Sender": "deploy-bot",
    "Subject": "Deploy of api failed",
    "Content": "Rollback started",
    "PublicSubject": "Deploy failed",
    "PublicContent": "See the runbook",
    "IncidentId": "INC-42",
}
TOKEN_RULES = input_shape("StartEngagement").members["IdempotencyToken"].metadata


def token_in_subprocess(params: dict, seed: str) -> str:
    code = (
        "import json, sys\n"
        "from pulumi_engagement.core import derive_token\n"
        "print(derive_token(json.load(sys.stdin)))"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(params),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return out.stdout.strip()


def test_token_is_stable_across_processes_and_hash_seeds():
    tokens = {token_in_subprocess(BASE, seed) for seed in ("0", "1", "12345")}
    assert tokens == {derive_token(BASE)}


def test_key_order_does_not_matter():
    assert derive_token(dict(reversed(list(BASE.items())))) == derive_token(BASE)


@pytest.mark.parametrize("field", IDENTIFYING_FIELDS)
def test_every_identifying_field_changes_the_token(field):
    changed = {**BASE, field: BASE[field] + "x"}
    assert derive_token(changed) != derive_token(BASE)


@pytest.mark.parametrize("field", ["PublicSubject", "PublicContent", "IncidentId"])
def test_absent_and_empty_optional_fields_differ(field):
    absent = {k: v for k, v in BASE.items() if k != field}
    assert derive_token(absent) != derive_token({**BASE, field: ""})


def test_field_boundaries_cannot_be_forged():
    a = {**BASE, "Subject": "ab", "Content": "c"}
    b = {**BASE, "Subject": "a", "Content": "bc"}
    assert derive_token(a) != derive_token(b)


def test_scope_separates_tokens():
    assert derive_token(BASE, scope="urn:a") != derive_token(BASE, scope="urn:b") != derive_token(BASE)


def test_explicit_token_wins():
    request = StartRequest(
        contact_id=BASE["ContactId"], sender="s", subject="s", content="c", idempotency_token="mine-1"
    )
    assert request.token() == "mine-1"
    assert request.token(token_scope="urn:x") == "mine-1"


@given(
    st.fixed_dictionaries(
        {name: st.text(max_size=200) for name in IDENTIFYING_FIELDS},
    ),
    st.one_of(st.none(), st.text(max_size=50)),
)
def test_derived_token_always_satisfies_the_model(fields, scope):
    token = derive_token(fields, scope)
    assert len(token) <= TOKEN_RULES["max"]
    assert check("StartEngagement", {**BASE, "IdempotencyToken": token}) == []


@pytest.mark.parametrize(
    ("derive", "token"),
    [
        (lambda: derive_token(BASE), "pe1-nLskthH4__UPrTrPy32RQrnVAJIGpqILfG75To_ws0U"),
        (
            lambda: derive_token(BASE, "urn:pulumi:dev::p::x"),
            "pe1-Ff048RyBtUcglAG1nxOKQ8vuBQ91aW0c5B1TUDRZyWA",
        ),
        (
            lambda: derive_token({k: BASE[k] for k in ("ContactId", "Sender", "Subject", "Content")}),
            "pe1-C_qpN7nOcCOW3-auUkEaiJwkbS3E3cqaeKEsY136fPg",
        ),
        (
            lambda: StartRequest(
                contact_id=BASE["ContactId"],
                sender="deploy-bot",
                subject="Deploy of api failed",
                content="Rollback started",
            ).token(),
            "pe1-C_qpN7nOcCOW3-auUkEaiJwkbS3E3cqaeKEsY136fPg",
        ),
        (
            lambda: dedup_token(BASE["ContactId"], "disk-full"),
            "pe1-g1ljbu2AJfA68_0VrI-ZcZWBOk9kILSX7I0vrrWCPJg",
        ),
        (
            lambda: next_episode_token(
                derive_token(BASE),
                "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/primary-oncall/abc",
            ),
            "pe1-hF9aT0rxAO_MNw9N2HtSmJqk6ppwB2jjBsZvE1IO_Vk",
        ),
    ],
)
def test_known_tokens_never_change(derive, token):
    # Tokens of pages already sent: a changed derivation would page every open alert again.
    assert derive() == token


def test_a_member_added_later_changes_only_the_tokens_of_pages_that_use_it(monkeypatch):
    from pulumi_engagement.core import token

    monkeypatch.setattr(token, "IDENTIFYING_FIELDS", (*IDENTIFYING_FIELDS, "NewMember"))
    assert derive_token(BASE) == "pe1-nLskthH4__UPrTrPy32RQrnVAJIGpqILfG75To_ws0U"
    assert derive_token({**BASE, "NewMember": "x"}) != derive_token(BASE)
    assert derive_token({**BASE, "NewMember": "x"}) != derive_token({**BASE, "NewMember": "y"})
