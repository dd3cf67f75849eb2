"""Game-day drill: page the primary on-call escalation plan and measure the response.

`pulumi up` pages and waits until someone acknowledges (or the wait runs out), then exports who
acknowledged and how fast; `pulumi refresh` updates those numbers; `pulumi destroy` stops the
engagement. See README.md.
"""

import pulumi

from pulumi_engagement import Engagement, EngagementArgs

config = pulumi.Config()
contact_id = config.get("contactId") or "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall"
incident_id = config.get("incidentId") or f"gameday-{pulumi.get_stack()}"
wait = config.get_bool("waitForAcknowledgement")
wait = True if wait is None else wait
wait_minutes = config.get_int("acknowledgementTimeoutMinutes") or 10
fail_on_unacknowledged = bool(config.get_bool("failOnUnacknowledged"))

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
        wait_for_acknowledgement=wait,
        acknowledgement_timeout=f"{wait_minutes}m",
        fail_on_unacknowledged=fail_on_unacknowledged if wait else None,
    ),
    # The wait runs inside the create: the create gets a minute more than the wait.
    opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create=f"{wait_minutes + 1}m")),
)

# What was paged ...
pulumi.export("engagement_arn", drill.engagement_arn)
pulumi.export("paged", drill.contact_arn)
pulumi.export("incident_id", drill.incident_id)
pulumi.export("start_time", drill.start_time)
pulumi.export("stop_time", drill.stop_time)
# The page as sent: secrets in the state (`pulumi stack output` shows [secret]).
pulumi.export("subject", drill.subject)
pulumi.export("content", drill.content)
# ... and how the on-call responded (the drill's result).
pulumi.export("acknowledged", drill.acknowledged)
pulumi.export("acknowledged_by", drill.acknowledged_by)
pulumi.export("acknowledged_at", drill.acknowledged_at)
pulumi.export("time_to_acknowledge", drill.time_to_acknowledge)
pulumi.export("wait_status", drill.wait_status)
pulumi.export("pages", drill.pages)
