"""Benchmarks of pulumi-engagement against the local emulator (`make bench`, `python -m bench`)."""
