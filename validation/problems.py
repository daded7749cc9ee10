"""Every problem an import can have: its severity, its kind, and its words (zh, en).

A problem is a row: check (the message key), severity, kind, the file's row
number, the column as the file names it, the cell's value, and parameters for
the message. Words are rendered only when a person reads the report.
"""

from __future__ import annotations

import pandas as pd

ERROR, WARNING, INFO = "error", "warning", "info"
PROBLEM_COLUMNS = ["check", "severity", "kind", "row", "column", "value", "params"]

# check -> (severity, kind); its problem, expected and fix texts are messages `check`, `check.expected`
# and `check.fix` in the catalogue (base/locale)
CHECKS: dict[str, tuple[str, str]] = {
    "val.file_empty": (ERROR, "file"),
    "val.file_binary": (ERROR, "file"),
    "val.file_encoding": (ERROR, "file"),
    "val.file_mixed_encoding": (ERROR, "file"),
    "val.file_xls": (ERROR, "file"),
    "val.file_format": (ERROR, "file"),
    "val.file_bad_xlsx": (ERROR, "file"),
    "val.file_no_sheet": (ERROR, "file"),
    "val.file_sheet_no_table": (ERROR, "file"),
    "val.file_too_large": (ERROR, "file"),
    "val.file_no_header": (ERROR, "structure"),
    "val.file_layout": (ERROR, "structure"),
    "val.file_no_unit_column": (ERROR, "structure"),
    "val.file_no_month": (ERROR, "structure"),
    "val.file_no_rows": (ERROR, "structure"),
    "val.file_duplicate": (ERROR, "file"),
    "val.file_encrypted": (ERROR, "file"),
    "val.file_not_workbook": (ERROR, "file"),
    "val.file_encoding_unsupported": (ERROR, "file"),
    "val.file_garbled": (ERROR, "file"),
    "val.file_nul": (ERROR, "file"),
    "val.file_csv_broken": (ERROR, "file"),
    "val.file_no_visible_sheet": (ERROR, "file"),
    "val.sheet_hidden_skipped": (INFO, "file"),
    "val.sheet_hidden_named": (WARNING, "file"),
    "val.row_hidden": (ERROR, "file"),
    "val.column_hidden": (ERROR, "file"),
    "val.cell_format_hidden": (ERROR, "file"),
    "val.cell_invisible": (ERROR, "file"),
    "val.cell_lookalike": (ERROR, "file"),
    "val.file_more_items": (ERROR, "file"),
    "val.file_too_many_rows": (ERROR, "file"),
    "val.file_too_many_columns": (ERROR, "file"),
    "val.file_too_many_cells": (ERROR, "file"),
    "val.cell_too_long": (ERROR, "file"),
    "val.file_unzipped_too_large": (ERROR, "file"),
    "val.file_zip_bomb": (ERROR, "file"),
    "val.file_zip_parts": (ERROR, "file"),
    "val.sheet_too_large": (ERROR, "file"),
    "val.file_unreadable": (ERROR, "file"),
    "val.month_published": (ERROR, "period"),
    "val.gx_column_missing": (ERROR, "structure"),
    "val.gx_column_type": (ERROR, "structure"),
    "val.gx_error": (ERROR, "structure"),
    "val.formula_no_value": (ERROR, "structure"),
    "val.column_unknown": (WARNING, "structure"),
    "val.column_repeated": (WARNING, "structure"),
    "val.unit_missing": (ERROR, "reference"),
    "val.unit_unknown": (ERROR, "reference"),
    "val.indicator_missing": (ERROR, "reference"),
    "val.indicator_unknown": (ERROR, "reference"),
    "val.not_applicable_kind": (ERROR, "reference"),
    "val.unit_inactive": (ERROR, "period"),
    "val.before_unit": (ERROR, "period"),
    "val.indicator_retired": (ERROR, "period"),
    "val.value_bad": (ERROR, "domain"),
    "val.value_range": (ERROR, "domain"),
    "val.count_integer": (ERROR, "domain"),
    "val.num_gt_den": (ERROR, "domain"),
    "val.ratio_negative": (ERROR, "domain"),
    "val.value_percent_unit": (ERROR, "domain"),
    "val.value_boolean": (ERROR, "domain"),
    "val.value_not_finite": (ERROR, "domain"),
    "val.value_too_large": (ERROR, "domain"),
    "val.value_excel_error": (ERROR, "domain"),
    "val.status_ok_no_value": (ERROR, "domain"),
    "val.numerator_bad": (ERROR, "domain"),
    "val.denominator_bad": (ERROR, "domain"),
    "val.value_mismatch": (ERROR, "domain"),
    "val.rate_fraction": (WARNING, "domain"),
    "val.month_bad": (ERROR, "domain"),
    "val.month_missing": (ERROR, "domain"),
    "val.status_bad": (ERROR, "domain"),
    "val.month_future": (ERROR, "period"),
    "val.month_open": (ERROR, "period"),
    "val.month_too_early": (ERROR, "period"),
    "val.earliest_setting_bad": (ERROR, "period"),
    "val.month_title_differs": (WARNING, "period"),
    "val.duplicate_row": (ERROR, "duplicate"),
    "val.incomplete": (WARNING, "completeness"),
    "val.unit_absent": (WARNING, "completeness"),
    "val.jump": (WARNING, "plausibility"),
    "val.perfect_streak": (WARNING, "plausibility"),
    "val.peer_outlier": (WARNING, "plausibility"),
    "val.skipped_title": (INFO, "skipped"),
    "val.skipped_empty": (INFO, "skipped"),
    "val.skipped_total": (INFO, "skipped"),
    "val.skipped_note": (INFO, "skipped"),
    "val.skipped_empty_column": (INFO, "skipped"),
    "val.skipped_ignored_column": (INFO, "skipped"),
    "val.skipped_not_applicable": (INFO, "skipped"),
}

# The words that go inside the messages above (val.hint.* in the catalogue) are rendered in both
# languages when the problem is found: the message takes them as {x_zh} / {x_en} parameters, so a
# stored problem reads in either.

KINDS = ["file", "structure", "reference", "domain", "period", "duplicate", "completeness", "plausibility",
         "skipped"]


def problem(check: str, row=None, column=None, value=None, **params) -> dict:
    severity, kind = CHECKS[check][0], CHECKS[check][1]
    return {"check": check, "severity": severity, "kind": kind, "row": row, "column": column,
            "value": value, "params": params}


def frame(problems: list[dict]) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return pd.DataFrame(problems, columns=PROBLEM_COLUMNS)


def many(check: str, rows: pd.DataFrame, column: str | pd.Series | None, value: pd.Series | None,
         params: pd.Series | dict | None = None) -> pd.DataFrame:
    """Vectorised `problem` for many rows of the normalised frame at once."""
    severity, kind = CHECKS[check][0], CHECKS[check][1]
    n = len(rows)
    p = params.tolist() if isinstance(params, pd.Series) else [dict(params or {})] * n
    return pd.DataFrame({
        "check": [check] * n, "severity": [severity] * n, "kind": [kind] * n,
        "row": rows["row"].to_numpy(),
        "column": column.to_numpy() if isinstance(column, pd.Series) else [column] * n,
        "value": value.to_numpy() if isinstance(value, pd.Series) else [value] * n,
        "params": p,
    })
