"""Batches of pages for the tests and benchmarks that count what the service holds afterwards."""

from __future__ import annotations

from pulumi_engagement.core import StartRequest


def numbered_pages(contact_id: str, sender: str, tag: str, n: int) -> list[StartRequest]:
    """``n`` distinct pages to one contact; the incident id (``tag-0000``, ...) names each, so the
    engagements per incident that start with ``tag`` show every duplicate and every missing page."""
    return [
        StartRequest(
            contact_id=contact_id,
            sender=sender,
            subject=f"{tag} #{i}",
            content=f"page {i} of {tag}",
            incident_id=f"{tag}-{i:04d}",
        )
        for i in range(n)
    ]
