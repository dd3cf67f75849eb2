"""Fixtures for the emulator tests (the package's pytest plugin provides the ssm_contacts* ones)."""

from __future__ import annotations

from typing import Any

import pytest

from .support import build_world


@pytest.fixture
def world(ssm_contacts: Any) -> dict[str, str]:
    from pulumi_engagement.emulator.service.models import activation_code_for

    return build_world(ssm_contacts.client, activation_code_for)
