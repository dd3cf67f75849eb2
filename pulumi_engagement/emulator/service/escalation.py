"""Engagements and pages: the escalation scheduler of the ssm-contacts backend.

StartEngagement freezes the contact's plan and schedules its stages on the backend's event
queue; each stage pages contacts (an escalation plan) or sends to channels (a personal plan),
each message is delivered a virtual second later, and a simulated responder may acknowledge.
An essential acknowledgement, StopEngagement or the end of the plan ends the engagement.
"""

from __future__ import annotations

import functools
import json
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...core.model import TOKEN_MEMBER
from .. import settings
from ..drill.clock import clock
from ..drill.responders import RESPONDER_NOTE
from ..moto_compat import camelcase_to_underscores
from .backend_base import BackendState, Listing, PageArgs, paginate, touching
from .exceptions import field_error
from .records import Contact, Engagement, Page
from .validation import operation_model

if TYPE_CHECKING:  # typing.Unpack is 3.11+; it only annotates ``**paging``
    from typing_extensions import Unpack

__all__ = ["DELIVERY_DELAY", "EscalationBackend"]

# Delivery is simulated as succeeding one virtual second after sending.
DELIVERY_DELAY = timedelta(seconds=1)
#: The StartEngagement member that names whom to page (GetContact and the others call it the same).
CONTACT_MEMBER = "ContactId"


@functools.cache
def _start_member_names() -> tuple[dict[str, str], frozenset[str]]:
    """StartEngagement's members by their snake_case names, in the model's order, and the required ones."""
    shape = operation_model("StartEngagement").input_shape
    names = {camelcase_to_underscores(member): member for member in shape.members}
    return names, frozenset(shape.required_members)


def _start_members(args: tuple[Any, ...], given: dict[str, Any]) -> dict[str, Any]:
    """StartEngagement's members by API name, absent ones None, from positional and snake_case
    keyword arguments; a name the model does not know, or a required one not given, is a TypeError."""
    names, required = _start_member_names()
    if len(args) > len(names):
        raise TypeError(f"start_engagement takes at most {len(names)} members, got {len(args)}")
    values = dict(zip(names, args, strict=False))  # the first len(args) members, in order
    for name, value in given.items():
        if name not in names or name in values:
            raise TypeError(f"start_engagement: unexpected or repeated member {name!r}")
        values[name] = value
    missing = [member for name, member in names.items() if member in required and name not in values]
    if missing:
        raise TypeError(f"start_engagement: missing {', '.join(missing)}")
    return {member: values.get(name) for name, member in names.items()}


class EscalationBackend(BackendState):
    """StartEngagement ... AcceptPage: engagements, their pages, receipts and acknowledgements."""

    @touching
    def start_engagement(self, *args: Any, **members: Any) -> str:
        """StartEngagement: every member of the model's input in snake_case, by keyword or in the
        model's order (contact, sender, subject, content, ...); returns the engagement's ARN."""
        params = _start_members(args, members)
        contact = self.get_contact_obj(params.pop(CONTACT_MEMBER))
        idempotency_token = params.pop(TOKEN_MEMBER)
        fingerprint = json.dumps([contact.arn, params], sort_keys=True)
        if idempotency_token:
            known = self.engagement_tokens.get(idempotency_token)
            if known is not None and self._token_expired(known[1]):
                # Past the retention the service no longer knows the token: a new engagement.
                del self.engagement_tokens[idempotency_token]
                known = None
            if known is not None:
                if known[0] != fingerprint:
                    raise field_error(
                        TOKEN_MEMBER,
                        f"{TOKEN_MEMBER} {idempotency_token} was already used with different parameters",
                    )
                return known[1]
        now = clock.now()
        arn = self._arn(f"engagement/{contact.alias}/{uuid.uuid4()}")
        engagement = Engagement.start(arn, contact, params, now)
        self.engagements[arn] = engagement
        if idempotency_token:
            self.engagement_tokens[idempotency_token] = (fingerprint, arn)
        self.engagements_created += 1
        self._begin(engagement, contact, now)
        self.process_due()
        return arn

    def _token_expired(self, engagement_arn: str) -> bool:
        retention = settings.token_retention()
        if retention is None:
            return False
        engagement = self.engagements.get(engagement_arn)
        if engagement is None:
            return True
        return (clock.now() - engagement.start_time).total_seconds() > retention

    def _begin(self, engagement: Engagement, contact: Contact, at: datetime) -> None:
        direct_page = None
        if contact.type == "ONCALL_SCHEDULE":
            # Whoever is on shift now is paged, as an escalation plan's essential target would be.
            self._page_on_shift(engagement, contact, essential=True, at=at)
            self._end_when_plans_run_out(engagement, at)
            return
        if contact.type == "PERSONAL":
            direct_page = self._new_page(engagement, contact, essential=True, at=at)
        if not engagement.stages:
            # No plan: a PERSONAL contact gets every activated channel at once; the engagement is done.
            if direct_page is not None:
                self._send_all_channels(direct_page, at)
            self._end(engagement, at)
            return
        self._schedule(at, lambda t: self._run_stage(engagement, direct_page, 0, t))

    def _run_stage(self, engagement: Engagement, direct_page: Page | None, index: int, at: datetime) -> None:
        if engagement.stop_time is not None:
            return
        stage = engagement.stages[index]
        for target in stage.get("Targets") or []:
            if direct_page is not None and target.get("ChannelTargetInfo"):
                self._send(direct_page, target["ChannelTargetInfo"]["ContactChannelId"], at)
            elif direct_page is None and target.get("ContactTargetInfo"):
                info = target["ContactTargetInfo"]
                contact = self.contacts.get(info.get("ContactId") or "")
                if contact is None:
                    continue  # deleted since the plan was written: nobody to page
                essential = bool(info.get("IsEssential"))
                if contact.type == "ONCALL_SCHEDULE":
                    self._page_on_shift(engagement, contact, essential, at)
                    continue
                page = self._new_page(engagement, contact, essential=essential, at=at)
                self._run_page_stage(page, 0, at)
        finish = at + timedelta(minutes=stage.get("DurationInMinutes") or 0)
        if index + 1 < len(engagement.stages):
            self._schedule(finish, lambda t: self._run_stage(engagement, direct_page, index + 1, t))
        else:
            self._schedule(finish, lambda t: self._end(engagement, t))

    def _run_page_stage(self, page: Page, index: int, at: datetime) -> None:
        """A contact paged by an escalation plan works through its own plan's stages."""
        if page.engagement.stop_time is not None or page.read_time is not None:
            return
        if not page.contact_stages:
            self._send_all_channels(page, at)
            return
        stage = page.contact_stages[index]
        for target in stage.get("Targets") or []:
            if target.get("ChannelTargetInfo"):
                self._send(page, target["ChannelTargetInfo"]["ContactChannelId"], at)
        if index + 1 < len(page.contact_stages):
            finish = at + timedelta(minutes=stage.get("DurationInMinutes") or 0)
            self._schedule(finish, lambda t: self._run_page_stage(page, index + 1, t))

    def _page_on_shift(
        self, engagement: Engagement, schedule: Contact, essential: bool, at: datetime
    ) -> None:
        """Page each member on shift in the schedule at ``at`` (nobody on shift: nobody paged)."""
        for member, rotation_arn in self.on_shift(schedule, at):
            page = self._new_page(engagement, member, essential, at, on_shift=(schedule.arn, rotation_arn))
            self._run_page_stage(page, 0, at)

    def _end_when_plans_run_out(self, engagement: Engagement, at: datetime) -> None:
        """A schedule's engagement ends when the longest of its members' own plans has run out, as a
        personal contact's ends with its plan (or at once if nobody was on shift; or on an ack)."""
        longest = max(
            (
                sum(stage.get("DurationInMinutes") or 0 for stage in page.contact_stages)
                for page in engagement.pages
            ),
            default=0,
        )
        self._schedule(at + timedelta(minutes=longest), lambda t: self._end(engagement, t))

    def _new_page(
        self,
        engagement: Engagement,
        contact: Contact,
        essential: bool,
        at: datetime,
        on_shift: tuple[str, str] | None = None,
    ) -> Page:
        arn = self._arn(f"page/{contact.alias}/{uuid.uuid4()}")
        page = Page.open(arn, engagement, contact, essential, at)
        if on_shift is not None:
            page.schedule_arn, page.rotation_arn = on_shift
        self.pages[arn] = page
        engagement.pages.append(page)
        return page

    def _send_all_channels(self, page: Page, at: datetime) -> None:
        for channel in self.channels_of(page.contact_arn):
            self._send(page, channel.arn, at)

    def _send(self, page: Page, channel_arn: str, at: datetime) -> None:
        channel = self.channels.get(channel_arn)
        if channel is None or not channel.activated or channel.contact_arn != page.contact_arn:
            return  # a channel that is gone or not activated cannot be engaged
        first = page.sent_time is None
        page.add_receipt("SENT", at, channel.arn)
        if first:
            page.sent_time = at
        params = page.engagement.params
        self.outbox.append(
            {
                "Time": at,
                "Kind": "PAGE",
                "PageArn": page.arn,
                "ContactChannelArn": channel.arn,
                "ChannelType": channel.type,
                "Address": channel.address,
                "Subject": params["Subject"],
                "Code": page.accept_code,
            }
        )
        self._schedule(at + DELIVERY_DELAY, lambda t: self._deliver(page, channel.arn, t))
        responder = self.responders.get(page.contact_arn)
        if first and responder is not None:
            delay = responder.draw()
            if delay is not None:
                self._schedule(
                    at + timedelta(seconds=delay), lambda t: self._simulated_answer(page, channel.arn, t)
                )

    def _simulated_answer(self, page: Page, channel_arn: str, at: datetime) -> None:
        """A simulated person answers, unless the page was withdrawn before they got to it.

        Withdrawn: StopEngagement (a STOP receipt) or another essential acknowledgement of the same
        engagement. A page whose plan merely ran out is still answered, late, as a person would.
        """
        if any(r["ReceiptType"] == "STOP" for r in page.receipts):
            return
        if any(p is not page and p.essential and p.read_time is not None for p in page.engagement.pages):
            return
        self._accept(page, "READ", at, channel_arn, RESPONDER_NOTE)

    def _deliver(self, page: Page, channel_arn: str, at: datetime) -> None:
        page.add_receipt("DELIVERED", at, channel_arn)
        if page.delivery_time is None:
            page.delivery_time = at

    def _accept(
        self, page: Page, accept_type: str, at: datetime, channel_arn: str | None, note: str | None
    ) -> None:
        if accept_type == "DELIVERED":
            if page.delivery_time is None:
                page.delivery_time = at
            page.add_receipt("DELIVERED", at, channel_arn, note)
            return
        if page.read_time is not None:
            return  # acknowledging twice changes nothing
        page.read_time = at
        if page.delivery_time is None:
            page.delivery_time = at
        page.add_receipt("READ", at, channel_arn, note)
        if page.essential:
            # An essential acknowledgement ends the engagement: no further stages, StopTime set.
            self._end(page.engagement, at)

    def _end(self, engagement: Engagement, at: datetime) -> None:
        if engagement.stop_time is None:
            engagement.stop_time = at

    def _get_engagement(self, engagement_id: str) -> Engagement:
        return self._find(self.engagements, engagement_id, "ENGAGEMENT")

    def _get_page(self, page_id: str) -> Page:
        return self._find(self.pages, page_id, "PAGE")

    @touching
    def describe_engagement(self, engagement_id: str) -> dict[str, Any]:
        return self._get_engagement(engagement_id).describe()

    @touching
    def stop_engagement(self, engagement_id: str, reason: str | None = None) -> None:
        engagement = self._get_engagement(engagement_id)
        if engagement.stop_time is not None:
            return  # already over: stopping again is a no-op
        now = clock.now()
        engagement.stop_time = now
        engagement.stop_reason = reason
        for page in engagement.pages:
            if page.read_time is None:
                page.add_receipt("STOP", now, None, reason or None)

    @touching
    def list_engagements(
        self,
        incident_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        **paging: Unpack[PageArgs],
    ) -> Listing:
        found = [
            e
            for e in self.engagements.values()
            if (incident_id is None or e.params.get("IncidentId") == incident_id)
            and (start is None or e.start_time >= start)
            and (end is None or e.start_time <= end)
        ]
        return paginate(found, Engagement.summary, **paging)

    # -- pages ------------------------------------------------------------------------------------

    @touching
    def list_pages_by_engagement(self, engagement_id: str, **paging: Unpack[PageArgs]) -> Listing:
        engagement = self._get_engagement(engagement_id)
        return paginate(engagement.pages, Page.summary, **paging)

    @touching
    def list_pages_by_contact(self, contact_id: str, **paging: Unpack[PageArgs]) -> Listing:
        contact_arn = self.get_contact_obj(contact_id).arn
        pages = [page for page in self.pages.values() if page.contact_arn == contact_arn]
        return paginate(pages, Page.summary, **paging)

    @touching
    def describe_page(self, page_id: str) -> dict[str, Any]:
        return self._get_page(page_id).describe()

    @touching
    def list_page_receipts(self, page_id: str, **paging: Unpack[PageArgs]) -> Listing:
        page = self._get_page(page_id)
        receipts = sorted(page.receipts, key=lambda r: r["ReceiptTime"])
        return paginate(receipts, dict, **paging)

    @touching
    def list_page_resolutions(self, page_id: str) -> list[dict[str, Any]]:
        page = self._get_page(page_id)
        engagement = page.engagement
        out: list[dict[str, Any]] = []
        if engagement.contact_type == "ESCALATION":
            out.append({"ContactArn": engagement.contact_arn, "Type": "ESCALATION"})
        if page.schedule_arn is not None:
            out.append({"ContactArn": page.schedule_arn, "Type": "ONCALL_SCHEDULE"})
        out.append({"ContactArn": page.contact_arn, "Type": "PERSONAL"})
        return out

    @touching
    def accept_page(
        self,
        page_id: str,
        accept_type: str,
        accept_code: str,
        contact_channel_id: str | None = None,
        note: str | None = None,
        accept_code_validation: str | None = None,
    ) -> None:
        page = self._get_page(page_id)
        if contact_channel_id is not None:
            channel = self._find(self.channels, contact_channel_id, "CONTACT_CHANNEL")
            if channel.contact_arn != page.contact_arn:
                raise field_error(
                    "ContactChannelId", "The contact channel does not belong to the paged contact"
                )
        # IGNORE is the service default: the code is only compared under ENFORCE.
        if accept_code_validation == "ENFORCE" and accept_code != page.accept_code:
            raise field_error("AcceptCode", "The accept code is not valid for this page")
        self._accept(page, accept_type, clock.now(), contact_channel_id, note)
