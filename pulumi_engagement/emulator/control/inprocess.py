"""The control API on this interpreter's emulator (its process-wide state), without HTTP.

The pytest plugin's ``ssm_contacts`` fixture yields one; the control endpoint answers its
routes with one, so both sides of the wire behave the same by construction. moto is imported
only when a method needs the backends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import settings
from ..drill import faults
from ..drill.clock import clock
from ..drill.faults import FaultConfig
from .api import EmulatorControlAPI, SeedSource

__all__ = ["InProcessControl", "control_state"]


def control_state() -> dict[str, Any]:
    """What ``GET /_emulator/state`` returns."""
    from ..service.models import engagements_created

    return {
        "now": clock.now().isoformat(),
        "time_scale": clock.time_scale,
        "calls": faults.calls(),
        "engagements": engagements_created(),
        "injected": faults.injected(),
        "faults": faults.get_faults().to_dict(),
        "config": settings.get_settings().to_dict(),
    }


class InProcessControl(EmulatorControlAPI):
    """This process's emulator. ``reset`` returns to ``time_scale``, ``token_retention`` and, with
    ``reseed``, ``startup_seed``: what the emulator started with."""

    def __init__(
        self,
        time_scale: float = 1.0,
        token_retention: float | None = None,
        startup_seed: SeedSource | None = None,
    ) -> None:
        self.time_scale = time_scale
        self.token_retention = token_retention
        self.startup_seed = startup_seed

    def state(self) -> dict[str, Any]:
        return control_state()

    def advance(self, seconds: float) -> datetime:
        return clock.advance(seconds)

    def set_time(self, when: datetime) -> datetime:
        return clock.set(when)

    def set_time_scale(self, scale: float) -> float:
        clock.time_scale = scale
        return clock.time_scale

    def get_faults(self) -> FaultConfig:
        return faults.get_faults()

    def set_faults(self, **fields: Any) -> FaultConfig:
        return faults.set_faults(FaultConfig.from_dict(fields))

    def wait_for_calls(self, operation: str, at_least: int = 1, timeout: float = 60.0) -> int:
        return faults.wait_for_calls(operation, at_least, timeout)

    def reset(self, reseed: bool = False) -> dict[str, Any]:
        """Empty every backend, zero counters, clear faults, clock to real now at the startup scale.

        Settings go back to the startup ones (``token_retention``), then the seed, if re-applied,
        may change them as at start.
        """
        from .. import reset as reset_everything

        reset_everything()
        clock.time_scale = self.time_scale
        settings.set_settings(token_retention=self.token_retention)
        if reseed and self.startup_seed is not None:
            self.seed(self.startup_seed)
        return self.state()

    def seed(
        self, path_or_dict: SeedSource, account_id: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        from ..drill.seed import load_seed

        return load_seed(path_or_dict, account_id=account_id, region=region)

    def codes(self, account_id: str | None = None, region: str | None = None) -> dict[str, dict[str, str]]:
        from ..service.models import all_codes

        return all_codes(account_id, region)

    def outbox(self, account_id: str | None = None, region: str | None = None) -> list[dict[str, Any]]:
        from ..service.models import all_outbox

        return all_outbox(account_id, region)

    def config(self) -> dict[str, Any]:
        return settings.get_settings().to_dict()

    def set_config(self, **fields: Any) -> dict[str, Any]:
        return settings.set_settings(**fields).to_dict()
