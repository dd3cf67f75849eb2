"""The name every stack's state pickles the Engagement provider under (since 0.1.0).

The Pulumi engine unpickles ``pulumi_engagement.provider.EngagementProvider`` on each refresh,
update and destroy of a stack, so this path must keep resolving wherever the adapter lives (it
lives in :mod:`pulumi_engagement.pulumi_adapter`; the class declares this module as its own).
``tests/pulumi_e2e`` refreshes and destroys a committed stack of release 0.2.0 to prove it.
"""

from .pulumi_adapter.dynamic_provider import EngagementProvider, EngagementResourceError

__all__ = ["EngagementProvider", "EngagementResourceError"]
