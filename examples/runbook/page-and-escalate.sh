#!/usr/bin/env bash
# Page the primary on-call plan, wait for an acknowledgement, and if nobody
# acknowledges in time, page the secondary plan for the same incident.
#
# Safe to re-run (a cron retry, a re-triggered CI job): while the page's
# engagement is running, a re-run finds it instead of paging people twice; once
# it is over (acknowledged, stopped or its plan ran out), the same alert pages again.
#
# Environment:
#   INCIDENT_ID    required; both pages carry it (e.g. deploy-42)
#   PRIMARY        plan or contact ARN paged first   (default: the example seed's primary-oncall)
#   SECONDARY      plan or contact ARN paged on timeout (default: secondary-oncall)
#   SENDER         who pages (default: runbook)
#   SUBJECT, CONTENT  the page (defaults mention the incident)
#   ACK_TIMEOUT    how long to wait for an acknowledgement: 90, 30s, 10m, 1h (default: 10m)
#   POLL_INTERVAL  first poll interval (default: 5s)
#   ESCALATE_WHEN_STOPPED  yes (default) or no: escalate when someone stopped the primary
#                  engagement by hand before anyone acknowledged (the result says who and why)
#   ENGAGEMENT     the engagement command (default: engagement on PATH)
#   plus the usual AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_SSM_CONTACTS, credentials.
#
# Escalates when nobody acknowledged: on timeout (exit 4) and when the primary
# engagement ended unacknowledged (exit 6: its plan ran out, or it was stopped).
#
# Exit: 0 when the primary acknowledged or the secondary was paged (or, with
# ESCALATE_WHEN_STOPPED=no, a person stopped it); otherwise the exit code of the
# failing `engagement` call (2 invalid input, 3 not found, 5 service error, 1 anything else).
#
# Rehearse it against the local emulator, waking nobody:
#   engagement emulator --port 4566 --seed examples/seed.yaml &
#   AWS_ENDPOINT_URL_SSM_CONTACTS=http://127.0.0.1:4566 AWS_REGION=us-east-1 \
#   AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
#   INCIDENT_ID=drill-1 ACK_TIMEOUT=5m examples/runbook/page-and-escalate.sh
set -euo pipefail

: "${INCIDENT_ID:?set INCIDENT_ID, e.g. INCIDENT_ID=deploy-42}"
PRIMARY=${PRIMARY:-arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall}
SECONDARY=${SECONDARY:-arn:aws:ssm-contacts:us-east-1:123456789012:contact/secondary-oncall}
SENDER=${SENDER:-runbook}
SUBJECT=${SUBJECT:-"Incident ${INCIDENT_ID} needs a responder"}
CONTENT=${CONTENT:-"Incident ${INCIDENT_ID} was raised by ${SENDER}. Acknowledge this page to take it."}
ACK_TIMEOUT=${ACK_TIMEOUT:-10m}
POLL_INTERVAL=${POLL_INTERVAL:-5s}
ENGAGEMENT=${ENGAGEMENT:-engagement}
ESCALATE_WHEN_STOPPED=${ESCALATE_WHEN_STOPPED:-yes}

log() { printf 'page-and-escalate: %s\n' "$*" >&2; }

page() { # page CONTACT_ARN [extra engagement flags...]
    local contact=$1
    shift
    "$ENGAGEMENT" start --output json \
        --contact-id "$contact" --sender "$SENDER" \
        --subject "$SUBJECT" --content "$CONTENT" \
        --incident-id "$INCIDENT_ID" "$@"
}

log "paging ${PRIMARY} for incident ${INCIDENT_ID}; waiting up to ${ACK_TIMEOUT} for an acknowledgement"
rc=0
result=$(page "$PRIMARY" --wait --timeout "$ACK_TIMEOUT" --interval "$POLL_INTERVAL") || rc=$?
# The JSON result goes on to stdout for whoever runs the runbook (a CI log, jq).
[ -n "$result" ] && printf '%s\n' "$result"
case $rc in
    0)
        log "acknowledged: no escalation needed"
        exit 0
        ;;
    4)
        log "nobody acknowledged within ${ACK_TIMEOUT}: escalating to ${SECONDARY}"
        ;;
    6)
        # Nobody acknowledged and the engagement is over: exactly when escalating matters.
        if [[ $result == *'"stopped_by_request": true'* && $ESCALATE_WHEN_STOPPED == no ]]; then
            log "a person stopped the engagement before anyone acknowledged; ESCALATE_WHEN_STOPPED=no: not escalating"
            exit 0
        fi
        log "the engagement ended with nobody acknowledging: escalating to ${SECONDARY}"
        ;;
    *)
        log "paging ${PRIMARY} failed (exit ${rc})"
        exit "$rc"
        ;;
esac

page "$SECONDARY"
log "escalated: ${SECONDARY} paged for incident ${INCIDENT_ID}"
