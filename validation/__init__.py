"""Validation of a normalised import: Great Expectations suites (files in `expectations/`),
the checks GX cannot express, plausibility warnings, and the person-readable report."""
