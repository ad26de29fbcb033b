"""Benchmarks: `python -m tests.bench.run` prints a table of figures; nothing here is a test."""
