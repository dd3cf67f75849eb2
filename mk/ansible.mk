# Ansible collection incident_manager.contacts: vendored-core drift check, ansible-test sanity and units.
COLLECTION_DIR := ansible_collections/incident_manager/contacts
ANSIBLE_BIN := $(abspath $(VENV))/bin
# ansible-test downloads a get-pip script for every venv it builds; offline, a stand-in does the job.
GET_PIP := $(HOME)/.ansible/test/cache/get_pip_24_2.py
ANSIBLE_TEST_PYTHON ?= 3.11
ANSIBLE_TEST := cd $(COLLECTION_DIR) && PATH=$(ANSIBLE_BIN):$$PATH $(ANSIBLE_BIN)/ansible-test

TEST_STEPS += vendor-check ansible-sanity ansible-units

.PHONY: vendor vendor-check ansible-sanity ansible-units ansible-get-pip collection-build

vendor: $(STAMP)
	$(PY) scripts/vendor_core.py

vendor-check: $(STAMP)
	$(PY) scripts/vendor_core.py --check

ansible-get-pip:
	@test -f $(GET_PIP) || install -D -m 0644 tests/ansible/get_pip_standin.py $(GET_PIP)

ansible-sanity: $(STAMP) ansible-get-pip
	$(ANSIBLE_TEST) sanity --venv --python $(ANSIBLE_TEST_PYTHON) --color no

ansible-units: $(STAMP) ansible-get-pip
	$(ANSIBLE_TEST) units --venv --python $(ANSIBLE_TEST_PYTHON) --color no

collection-build: $(STAMP)
	mkdir -p dist
	$(ANSIBLE_BIN)/ansible-galaxy collection build --force --output-path dist $(COLLECTION_DIR)
