# Browser tests (issue 11): the emulator's pager inbox in a real headless Chromium, Debian's
# `chromium` package driven by Playwright for Python with the system executable (never
# `playwright install`: no browser download). Marked `browser`: `make unit` leaves them out.
TEST_STEPS += browser-tests

.PHONY: browser-deps browser-tests

# apt only when chromium is missing and we are root (as CI is); otherwise the tests say why they skip.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then \
		echo "browser-deps: $$(command -v chromium) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "browser-deps: chromium is missing and installing it needs root and apt-get;" \
			"the browser tests will skip (on CI they fail)"; \
	fi

browser-tests: $(STAMP) browser-deps
	$(VENV)/bin/pytest -q -m browser -p no:cacheprovider tests/browser
