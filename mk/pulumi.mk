# Pulumi dynamic resource Engagement: its tests run in `unit`; this step keeps the example project tidy.
TEST_STEPS += pulumi-example

.PHONY: pulumi-tests pulumi-example

# Just the Pulumi adapter's tests (engine level, program level, the example under forwarding mocks).
pulumi-tests: $(STAMP)
	$(VENV)/bin/pytest -q -n 2 tests/pulumi

# The example is a Pulumi project, outside `lint`'s format check: check it here (ruff check also catches syntax errors).
pulumi-example: $(STAMP)
	$(VENV)/bin/ruff check examples/pulumi
	$(VENV)/bin/ruff format --check examples/pulumi
