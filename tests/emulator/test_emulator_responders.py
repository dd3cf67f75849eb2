"""Simulated responders from the seed file: seeded delays, unanswered pages, escalation they cause.

Expected times are computed here from the documented contract (two draws per page from
``random.Random(seed)``: ``random()`` for "no answer", then the delay), not by the emulator's code.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pulumi_engagement.emulator.drill.seed import SeedError, load_seed

from .support import contact_arn, engage

T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=timezone.utc)
PLAN = {"alias": "plan", "type": "ESCALATION", "plan": [{"duration_minutes": 1, "targets": ["alice"]}]}


def person(alias: str, phone: str, **extra: Any) -> dict[str, Any]:
    """A PERSONAL contact: SMS at once, e-mail after one minute."""
    return {
        "alias": alias,
        "channels": [
            {"name": f"{alias}-sms", "type": "SMS", "address": phone},
            {"name": f"{alias}-email", "type": "EMAIL", "address": f"{alias}@example.com"},
        ],
        "plan": [
            {"duration_minutes": 1, "targets": [f"{alias}-sms"]},
            {"duration_minutes": 0, "targets": [f"{alias}-email"]},
        ],
        **extra,
    }


def world(responders: Any) -> dict[str, Any]:
    """alice then bob, 5 minutes each, both essential, with the given `responders` section."""
    return {
        "contacts": [
            person("alice", "+15555550101"),
            person("bob", "+15555550102"),
            {
                "alias": "oncall",
                "type": "ESCALATION",
                "plan": [
                    {"duration_minutes": 5, "targets": [{"contact": "alice", "essential": True}]},
                    {"duration_minutes": 5, "targets": [{"contact": "bob", "essential": True}]},
                ],
            },
        ],
        "responders": responders,
    }


def pages_by_alias(client: Any, engagement: str) -> dict[str, dict[str, Any]]:
    pages = client.list_pages_by_engagement(EngagementId=engagement)["Pages"]
    return {page["ContactArn"].rsplit("/", 1)[1]: page for page in pages}


def receipts(client: Any, page_arn: str) -> list[tuple[str, datetime]]:
    found = client.list_page_receipts(PageId=page_arn)["Receipts"]
    return [(r["ReceiptType"], r["ReceiptTime"]) for r in found]


def test_unanswered_stage_one_escalates_and_stage_two_acknowledges_on_time(ssm_contacts: Any) -> None:
    ssm_contacts.clock.set(T0)
    ssm_contacts.seed(
        world(
            {
                "alice": {"no_answer_probability": 1.0},
                "bob": {"delay": {"distribution": "fixed", "seconds": 45}},
            }
        )
    )
    client = ssm_contacts.client
    engagement = engage(client, contact_arn("oncall"))
    ssm_contacts.advance(299)
    assert set(pages_by_alias(client, engagement)) == {"alice"}  # stage 2 not reached yet
    ssm_contacts.advance(3600)

    pages = pages_by_alias(client, engagement)
    assert set(pages) == {"alice", "bob"}
    alice, bob = pages["alice"], pages["bob"]
    assert "ReadTime" not in alice
    assert [t for kind, t in receipts(client, alice["PageArn"]) if kind == "READ"] == []
    assert bob["SentTime"] == T0 + timedelta(minutes=5)
    assert bob["ReadTime"] == T0 + timedelta(minutes=5, seconds=45)
    assert ("READ", T0 + timedelta(minutes=5, seconds=45)) in receipts(client, bob["PageArn"])
    # bob is essential: his acknowledgement ends the engagement.
    assert client.describe_engagement(EngagementId=engagement)["StopTime"] == bob["ReadTime"]


@pytest.mark.parametrize(
    ("delay", "draw"),
    [
        (
            {"distribution": "lognormal", "median_seconds": 60, "sigma": 0.5},
            lambda rng: rng.lognormvariate(math.log(60), 0.5),
        ),
        (
            {"distribution": "uniform", "min_seconds": 10, "max_seconds": 200},
            lambda rng: rng.uniform(10, 200),
        ),
    ],
    ids=["lognormal", "uniform"],
)
def test_seeded_delays_and_silences_follow_the_documented_draws(
    ssm_contacts: Any, delay: Any, draw: Any
) -> None:
    ssm_contacts.clock.set(T0)
    ssm_contacts.seed(
        {
            "contacts": [person("alice", "+15555550101")],
            "responders": [{"contact": "alice", "delay": delay, "no_answer_probability": 0.4, "seed": 42}],
        }
    )
    rng = random.Random(42)
    expected: list[float | None] = []
    for _ in range(8):
        silent = rng.random() < 0.4
        seconds = round(draw(rng), 3)
        expected.append(None if silent else seconds)
    # Otherwise the test could not tell a silence from an answer.
    assert None in expected and any(e is not None for e in expected)

    client = ssm_contacts.client
    observed: list[float | None] = []
    for index in range(8):
        started = ssm_contacts.clock.now()
        engagement = engage(client, contact_arn("alice"), token=f"drill-{index}")
        ssm_contacts.advance(3600)
        [page] = client.list_pages_by_engagement(EngagementId=engagement)["Pages"]
        assert page["SentTime"] == started
        read = page.get("ReadTime")
        observed.append(None if read is None else (read - page["SentTime"]).total_seconds())
    assert observed == expected


def test_the_same_seed_replays_the_same_drill(ssm_contacts: Any) -> None:
    document = world(
        {
            "alice": {
                "delay": {"distribution": "lognormal", "median_seconds": 200, "sigma": 1.0},
                "no_answer_probability": 0.5,
                "seed": "gameday-7",
            },
            "bob": {"delay": {"distribution": "uniform", "min_seconds": 5, "max_seconds": 600}},
        }
    )

    def run() -> list[tuple[str, float | None]]:
        from pulumi_engagement.emulator import reset

        reset()
        ssm_contacts.clock.freeze()
        ssm_contacts.clock.set(T0)
        load_seed(document)
        outcome = []
        for index in range(4):
            started = ssm_contacts.clock.now()
            engagement = engage(ssm_contacts.client, contact_arn("oncall"), token=f"run-{index}")
            ssm_contacts.advance(7200)
            for alias, page in sorted(pages_by_alias(ssm_contacts.client, engagement).items()):
                read = page.get("ReadTime")
                outcome.append((alias, None if read is None else (read - started).total_seconds()))
        return outcome

    first = run()
    assert first == run()
    # Not vacuous: the drill has answers and silences, and alice's silences made the plan escalate.
    assert {read is None for _, read in first} == {True, False}
    assert any(alias == "bob" for alias, _ in first)


def test_a_stopped_page_is_not_answered(ssm_contacts: Any) -> None:
    ssm_contacts.clock.set(T0)
    ssm_contacts.seed(world({"alice": {"acknowledge_after_seconds": 120}}))
    client = ssm_contacts.client
    engagement = engage(client, contact_arn("oncall"))
    ssm_contacts.advance(60)
    client.stop_engagement(EngagementId=engagement, Reason="false alarm")
    ssm_contacts.advance(3600)
    [alice] = pages_by_alias(client, engagement).values()
    assert "ReadTime" not in alice
    assert [kind for kind, _ in receipts(client, alice["PageArn"])].count("READ") == 0


def test_a_late_answer_after_the_plan_ran_out_is_still_recorded(ssm_contacts: Any) -> None:
    """A person who answers after the last stage ended still acknowledges (late), as people do."""
    ssm_contacts.clock.set(T0)
    ssm_contacts.seed(world({"alice": {"no_answer_probability": 1.0}, "bob": {"delay": 900}}))
    client = ssm_contacts.client
    engagement = engage(client, contact_arn("oncall"))
    ssm_contacts.advance(7200)
    described = client.describe_engagement(EngagementId=engagement)
    assert described["StopTime"] == T0 + timedelta(minutes=10)  # the plan's end
    assert pages_by_alias(client, engagement)["bob"]["ReadTime"] == T0 + timedelta(minutes=20)


def test_someone_elses_essential_acknowledgement_withdraws_the_page(ssm_contacts: Any) -> None:
    document = world({"alice": {"delay": 30}, "bob": {"delay": 60}})
    document["contacts"][2]["plan"] = [
        {
            "duration_minutes": 5,
            "targets": [{"contact": "alice", "essential": True}, {"contact": "bob", "essential": True}],
        }
    ]
    ssm_contacts.clock.set(T0)
    ssm_contacts.seed(document)
    client = ssm_contacts.client
    engagement = engage(client, contact_arn("oncall"))
    ssm_contacts.advance(3600)
    pages = pages_by_alias(client, engagement)
    assert pages["alice"]["ReadTime"] == T0 + timedelta(seconds=30)
    assert "ReadTime" not in pages["bob"]


def test_per_contact_responder_and_list_form_still_work(ssm_contacts: Any) -> None:
    ssm_contacts.clock.set(T0)
    ssm_contacts.seed(
        {
            "contacts": [
                person("alice", "+15555550101", responder={"acknowledge_after_minutes": 2}),
                person("bob", "+15555550102"),
            ],
            "responders": [{"contact": "bob", "acknowledge_after_seconds": 7.5}],
        }
    )
    client = ssm_contacts.client
    first = engage(client, contact_arn("alice"), token="a")
    second = engage(client, contact_arn("bob"), token="b")
    ssm_contacts.advance(600)
    [alice] = client.list_pages_by_engagement(EngagementId=first)["Pages"]
    [bob] = client.list_pages_by_engagement(EngagementId=second)["Pages"]
    assert alice["ReadTime"] == T0 + timedelta(minutes=2)
    assert bob["ReadTime"] == T0 + timedelta(seconds=7.5)


@pytest.mark.parametrize(
    ("responders", "message"),
    [
        ({"alice": {"delay": {"distribution": "gamma"}}}, r"responders\.alice\.delay\.distribution: one of"),
        (
            {"alice": {"delay": {"distribution": "lognormal", "median_seconds": 60}}},
            r"responders\.alice\.delay\.sigma: required",
        ),
        (
            {"alice": {"delay": {"distribution": "lognormal", "median_seconds": 0, "sigma": 1}}},
            r"responders\.alice\.delay\.median_seconds: must be > 0",
        ),
        (
            {"alice": {"delay": {"distribution": "uniform", "min_seconds": 9, "max_seconds": 3}}},
            r"responders\.alice\.delay\.max_seconds: must be >= min_seconds",
        ),
        (
            {"alice": {"delay": {"distribution": "fixed", "seconds": 5, "sigma": 1}}},
            r"responders\.alice\.delay: unknown keys \['sigma'\]",
        ),
        ({"alice": {"delay": -1}}, r"responders\.alice\.delay: must be >= 0"),
        ({"alice": {"delay": 5, "no_answer_probability": 1.5}}, r"no_answer_probability: must be <= 1"),
        ({"alice": {"delay": 5, "no_answer_probability": "often"}}, r"no_answer_probability: a number"),
        ({"alice": {"delay": 5, "seed": 1.5}}, r"responders\.alice\.seed: an integer or a string"),
        ({"alice": {"delay": 5, "acknowledge_after_seconds": 5}}, r"responders\.alice: give one of"),
        ({"alice": {"no_answer_probability": 0.5}}, r"responders\.alice: give `delay`"),
        ({"alice": {"delay": 5, "dealy": 3}}, r"responders\.alice: unknown keys \['dealy'\]"),
        ({"nobody": {"delay": 5}}, r"responders\.nobody: no contact with alias 'nobody'"),
        ({"plan": {"delay": 5}}, r"responders\.plan: plan is ESCALATION, a responder is a PERSONAL contact"),
        ([{"delay": 5}], r"responders\[0\]\.contact: required"),
        (
            [{"contact": "alice", "delay": {"distribution": "uniform"}}],
            r"responders\[0\]\.delay\.min_seconds",
        ),
        ("alice", r"responders: a list"),
    ],
)
def test_responder_errors_name_the_key(ssm_contacts: Any, responders: Any, message: str) -> None:
    with pytest.raises(SeedError, match=message):
        load_seed({"contacts": [person("alice", "+15555550101"), PLAN], "responders": responders})


def test_per_contact_responder_errors_name_the_contact(ssm_contacts: Any) -> None:
    with pytest.raises(SeedError, match=r"contact alice: responder\.delay\.distribution"):
        load_seed({"contacts": [person("alice", "+15555550101", responder={"delay": {"distribution": "x"}})]})
    with pytest.raises(SeedError, match=r"contact plan: responder: only a PERSONAL contact"):
        load_seed({"contacts": [person("alice", "+15555550101"), {**PLAN, "responder": {"delay": 5}}]})
