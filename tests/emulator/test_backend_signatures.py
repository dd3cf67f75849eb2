"""The backend takes every input member of each operation its handler forwards by name.

At run time a member the request leaves out is not passed (a newer botocore's optional member
breaks nothing); this test is where a model the backend has not caught up with fails loudly.
"""

from __future__ import annotations

import inspect

import pytest

from pulumi_engagement.emulator.moto_compat import camelcase_to_underscores
from pulumi_engagement.emulator.service.backend_base import PageArgs
from pulumi_engagement.emulator.service.escalation import _start_member_names
from pulumi_engagement.emulator.service.models import SSMContactsBackend
from pulumi_engagement.emulator.service.responses import SSMContactsResponse
from pulumi_engagement.emulator.service.validation import operation_model, operation_names

FORWARDED = sorted(
    name
    for name in operation_names()
    if hasattr(getattr(SSMContactsResponse, camelcase_to_underscores(name), None), "renamed")
)


def taken_by_name(method: object) -> set[str]:
    """The keywords ``method`` takes: its named parameters, and what its ``**`` parameter stands for
    (a list method's ``**paging``: PageArgs; start_engagement's ``**members``: the model's members)."""
    taken: set[str] = set()
    for parameter in inspect.signature(method).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            stands_for = {"paging": PageArgs.__annotations__, "members": _start_member_names()[0]}
            taken |= set(stands_for[parameter.name])
        elif parameter.kind is not inspect.Parameter.VAR_POSITIONAL:
            taken.add(parameter.name)
    return taken


def test_most_operations_are_forwarded_by_name() -> None:
    assert "StartEngagement" in FORWARDED and len(FORWARDED) >= 15


@pytest.mark.parametrize("operation", FORWARDED)
def test_the_backend_takes_every_member_of_the_model(operation: str) -> None:
    python_name = camelcase_to_underscores(operation)
    renamed = getattr(SSMContactsResponse, python_name).renamed
    taken = taken_by_name(getattr(SSMContactsBackend, python_name))
    members = operation_model(operation).input_shape.members
    missing = [name for name in members if renamed.get(name, camelcase_to_underscores(name)) not in taken]
    assert not missing, f"{operation}: the backend does not take {missing}"
