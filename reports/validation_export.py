"""The validation report's downloads: CSV (UTF-8 with BOM, so Excel opens it) and XLSX (summary and problems).

The core (`kaohe.validation.report.Report`) gives the frames in the reader's language; this module writes
them as files, every text cell through `reports.safe` (via `csvexport.csv_bytes` and `excel.write_table`),
the one formula-injection guard of the project. The import page and `kaohe import` / `kaohe validate
--report` both call it.
"""

from __future__ import annotations

import io
from pathlib import Path

from kaohe.base.i18n import t
from kaohe.reports import safe
from kaohe.reports.csvexport import csv_bytes as _frame_csv
from kaohe.validation.report import Report

# column widths of the XLSX download, by column key (val.col.*), in characters
XLSX_WIDTHS = {"severity": 8, "kind": 10, "row": 7, "column": 16, "value": 24, "problem": 44, "expected": 32,
               "fix": 48, "check": 24, "count": 8}

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(report: Report, lang: str | None = None) -> bytes:
    """The problems, one line each, as CSV in `lang` (built once per report and language)."""
    key = ("csv", lang)
    if key not in report.cache:
        report.cache[key] = _frame_csv(report.render(lang))
    return report.cache[key]


def xlsx_bytes(report: Report, lang: str | None = None) -> bytes:
    """Summary and problems as a workbook in `lang` (built once per report and language)."""
    key = ("xlsx", lang)
    if key not in report.cache:
        report.cache[key] = _xlsx(report, lang)
    return report.cache[key]


def file_bytes(report: Report, path: str | Path, lang: str | None = None) -> bytes:
    """The download a file name asks for: XLSX for .xlsx, CSV otherwise."""
    return xlsx_bytes(report, lang) if Path(path).suffix.lower() == ".xlsx" else csv_bytes(report, lang)


def _xlsx(report: Report, lang: str | None) -> bytes:
    """Summary and problems, in the project's workbook style (`reports.excel.write_table`: header,
    widths, frozen header, autofilter, every text cell through `reports.safe`)."""
    from openpyxl import Workbook

    from kaohe.reports.excel import Column, write_table

    wb = Workbook()
    for ws, frame in ((wb.active, report.summary(lang)), (wb.create_sheet(), report.render(lang))):
        ws.title = t("val.sheet.summary" if ws is wb.active else "val.sheet.problems", lang)
        frame = frame.astype(object).where(frame.notna(), None)
        value_col = t("val.col.value", lang)
        if value_col in frame.columns:  # a cell that held a number is a number in the workbook too
            frame[value_col] = [v if safe.number_literal(v) is None else safe.number_literal(v)
                                for v in frame[value_col]]
        write_table(ws, frame, [Column(c, c, "0" if c == t("val.col.row", lang) else None,
                                       XLSX_WIDTHS.get(_key_of(c, lang), 14)) for c in frame.columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _key_of(title: str, lang) -> str | None:
    """The val.col.* key of a column title in `lang`."""
    return next((k for k in XLSX_WIDTHS if t(f"val.col.{k}", lang) == title), None)
