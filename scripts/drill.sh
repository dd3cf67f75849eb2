#!/usr/bin/env bash
# `make drill`: a game-day drill on the local emulator, with simulated responders.
#
# Starts the emulator with examples/drill/seed.yaml (alice never answers, bob answers 45 s after
# his page) on a free loopback port, pages the drill-oncall escalation plan with the CLI
# (`engagement start ... --wait`), and prints who acknowledged and how many (virtual) seconds
# after the page started. Fake credentials and an explicit endpoint: it never reaches AWS.
#
# Environment: DRILL_SEED (seed file), DRILL_CONTACT (plan or contact ARN to page),
# DRILL_TIME_SCALE (virtual seconds per real second, default 60; 1 lets people acknowledge in
# the pager inbox before the simulated responders do), DRILL_TIMEOUT (real time, default 60s),
# DRILL_REPORT (HTML report file, default drill-report.html), DRILL_START (ISO 8601: set the virtual
# clock there before paging, e.g. just before a shift change of an on-call schedule).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
ENGAGEMENT="$VENV/bin/engagement"
SEED="${DRILL_SEED:-$ROOT/examples/drill/seed.yaml}"
CONTACT="${DRILL_CONTACT:-arn:aws:ssm-contacts:us-east-1:123456789012:contact/drill-oncall}"
SCALE="${DRILL_TIME_SCALE:-60}"
TIMEOUT="${DRILL_TIMEOUT:-60s}"
REPORT="${DRILL_REPORT:-drill-report.html}"
START="${DRILL_START:-}"
# shellcheck source=scripts/lib/emulator.sh
source "$ROOT/scripts/lib/emulator.sh"
emulator_session drill
isolate_aws AKIADRILLDRILLDRILL0 drill-secret-not-real

# With DRILL_START the clock is frozen while it is set and the plan is read, then runs at SCALE.
INITIAL_SCALE="$SCALE"
if [[ -n "$START" ]]; then INITIAL_SCALE=0; fi
start_emulator "$ENGAGEMENT" emulator --port 0 --seed "$SEED" --time-scale "$INITIAL_SCALE"
ENDPOINT="$EMULATOR_URL"
export AWS_ENDPOINT_URL_SSM_CONTACTS="$ENDPOINT"

control() { # control METHOD ARG: the emulator's control API (set_time ISO, set_time_scale X)
    "$VENV/bin/python" -c 'import sys
from datetime import datetime
from pulumi_engagement.emulator.control.client import EmulatorControl
control, method, value = EmulatorControl(sys.argv[1]), sys.argv[2], sys.argv[3]
if method == "set_time":
    control.set_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
else:
    control.set_time_scale(float(value))' "$ENDPOINT" "$1" "$2"
}
if [[ -n "$START" ]]; then
    control set_time "$START"
    echo "== Virtual clock set to $START"
fi

echo "== Drill on the emulator at $ENDPOINT (virtual time x$SCALE), seed $SEED"
echo "   pager inbox: $ENDPOINT/_emulator/inbox"
echo "== Who the page will reach if nobody acknowledges (stage by stage; the person on shift)"
# Exit 1 (nobody would be reached) is worth seeing, not a reason to skip the drill.
"$ENGAGEMENT" oncall "$CONTACT" --output table || true
if [[ -n "$START" ]]; then control set_time_scale "$SCALE"; fi
echo "== Paging $CONTACT and waiting for an acknowledgement"
code=0
"$ENGAGEMENT" start --output json --contact-id "$CONTACT" --sender gameday \
    --subject "Game-day drill: payments API returns 503" \
    --content "This is a drill. Acknowledge the page; no action on production." \
    --incident-id "drill-$(date -u +%Y%m%dT%H%M%SZ)" \
    --wait --timeout "$TIMEOUT" --interval 0.2 --quiet >"$WORK/result.json" || code=$?
# 4 (timed out) and 6 (ended unacknowledged) are drill outcomes worth reporting, not failures.
if [[ $code -ne 0 && $code -ne 4 && $code -ne 6 ]]; then
    echo "drill: engagement start failed (exit $code)" >&2
    exit "$code"
fi

echo "== Result"
"$VENV/bin/python" - "$WORK/result.json" "$WORK/arn" <<'PY'
import json
import sys
from datetime import datetime

doc = json.load(open(sys.argv[1]))
engagement, wait = doc["engagement"], doc["wait"]
start = datetime.fromisoformat(engagement["start_time"])


def seconds(iso, since=start):
    return f"{(datetime.fromisoformat(iso) - since).total_seconds():g} s"


for page in sorted(wait["pages"], key=lambda p: p["sent_time"] or ""):
    who = (page["contact_arn"] or "?").rsplit("/", 1)[-1]
    line = f"paged at +{seconds(page['sent_time'])}" if page["sent_time"] else "never sent"
    if page["read_time"]:
        lag = seconds(page["read_time"], datetime.fromisoformat(page["sent_time"]))
        line += f", acknowledged at +{seconds(page['read_time'])} ({lag} after their page)"
    else:
        line += ", did not acknowledge"
    print(f"   {who}: {line}")
acked = [p for p in wait["pages"] if p["read_time"]]
if wait["status"] == "acknowledged" and acked:
    first = min(acked, key=lambda p: p["read_time"])
    who = first["contact_arn"].rsplit("/", 1)[-1]
    print(f"   => acknowledged by {who} {seconds(first['read_time'])} after the page started")
else:
    print(f"   => nobody acknowledged (wait: {wait['status']})")
open(sys.argv[2], "w").write(engagement["engagement_arn"])
PY
ARN="$(cat "$WORK/arn")"
echo "   engagement: $ARN"

"$ENGAGEMENT" report "$ARN" --output table
"$ENGAGEMENT" report "$ARN" --html "$REPORT" --output json >"$WORK/report.json"
"$VENV/bin/python" - "$WORK/report.json" <<'PY'
import json
import sys

metrics = json.load(open(sys.argv[1]))
mtta = metrics.get("time_to_acknowledge")
print(f"== MTTA (report): {mtta:g} s" if mtta is not None else "== MTTA (report): not acknowledged")
PY
echo "== Report written to $REPORT (open it in a browser: no network needed)"
exit "$code"
