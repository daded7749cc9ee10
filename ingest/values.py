"""Parsing one cell: numbers as evaluators type them, and months in every common spelling."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import numpy as np
import pandas as pd

# What a cell may say instead of a number. Kept here as data, compared after NFKC folding.
MISSING_TOKENS = {"", "-", "—", "——", "–", "−", "--", "/", "无数据", "缺报", "空", "null", "none", "nan"}
NA_TOKENS = {"不适用", "n/a", "na", "not applicable", "无此项", "不涉及"}

# result states of a parsed value
OK, MISSING, NA, BAD = "ok", "missing", "na", "bad"

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def fold(text: object) -> str:
    """Full-width to half-width, trimmed: '９５．３％' -> '95.3%'."""
    if text is None:
        return ""
    if isinstance(text, float) and np.isnan(text):
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_value(cell: object) -> tuple[float, str]:
    """(number, state). '95.3%' and '95.3' are both 95.3; '1,234' is 1234."""
    if isinstance(cell, bool):
        return np.nan, BAD
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        v = float(cell)
        return (np.nan, MISSING) if np.isnan(v) else (v, OK)
    text = fold(cell)
    low = text.lower()
    if low in MISSING_TOKENS:
        return np.nan, MISSING
    if low in NA_TOKENS:
        return np.nan, NA
    text = text.replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _NUMBER.match(text):
        return float(text), OK
    return np.nan, BAD


def parse_values(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised parse_value for a column of raw cells: (numbers, states).

    The common case (plain numbers, text numbers) goes through pandas; only the
    leftovers are parsed one by one, so a million-row backfill stays fast.
    """
    raw = cells.astype("object")
    text = raw.map(lambda c: c if isinstance(c, str) else (None if c is None else c))
    as_num = pd.to_numeric(text, errors="coerce")
    states = pd.Series(OK, index=raw.index, dtype=object)
    values = as_num.astype("float64")
    todo = values.isna()
    blank = todo & (raw.isna() | raw.isin(["", "-", "—"]))  # the usual empties, without a Python call each
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
    if 1900 <= year <= 2999 and 1 <= month <= 12:
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
