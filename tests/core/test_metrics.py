"""Response metrics against hand-computed timelines on the in-process emulator's virtual clock.

How the emulator times things (pulumi_engagement/emulator/models.py), which the expected values
below follow: an escalation stage pages its contacts when it begins (start + the durations of the
stages before it); each contact's own plan sends to its channels (SENT) at its stages' starts;
every SENT is DELIVERED one virtual second later; a simulated responder READs on the channel of
its first SENT, ``acknowledge_after_seconds`` after it; an essential READ ends the engagement at
that instant; the end of the last stage ends it too; StopEngagement adds a STOP receipt, carrying
the reason, to every unread page.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from pulumi_engagement.core import (
    Engagement,
    EngagementClient,
    Page,
    Receipt,
    ResponseData,
    StartRequest,
    compute_metrics,
    fetch_response_data,
    response_metrics,
)

from .support import alice_and_bob, escalate

ACCOUNT, REGION = "123456789012", "us-east-1"
T0 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def arn(kind: str, name: str) -> str:
    return f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:{kind}/{name}"


ALICE, BOB, CAROL, DAVE = (arn("contact", n) for n in ("alice", "bob", "carol", "dave"))
ESCALATE, MIXED = arn("contact", "escalate"), arn("contact", "mixed")


def seed(responders: dict[str, float]) -> dict:
    return {
        "contacts": [
            *alice_and_bob(),
            {
                "alias": "carol",
                "channels": [{"name": "carol-email", "type": "EMAIL", "address": "carol@example.com"}],
                "plan": [{"duration_minutes": 0, "targets": ["carol-email"]}],
            },
            {
                "alias": "dave",
                "channels": [{"name": "dave-email", "type": "EMAIL", "address": "dave@example.com"}],
                "plan": [{"duration_minutes": 0, "targets": ["dave-email"]}],
            },
            escalate(),
            {
                "alias": "mixed",
                "type": "ESCALATION",
                "plan": [
                    {
                        "duration_minutes": 5,
                        "targets": [
                            {"contact": "dave", "essential": False},
                            {"contact": "carol", "essential": True},
                        ],
                    },
                    {"duration_minutes": 10, "targets": [{"contact": "bob", "essential": True}]},
                ],
            },
        ],
        "responders": [
            {"contact": alias, "acknowledge_after_seconds": seconds} for alias, seconds in responders.items()
        ],
    }


@pytest.fixture
def drill(ssm_contacts):
    """Seed with chosen responders; returns (core client, channel ARNs by "alias/name")."""
    ssm_contacts.clock.set(T0)

    def apply(**responders: float) -> tuple[EngagementClient, dict[str, str]]:
        summary = ssm_contacts.seed(seed(responders))
        return EngagementClient(ssm_contacts.client, now=ssm_contacts.clock.now), summary["channels"]

    return apply


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def page_request(contact: str) -> StartRequest:
    return StartRequest(contact_id=contact, sender="gameday", subject="<drill> db failover", content="drill")


def marks(page) -> dict[str, tuple]:
    return {c.name: (c.sent_time, c.delivery_time, c.read_time) for c in page.channels}


def kinds(metrics) -> list[tuple[float, str, str | None]]:
    """The timeline as (offset, kind, contact alias) triples."""
    return [(e.offset_seconds, e.kind, (e.contact_arn or "").rsplit("/", 1)[-1]) for e in metrics.timeline]


def test_escalation_to_the_second_stage(drill, ssm_contacts):
    core, channels = drill(bob=90)
    engagement_arn = core.start(page_request(ESCALATE))
    ssm_contacts.advance(3600)
    m = response_metrics(core, engagement_arn)

    # alice (stage 1) never answers; bob is paged at 5 minutes and reads 90 s later, ending it.
    assert (m.status, m.acknowledged, m.acknowledged_by) == ("acknowledged", True, BOB)
    assert m.acknowledged_at == at(390) and m.time_to_acknowledge == 390.0
    assert m.acknowledged_via == channels["bob/bob-sms"]
    assert (m.time_to_first_page, m.time_to_first_delivery) == (0.0, 1.0)
    assert (m.stage_reached, m.stages_planned, m.stage_source) == (2, 2, "plan")
    assert (m.stop_time, m.stop_cause, m.stop_reason, m.ended_unacknowledged) == (
        at(390),
        "acknowledged",
        None,
        False,
    )
    alice, bob = m.pages
    assert (alice.contact_arn, alice.stage, alice.essential, alice.acknowledged) == (ALICE, 1, True, False)
    assert marks(alice) == {
        "alice-sms": (at(0), at(1), None),
        "alice-email": (at(60), at(61), None),
    }
    assert (bob.contact_arn, bob.stage, bob.essential, bob.acknowledged_by) == (BOB, 2, True, BOB)
    assert marks(bob) == {"bob-sms": (at(300), at(301), at(390)), "bob-email": (at(300), at(301), None)}
    assert (bob.seconds_to_delivery, bob.seconds_to_read) == (1.0, 90.0)
    assert bob.acknowledgement_note == "Acknowledged by the simulated responder"
    assert [(s.stage, s.start_time, s.paged, s.reached) for s in m.stages] == [
        (1, at(0), (ALICE,), True),
        (2, at(300), (BOB,), True),
    ]
    assert kinds(m) == [
        (0.0, "engagement_started", "escalate"),
        (0.0, "stage_started", ""),
        (0.0, "sent", "alice"),
        (1.0, "delivered", "alice"),
        (60.0, "sent", "alice"),
        (61.0, "delivered", "alice"),
        (300.0, "stage_started", ""),
        (300.0, "sent", "bob"),
        (300.0, "sent", "bob"),
        (301.0, "delivered", "bob"),
        (301.0, "delivered", "bob"),
        (390.0, "read", "bob"),
        (390.0, "engagement_stopped", "escalate"),
    ]


def test_a_non_essential_target_acknowledging_does_not_stop_the_plan(drill, ssm_contacts):
    core, channels = drill(dave=30)
    engagement_arn = core.start(page_request(MIXED))
    ssm_contacts.advance(3600)
    m = response_metrics(core, engagement_arn)

    # dave (not essential) reads at 30 s: acknowledged, yet the plan goes on to bob at 5 minutes
    # and runs out at 15 minutes.
    assert (m.status, m.acknowledged_by, m.time_to_acknowledge) == ("acknowledged", DAVE, 30.0)
    assert m.acknowledged_via == channels["dave/dave-email"]
    assert (m.stage_reached, m.stop_time, m.stop_cause) == (2, at(900), "ended")
    assert m.ended_unacknowledged is False
    by_contact = {p.contact_alias: p for p in m.pages}
    assert set(by_contact) == {"dave", "carol", "bob"}
    assert (by_contact["dave"].essential, by_contact["dave"].stage, by_contact["dave"].acknowledged) == (
        False,
        1,
        True,
    )
    assert (by_contact["carol"].essential, by_contact["carol"].stage, by_contact["carol"].acknowledged) == (
        True,
        1,
        False,
    )
    assert (by_contact["bob"].stage, by_contact["bob"].sent_time, by_contact["bob"].acknowledged) == (
        2,
        at(300),
        False,
    )
    assert m.stages[0].essential_targets == (CAROL,)
    assert set(m.stages[0].paged) == {DAVE, CAROL}
    assert [k for k in kinds(m) if k[1] in ("read", "stage_started", "engagement_stopped")] == [
        (0.0, "stage_started", ""),
        (30.0, "read", "dave"),
        (300.0, "stage_started", ""),
        (900.0, "engagement_stopped", "mixed"),
    ]


def test_nobody_acknowledging_ends_unacknowledged(drill, ssm_contacts):
    core, _ = drill()
    engagement_arn = core.start(page_request(ESCALATE))
    ssm_contacts.advance(3600)
    m = response_metrics(core, engagement_arn)

    assert (m.status, m.acknowledged, m.acknowledged_by, m.time_to_acknowledge) == (
        "ended_unacknowledged",
        False,
        None,
        None,
    )
    assert (m.ended_unacknowledged, m.stop_time, m.stop_cause) == (True, at(900), "ended")
    assert m.stop_reason is None
    assert m.stage_reached == 2
    assert [p.stop_time for p in m.pages] == [None, None]  # a plan running out leaves no STOP receipt
    assert m.timeline[-1].kind == "engagement_stopped" and m.timeline[-1].offset_seconds == 900.0


def test_stopped_by_a_person_with_a_reason(drill, ssm_contacts):
    core, _ = drill()
    engagement_arn = core.start(page_request(ESCALATE))
    ssm_contacts.advance(120)
    assert core.stop(engagement_arn, reason="Drill called off: real incident") is True
    ssm_contacts.advance(3600)
    m = response_metrics(core, engagement_arn)

    assert (m.status, m.ended_unacknowledged) == ("ended_unacknowledged", True)
    assert (m.stop_time, m.stop_cause) == (at(120), "stopped")
    assert m.stop_reason == "Drill called off: real incident"
    assert m.stage_reached == 1  # stopped before stage 2 began at 5 minutes
    assert [s.reached for s in m.stages] == [True, False]
    (alice,) = m.pages
    assert (alice.stop_time, alice.stop_reason) == (at(120), "Drill called off: real incident")
    assert kinds(m)[-2:] == [(120.0, "stop", "alice"), (120.0, "engagement_stopped", "escalate")]


def test_a_personal_contact_acknowledging_through_accept_page(drill, ssm_contacts):
    core, channels = drill()
    engagement_arn = core.start(page_request(ALICE))
    ssm_contacts.advance(30)
    (page,) = core.pages(engagement_arn)
    ssm_contacts.client.accept_page(
        PageId=page.page_arn,
        AcceptType="READ",
        AcceptCode=ssm_contacts.codes()["accept_codes"][page.page_arn],
        ContactChannelId=channels["alice/alice-sms"],
        Note="on it",
    )
    ssm_contacts.advance(3600)
    m = response_metrics(core, engagement_arn)

    # A personal contact's stages are its channels: the e-mail at 1 minute is never sent.
    assert (m.contact_type, m.status, m.acknowledged_by, m.time_to_acknowledge) == (
        "PERSONAL",
        "acknowledged",
        ALICE,
        30.0,
    )
    assert (m.stop_time, m.stop_cause, m.stage_reached, m.stages_planned) == (at(30), "acknowledged", 1, 2)
    (alice,) = m.pages
    assert (alice.acknowledgement_note, alice.acknowledged_via) == ("on it", channels["alice/alice-sms"])
    assert [(c.name, c.stage, c.read_time) for c in alice.channels] == [("alice-sms", 1, at(30))]


def test_without_the_plan_stages_come_from_send_times(drill, ssm_contacts):
    core, _ = drill()
    engagement_arn = core.start(page_request(ESCALATE))
    ssm_contacts.advance(3600)
    ssm_contacts.client.delete_contact(ContactId=ESCALATE)
    data = fetch_response_data(core, engagement_arn)
    assert data.plan_stages is None
    assert data.notes == ("plan not read (GetContact): ResourceNotFoundException",)
    m = compute_metrics(data)
    assert (m.stage_source, m.stage_reached, m.stages_planned) == ("sent_times", 2, None)
    assert [(p.contact_alias, p.stage, p.essential) for p in m.pages] == [
        ("alice", 1, None),
        ("bob", 2, None),
    ]
    assert m.notes == data.notes

    # Without details, only DescribeEngagement and the page listings are called; same stages.
    before = {op: ssm_contacts.calls(op) for op in ("GetContact", "ListPageResolutions")}
    light = response_metrics(core, engagement_arn, details=False)
    assert {op: ssm_contacts.calls(op) for op in before} == before
    assert [(p.stage, p.channels[0].name) for p in light.pages] == [(1, None), (2, None)]


def test_to_dict_is_plain_json_with_iso_times_and_float_seconds(drill, ssm_contacts):
    core, _ = drill(bob=90)
    engagement_arn = core.start(page_request(ESCALATE))
    ssm_contacts.advance(3600)
    doc = response_metrics(core, engagement_arn).to_dict()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["start_time"] == "2030-01-02T03:04:05Z"
    assert doc["acknowledged_at"] == "2030-01-02T03:10:35Z"
    assert doc["time_to_acknowledge"] == 390.0 and isinstance(doc["time_to_acknowledge"], float)
    assert doc["pages"][1]["channels"][0]["read_time"] == "2030-01-02T03:10:35Z"
    assert doc["timeline"][0] == {
        "time": "2030-01-02T03:04:05Z",
        "offset_seconds": 0.0,
        "kind": "engagement_started",
        "stage": None,
        "page_arn": None,
        "contact_arn": ESCALATE,
        "contact_channel_arn": None,
        "info": None,
    }


# -- pure computation from fixed inputs (no service) ----------------------------------------------


def fixed(receipts_by_page: dict[str, list[Receipt]], **data) -> ResponseData:
    engagement = Engagement(
        engagement_arn=arn("engagement", "escalate/1"), contact_arn=ESCALATE, start_time=T0, stop_time=at(600)
    )
    pages = tuple(
        Page(
            page_arn=arn("page", f"{alias}/1"),
            contact_arn=arn("contact", alias),
            sent_time=min((r.receipt_time for r in receipts if r.receipt_type == "SENT"), default=None),
            receipts=tuple(receipts),
        )
        for alias, receipts in receipts_by_page.items()
    )
    return ResponseData(engagement=engagement, pages=pages, **data)


def test_the_services_stage_index_wins_over_send_times():
    data = fixed(
        {"alice": [Receipt("SENT", at(0))], "bob": [Receipt("SENT", at(0))]},
        stage_indexes={arn("page", "alice/1"): 0, arn("page", "bob/1"): 2},
    )
    m = compute_metrics(data)
    assert (m.stage_source, [p.stage for p in m.pages], m.stage_reached) == ("resolution", [1, 3], 3)
    assert [s.reached for s in m.stages] == [True, False, True]


def test_a_read_after_the_engagement_ended_is_not_an_acknowledgement():
    data = fixed({"alice": [Receipt("SENT", at(0)), Receipt("READ", at(601))]})
    m = compute_metrics(data)
    assert (m.acknowledged, m.status, m.ended_unacknowledged, m.stop_cause) == (
        False,
        "ended_unacknowledged",
        True,
        "ended",
    )
    assert [e.kind for e in m.timeline][-2:] == ["engagement_stopped", "read"]


def test_a_contact_named_in_two_stages_is_placed_by_time():
    def stage(contact: str, essential: bool) -> dict:
        target = {"ContactTargetInfo": {"ContactId": contact, "IsEssential": essential}}
        return {"DurationInMinutes": 5, "Targets": [target]}

    plan = (stage(ALICE, True), stage(BOB, True), stage(ALICE, False))
    data = fixed({"alice": [Receipt("SENT", at(600))]}, contact_type="ESCALATION", plan_stages=plan)
    (page,) = compute_metrics(data).pages
    assert (page.stage, page.essential) == (3, False)
