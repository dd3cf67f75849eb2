"""The control API: one interface (``api``), its HTTP client (``client``, exported here: what
drives a running emulator), the control endpoint (``endpoint``) and the in-process control.
"""

from .client import EmulatorControl, EmulatorControlError

__all__ = ["EmulatorControl", "EmulatorControlError"]
