"""Bytes for download buttons: CSV that Excel opens (UTF-8 with BOM), text neutralised against formula injection.

A thin front for the pages; the rules live in `reports.safe` and `reports.csvexport`.
"""

from __future__ import annotations

from kaohe.reports.csvexport import csv_bytes
from kaohe.reports.safe import cell as neutralise

__all__ = ["csv_bytes", "neutralise"]
