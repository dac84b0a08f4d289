"""Benchmarks run by `lectio bench`: see harness.py and docs/benchmarks.md."""
