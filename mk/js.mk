# The AWS SDK for JavaScript v3 as an outside client of the emulator (issue 20): npm installs the
# pinned @aws-sdk/client-ssm-contacts (tests/js/package-lock.json) for
# tests/emulator/test_emulator_js_sdk.py, which fails naming `make js-deps` when it is missing.
.PHONY: js-deps

JS_STAMP := tests/js/node_modules/.package-lock.json

js-deps: $(JS_STAMP)

$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund

# `make unit` (and so `make test`) runs that test: install the SDK first.
unit: $(JS_STAMP)
