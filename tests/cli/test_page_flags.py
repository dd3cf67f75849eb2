"""start's page flags are the core's request fields, each with its help text."""

from __future__ import annotations

from pulumi_engagement.cli.parser import PAGE_FLAGS, STDIN_FIELDS, build_parser
from pulumi_engagement.core import request_field_names


def _start_parser():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    return commands.choices["start"]


def test_every_request_field_is_a_flag_with_help() -> None:
    assert tuple(PAGE_FLAGS) == request_field_names()
    flags = {a.dest: a for a in _start_parser()._actions}
    for name in request_field_names():
        action = flags[name]
        assert "--" + name.replace("_", "-") in action.option_strings
        assert action.help == PAGE_FLAGS[name]["help"]


def test_flags_parse_into_the_request_s_fields() -> None:
    args = build_parser().parse_args(
        ["start", "--contact", "arn:c", "--sender", "s", "--dedup-key", "k", "--incident-id", "i"]
    )
    assert (args.contact_id, args.sender, args.dedup_key, args.incident_id, args.subject) == (
        "arn:c",
        "s",
        "k",
        "i",
        None,
    )
    assert sorted(STDIN_FIELDS) == ["content"]
