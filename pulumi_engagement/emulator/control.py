"""The older name of :mod:`.control_client` (the control endpoint's client), kept for importers."""

from .control_client import EmulatorControl, EmulatorControlError

__all__ = ["EmulatorControl", "EmulatorControlError"]
