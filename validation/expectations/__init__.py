"""Expectation suites as reviewed JSON files (a package only so that wheels ship them)."""
