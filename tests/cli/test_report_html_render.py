"""The HTML drill report rendered from fixed inputs: every service-provided string escaped, odd shapes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from pulumi_engagement.cli.report_html import duration_text, render_report
from pulumi_engagement.core import Engagement, Page, Receipt, ResponseData, compute_metrics

T0 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
EVIL = '"><script>alert(1)</script><img src=x onerror=alert(2)><a href="http://example.com/">'
ARN = "arn:aws:ssm-contacts:us-east-1:123456789012"
ALLOWED = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "div", "section", "ul"}
ALLOWED |= {"li", "table", "tr", "th", "td", "footer", "span", "svg", "g", "rect", "line", "text", "circle"}
ALLOWED |= {"path"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attrs: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text += data


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def render(pages: tuple[Page, ...], stop: datetime | None, **data) -> Tags:
    engagement = Engagement(
        engagement_arn=f"{ARN}:engagement/plan/1",
        contact_arn=f"{ARN}:contact/plan",
        sender=EVIL,
        subject=EVIL,
        incident_id=EVIL,
        start_time=T0,
        stop_time=stop,
    )
    metrics = compute_metrics(ResponseData(engagement=engagement, pages=pages, **data))
    parser = Tags()
    parser.feed(render_report(engagement, metrics, generated_at=T0, version=EVIL))
    return parser


def test_every_string_from_the_service_is_text_not_markup() -> None:
    channel = f"{ARN}:contact-channel/x/1"
    page = Page(
        page_arn=f"{ARN}:page/x/1",
        contact_arn=f"{ARN}:contact/x{EVIL}",
        sent_time=at(0),
        receipts=(
            Receipt("SENT", at(0), channel),
            Receipt("ERROR", at(2), channel, EVIL),
            Receipt("STOP", at(30), None, EVIL),
        ),
    )
    parsed = render(
        (page,),
        at(30),
        channels={channel: {"name": EVIL, "type": EVIL}},
        notes=(EVIL,),
    )
    assert set(parsed.tags) <= ALLOWED, set(parsed.tags) - ALLOWED
    assert not parsed.attrs & {"src", "href", "onerror", "onload", "action", "srcset"}
    assert parsed.text.count(EVIL) >= 5  # shown literally: subject, sender, incident, note, stop reason


@pytest.mark.parametrize(
    ("pages", "stop"),
    [
        ((), at(0)),  # a plan whose contacts were all deleted: nobody paged, ended at once
        ((Page(page_arn=f"{ARN}:page/a/1", contact_arn=f"{ARN}:contact/a"),), None),  # nothing sent yet
        (
            (
                Page(
                    page_arn=f"{ARN}:page/a/1",
                    contact_arn=f"{ARN}:contact/a",
                    sent_time=at(0),
                    read_time=at(45),  # AcceptPage without a channel: READ names no channel
                    receipts=(Receipt("SENT", at(0), f"{ARN}:contact-channel/a/1"), Receipt("READ", at(45))),
                ),
            ),
            None,
        ),
    ],
)
def test_odd_engagements_render(pages: tuple[Page, ...], stop: datetime | None) -> None:
    parsed = render(pages, stop)
    assert parsed.tags["svg"] >= 1 and parsed.tags["table"] == 2


def test_duration_text() -> None:
    assert [duration_text(s) for s in (None, 0.0, 1.0, 2.5, 59.0, 60.0, 390.0, 3600.0, 3725.0)] == [
        "-",
        "0s",
        "1s",
        "2.5s",
        "59s",
        "1m 00s",
        "6m 30s",
        "1h 00m 00s",
        "1h 02m 05s",
    ]


def test_a_read_that_names_no_channel_is_still_marked() -> None:
    page = Page(
        page_arn=f"{ARN}:page/a/1",
        contact_arn=f"{ARN}:contact/a",
        sent_time=at(0),
        read_time=at(45),
        receipts=(Receipt("SENT", at(0), f"{ARN}:contact-channel/a/1"), Receipt("READ", at(45))),
    )
    engagement = Engagement(
        engagement_arn=f"{ARN}:engagement/a/1", contact_arn=f"{ARN}:contact/a", start_time=T0
    )
    metrics = compute_metrics(ResponseData(engagement=engagement, pages=(page,)))
    assert (metrics.acknowledged, metrics.time_to_acknowledge, metrics.status) == (True, 45.0, "acknowledged")
    text = render_report(engagement, metrics)
    assert text.count('data-kind="read"') == 1 and 'data-offset="45"' in text
    assert text.count('id="acknowledgement"') == 1 and 'id="stop"' not in text
