"""Machine text where people read: pure checks over a text, a table or a metric.

Each check takes what a reader sees and returns its offences as (check, excerpt) pairs; an empty
list means the text is clean. The classes:

- ``word``: ``None``, ``NaN``/``nan``, ``NaT``, ``<NA>`` or ``unknown`` shown as a word (a message that
  says "unknown" in good English is reworded, not let through);
- ``float_row``: a row number written as a float ("第 5.0 行", "row 5.0", 5.0 in a 行号/Row column);
- ``code_op``: a raw indicator code followed by an operator ("CP_SURVEY >= 80");
- ``arrow``: an arrow against its sign ("▲-0.48", "↓ +2"), and a metric delta whose number is negative
  but whose text does not start with "-" (Streamlit then draws a green up arrow);
- ``halfwidth``: half-width , ; : ( ) ! ? next to Chinese (times 14:05 and numbers 1,000 are not);
- ``code_word``: a stored code where a Chinese reader expects words (the actors ``system``/``scheme``/
  ``dashboard``, the kinds ``bonus``/``deduction``/``veto``, statuses ``ok``/``na``/``missing``, the
  sample's "sample district (seed 20261)"), and ``True``/``False`` in either language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

# Chinese context: ideographs, CJK punctuation and full-width forms
CJK_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e"
_NOT_WORD = r"A-Za-z0-9_"

WORDS = re.compile(
    rf"(?<![{_NOT_WORD}])(?:None|NaN|nan|NAN|NaT|(?i:unknown))(?![{_NOT_WORD}])|<NA>")

FLOAT_ROW = re.compile(
    r"第\s*\d+\.\d+\s*行"  # 第 5.0 行
    r"|(?<![A-Za-z])(?i:rows?)\s*[:#]?\s*\d+\.\d+"  # row 5.0, Rows 5.0
    r"|行号?\s*[:：]?\s*\d+\.\d+")  # 行 5.0, 行号：5.0

CODE_WORDS_ZH = re.compile(
    r"(?<![A-Za-z0-9_./-])(?:system|scheme|dashboard|bonus|deduction|veto|sample|district|seed|ok|na|missing|"
    r"carried|street|department|urban|rural|draft|published|committed|rolled_back|error|warning)(?![A-Za-z0-9_./-])")
BOOLEANS = re.compile(rf"(?<![{_NOT_WORD}])(?:True|False)(?![{_NOT_WORD}])")

CODE_OP = re.compile(rf"(?<![{_NOT_WORD}])[A-Z]{{2}}_[A-Z][A-Z0-9_]*\s*(?:>=|<=|≥|≤|=|>|<)")

_NUM = r"\d[\d,]*(?:\.\d+)?"
ARROW = re.compile(
    rf"[↑▲]\s*[-−]\s*{_NUM}"  # up arrow, negative number after it
    rf"|(?<![\d.,])[-−]{_NUM}\s*[↑▲]"  # negative number, up arrow after it
    rf"|[↓▼]\s*\+\s*{_NUM}"  # down arrow, explicitly positive number after it
    rf"|(?<![\d.,])\+{_NUM}\s*[↓▼]")

_PUNCT = ",;:()!?"
# the punctuation mark with its nearest non-blank neighbours on the same line
_HALF = re.compile(rf"[{re.escape(_PUNCT)}]")
_CJK = re.compile(f"[{CJK_CHAR}]")
_MARKUP = re.compile(r"\*\*|__|`|:material/[a-z_]+:")  # markdown marks and icons stand between words

ROW_COLUMNS = {"行", "行号", "第几行", "row", "rows", "row no.", "row number", "file row"}


def _excerpt(text: str, start: int, end: int, pad: int = 12) -> str:
    return text[max(0, start - pad):end + pad].replace("\n", " ")


def bad_words(text: str) -> list[tuple[str, str]]:
    return [("word", _excerpt(text, m.start(), m.end())) for m in WORDS.finditer(text)]


def float_rows(text: str) -> list[tuple[str, str]]:
    return [("float_row", _excerpt(text, m.start(), m.end())) for m in FLOAT_ROW.finditer(text)]


def code_operators(text: str) -> list[tuple[str, str]]:
    return [("code_op", _excerpt(text, m.start(), m.end())) for m in CODE_OP.finditer(text)]


def arrows(text: str) -> list[tuple[str, str]]:
    return [("arrow", _excerpt(text, m.start(), m.end())) for m in ARROW.finditer(text)]


def code_words(text: str, lang: str = "zh") -> list[tuple[str, str]]:
    found = [("code_word", _excerpt(text, m.start(), m.end())) for m in BOOLEANS.finditer(text)]
    if lang == "zh":
        found += [("code_word", _excerpt(text, m.start(), m.end())) for m in CODE_WORDS_ZH.finditer(text)]
    return found


def _neighbour(line: str, i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(line) and line[j] in " \t\u00a0":
        j += step
    return line[j] if 0 <= j < len(line) else ""


def halfwidth(text: str) -> list[tuple[str, str]]:
    """Half-width punctuation whose nearest neighbour on either side (blanks skipped) is Chinese."""
    found = []
    for line in _MARKUP.sub("", text).split("\n"):
        for m in _HALF.finditer(line):
            i = m.start()
            before, after = _neighbour(line, i, -1), _neighbour(line, i, 1)
            if line[i] in ",:" and 0 < i < len(line) - 1 and line[i - 1].isdigit() and line[i + 1].isdigit():
                continue  # 14:05, 1,000
            if _CJK.match(before or " ") or _CJK.match(after or " "):
                found.append(("halfwidth", _excerpt(line, i, i + 1)))
    return found


TEXT_CHECKS = (bad_words, float_rows, code_operators, arrows)


# a markdown escape (ui.text.plain writes "\\(" for "("): the reader sees the mark alone, so the checks do
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'])")


def as_read(text: str) -> str:
    """Markdown as the reader sees it: the escapes of ui.text.plain taken off (an escaped '(' beside
    Chinese is still a half-width bracket on the screen)."""
    return _ESCAPE.sub(r"\1", text).replace("\u2060", "")  # and its invisible link breakers


def text_offences(text, lang: str = "zh", *, quoted: bool = False) -> list[tuple[str, str]]:
    """Every offence in one text shown to a reader in `lang`. Half-width punctuation is a fault of
    Chinese text only (an English sentence quoting a Chinese name keeps its ASCII punctuation), and
    not of `quoted` text: what a user's file or form held, shown as it was typed."""
    if text is None:
        return [("word", "None")]
    if isinstance(text, float) and math.isnan(text):
        return [("word", "nan")]
    text = as_read(str(text))
    out = []
    for check in TEXT_CHECKS:
        out += check(text)
    if not quoted:
        out += code_words(text, lang)
        if lang == "zh":
            out += halfwidth(text)
    return out


def metric_offences(label, value, delta, lang: str = "zh") -> list[tuple[str, str]]:
    """A metric's label, value and delta; a negative delta must start with "-" to get a down arrow."""
    out = []
    for part in (label, value):
        out += text_offences(part, lang)
    if delta is not None and str(delta) != "":
        d = str(delta)
        out += text_offences(d, lang)
        m = re.search(rf"([-−+]?)\s*{_NUM}", d)
        if m and m.group(1) in ("-", "−") and not d.lstrip().startswith("-"):
            out.append(("arrow", f"metric delta {d!r} is negative but shown with an up arrow"))
        if d.lstrip().startswith("-") and m and m.group(1) == "+":
            out.append(("arrow", f"metric delta {d!r} is positive but shown with a down arrow"))
    return out


def _is_float_row(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, float):
        return not math.isnan(v)
    if hasattr(v, "dtype") and getattr(v.dtype, "kind", "") == "f":
        return not math.isnan(float(v))
    return isinstance(v, str) and re.fullmatch(r"\s*\d+\.\d+\s*", v) is not None


def table_offences(columns: Iterable, rows: Iterable[Iterable], lang: str = "zh",
                   quoted: Iterable[str] = ()) -> list[tuple[str, str]]:
    """A table as shown: its column names and cells. An empty cell (None/NaN) is blank on screen
    and in a workbook, so it is not an offence here; the text "None" or "nan" in a cell is.
    `quoted` names the columns that show a user's own text as typed (no half-width check there)."""
    columns = [str(c) for c in columns]
    quoted = set(quoted)
    out = []
    for c in columns:
        out += text_offences(c, lang)
    row_cols = {j for j, c in enumerate(columns) if c.strip().lower() in ROW_COLUMNS}
    for row in rows:
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if j in row_cols and _is_float_row(v):
                out.append(("float_row", f"{columns[j]}={v}"))
            if isinstance(v, str):
                out += text_offences(v, lang, quoted=columns[j] in quoted if j < len(columns) else False)
    return out


def number_as_text(v) -> bool:
    """A cell holding a number written as text: '-1, '3.5, "3.5", " 7 "."""
    return isinstance(v, str) and re.fullmatch(r"\s*'?[-+−]?\d[\d,]*(?:\.\d+)?%?\s*", v) is not None
