"""The pager inbox: a web page on the emulator where people play the on-call during a drill.

``GET /_emulator/inbox`` is one self-contained HTML page, ``inbox.html`` beside this module
(inline CSS and JS, no other asset, no network beyond its own JSON API). It lists every contact
of every account and region the emulator holds, with their pages, and an Acknowledge button per
page; it polls its JSON API and updates the rows in place.

- ``GET /_emulator/inbox/pages``: the inbox as JSON (:func:`inbox_document`).
- ``POST /_emulator/inbox/ack`` with ``{"page_arn": ARN}`` (``Content-Type: application/json``):
  AcceptPage READ through the backend, exactly as the wire API does it (same validation, READ
  receipt on the channel of the page's first message, essential acknowledgements end the
  engagement). Answers the page's new state.

Every string from the service (subjects, senders, aliases) is attacker-controlled text: the page
puts it into the DOM with ``textContent`` only, and its Content-Security-Policy allows no script or
style but its own (by hash), no connection but to its origin, and no framing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from importlib import resources
from typing import Any

from ..service.models import STATE_LOCK, Page, SSMContactsBackend, all_backends
from ..service.records import ARN_PATTERN
from ..service.validation import validate_input

__all__ = ["INBOX_NOTE", "acknowledge", "inbox_document", "respond"]

INBOX_NOTE = "Acknowledged in the emulator's pager inbox"
# Bounds the JSON document of a long-lived emulator; the newest pages are the ones people act on.
MAX_PAGES_PER_CONTACT = 200
# Pages with these states can still be acknowledged from the inbox (late acknowledgements count).
ACKNOWLEDGEABLE = ("paging", "ended")

StartResponse = Callable[..., Any]


class InboxError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def page_state(page: Page) -> str:
    """paging | acknowledged | stopped | ended | not-sent (see docs/emulator.md, "Pager inbox")."""
    if page.read_time is not None:
        return "acknowledged"
    if any(r["ReceiptType"] == "STOP" for r in page.receipts):
        return "stopped"
    if page.engagement.stop_time is not None:
        return "ended"
    if page.sent_time is None:
        return "not-sent"
    return "paging"


def _page_entry(backend: SSMContactsBackend, page: Page) -> dict[str, Any]:
    engagement = page.engagement
    channels: list[dict[str, str]] = []
    seen: set[str] = set()
    for receipt in page.receipts:
        arn = receipt.get("ContactChannelArn")
        if receipt["ReceiptType"] == "SENT" and arn and arn not in seen:
            seen.add(arn)
            channel = backend.channels.get(arn)
            channels.append(
                {
                    "arn": arn,
                    "name": channel.name if channel else arn,
                    "type": channel.type if channel else "",
                }
            )
    read = next((r for r in page.receipts if r["ReceiptType"] == "READ"), None)
    engaged = backend.contacts.get(engagement.contact_arn)
    return {
        **_on_shift(backend, page),
        "page_arn": page.arn,
        "engagement_arn": engagement.arn,
        "engaged_contact": engaged.alias if engaged else engagement.contact_arn,
        "sender": engagement.params["Sender"],
        "subject": engagement.params["Subject"],
        "incident_id": engagement.params.get("IncidentId"),
        "essential": page.essential,
        "channels": channels,
        "created": _iso(page.created),
        "sent_time": _iso(page.sent_time),
        "delivery_time": _iso(page.delivery_time),
        "read_time": _iso(page.read_time),
        "acknowledged_note": read.get("ReceiptInfo") if read else None,
        "engagement_stop_time": _iso(engagement.stop_time),
        "state": page_state(page),
    }


def _on_shift(backend: SSMContactsBackend, page: Page) -> dict[str, Any]:
    """A page to a member on shift: which schedule and rotation had them on shift when paged."""
    if page.schedule_arn is None:
        return {"on_shift": None}
    schedule = backend.contacts.get(page.schedule_arn)
    rotation = backend.rotations.get(page.rotation_arn or "")
    return {
        "on_shift": {
            "schedule": schedule.alias if schedule else page.schedule_arn,
            "rotation": rotation.name if rotation else page.rotation_arn,
        }
    }


def _backend_entry(backend: SSMContactsBackend) -> dict[str, Any]:
    by_contact: dict[str, list[Page]] = {}
    for page in backend.pages.values():
        by_contact.setdefault(page.contact_arn, []).append(page)
    contacts = []
    for contact in sorted(backend.contacts.values(), key=lambda c: c.alias):
        if contact.type != "PERSONAL":
            continue  # escalation plans are never paged themselves; their pages go to people
        pages = sorted(by_contact.get(contact.arn, []), key=lambda p: p.created, reverse=True)
        responder = backend.responders.get(contact.arn)
        contacts.append(
            {
                "contact_arn": contact.arn,
                "alias": contact.alias,
                "display_name": contact.display_name,
                "responder": responder.describe() if responder is not None else None,
                "pages": [_page_entry(backend, p) for p in pages[:MAX_PAGES_PER_CONTACT]],
                "page_count": len(pages),
            }
        )
    return {"account_id": backend.account_id, "region": backend.region_name, "contacts": contacts}


def inbox_document() -> dict[str, Any]:
    """``{"now", "accounts": [{"account_id", "region", "contacts": [{"alias", "pages": [...]}]}]}``."""
    from .clock import clock

    with STATE_LOCK:
        backends = sorted(all_backends(), key=lambda b: (b.account_id, b.region_name))
        accounts = []
        for backend in backends:
            backend.process_due()
            if backend.contacts:
                accounts.append(_backend_entry(backend))
        return {"now": _iso(clock.now()), "accounts": accounts}


def _locate(page_arn: str) -> tuple[SSMContactsBackend, Page]:
    match = ARN_PATTERN.match(page_arn)
    if match is None or match["kind"] != "page":
        raise InboxError(400, "page_arn: not a page ARN")
    for backend in all_backends():
        if backend.account_id == match["account"] and backend.region_name == match["region"]:
            page = backend.pages.get(page_arn)
            if page is not None:
                return backend, page
    raise InboxError(404, f"page_arn: no page {page_arn}")


def acknowledge(page_arn: str) -> dict[str, Any]:
    """AcceptPage READ for one page, through the backend as the wire API does; returns its entry."""
    with STATE_LOCK:
        backend, page = _locate(page_arn)
        backend.process_due()
        state = page_state(page)
        if state not in (*ACKNOWLEDGEABLE, "acknowledged"):
            raise InboxError(409, f"the page is {state}: nothing to acknowledge")
        first_channel = next(
            (r["ContactChannelArn"] for r in page.receipts if r["ReceiptType"] == "SENT"), None
        )
        request: dict[str, Any] = {
            "PageId": page.arn,
            "AcceptType": "READ",
            "AcceptCode": page.accept_code,
            "Note": INBOX_NOTE,
            "AcceptCodeValidation": "ENFORCE",
        }
        if first_channel:
            request["ContactChannelId"] = first_channel
        validate_input("AcceptPage", request)
        # Acknowledging an acknowledged page changes nothing, in the backend as on the wire.
        backend.accept_page(
            page.arn,
            "READ",
            page.accept_code,
            contact_channel_id=first_channel,
            note=INBOX_NOTE,
            accept_code_validation="ENFORCE",
        )
        return _page_entry(backend, page)


# -- HTTP ------------------------------------------------------------------------------------------


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@functools.cache
def page_html() -> tuple[bytes, str]:
    """inbox.html and its Content-Security-Policy: its one inline script and style, by hash."""
    html = (resources.files(__package__) / "inbox.html").read_text(encoding="utf-8")
    [script] = re.findall(r"<script>(.*?)</script>", html, re.S)
    [style] = re.findall(r"<style>(.*?)</style>", html, re.S)
    policy = (
        f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; connect-src 'self'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return html.encode(), policy


_COMMON_HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
}


def _json(status: int, payload: Any, extra: list[tuple[str, str]] | None = None) -> tuple[int, list, bytes]:
    data = json.dumps(payload).encode()
    headers = [("Content-Type", "application/json"), *_COMMON_HEADERS, *(extra or [])]
    return status, headers, data


def _route(method: str, route: str, body: bytes, content_type: str) -> tuple[int, list, bytes]:
    def need(expected: str) -> None:
        if method != expected:
            raise InboxError(405, f"use {expected} for /_emulator/{route}")

    if route == "inbox":
        need("GET")
        html, policy = page_html()
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Security-Policy", policy),
            ("X-Frame-Options", "DENY"),
            *_COMMON_HEADERS,
        ]
        return 200, headers, html
    if route == "inbox/pages":
        need("GET")
        return _json(200, inbox_document())
    if route == "inbox/ack":
        need("POST")
        # JSON only: a cross-site form or "simple request" cannot send this content type.
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise InboxError(415, "send the body as application/json")
        try:
            data = json.loads(body or b"null")
        except ValueError:
            raise InboxError(400, "the body is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("page_arn"), str):
            raise InboxError(
                400, 'page_arn: required, e.g. {"page_arn": "arn:aws:ssm-contacts:...:page/..."}'
            )
        return _json(200, {"page": acknowledge(data["page_arn"])})
    raise InboxError(404, f"unknown inbox route /_emulator/{route}")


def respond(
    method: str, route: str, body: bytes, content_type: str, start_response: StartResponse
) -> Iterable[bytes]:
    """WSGI answer for ``/_emulator/inbox`` and ``/_emulator/inbox/*`` (``route`` without the prefix)."""
    from ..service.exceptions import SSMContactsError

    try:
        status, headers, data = _route(method.upper(), route, body, content_type)
    except InboxError as error:
        allow = [("Allow", "POST" if route == "inbox/ack" else "GET")] if error.status == 405 else None
        status, headers, data = _json(error.status, {"error": str(error)}, allow)
    except SSMContactsError as error:  # what the wire API would answer, e.g. a ValidationException
        status, headers, data = _json(error.code, {"error": error.members.get("Message", str(error))})
    start_response(f"{status} {_REASONS.get(status, '')}", [*headers, ("Content-Length", str(len(data)))])
    return [data]
