"""Emulator-only backend helpers, outside the AWS API: simulated responders, codes, direct activation.

The seed, the control endpoint and the pager inbox use these; no AWS client can reach them.
"""

from __future__ import annotations

from ..drill.responders import Responder
from .backend_base import STATE_LOCK, BackendState
from .records import ContactChannel, activation_code_for

__all__ = ["OutOfBandBackend"]


class OutOfBandBackend(BackendState):
    """What the emulator can do to a backend that the service's API cannot."""

    def set_responder(self, contact_id: str, responder: Responder | float) -> None:
        """Simulate the contact's person: a :class:`Responder`, or a fixed delay in seconds."""
        if not isinstance(responder, Responder):
            responder = Responder.fixed(float(responder))
        with STATE_LOCK:
            self.responders[self.get_contact_obj(contact_id).arn] = responder

    def codes(self) -> dict[str, dict[str, str]]:
        with STATE_LOCK:
            self.process_due()
            return {
                "activation_codes": {arn: activation_code_for(arn) for arn in self.channels},
                "accept_codes": {arn: page.accept_code for arn, page in self.pages.items()},
            }

    def activate_channel_directly(self, channel_arn: str) -> None:
        """Seed/control path: activate without the code round trip."""
        with STATE_LOCK:
            channel: ContactChannel = self._find(self.channels, channel_arn, "CONTACT_CHANNEL")
            channel.code_sent = True
            channel.activated = True
