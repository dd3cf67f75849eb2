"""The baseline a runbook author would write by hand: one boto3 start_engagement call."""

import argparse
import json

import boto3

parser = argparse.ArgumentParser()
for flag in ("--contact-id", "--sender", "--subject", "--content", "--incident-id"):
    parser.add_argument(flag, required=True)
args = parser.parse_args()
client = boto3.client("ssm-contacts")
response = client.start_engagement(
    ContactId=args.contact_id,
    Sender=args.sender,
    Subject=args.subject,
    Content=args.content,
    IncidentId=args.incident_id,
)
print(json.dumps({"engagement_arn": response["EngagementArn"]}))
