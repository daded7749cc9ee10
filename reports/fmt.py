"""Numbers as printed: one place decides decimals, so PDFs, tests and workbooks agree."""

from __future__ import annotations

import math

import pandas as pd

from kaohe.base import i18n

DASH = "—"


def missing(x) -> bool:
    """None, NaN, NaT or pd.NA (nullable integer columns such as prev_rank hold pd.NA)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return False


def num(x, nd: int = 2) -> str:
    """Scores and points: fixed decimals (the engine rounds to these)."""
    if missing(x):
        return DASH
    return f"{float(x):.{nd}f}"


def value(x, unit: str | None = None, with_unit: bool = False) -> str:
    """An indicator value: two decimals unless whole, then "%" (or any unit, `with_unit`)."""
    if missing(x):
        return DASH
    v = float(x)
    text = f"{v:.0f}" if v == int(v) else f"{v:.2f}"
    if unit == "%" or (with_unit and isinstance(unit, str) and len(unit) <= 3):
        text += unit
    return text


# English has no short word for the catalogue's count units (件 次 起 批次 人): a count goes bare, the
# indicator's name says what is counted. Units of time and points are named.
WORDED_UNITS = ("分钟", "小时", "天", "分", "%")


def shown(x, unit: str | None, lang: str) -> str:
    """An indicator value or target as a scorecard prints it: "3次", "26.70分钟" / "3", "26.70 min"."""
    if lang == "zh" or missing(x):
        return value(x, unit, with_unit=True)
    text = value(x)
    word = i18n.unit_en(unit, short=True) if unit in WORDED_UNITS else ""
    return text + word if word == "%" else (f"{text} {word}" if word else text)


def count(x) -> str:
    return DASH if missing(x) else f"{float(x):,.0f}"


def rank(r, n) -> str:
    if missing(r):
        return DASH
    return f"{int(r)}/{int(n)}" if not missing(n) else f"{int(r)}"


def change(delta) -> str:
    """A rank change as an arrow: positive means the unit moved up (its rank number fell)."""
    if missing(delta):
        return DASH
    d = int(delta)
    return "▲" + str(d) if d > 0 else ("▼" + str(-d) if d < 0 else "=")


def signed(x, nd: int = 2) -> str:
    if missing(x):
        return DASH
    return f"{float(x):+.{nd}f}"


def weight_column(w) -> str:
    """An effective weight in a table column, two decimals so the column lines up: 0.0375 -> "3.75"."""
    return DASH if missing(w) else f"{float(w) * 100:.2f}"


def weight(w) -> str:
    """An effective weight (a share of the total, 0-1) as percent: 0.072 -> "7.2"."""
    if missing(w):
        return DASH
    return f"{float(w) * 100:.2f}".rstrip("0").rstrip(".")
