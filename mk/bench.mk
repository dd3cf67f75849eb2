# Benchmarks (issue 7): not part of `make test`. Every benchmark runs against an emulator
# started on 127.0.0.1, port 0; results go to bench/results/latest.json and latest.md.
.PHONY: bench bench-quick

bench: $(STAMP)
	$(PY) -m bench

# Small counts, results in $TMPDIR/pulumi-engagement-bench (a smoke run of the harness).
bench-quick: $(STAMP)
	$(PY) -m bench --quick
