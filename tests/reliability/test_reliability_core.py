"""Reliability of the core under throttling and faults, at small counts (benchmarks 5 and 6 run big).

Every test talks to the emulator over loopback HTTP and counts what the service
holds afterwards: exactly one engagement per distinct page, whatever the faults.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_engagement.core import EngagementError, StartRequest
from pulumi_engagement.core.localstate import LocalState
from testsupport.pages import numbered_pages

from .support import PRIMARY

ALICE = PRIMARY.replace("primary-oncall", "alice")


def pages(tag: str, n: int) -> list[StartRequest]:
    return numbered_pages(PRIMARY, "reliability", tag, n)


def send_all(fn, requests: list[StartRequest], threads: int) -> tuple[dict[str, str], dict[str, str]]:
    """(incident -> engagement ARN, incident -> error) for fn(request) run from a thread pool."""
    arns: dict[str, str] = {}
    errors: dict[str, str] = {}

    def one(request: StartRequest) -> None:
        try:
            arns[request.incident_id] = fn(request)
        except Exception as exc:  # recorded, so the assertion shows every failure
            errors[request.incident_id] = f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, requests))
    return arns, errors


def engagements_per_incident(emulator, tag: str) -> Counter:
    """What the service holds for this test, read without faults."""
    emulator.control.clear_faults()
    return Counter(s.incident_id for s in emulator.client().list() if (s.incident_id or "").startswith(tag))


@pytest.mark.parametrize("retry_mode", ["standard", "adaptive"])
def test_throttled_start_from_threads_pages_each_exactly_once(emulator, retry_mode):
    emulator.control.set_faults(throttle={"StartEngagement": 10})
    client = emulator.client(retry_mode=retry_mode)
    tag = f"throttled-{retry_mode}"

    arns, errors = send_all(client.start, pages(tag, 24), threads=8)

    assert errors == {}
    assert len(set(arns.values())) == 24
    per_incident = engagements_per_incident(emulator, tag)
    assert len(per_incident) == 24 and set(per_incident.values()) == {1}
    # The limit really bit: more attempts than pages reached the service.
    assert emulator.control.calls("StartEngagement") > 24


def test_commit_then_drop_never_pages_twice(emulator):
    """A response lost after the engagement was created: the retry's token gets the same engagement."""
    emulator.control.set_faults(drop_rate=0.5, operations=["StartEngagement"], seed=11)
    client = emulator.client()
    tag = "dropped"

    arns, errors = send_all(client.start, pages(tag, 12), threads=1)

    assert errors == {}
    assert emulator.control.calls("StartEngagement") > 12  # responses were dropped and retried
    assert emulator.control.engagements() == 12  # ... yet every page was created once
    per_incident = engagements_per_incident(emulator, tag)
    assert len(per_incident) == 12 and set(per_incident.values()) == {1}
    assert sorted(arns.values()) == sorted({s.engagement_arn for s in client.list()})


def test_soak_with_throttling_errors_and_drops(emulator):
    """40 pages through ensure_started (List, Start, Describe all faulty); re-run pages nothing new."""
    faults = {"throttle": {"StartEngagement": 20}, "error_rate": 0.1, "drop_rate": 0.1, "seed": 5}
    emulator.control.set_faults(**faults)
    client = emulator.client(retry_mode="adaptive")
    requests = pages("soak", 40)

    def ensure(request: StartRequest) -> str:
        outcome = client.ensure_started(request)
        assert outcome.changed, "a first run must report that it paged"
        return outcome.engagement.engagement_arn

    arns, errors = send_all(ensure, requests, threads=8)

    assert errors == {}
    faulted_attempts = sum(emulator.control.calls().values())
    assert len(set(arns.values())) == 40
    per_incident = engagements_per_incident(emulator, "soak")
    assert len(per_incident) == 40 and set(per_incident.values()) == {1}

    # A re-run under the same faults finds every page and sends none.
    emulator.control.set_faults(**faults)
    starts_before = emulator.control.calls("StartEngagement")
    rerun, errors = send_all(lambda r: client.ensure_started(r), requests, threads=8)
    assert errors == {}
    assert not any(outcome.changed for outcome in rerun.values())
    assert {o.engagement.engagement_arn for o in rerun.values()} == set(arns.values())
    assert emulator.control.calls("StartEngagement") == starts_before
    assert faulted_attempts > 40 * 2  # faults were hit (each page is at least Start + Describe)

    # Two virtual minutes later alice has acknowledged each page: one page per engagement, to her only.
    emulator.control.clear_faults()
    emulator.control.advance(180)
    for arn in arns.values():
        sent = client.pages(arn)
        assert [p.contact_arn for p in sent] == [ALICE]
        assert sent[0].acknowledged


def test_exhausted_retries_surface_as_the_cores_error(emulator):
    """When every attempt fails the caller gets one EngagementError with a kind, never a botocore type."""
    emulator.control.set_faults(error_rate=1.0, operations=["StartEngagement"])
    client = emulator.client(max_attempts=2)

    with pytest.raises(EngagementError) as caught:
        client.start(pages("doomed", 1)[0])

    assert caught.value.kind == "service_error"
    assert "InternalServerException" in str(caught.value)
    # A 5xx may have committed the page: the core looks once more (the same token, two attempts again)
    # and, failing that too, says the page may have gone out.
    assert emulator.control.calls("StartEngagement") == 2 + 2
    assert "the page may have gone out" in str(caught.value)
    assert engagements_per_incident(emulator, "doomed") == Counter()


#: Seed 2 of the emulator's throttle draws: the first StartEngagement attempt is not throttled (so it
#: commits and loses its answer), the next two are throttled; max_faults then ends the faults.
LOST_THEN_THROTTLED = {
    "throttle_rate": 0.6,
    "drop_rate": 1.0,
    "operations": ["StartEngagement"],
    "seed": 2,
    "max_faults": 3,
}


@pytest.mark.parametrize("how", ["start", "ensure_started"])
def test_a_page_whose_answer_was_lost_is_reported_sent_when_the_retries_run_out(emulator, how, tmp_path):
    """Issue 19: the page went out on an attempt whose answer was lost and the retries then ran out
    (throttled): the caller looks once more with the same token and is told the page was sent, with
    its ARN, instead of "throttled". The old behaviour raised ThrottlingException here."""
    emulator.control.set_faults(**LOST_THEN_THROTTLED)
    client = emulator.client(max_attempts=3)
    client.local_state = LocalState(directory=str(tmp_path))
    [request] = pages(f"lost-{how}", 1)

    if how == "start":
        arn = client.start(request)
    else:
        outcome = client.ensure_started(request)
        assert outcome.changed is True
        arn = outcome.engagement.engagement_arn

    injected = emulator.control.state()["injected"]
    assert injected["dropped"] == {"StartEngagement": 1} and injected["throttled"] == {"StartEngagement": 2}
    assert emulator.control.calls("StartEngagement") == 4  # three attempts, then the second look
    assert [s.engagement_arn for s in client.list()] == [arn]  # the one page, reported with its ARN


def test_a_lost_answer_that_cannot_be_confirmed_says_the_page_may_have_gone_out(emulator, tmp_path):
    """The second look is throttled too: the failure is reported, saying the page may be out."""
    # Seed 27: the first attempt commits and loses its answer; the next five are throttled.
    emulator.control.set_faults(**{**LOST_THEN_THROTTLED, "seed": 27, "max_faults": 6})
    client = emulator.client(max_attempts=3)
    client.local_state = LocalState(directory=str(tmp_path))
    [request] = pages("lost-unconfirmed", 1)

    with pytest.raises(EngagementError) as raised:
        client.ensure_started(request)

    assert raised.value.kind == "throttled"
    assert "the page may have gone out" in str(raised.value)
    assert emulator.control.calls("StartEngagement") == 6
    emulator.control.clear_faults()
    assert len(client.list()) == 1  # it had: the message was the truth
