# Pulumi: the dynamic resource's unit-level tests also run in `unit`; `pulumi-cli` builds the real
# CLI from the Go module proxy (scripts/pulumi_cli.sh, cached per version outside the checkout)
# and prints, as its last line, the folder that holds it and its plugins.
.PHONY: pulumi-tests pulumi-cli

# Engine level (the real `python -m pulumi.dynamic` over gRPC), program level, the example under forwarding mocks.
pulumi-tests: $(STAMP)
	$(VENV)/bin/pytest -q -n 2 tests/pulumi

pulumi-cli:
	@scripts/pulumi_cli.sh
