#!/usr/bin/env bash
# `make demo`: the failed-deploy playbook against the local emulator, end to end.
#
# Starts the emulator (examples/seed.yaml) on a free loopback port, runs
# examples/ansible/page-on-failed-deploy.yml (it pages), runs it again (not
# changed), shows the engagement and its pages, lets the seed's simulated
# responder (alice) acknowledge by moving the emulator's clock on, runs the
# playbook once more (the engagement is over: the same failure pages again, once),
# and stops the emulator. Fake credentials and an explicit endpoint: it never reaches AWS.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
EXAMPLE="$ROOT/examples/ansible"
# shellcheck source=scripts/lib/emulator.sh
source "$ROOT/scripts/lib/emulator.sh"
emulator_session demo

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { emulator_die "$@"; }

isolate_aws AKIADEMODEMODEMO0000 demo-secret-not-real
export PATH="$VENV/bin:$PATH" ANSIBLE_CONFIG="$EXAMPLE/ansible.cfg" ANSIBLE_NOCOLOR=1
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS

step "Starting the ssm-contacts emulator with examples/seed.yaml"
start_emulator "$PY" -m pulumi_engagement.emulator --host 127.0.0.1 --port 0 --seed "$ROOT/examples/seed.yaml"
URL="$EMULATOR_URL"
echo "emulator at $URL (loopback only; fake credentials)"

control() { # control METHOD ROUTE [JSON]: the emulator's /_emulator/ endpoint
    "$PY" - "$URL" "$@" <<'EOF'
import json, sys
from pulumi_engagement.emulator.control import EmulatorControl
url, method, route, *body = sys.argv[1:]
print(json.dumps(EmulatorControl(url)._request(method, route, json.loads(body[0]) if body else None)))
EOF
}
state_field() { control GET state | "$PY" -c "import json,sys; s=json.load(sys.stdin); print($1)"; }

playbook() { # playbook NAME LOGFILE: run an example playbook against the emulator
    if ! (cd "$EXAMPLE" && ansible-playbook "$1" -e "ssm_contacts_endpoint=$URL") | tee "$2"; then
        die "ansible-playbook $1 failed"
    fi
}

step "1. The deploy fails on web-1..3; the rescue pages the primary on-call"
echo "(the 'fatal:' lines are the pretend deploy failing on purpose; the rescue handles them)"
playbook page-on-failed-deploy.yml "$WORK/run1.log"
grep -q "Paged arn:aws:ssm-contacts" "$WORK/run1.log" || die "the first run did not page"
[[ "$(grep -c 'Paged arn:aws:ssm-contacts' "$WORK/run1.log")" == 1 ]] || die "more than one host paged"
ARN="$(grep -oE 'arn:aws:ssm-contacts:[^ "]+:engagement/[^ "]+' "$WORK/run1.log" | head -n 1)"

step "2. Run it again while the engagement runs: nobody is paged twice, nothing changes"
playbook page-on-failed-deploy.yml "$WORK/run2.log"
if grep -q "Paged arn:aws:ssm-contacts" "$WORK/run2.log"; then die "the re-run paged again"; fi
[[ "$(state_field 's["engagements"]')" == 1 ]] || die "the emulator holds more than one engagement"

step "3. The engagement and its pages"
playbook show-engagement.yml "$WORK/show1.log"

step "4. Two minutes later (virtual time): the simulated responder, alice, acknowledges"
control POST clock '{"advance_seconds": 180}' >/dev/null
playbook show-engagement.yml "$WORK/show2.log"
grep -q "acknowledged at" "$WORK/show2.log" || die "the responder did not acknowledge"
ACK="$(grep -oE 'page to [a-z-]+: [A-Z >]+ \(acknowledged at [^)]+\)' "$WORK/show2.log" | head -n 1)"
ENGAGEMENTS_BEFORE="$(state_field 's["engagements"]')"

step "5. The deploy fails again after alice acknowledged (the engagement is over): it pages again, once"
playbook page-on-failed-deploy.yml "$WORK/run3.log"
[[ "$(grep -c 'Paged arn:aws:ssm-contacts' "$WORK/run3.log")" == 1 ]] || die "the new failure did not page exactly once"
ARN2="$(grep -oE 'arn:aws:ssm-contacts:[^ "]+:engagement/[^ "]+' "$WORK/run3.log" | head -n 1)"
[[ "$ARN2" != "$ARN" ]] || die "the new failure was reported with the old engagement"
[[ "$(state_field 's["engagements"]')" == $((ENGAGEMENTS_BEFORE + 1)) ]] || die "expected exactly one new engagement"

step "Stopping the emulator"
stop_emulator
echo "stopped"

cat <<EOF

==================================== summary ====================================
 deploy of release 2024.05.1 failed on 3 hosts -> paged primary-oncall ONCE
 engagement      $ARN
 re-run          not changed while it ran (same engagement, no new page)
 acknowledged    ${ACK:-no}
 failed again    after the acknowledgement -> paged again, once: $ARN2
 AWS was never contacted: the emulator ran on $URL and has been stopped.
=================================================================================
EOF
