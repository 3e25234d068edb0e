"""Benchmarks of the case engine and the metrics (run as scripts; see docs/benchmarks.md)."""
