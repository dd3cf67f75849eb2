"""Idempotency tokens: an explicit token wins, otherwise one is derived from the page.

The derived token is a pure function of what identifies a page, so a retried
call, a re-run playbook or a Pulumi create replayed after a crash reuses the
same token and the service returns the same engagement instead of paging again.

Encoding: the fields are serialised as canonical JSON (a fixed key order, ``null``
for an absent field, so "absent" and "empty" differ and no separator can be
forged by a value), prefixed by a version tag and an optional scope (the Pulumi
URN, for example). SHA-256 of that, in unpadded URL-safe base64, gives 43
characters from ``[A-Za-z0-9_-]``; with the ``pe1-`` prefix the token is 47
characters long, well within the model's ``max 2048`` and its pattern.

Episodes. An alert pages again once its engagement is over, so a derived token
names one *episode* of the alert, not the alert: episode 0 uses the token above
(existing tokens never change: tests pin them), and each later episode's token is derived
from the previous episode's engagement ARN (:func:`next_episode_token`). Every
host that sees episode n stopped derives the same token for episode n+1, so
racing hosts still converge on one page. With a ``dedup_key`` the base token is
derived from the contact, the key and the scope only, so pages whose text
differs (host names, error output) share episodes.
"""

from __future__ import annotations

import base64
import hashlib
import json

# The page's definition (StartRequest) gives the identifying members and their canonical order.
from .model import IDENTIFYING_FIELDS, TOKEN_MEMBER

TOKEN_PREFIX = "pe1-"
#: How many identifying members the first release serialised, each in its place (null when
#: absent). A member added to StartRequest since is serialised only when given, as [name, value],
#: so adding one changes no token of a page that does not use it.
FIRST_RELEASE_FIELDS = 7


def derive_token(params: dict[str, str | None], scope: str | None = None) -> str:
    """Deterministic token for StartEngagement params given with API member names."""
    fields: list[object] = [params.get(name) for name in IDENTIFYING_FIELDS[:FIRST_RELEASE_FIELDS]]
    fields += [
        [name, params[name]]
        for name in IDENTIFYING_FIELDS[FIRST_RELEASE_FIELDS:]
        if params.get(name) is not None
    ]
    canonical = json.dumps(
        {"v": 1, "scope": scope, "fields": fields},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    # surrogatepass: a lone surrogate (undecodable bytes from argv) must not crash the derivation.
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def dedup_token(contact_id: str, dedup_key: str, scope: str | None = None) -> str:
    """Base token of every page to ``contact_id`` that carries ``dedup_key``, whatever its text."""
    return _digest({"v": 1, "scope": scope, "dedup": [contact_id, dedup_key]})


def next_episode_token(base_token: str, previous_arn: str) -> str:
    """Token of the episode after the one whose engagement is ``previous_arn``."""
    return _digest({"v": 1, "episode_of": base_token, "after": previous_arn})


def _digest(value: object) -> str:
    canonical = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def resolve_token(params: dict[str, str | None], scope: str | None = None) -> str:
    """The explicit IdempotencyToken if given, else the derived one."""
    explicit = params.get(TOKEN_MEMBER)
    return explicit if explicit else derive_token(params, scope)
