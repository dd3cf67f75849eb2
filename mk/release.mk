# Release checks (issue 12): what Galaxy, ansible-lint, ansible-builder, antsibull and twine say about
# the built collection tarball, sdist and wheel (tests/packaging/test_release_tools.py), offline.
# Their tools pin versions that clash with the main venv (galaxy-importer: attrs<24; ansible-lint:
# its own ansible-compat), so they get a venv of their own.
RELEASE_VENV := .venv-release
RELEASE_STAMP := $(RELEASE_VENV)/.installed
RELEASE_TOOLS := galaxy-importer==0.4.44 ansible-lint==26.10.1 antsibull-changelog==0.36.0 \
	antsibull-docs==2.28.0 ansible-builder==3.2.0 twine==7.0.0 build==1.6.1 'ansible-core>=2.16,<2.20'
# The lowest versions the package declares (pyproject's lower bounds), in a venv of their own.
LOWEST_VENV := .venv-lowest
LOWEST_SMOKE := tests/emulator tests/core tests/pulumi
# The collection's playbook tests on the lowest ansible-core (meta/runtime.yml's requires_ansible);
# the two "collector" tests probe start-up through ansible.module_utils.testing, new in 2.19.
LOWEST_ANSIBLE := tests/ansible/test_engagement_playbooks.py -k "not collector"

TEST_STEPS += release-check lowest-deps

.PHONY: release-venv release-check lowest-deps changelog

$(RELEASE_STAMP): mk/release.mk
	$(PYTHON) -m venv $(RELEASE_VENV)
	$(RELEASE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RELEASE_VENV)/bin/python -m pip install --quiet $(RELEASE_TOOLS)
	touch $(RELEASE_STAMP)

release-venv: $(RELEASE_STAMP)

release-check: $(STAMP) $(RELEASE_STAMP)
	RELEASE_VENV=$(abspath $(RELEASE_VENV)) $(VENV)/bin/pytest -q -p no:cacheprovider tests/packaging/test_release_tools.py

# After adding fragments under the collection's changelogs/fragments: a new release entry, then CHANGELOG.rst.
changelog: $(RELEASE_STAMP)
	cd $(COLLECTION_DIR) && PATH=$(abspath $(RELEASE_VENV))/bin:$$PATH antsibull-changelog release

# Installs pyproject's lower bounds (scripts/lowest_deps.py) and runs the smoke tests on them. The venv
# is rebuilt whenever the declared dependencies may have changed; the package itself is editable.
LOWEST_STAMP := $(LOWEST_VENV)/.installed

$(LOWEST_STAMP): pyproject.toml scripts/lowest_deps.py | $(STAMP)
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PY) scripts/lowest_deps.py > $(LOWEST_VENV)/constraints.txt
	$(LOWEST_VENV)/bin/python -m pip install --quiet -c $(LOWEST_VENV)/constraints.txt -e '.[pulumi,emulator]' \
		$$($(PY) scripts/lowest_deps.py --test-tools)
	touch $(LOWEST_STAMP)

lowest-deps: $(LOWEST_STAMP)
	$(LOWEST_VENV)/bin/python scripts/lowest_deps.py --verify $(LOWEST_VENV)/constraints.txt
	$(LOWEST_VENV)/bin/pytest -q -p no:cacheprovider -n 2 $(LOWEST_SMOKE)
	$(LOWEST_VENV)/bin/pytest -q -p no:cacheprovider -n 2 $(LOWEST_ANSIBLE)

.PHONY: clean-release
clean: clean-release

clean-release:
	rm -rf $(RELEASE_VENV) $(LOWEST_VENV)
