"""Contacts shared by the core's metrics tests and the browser's drill-report test: two people with
an SMS and an email channel each, and a two-stage escalation plan over them."""

from __future__ import annotations

from typing import Any


def alice_and_bob() -> list[dict[str, Any]]:
    """alice: SMS, then email a minute later; bob: SMS and email at once."""
    return [
        {
            "alias": "alice",
            "channels": [
                {"name": "alice-sms", "type": "SMS", "address": "+15555550101"},
                {"name": "alice-email", "type": "EMAIL", "address": "alice@example.com"},
            ],
            "plan": [
                {"duration_minutes": 1, "targets": ["alice-sms"]},
                {"duration_minutes": 0, "targets": ["alice-email"]},
            ],
        },
        {
            "alias": "bob",
            "channels": [
                {"name": "bob-sms", "type": "SMS", "address": "+15555550102"},
                {"name": "bob-email", "type": "EMAIL", "address": "bob@example.com"},
            ],
            "plan": [{"duration_minutes": 0, "targets": ["bob-sms", "bob-email"]}],
        },
    ]


def escalate() -> dict[str, Any]:
    """5 minutes on alice, then 10 on bob; both essential."""
    return {
        "alias": "escalate",
        "type": "ESCALATION",
        "plan": [
            {"duration_minutes": 5, "targets": [{"contact": "alice", "essential": True}]},
            {"duration_minutes": 10, "targets": [{"contact": "bob", "essential": True}]},
        ],
    }
