# The `engagement` CLI: its tests run in `make unit` (tests/cli); this adds a syntax check of the
# shell runbook and a drill that runs it against a throw-away emulator.
RUNBOOKS := $(wildcard examples/runbook/*.sh)

TEST_STEPS += runbook-check

.PHONY: runbook-check runbook-drill

runbook-check:
	@for script in $(RUNBOOKS); do bash -n $$script || exit 1; done; echo "runbooks: syntax ok"

# Pages primary-oncall on the emulator, waits 1s of real time (the emulator runs 120x faster, so
# alice's two virtual minutes pass), and escalates only if nobody acknowledged.
runbook-drill: $(STAMP)
	@set -e; log=$$(mktemp); \
	$(VENV)/bin/engagement emulator --port 0 --seed examples/seed.yaml --time-scale 120 > $$log & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -f $$log' EXIT; \
	while [ ! -s $$log ]; do kill -0 $$pid; sleep 0.1; done; \
	AWS_ENDPOINT_URL_SSM_CONTACTS=$$(head -1 $$log) AWS_REGION=us-east-1 \
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	ENGAGEMENT=$(abspath $(VENV))/bin/engagement INCIDENT_ID=drill-$$$$ ACK_TIMEOUT=5s POLL_INTERVAL=0.2 \
	bash examples/runbook/page-and-escalate.sh
