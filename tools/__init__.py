"""Tooling that only tests, benchmarks and the sample drop need; never shipped in the wheel."""
