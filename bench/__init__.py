"""Benchmarks: scripts that print figures. Targets are printed beside the figures, never asserted in tests."""
