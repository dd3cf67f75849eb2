# Pulumi dynamic resource Engagement: its tests also run in `unit`; this target runs just them.
.PHONY: pulumi-tests

# Engine level (the real `python -m pulumi.dynamic` over gRPC), program level, the example under forwarding mocks.
pulumi-tests: $(STAMP)
	$(VENV)/bin/pytest -q -n 2 tests/pulumi
