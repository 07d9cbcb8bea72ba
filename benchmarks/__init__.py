"""Benchmarks: scripts that measure tallyscope and write benchmarks/RESULTS.md."""
