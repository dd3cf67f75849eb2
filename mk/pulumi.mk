# Pulumi: the dynamic resource's unit-level tests also run in `unit`; `pulumi-cli` builds the real
# CLI from the Go module proxy (scripts/pulumi_cli.sh, cached per version outside the checkout)
# and prints, as its last line, the folder that holds it and its plugins.
.PHONY: pulumi-tests pulumi-cli pulumi-e2e
UNIT_IGNORE += --ignore=tests/pulumi_e2e
TEST_STEPS += pulumi-e2e

# A recipe prefix: builds the CLI (or finds it in its cache) once, fails the step if it cannot,
# and hands the folder to what follows as PULUMI_CLI_DIR (the suites never build it themselves).
with_pulumi_cli = cli="$$(scripts/pulumi_cli.sh | tail -n 1)"; \
	test -x "$$cli/pulumi" || { echo "$@: scripts/pulumi_cli.sh gave no CLI (see above)" >&2; exit 1; }; \
	echo "$@: $$("$$cli/pulumi" version) from $$cli"; \
	PULUMI_CLI_DIR="$$cli"

# Engine level (the real `python -m pulumi.dynamic` over gRPC), program level, the example under forwarding mocks.
pulumi-tests: $(STAMP)
	$(VENV)/bin/pytest -q -n 2 tests/pulumi

pulumi-cli:
	@scripts/pulumi_cli.sh

# The end-to-end suite: the real CLI and engine (Automation API inline programs) against the
# emulator; a failed CLI build fails this step (the suite never skips).
pulumi-e2e: $(STAMP)
	@$(with_pulumi_cli) $(VENV)/bin/pytest -q -n 2 -p no:cacheprovider tests/pulumi_e2e
