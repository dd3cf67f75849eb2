"""Game-day drill: page the primary on-call escalation plan for a drill incident.

`pulumi up` pages, `pulumi refresh` shows whether the drill was stopped,
`pulumi destroy` stops the engagement. See README.md.
"""

import pulumi

from pulumi_engagement import Engagement, EngagementArgs

config = pulumi.Config()
contact_id = config.get("contactId") or "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall"
incident_id = config.get("incidentId") or f"gameday-{pulumi.get_stack()}"

drill = Engagement(
    "gameday-page",
    EngagementArgs(
        contact_id=contact_id,
        sender="gameday-drill",
        subject=f"[DRILL] {incident_id}: checkout latency above SLO",
        content=(
            "This is a game-day drill, not a real incident. Acknowledge the page, "
            "then follow the checkout runbook as if it were real."
        ),
        public_subject="[DRILL] game-day page",
        public_content="Game-day drill in progress: check your secure channel.",
        incident_id=incident_id,
        stop_reason="game-day drill finished",
    ),
)

# What was paged, for the drill report.
pulumi.export("engagement_arn", drill.engagement_arn)
pulumi.export("paged", drill.contact_arn)
pulumi.export("incident_id", drill.incident_id)
pulumi.export("start_time", drill.start_time)
pulumi.export("stop_time", drill.stop_time)
