"""What each attempt of one service call did, seen from inside botocore's retry loop.

botocore retries a call on its own (up to the client's total attempts, with backoff of up to 20 s
between them), and says nothing about the attempts but their count. Two things need more:

- A read that only informs (reading a page back, a hint) has a short budget of its own, so a
  page that went out is reported within seconds even when DescribeEngagement is throttled for
  good: such a call is capped at a few attempts, and the core paces any further ones itself.
- A StartEngagement whose retries ran out may still have paged, if an attempt's answer was lost
  (a dropped connection, a 5xx): the caller looks once more before saying "not paged".

Both come from one handler on botocore's ``needs-retry`` event, which runs after every attempt,
registered ahead of botocore's own retry handler. State is per thread (a client may be shared).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_HANDLER_ID = "pulumi-engagement-attempts"
_current = threading.local()


@dataclass
class CallRecord:
    """One call's attempts: how many it may make (None: botocore's own limit) and what they did."""

    cap: int | None = None
    attempts: int = 0
    #: Some attempt may have been carried out by the service although its answer was lost.
    outcome_unknown: bool = False


class AttemptsCapped(Exception):
    """Raised from inside botocore's retry loop when a capped call has used its attempts."""

    def __init__(self, response: Any, caught_exception: BaseException | None) -> None:
        super().__init__("attempt cap reached")
        self.response = response
        self.caught_exception = caught_exception

    def original(self, operation: str) -> BaseException:
        """The error botocore would have raised for the last attempt."""
        if self.caught_exception is not None:
            return self.caught_exception
        from botocore.exceptions import ClientError

        return ClientError(self.response[1], operation)


def install(client: Any) -> None:
    """Register the attempt handler on a botocore client (once; a client without events is left)."""
    try:
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(f"needs-retry.{service}", _on_attempt, unique_id=_HANDLER_ID)
    except Exception:  # a stand-in client in a test, or a botocore without these hooks
        return


@contextlib.contextmanager
def recording(record: CallRecord) -> Iterator[CallRecord]:
    """Attribute the attempts made on this thread inside the block to ``record``."""
    outer = getattr(_current, "record", None)
    _current.record = record
    try:
        yield record
    finally:
        _current.record = outer


def _on_attempt(
    attempts: int = 0, response: Any = None, caught_exception: BaseException | None = None, **_: Any
) -> None:
    record: CallRecord | None = getattr(_current, "record", None)
    if record is None:
        return None
    record.attempts += 1
    status = 0
    if response is not None:
        status = int((response[1].get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    failed = caught_exception is not None or status >= 400
    if _outcome_unknown(status, caught_exception):
        record.outcome_unknown = True
    if failed and record.cap is not None and attempts >= record.cap:
        raise AttemptsCapped(response, caught_exception)
    return None  # botocore's own handler decides whether and when to retry


def _outcome_unknown(status: int, caught_exception: BaseException | None) -> bool:
    """A 5xx or a lost answer: the service may have done it. Refused or unconnected: it did not."""
    if caught_exception is None:
        return status >= 500
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    return not isinstance(caught_exception, (ConnectTimeoutError, EndpointConnectionError))
