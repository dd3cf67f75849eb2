# `make demo`: the failed-deploy playbook against the local emulator (never AWS); see scripts/demo.sh.
.PHONY: demo

demo: $(STAMP)
	VENV=$(abspath $(VENV)) bash scripts/demo.sh
