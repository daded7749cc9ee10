"""Parsing one cell: numbers as evaluators type them, and months in every common spelling."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import numpy as np
import pandas as pd

# What a cell may say instead of a number. Kept here as data, compared after NFKC folding.
MISSING_TOKENS = {"", "-", "—", "——", "–", "−", "--", "/", "无数据", "缺报", "空", "null", "none"}
NA_TOKENS = {"不适用", "n/a", "na", "not applicable", "无此项", "不涉及"}
# Not a number a person measured: infinities and NaN, however spelled (float() reads them all).
NONFINITE_TOKENS = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan",
                    "∞", "+∞", "-∞", "无穷", "无穷大"}
# What Excel shows for a formula that failed (openpyxl hands the text over).
EXCEL_ERRORS = {"#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!", "#getting_data",
                "#spill!", "#calc!", "#field!", "#blocked!", "#busy!", "#unknown!", "#connect!", "#python!"}
# The largest magnitude a value, numerator or denominator may have: far beyond any count or rate a
# district reports (a city's population is 1e7), well inside what DuckDB, the scoring and the reports
# print, and small enough that a whole count fits an int64 (9.2e18) exactly.
MAX_MAGNITUDE = 1e12

# result states of a parsed value; every state but OK, MISSING and NA is an error on its row
OK, MISSING, NA, BAD = "ok", "missing", "na", "bad"
BOOLEAN = "boolean"  # an Excel TRUE/FALSE cell: a yes/no, not a number
NONFINITE = "nonfinite"  # inf, -inf, NaN
TOO_LARGE = "too_large"  # |x| > MAX_MAGNITUDE
EXCEL_ERROR = "excel_error"  # #N/A, #DIV/0! ...
REFUSED_STATES = (BAD, BOOLEAN, NONFINITE, TOO_LARGE, EXCEL_ERROR)

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def fold(text: object) -> str:
    """Full-width to half-width, trimmed: '９５．３％' -> '95.3%'."""
    if text is None:
        return ""
    if isinstance(text, float) and np.isnan(text):
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def _checked(v: float) -> tuple[float, str]:
    """A number read from a cell, refused when it is not finite or beyond MAX_MAGNITUDE."""
    if not np.isfinite(v):
        return np.nan, NONFINITE
    if abs(v) > MAX_MAGNITUDE:
        return np.nan, TOO_LARGE
    return v, OK


def parse_value(cell: object) -> tuple[float, str]:
    """(number, state). '95.3%' and '95.3' are both 95.3; '1,234' is 1234. TRUE/FALSE, inf, NaN,
    Excel error values and numbers beyond MAX_MAGNITUDE are refused (their own states)."""
    if isinstance(cell, (bool, np.bool_)):
        return np.nan, BOOLEAN
    if isinstance(cell, (int, float, np.integer, np.floating)):
        try:
            v = float(cell)
        except OverflowError:  # an int too big for a float
            return np.nan, TOO_LARGE
        if np.isnan(v):  # an empty cell as pandas gives it (no spreadsheet cell holds NaN)
            return np.nan, MISSING
        return _checked(v)
    text = fold(cell)
    low = text.lower()
    if low in MISSING_TOKENS:
        return np.nan, MISSING
    if low in NA_TOKENS:
        return np.nan, NA
    if low in EXCEL_ERRORS:
        return np.nan, EXCEL_ERROR
    text = text.replace(" ", "")
    if text.lower().rstrip("%") in NONFINITE_TOKENS:
        return np.nan, NONFINITE
    if low in ("true", "false"):
        return np.nan, BOOLEAN
    if text.endswith("%"):
        text = text[:-1]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        try:
            return _checked(float(text))
        except (ValueError, OverflowError):
            return np.nan, BAD
    return np.nan, BAD


def map_distinct(col: pd.Series, fn, na: object = None) -> pd.Series:
    """fn(v) for each cell, called once per distinct value (the column is factorised and the results
    taken by code): a file repeats the same few thousand names and numbers across a million rows.
    Blank cells (None, NaN) give `na`. Results that are all booleans give a bool column, else object."""
    codes, uniq = pd.factorize(col, use_na_sentinel=True)
    vals = [fn(u) for u in uniq]
    if vals and all(isinstance(v, (bool, np.bool_)) for v in vals) and isinstance(na, bool):
        table = np.fromiter(vals + [na], dtype=bool, count=len(vals) + 1)
    else:
        table = np.empty(len(vals) + 1, dtype=object)
        for i, v in enumerate(vals):
            table[i] = v
        table[-1] = na
    return pd.Series(table[codes], index=col.index, dtype=table.dtype)


def parse_values(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised parse_value for a column of raw cells: (numbers, states).

    The common case (plain numbers, text numbers) goes through pandas; only the
    leftovers are parsed one by one, so a million-row backfill stays fast.
    """
    # a big CSV's column of text (pandas' string dtype) is read as it is: no Python string per cell
    raw = cells if cells.dtype != object and pd.api.types.is_string_dtype(cells.dtype) else cells.astype("object")
    # pandas reads True as 1 and "inf" as infinity: those go one by one through parse_value
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "floating", "integer", "mixed-integer-float", "empty"):
        special = pd.Series(False, index=raw.index)  # a CSV: text only, no Python call per cell
    else:
        special = raw.map(lambda c: isinstance(c, (bool, np.bool_)))
    # each distinct cell is converted once: a backfill repeats the same numbers thousands of times
    codes, uniq = pd.factorize(raw.where(~special, None), use_na_sentinel=True)
    nums = pd.to_numeric(pd.Series(uniq, dtype=object), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    values = pd.Series(np.append(nums, np.nan)[codes], index=raw.index, dtype="float64")
    states = pd.Series(OK, index=raw.index, dtype=object)
    with np.errstate(invalid="ignore"):
        todo = values.isna() | special | ~(values.abs() <= MAX_MAGNITUDE)
    blank = todo & ~special & (raw.isna() | raw.isin(["", "-", "—"]))  # the usual empties, without a Python call each
    states.loc[blank] = MISSING
    todo &= ~blank
    if todo.any():
        parsed = [parse_value(c) for c in raw[todo]]
        values.loc[todo] = [p[0] for p in parsed]
        states.loc[todo] = [p[1] for p in parsed]
    return values, states


_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*\d{1,2})?(?:\s+[\d:]+)?$"),  # 2026-10, 2026/10/01
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?(?:\s*\d{1,2}\s*日)?$"),  # 2026年10月, 2026年10月份
    re.compile(r"^(\d{4})(\d{2})$"),  # 202610
]
# A month inside a title: "2026年10月12345热线考核数据", "（2026-10）"
_MONTH_IN_TEXT = re.compile(r"(\d{4})\s*(?:年\s*(\d{1,2})\s*月|[-/.](\d{1,2})(?!\d))")
EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


def _ym(year: int, month: int) -> str | None:
    """'YYYY-MM' for any four-digit year: a month before the earliest one or in the future is read as
    a month, so the report can say so (val.month_too_early, val.month_future), not "not a month"."""
    if 1000 <= year <= 9999 and 1 <= month <= 12:
        return f"{year:04d}-{month:02d}"
    return None


def parse_month(cell: object) -> str | None:
    """'YYYY-MM' or None. Accepts 2026-10, 2026/10, 202610, 2026年10月, 2026.10, dates, Excel serials."""
    if cell is None:
        return None
    if isinstance(cell, np.datetime64):
        cell = pd.Timestamp(cell)
        if pd.isna(cell):
            return None
    if isinstance(cell, (_dt.datetime, _dt.date, pd.Timestamp)):
        return _ym(cell.year, cell.month)
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        v = float(cell)
        if np.isnan(v):
            return None
        if v.is_integer() and 190001 <= v <= 299912:
            return parse_month(str(int(v)))
        if 20000 <= v <= 80000:  # an Excel date serial (1954..2119)
            d = EXCEL_EPOCH + _dt.timedelta(days=v)
            return _ym(d.year, d.month)
        return None
    text = fold(cell)
    for pat in _MONTH_PATTERNS:
        m = pat.match(text)
        if m:
            return _ym(int(m.group(1)), int(m.group(2)))
    return None


def month_in_text(text: object) -> str | None:
    """The first month mentioned in a title line, if any."""
    m = _MONTH_IN_TEXT.search(fold(text))
    if not m:
        return None
    return _ym(int(m.group(1)), int(m.group(2) or m.group(3)))
