# Two set-up commands: `make demo` and `make test`. Everything else is a helper target.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv lint unit test demo clean bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Suites with a make step of their own add --ignore=... to UNIT_IGNORE (mk/*.mk).
unit: $(STAMP)
	$(VENV)/bin/pytest -q -n 2 -m "not browser" $(UNIT_IGNORE) tests

# Each area adds its own checks to TEST_STEPS from mk/*.mk.
TEST_STEPS := lint unit
-include mk/*.mk

test: $(STAMP)
	@set -e; for step in $(TEST_STEPS); do echo "== make $$step"; $(MAKE) --no-print-directory $$step; done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
