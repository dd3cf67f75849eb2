"""The core's duration parser, shared by the CLI's flags and the Pulumi resource's inputs."""

from __future__ import annotations

import pytest

from pulumi_engagement.core.timeutil import MAX_DURATION, is_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("30s", 30.0), ("5m", 300.0), ("1h30m", 5400.0), (" 2D ", 172800.0), ("1w", 604800.0)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "rule"),
    [("5x", "not a duration"), ("-1", "negative"), ("nan", "negative"), ("inf", "longer than 3650 days")],
)
def test_broken_durations_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        parse_duration(text)


def test_a_duration_with_units_is_told_from_a_number_or_a_time() -> None:
    assert is_duration("2h") and is_duration("1H30m")
    assert not is_duration("90") and not is_duration("2024-05-01T10:00:00Z")
    assert parse_duration(str(MAX_DURATION)) == MAX_DURATION
