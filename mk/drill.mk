# `make drill` (issue 11): a game-day drill on the emulator with simulated responders; prints who
# acknowledged and after how many seconds. See scripts/drill.sh for its DRILL_* settings. Then a
# drill through an on-call schedule (issue 20) that runs across a shift change: its report names
# who was on shift and the hand-over.
.PHONY: drill

drill: $(STAMP)
	VENV=$(abspath $(VENV)) bash scripts/drill.sh
	VENV=$(abspath $(VENV)) DRILL_SEED=examples/drill/oncall.yaml DRILL_START=2026-03-02T14:55:00Z \
		DRILL_CONTACT=arn:aws:ssm-contacts:us-east-1:123456789012:contact/drill-schedule \
		DRILL_REPORT=drill-oncall-report.html bash scripts/drill.sh
