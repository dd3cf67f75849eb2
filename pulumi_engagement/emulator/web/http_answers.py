"""How the emulator's HTTP server writes answers it makes itself (refusals, the control endpoint).

Every such answer carries the security headers below; no answer carries ``Access-Control-*``
headers (moto's CORS layer reflects any Origin, so :func:`strip_cors` drops them) or a
``Date`` other than the server's own (the virtual clock).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

__all__ = ["StartResponse", "answer", "aws_error", "json_answer", "strip_cors"]

StartResponse = Callable[..., Any]

_STATUS_TEXT = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
}

_SECURITY_HEADERS = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    # No other site may frame a control page (and trick clicks on it).
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
)


def _status_line(status: int) -> str:
    return f"{status} {_STATUS_TEXT.get(status, '')}".rstrip()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def strip_cors(start_response: StartResponse) -> StartResponse:
    """Drop every ``Access-Control-*`` header (moto's CORS layer reflects any Origin) and any Date.

    The server's own Date (from the virtual clock) is the only one sent.
    """

    def wrapped(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        kept = [
            (name, value)
            for name, value in headers
            if not name.lower().startswith("access-control-") and name.lower() != "date"
        ]
        return (
            start_response(status, kept, exc_info) if exc_info is not None else start_response(status, kept)
        )

    return wrapped


def answer(
    start_response: StartResponse,
    status: int,
    data: bytes,
    content_type: str,
    extra: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    """``data`` with the security headers (those in ``extra`` win)."""
    headers = [("Content-Type", content_type), ("Content-Length", str(len(data)))]
    given = list(extra)
    names = {name.lower() for name, _ in given}
    headers += given + [(name, value) for name, value in _SECURITY_HEADERS if name.lower() not in names]
    start_response(_status_line(status), headers)
    return [data]


def json_answer(start_response: StartResponse, status: int, payload: Any) -> list[bytes]:
    data = json.dumps(payload, default=_json_default).encode()
    return answer(start_response, status, data, "application/json")


def aws_error(start_response: StartResponse, status: int, error_type: str, message: str) -> list[bytes]:
    """An error in the json 1.1 protocol's shape, for requests refused before moto sees them."""
    data = json.dumps({"__type": error_type, "message": message}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("Content-Length", str(len(data))),
        ("X-Amzn-ErrorType", error_type),
    ]
    start_response(_status_line(status), headers)
    return [data]
