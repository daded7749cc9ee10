"""Validation of a normalised import: Great Expectations suites (files in `expectations/`),
the checks GX cannot express, plausibility warnings, and the person-readable report (as frames and lines;
its CSV and XLSX downloads are written a layer up, by kaohe.reports.validation_export)."""
