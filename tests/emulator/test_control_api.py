"""One control API: in-process, over HTTP and through the endpoint fixture, the same methods and types."""

from __future__ import annotations

import inspect
import threading
import typing
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pulumi_engagement.emulator.control.api import EmulatorControlAPI
from pulumi_engagement.emulator.control.client import EmulatorControl, EmulatorControlError
from pulumi_engagement.emulator.control.inprocess import InProcessControl
from pulumi_engagement.emulator.drill.faults import FaultConfig
from pulumi_engagement.emulator.pytest_plugin import EndpointHandle, InProcessEmulator

from .support import EXAMPLE_SEED, PRIMARY, engage

IMPLEMENTATIONS = [EmulatorControl, InProcessControl, InProcessEmulator, EndpointHandle]
API_METHODS = sorted(
    name for name, member in vars(EmulatorControlAPI).items() if callable(member) and not name.startswith("_")
)
T0 = datetime(2031, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS, ids=lambda c: c.__name__)
def test_every_implementation_has_the_api_signatures(implementation: type) -> None:
    assert issubclass(implementation, EmulatorControlAPI)
    assert not inspect.isabstract(implementation)
    for name in API_METHODS:
        expected = inspect.signature(getattr(EmulatorControlAPI, name))
        actual = inspect.signature(getattr(implementation, name))
        assert list(actual.parameters) == list(expected.parameters), f"{implementation.__name__}.{name}"
        hints = typing.get_type_hints(getattr(implementation, name))
        assert hints.get("return") == typing.get_type_hints(getattr(EmulatorControlAPI, name)).get(
            "return"
        ), f"{implementation.__name__}.{name} returns another type"


@pytest.fixture(params=["ssm_contacts", "ssm_contacts_endpoint", "endpoint_control"])
def control(request: pytest.FixtureRequest) -> tuple[EmulatorControlAPI, Any]:
    """(the control API, a client of the same emulator), in-process and over HTTP."""
    if request.param == "ssm_contacts":
        emulator = request.getfixturevalue("ssm_contacts")
        return emulator, emulator.client
    endpoint = request.getfixturevalue("ssm_contacts_endpoint")
    api = endpoint if request.param == "ssm_contacts_endpoint" else endpoint.control
    return api, endpoint.client()


def test_the_same_calls_give_the_same_answers(control: tuple[EmulatorControlAPI, Any]) -> None:
    api, client = control
    assert api.set_time_scale(0) == 0.0
    assert api.set_time(T0) == T0 == api.now()
    assert api.advance(90) == T0 + timedelta(seconds=90) == api.now()
    summary = api.seed(EXAMPLE_SEED)
    assert summary["contacts"]["primary-oncall"] == PRIMARY
    engage(client, PRIMARY)
    assert api.engagements() == 1 and api.calls("StartEngagement") == 1
    assert api.injected("StartEngagement") == {"throttled": 0, "errors": 0, "dropped": 0}
    assert len(api.codes()["accept_codes"]) == 1
    assert [m["Kind"] for m in api.outbox()].count("PAGE") == 1
    faults = api.set_faults(latency_ms=1, operations=["ListContacts"])
    assert isinstance(faults, FaultConfig) and faults.latency_ms == 1.0
    assert api.get_faults() == faults
    assert api.clear_faults().is_empty() and api.get_faults().is_empty()
    assert api.set_token_retention(60) == {"token_retention": 60.0} == api.config()
    assert api.set_config(token_retention=None) == {"token_retention": None}
    state = api.reset()
    assert state["engagements"] == 0 and state["calls"] == {} and api.engagements() == 0


def test_wait_for_calls_answers_when_another_thread_makes_them(
    control: tuple[EmulatorControlAPI, Any],
) -> None:
    api, client = control
    api.seed(EXAMPLE_SEED)
    assert api.wait_for_calls("StartEngagement", at_least=0, timeout=0) == 0  # met already: no wait
    assert api.wait_for_calls("StartEngagement", at_least=1, timeout=0) == 0  # not met, no time to wait
    caller = threading.Thread(target=engage, args=(client, PRIMARY))
    waited: list[int] = []
    waiter = threading.Thread(target=lambda: waited.append(api.wait_for_calls("StartEngagement", 1, 300)))
    waiter.start()
    caller.start()
    caller.join()
    # Woken by the call, not by its 300 s timeout (a bound on liveness, not a timing).
    waiter.join(60)
    assert not waiter.is_alive() and waited == [1]


def test_wait_for_calls_refuses_an_unbounded_wait(ssm_contacts_endpoint: Any) -> None:
    for query in ({"at_least": "1"}, {"operation": "X", "at_least": "1", "timeout": "301"}):
        with pytest.raises(EmulatorControlError, match="HTTP 400"):
            ssm_contacts_endpoint._request("GET", "calls", query=query)
