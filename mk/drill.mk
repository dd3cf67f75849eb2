# `make drill` (issue 11): a game-day drill on the emulator with simulated responders; prints who
# acknowledged and after how many seconds. See scripts/drill.sh for its DRILL_* settings.
.PHONY: drill

drill: $(STAMP)
	VENV=$(abspath $(VENV)) bash scripts/drill.sh
