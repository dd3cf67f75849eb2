"""Reading what the response metrics need from the service (see metrics.py for the arithmetic)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import AccessDeniedError, ResourceNotFoundError
from .metrics_model import ResponseData
from .model import Engagement, Page

if TYPE_CHECKING:
    from .operations import EngagementClient


class _Optional:
    """Runs detail calls the caller may not be allowed (or whose contact was deleted), noting why not."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def __call__(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (AccessDeniedError, ResourceNotFoundError) as exc:
            self.notes.append(f"{what}: {exc.code}")
            return None


def fetch_response_data(client: EngagementClient, engagement_arn: str, details: bool = True) -> ResponseData:
    """Read the engagement, its pages and receipts (and, with ``details``, plan, stages and channels).

    The engagement is described first: if it has stopped, the pages read afterwards are final.
    Detail calls the caller may not be allowed (or whose contact was deleted) leave a note
    instead of failing the report.
    """
    engagement = client.describe(engagement_arn)
    pages = tuple(client.pages(engagement_arn, receipts=True))
    if not details:
        return ResponseData(engagement=engagement, pages=pages)
    optional = _Optional()
    contact_type = None
    plan_stages = None
    contact = optional(
        "plan not read (GetContact)",
        lambda: client._call("GetContact", {"ContactId": engagement.contact_arn}),
    )
    if contact is not None:
        contact_type = contact.get("Type")
        plan_stages = tuple((contact.get("Plan") or {}).get("Stages") or ())
    schedules: dict[str, str] = {}
    stage_indexes = (
        {} if contact_type == "PERSONAL" else _stage_indexes(client, engagement, pages, optional, schedules)
    )
    return ResponseData(
        engagement=engagement,
        pages=pages,
        contact_type=contact_type,
        plan_stages=plan_stages,
        stage_indexes=stage_indexes,
        channels=_channel_names(client, pages, optional),
        notes=tuple(dict.fromkeys(optional.notes)),
        on_shift=_on_shift(client, pages, schedules, optional),
    )


def _stage_indexes(
    client: EngagementClient,
    engagement: Engagement,
    pages: tuple[Page, ...],
    optional: _Optional,
    schedules: dict[str, str],
) -> dict[str, int]:
    """Page ARN -> the 0-based StageIndex of the engagement's plan that paged it; ``schedules`` gets
    page ARN -> the on-call schedule that resolved to its contact (an ONCALL_SCHEDULE resolution)."""
    stage_indexes: dict[str, int] = {}
    for page in pages:
        resolutions = optional(
            "stages not resolved (ListPageResolutions)",
            lambda page=page: list(
                client._paginate("ListPageResolutions", {"PageId": page.page_arn}, "PageResolutions")
            ),
        )
        for item in resolutions or ():
            if item.get("StageIndex") is not None and item.get("ContactArn") == engagement.contact_arn:
                stage_indexes[page.page_arn] = int(item["StageIndex"])
            if item.get("Type") == "ONCALL_SCHEDULE" and item.get("ContactArn"):
                schedules[page.page_arn] = item["ContactArn"]
        if resolutions is None:
            break  # denied once, denied for every page
    return stage_indexes


def _on_shift(
    client: EngagementClient, pages: tuple[Page, ...], schedules: dict[str, str], optional: _Optional
) -> dict[str, dict[str, Any]]:
    """Page ARN -> the shift that had its contact on call when it was sent (pages through a schedule)."""
    from .oncall import shifts_of_pages

    asked = {
        page.page_arn: (schedules[page.page_arn], page.contact_arn, page.sent_time)
        for page in pages
        if page.page_arn in schedules and page.contact_arn and page.sent_time is not None
    }
    if not asked:
        return {}
    found = optional(
        "shifts not read (GetRotation, ListRotationShifts)", lambda: shifts_of_pages(client, asked)
    )
    return found or {}


def _channel_names(
    client: EngagementClient, pages: tuple[Page, ...], optional: _Optional
) -> dict[str, dict[str, str]]:
    """Channel ARN -> its name and type, for every contact paged."""
    channels: dict[str, dict[str, str]] = {}
    for contact_arn in dict.fromkeys(p.contact_arn for p in pages if p.contact_arn):
        listed = optional(
            "channel names not read (ListContactChannels)",
            lambda contact_arn=contact_arn: list(
                client._paginate("ListContactChannels", {"ContactId": contact_arn}, "ContactChannels")
            ),
        )
        for item in listed or ():
            channels[item["ContactChannelArn"]] = {"name": item.get("Name"), "type": item.get("Type")}
    return channels
