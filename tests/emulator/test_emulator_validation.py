"""Model-driven validation, registration and seed parsing."""

from __future__ import annotations

import re
from typing import Any

import moto.backend_index
import pytest
from moto.core.base_backend import BackendDict

import pulumi_engagement.emulator as emulator
from pulumi_engagement.emulator.drill import faults
from pulumi_engagement.emulator.drill.clock import clock
from pulumi_engagement.emulator.drill.seed import SeedError, load_seed
from pulumi_engagement.emulator.service.exceptions import ValidationException
from pulumi_engagement.emulator.service.validation import operation_model, validate_input

ARN_PATTERN = operation_model("GetContact").input_shape.members["ContactId"].metadata["pattern"]


def test_over_long_values_are_refused_in_the_service_wording() -> None:
    # The rules (and the linear-time patterns) are the core's; see tests/core for their own tests.
    with pytest.raises(ValidationException) as error:
        validate_input("GetContact", {"ContactId": "arn:aws:ssm-contacts:r:1:" + "a" * 3000})
    assert error.value.members["Fields"][0]["Message"] == "Member must have length less than or equal to 2048"


def test_patterns_are_reported_with_the_model_pattern() -> None:
    with pytest.raises(ValidationException) as error:
        validate_input("GetContact", {"ContactId": "contact/alice"})
    (field,) = error.value.members["Fields"]
    assert field["Name"] == "ContactId"
    assert field["Message"] == f"Member must satisfy regular expression pattern: {ARN_PATTERN}"


def test_required_types_enums_and_ranges() -> None:
    with pytest.raises(ValidationException) as error:
        validate_input(
            "CreateContact",
            {"Alias": "ok", "Type": "ROBOT", "Plan": {"Stages": [{"DurationInMinutes": 31, "Targets": "x"}]}},
        )
    names = [f["Name"] for f in error.value.members["Fields"]]
    assert names == ["Type", "Plan.Stages[0].DurationInMinutes", "Plan.Stages[0].Targets"]
    assert error.value.members["Reason"] == "FIELD_VALIDATION_FAILED"
    with pytest.raises(ValidationException) as error:
        validate_input("StartEngagement", {"ContactId": "arn:aws:ssm-contacts:us-east-1:1:contact/a"})
    assert sorted(f["Name"] for f in error.value.members["Fields"]) == ["Content", "Sender", "Subject"]


def test_register_is_idempotent_and_hooks_moto_reset() -> None:
    emulator.register()
    emulator.register()
    patterns = [p for name, p in moto.backend_index.backend_url_patterns if name == "ssmcontacts"]
    assert len(patterns) == 1 and isinstance(patterns[0], re.Pattern)
    import sys

    assert sys.modules["moto.ssmcontacts"] is emulator
    from moto.backends import get_backend

    assert get_backend("ssmcontacts") is emulator.service.models.ssmcontacts_backends
    faults.set_faults(latency_ms=5)
    clock.freeze()
    BackendDict.reset()
    assert faults.get_faults().is_empty() and clock.time_scale == 1.0


def test_seed_errors(ssm_contacts: Any) -> None:
    with pytest.raises(SeedError, match="unknown channel"):
        load_seed({"contacts": [{"alias": "a", "plan": [{"targets": ["nope"]}]}]})
    with pytest.raises(ValidationException):
        load_seed({"contacts": [{"alias": "Bad Alias"}]})
    with pytest.raises(SeedError, match="acknowledge_after"):
        load_seed({"contacts": [{"alias": "a"}], "responders": [{"contact": "a"}]})
