"""Text from uploaded files is data, never a formula or a layout instruction.

Spreadsheets run a cell that starts with = + - @ (and tab or CR, which some import a formula
after); a leading apostrophe makes it plain text (OWASP "CSV injection"). Control characters,
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


def cell(value):
    """A value for a spreadsheet or CSV cell: text loses control and bidi-override characters, and
    text that could run as a formula gets a quote prefix."""
    if not isinstance(value, str):
        return value
    value = clean(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell passed through `cell`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(cell)
    return out


def pdf_text(value, *, keep_newlines: bool = False) -> str:
    """Text for a PDF: no control or bidi-override characters, NFC, drawable glyphs only."""
    from reports.fonts import drawable

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if not keep_newlines:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = _CONTROL.sub("", text.replace("\t", " "))
    return drawable(text)
