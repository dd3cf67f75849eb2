# The provider plugin `pulumi-resource-engagement` (issue 22): its schema and generated SDKs must
# match the property tables, and the real CLI drives it against the emulator from YAML,
# TypeScript and Go. Its suite runs here only, not in `unit`.
.PHONY: pulumi-schema pulumi-sdk pulumi-plugin-check pulumi-plugin-tests

UNIT_IGNORE += --ignore=tests/pulumi_plugin
TEST_STEPS += pulumi-plugin-check pulumi-plugin-tests

# Regenerate schema.json and sdk/ after changing the property tables.
pulumi-schema: $(STAMP)
	$(PY) -m pulumi_engagement.pulumi_adapter.schema

pulumi-sdk: pulumi-schema
	scripts/pulumi_sdk.sh generate

# Drift of schema.json and sdk/; the TypeScript SDK compiles and packs; the Go SDK builds and vets.
pulumi-plugin-check: $(STAMP)
	$(PY) -m pulumi_engagement.pulumi_adapter.schema --check
	scripts/pulumi_sdk.sh check

# The real CLI (mk/pulumi.mk's with_pulumi_cli) against the emulator.
pulumi-plugin-tests: $(STAMP)
	@$(with_pulumi_cli) $(VENV)/bin/pytest -q -n 2 -p no:cacheprovider tests/pulumi_plugin
