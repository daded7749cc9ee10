"""Text from uploaded files is data, never a formula or a layout instruction.

Spreadsheets run a cell that starts with = + - @ (and tab or CR, which some import a formula
after); a leading apostrophe makes it plain text (OWASP "CSV injection"). A number is no formula:
numbers stay numbers, and text that is exactly a number literal ("-1", "-0.5", "+3") is left as it
is, or given back as the number it spells where that reads the same ("-1" -> -1), so a spreadsheet
shows -1, not '-1. Anything else starting with a formula sign ("-2+3+cmd|...", "+1+1", "@SUM(...)")
is neutralised. Control characters,
which a worksheet cannot hold, are dropped first, so "\x01=cmd" cannot slip past as "=cmd". In PDFs, control
characters are dropped and glyphs the font lacks are shown as 〓, so a name cannot break the
page or show as empty boxes.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd

# full-width ＝＋－＠ too: WPS and Excel in Chinese and Japanese locales accept them as formula signs
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


# Control characters a worksheet refuses (openpyxl raises on them, Excel calls the file corrupt) and
# bidi overrides that make a name read differently from what it is; tab, LF and CR stay.
_CELL_STRIP = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """`text` without the control and bidi-override characters a worksheet cannot or should not hold."""
    return _CELL_STRIP.sub("", text)


# a number as a person or a system writes it, ASCII only: a full-width sign may start a formula in WPS
_NUMBER_LITERAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def number_literal(text: str):
    """The number `text` spells exactly (int or float), or None: "-1" -> -1, "-0.5" -> -0.5;
    "+3" and "-1.50" are numbers too but do not read back the same, so they give None."""
    if not isinstance(text, str) or not _NUMBER_LITERAL.fullmatch(text):
        return None
    try:
        number = int(text) if text.lstrip("+-").isdigit() else float(text)
    except (ValueError, OverflowError):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    if isinstance(number, int) and not -(2**63) <= number < 2**63:  # beyond what a spreadsheet holds exactly
        return None
    return number if str(number) == text else None


def cell(value):
    """A value for a spreadsheet or CSV cell: numbers as they are; text loses control and
    bidi-override characters, and text that could run as a formula gets a quote prefix, unless it
    is only a number ("-1" comes back as the number -1, "+3" as the text "+3")."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    if not value.startswith(FORMULA_START):
        return value
    if _NUMBER_LITERAL.fullmatch(value):
        number = number_literal(value)
        return value if number is None else number
    return "'" + value


def frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell passed through `cell`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(cell)
    return out


def pdf_text(value, *, keep_newlines: bool = False) -> str:
    """Text for a PDF: no control or bidi-override characters, NFC, drawable glyphs only."""
    from kaohe.reports.fonts import drawable

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if not keep_newlines:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = _CONTROL.sub("", text.replace("\t", " "))
    return drawable(text)
