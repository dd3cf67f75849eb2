# Benchmarks (issue 7). Every benchmark runs against an emulator started on 127.0.0.1, port 0;
# results go to bench/results/latest.json and latest.md. `make test` runs bench-quick (issue 19):
# a benchmark that no longer runs fails CI; its goals are judged only by the full `make bench`.
.PHONY: bench bench-quick

TEST_STEPS += bench-quick

bench: $(STAMP)
	$(PY) -m bench

# Small counts, results in $TMPDIR/pulumi-engagement-bench (a smoke run of the harness); exits 1
# when a benchmark crashes, whatever the numbers.
bench-quick: $(STAMP)
	$(PY) -m bench --quick
