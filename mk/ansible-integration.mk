# The collection's ansible-test integration targets (tests/integration/targets, amazon.aws's layout),
# run against a throw-away local emulator by scripts/ansible_integration.py; offline like sanity.
TEST_STEPS += ansible-integration

.PHONY: ansible-integration

ansible-integration: $(STAMP) ansible-get-pip
	$(PY) scripts/ansible_integration.py --venv --python $(ANSIBLE_TEST_PYTHON) --color no
