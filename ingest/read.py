"""File to grid: CSV/TSV (any of our encodings, sniffed delimiter) or XLSX (first visible or named sheet).

The grid keeps the file's own row numbers, so every later message can point at
the line the evaluator sees in Excel or a text editor.

What is read must be what the evaluator sees: hidden sheets are skipped (and said so), hidden rows and
columns holding data are refused, invisible characters are shown as [U+200B] and refused. And a file is
held to the limits of `ingest.limits` before it is expanded: the zip's declared sizes and the sheet's
<dimension> before openpyxl reads a cell, the separators of the first lines before a CSV parser runs;
the streaming readers check the same limits again, since a file can lie.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from kaohe.ingest import limits
from kaohe.ingest.decode import decode, looks_binary
from kaohe.ingest.errors import FileProblem
from kaohe.ingest.limits import MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_ROWS, column_letter

DELIMITERS = [",", "\t", ";", "|"]
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: old .xls, or an encrypted workbook
ITEMS_LISTED = 1000  # hidden rows or invisible characters listed one by one; the rest are counted

# Characters that show as nothing (or as a different character) but make a name differ: format characters
# (zero-width space/joiners, bidi controls, BOM, soft hyphen), fillers, variation selectors, C0/C1 controls.
_CONTROLS = "\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
_FORMATS = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
            "\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e0fff")
INVISIBLE = re.compile(f"[{_CONTROLS}{_FORMATS}]")
# In the grid itself only the format characters are replaced by [U+200B]: a control character stays (the
# report's downloads clean it, and a formula behind it must still be seen to be neutralised there).
_SHOWN = re.compile(f"[{_FORMATS}]")
# Greek and Cyrillic letters that look like Latin ones (Ѕ01 for S01, АВ for AB): suspect beside Latin letters or digits
LOOKALIKE = re.compile("[\u0370-\u03ff\u0400-\u052f]")
_LATIN = re.compile("[A-Za-z0-9]")
_ANY_SUSPECT = re.compile(f"[{_CONTROLS}{_FORMATS}\u0370-\u03ff\u0400-\u052f]")


@dataclass
class RawTable:
    rows: list[list]  # cells: str, float, int, datetime or None
    row_numbers: list[int]  # the file's own 1-based row number of each row
    fmt: str  # csv, tsv, xlsx
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    formula_cells: list[str] = field(default_factory=list)  # e.g. "C5", formulas with no stored value
    frame: object = None  # a ready grid (pandas) for big plain CSVs; rows is then empty
    problems: list[dict] = field(default_factory=list)  # what reading found: hidden rows, invisible characters

    def grid(self):
        import pandas as pd

        if self.frame is not None:
            return self.frame
        grid = pd.DataFrame(self.rows, dtype=object)
        grid.index = self.row_numbers
        return grid


def read(data: bytes, name: str, sheet: str | None = None, *, max_cells: int = MAX_CELLS) -> RawTable:
    """The file's grid. `max_cells` bounds rows x columns (the page passes limits.MAX_UPLOAD_CELLS)."""
    if not data or not data.strip():
        raise FileProblem("val.file_empty")
    suffix = PurePath(name).suffix.lower()
    if data[:8] == CFB_SIGNATURE:
        _refuse_compound_file(data, suffix)
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return read_xlsx(data, sheet, max_cells=max_cells)
    if suffix == ".xls":
        _refuse_xls_impostor(data)
        return read_text(data, max_cells=max_cells)  # a web system's "Excel" export that is really text
    if suffix not in ("", ".csv", ".tsv", ".txt"):
        raise FileProblem("val.file_format", suffix=suffix)
    return read_text(data, tab=suffix == ".tsv", max_cells=max_cells)


def _refuse_compound_file(data: bytes, suffix: str) -> None:
    """An OLE compound file (D0 CF 11 E0): say which one. Its directory names its streams in UTF-16."""
    def has(stream: str) -> bool:
        return stream.encode("utf-16-le") in data

    if has("EncryptedPackage") or has("EncryptionInfo"):
        raise FileProblem("val.file_encrypted")  # an .xlsx with a password to open is stored this way
    if has("Workbook") or has("Book"):
        raise FileProblem("val.file_xls")
    if has("WordDocument"):
        raise FileProblem("val.file_not_workbook", what_zh="Word 文档（.doc）", what_en="a Word document (.doc)")
    if has("PowerPoint Document"):
        raise FileProblem("val.file_not_workbook", what_zh="PowerPoint 演示文稿（.ppt）",
                          what_en="a PowerPoint presentation (.ppt)")
    if suffix == ".xls":
        raise FileProblem("val.file_xls")
    raise FileProblem("val.file_not_workbook", what_zh="Office 旧格式文档", what_en="an old-format Office document")


def _refuse_xls_impostor(data: bytes) -> None:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        raise FileProblem("val.file_not_workbook", what_zh="网页（HTML）文件，扩展名却是 .xls",
                          what_en="a web page (HTML) named .xls")
    if looks_binary(data):
        raise FileProblem("val.file_xls")


# -- text ---------------------------------------------------------------------------------------------

FAST_CSV_BYTES = 2 * 1024 * 1024


def read_text(data: bytes, tab: bool = False, *, max_cells: int = MAX_CELLS) -> RawTable:
    text, encoding = decode(data)
    text = text.rstrip("\x1a")  # the end-of-file mark of old DOS exports
    delimiter = "\t" if tab else sniff_delimiter(text)
    limits.check_text_head(text, delimiter, max_cells)  # before any parser sees a line of millions of fields
    fmt = "tsv" if delimiter == "\t" else "csv"
    if len(data) > FAST_CSV_BYTES and '"' not in text:
        fast = _read_fast(text, delimiter, encoding)
        if fast is not None:
            _check_frame_cells(fast.frame, data if encoding not in ("utf-16", "utf-32") else None)
            if _ANY_SUSPECT.search(text):
                fast.problems = _invisible_in_frame(fast.frame)
            return fast
    rows, numbers = _read_csv(text, delimiter)
    width = max((len(r) for r in rows), default=0)
    if len(rows) * width > max_cells:
        raise FileProblem("val.file_too_many_cells", n=len(rows) * width, limit=max_cells)
    for r in rows:
        r.extend([""] * (width - len(r)))
    problems = _invisible_in_rows(rows, numbers) if _ANY_SUSPECT.search(text) else []
    return RawTable(rows, numbers, fmt, encoding=encoding, problems=problems)


def _read_csv(text: str, delimiter: str) -> tuple[list[list], list[int]]:
    """The csv module, row by row, each row held to the limits as it comes."""
    rows, numbers, line = [], [], 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for r in reader:
            if len(r) > MAX_COLUMNS:
                raise FileProblem("val.file_too_many_columns", row=line, n=len(r), limit=MAX_COLUMNS)
            if r and max(map(len, r)) > MAX_CELL_CHARS:
                j = max(range(len(r)), key=lambda i: len(r[i]))
                raise FileProblem("val.cell_too_long", row=line, column=column_letter(j), n=len(r[j]),
                                  limit=MAX_CELL_CHARS)
            if len(rows) >= MAX_ROWS:
                raise FileProblem("val.file_too_many_rows", n=len(rows) + 1, limit=MAX_ROWS)
            rows.append(r)
            numbers.append(line)
            # csv joins quoted multi-line cells; count physical lines so row numbers match the editor
            line += 1 + sum(c.count("\n") for c in r)
    except csv.Error as exc:
        row = reader.line_num or line
        if "field larger than field limit" in str(exc):  # beyond the csv module's own 131,072 characters
            raise FileProblem("val.cell_too_long", row=line, column=_longest_field(text, line, delimiter),
                              n=csv.field_size_limit(), limit=MAX_CELL_CHARS) from None
        raise FileProblem("val.file_csv_broken", row=row, detail=str(exc)) from None
    return rows, numbers


def _longest_field(text: str, line: int, delimiter: str) -> str | None:
    """The column of the longest field starting on physical line `line` (quotes are not honoured: it is
    a pointer for the evaluator, not a parse)."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    end = text.find("\n", start)
    fields = text[start: end if end >= 0 else len(text)].split(delimiter)
    for i, f in enumerate(fields):  # a quote opened and never closed swallows the lines after it
        if f.lstrip().startswith('"') and f.count('"') % 2:
            return column_letter(i)
    return column_letter(max(range(len(fields)), key=lambda i: len(fields[i])))


def _read_fast(text: str, delimiter: str, encoding: str) -> RawTable | None:
    """pandas' C parser for a big backfill. Without quotes, every record is one physical line,
    so row numbers stay exact; anything irregular falls back to the csv module."""
    import pandas as pd

    width = max(ln.count(delimiter) for ln in text[:65536].splitlines()[:100]) + 1  # title rows are narrower
    try:  # the parser is handed UTF-8 bytes: a StringIO of the text would hold 4 bytes a character
        grid = pd.read_csv(io.BytesIO(text.encode("utf-8")), encoding="utf-8", sep=delimiter, header=None,
                           names=range(width), dtype=object, keep_default_na=False, skip_blank_lines=False,
                           engine="c")
    except (pd.errors.ParserError, ValueError):  # UnicodeError is a ValueError
        return None
    grid.index = range(1, len(grid) + 1)
    grid.columns = range(grid.shape[1])
    if text.endswith(("\n", "\r")) and len(grid) and (grid.iloc[-1] == "").all():
        grid = grid.iloc[:-1]
    if len(grid) > MAX_ROWS:
        raise FileProblem("val.file_too_many_rows", n=len(grid), limit=MAX_ROWS)
    return RawTable([], list(grid.index), "tsv" if delimiter == "\t" else "csv", encoding=encoding, frame=grid)


def _check_frame_cells(grid, data: bytes | None) -> None:
    """No cell longer than MAX_CELL_CHARS. A cell is no longer than its line, so only lines longer than
    that (in bytes, found with numpy without decoding) are looked at; `data` None looks at every row."""
    import numpy as np

    rows = None
    if data is not None:
        arr = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(arr == 10)
        bounds = np.concatenate(([-1], ends, [len(arr)]))
        lengths = np.diff(bounds) - 1
        rows = (np.flatnonzero(lengths > MAX_CELL_CHARS) + 1).tolist()
        if not rows:
            return
    sub = grid if rows is None else grid.loc[[r for r in rows if r in grid.index]]
    for j, col in enumerate(sub.columns):
        lens = sub[col].str.len()
        if len(lens) and lens.max() > MAX_CELL_CHARS:
            r = lens.idxmax()
            raise FileProblem("val.cell_too_long", row=int(r), column=column_letter(j), n=int(lens.max()),
                              limit=MAX_CELL_CHARS)


def sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text[:65536].splitlines() if ln.strip()][:30]
    best, best_score = ",", -1.0
    for d in DELIMITERS:
        counts = [ln.count(d) for ln in lines]
        hits = [c for c in counts if c]
        if not hits:
            continue
        common = max(set(hits), key=hits.count)
        score = hits.count(common) * common
        if score > best_score:
            best, best_score = d, score
    return best


# -- invisible characters -----------------------------------------------------------------------------

def mark_invisible(text: str, pattern: re.Pattern = INVISIBLE) -> str:
    """Each invisible character as [U+200B], so the evaluator sees that 东湖[U+200B]街道 is not 东湖街道."""
    return pattern.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _lookalikes(text: str) -> bool:
    return bool(LOOKALIKE.search(text)) and bool(_LATIN.search(text))


def _suspect(text: str) -> bool:
    return bool(INVISIBLE.search(text)) or _lookalikes(text)


def _shown(text: str) -> str:
    """The cell as the grid keeps it: format characters and look-alike letters marked, controls kept."""
    text = mark_invisible(text, _SHOWN)
    return mark_invisible(text, LOOKALIKE) if _lookalikes(text) else text


def _codes(text: str, pattern: re.Pattern = INVISIBLE) -> str:
    return " ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in pattern.findall(text)))


def _invisible_problem(row: int, col: int, text: str) -> dict:
    from kaohe.validation.problems import problem

    if INVISIBLE.search(text):
        return problem("val.cell_invisible", row=row, column=column_letter(col), value=mark_invisible(_shown(text)),
                       chars=_codes(text))
    return problem("val.cell_lookalike", row=row, column=column_letter(col), value=_shown(text),
                   chars=_codes(text, LOOKALIKE), letters="".join(dict.fromkeys(LOOKALIKE.findall(text))))


def _more(n: int, what_zh: str, what_en: str) -> list[dict]:
    from kaohe.validation.problems import problem

    return [problem("val.file_more_items", n=n, what_zh=what_zh, what_en=what_en)] if n > 0 else []


def _invisible_in_rows(rows: list[list], numbers: list[int]) -> list[dict]:
    """Mark the invisible characters of the grid's cells in place; one problem per cell."""
    found, extra = [], 0
    for r, number in zip(rows, numbers, strict=True):
        for j, v in enumerate(r):
            if isinstance(v, str) and _suspect(v):
                if len(found) < ITEMS_LISTED:
                    found.append(_invisible_problem(number, j, v))
                else:
                    extra += 1
                r[j] = _shown(v)
    return found + _more(extra, "单元格含不可见字符或形似字母", "cells with invisible or look-alike characters")


def _invisible_in_frame(grid) -> list[dict]:
    found, extra = [], 0
    for j, col in enumerate(grid.columns):
        hit = grid[col].map(lambda v: isinstance(v, str) and _suspect(v))
        if not hit.any():
            continue
        for r, v in grid.loc[hit, col].items():
            if len(found) < ITEMS_LISTED:
                found.append(_invisible_problem(int(r), j, v))
            else:
                extra += 1
        grid.loc[hit, col] = grid.loc[hit, col].map(_shown)
    return found + _more(extra, "单元格含不可见字符或形似字母", "cells with invisible or look-alike characters")


# -- xlsx ---------------------------------------------------------------------------------------------

def open_zip(data: bytes) -> zipfile.ZipFile:
    """The workbook's zip, its table of contents held to the limits, and its content said if it is some
    other zip-based format."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise FileProblem("val.file_bad_xlsx") from exc
    limits.check_zip(zf)
    names = set(zf.namelist())
    if "xl/workbook.bin" in names:
        raise FileProblem("val.file_not_workbook", what_zh="Excel 二进制工作簿（.xlsb）",
                          what_en="an Excel binary workbook (.xlsb)")
    if "mimetype" in names:
        try:
            mime = zf.read("mimetype")[:200]
        except Exception:  # noqa: BLE001 - a damaged part: the generic message below says so
            mime = b""
        if b"opendocument.spreadsheet" in mime:
            raise FileProblem("val.file_not_workbook", what_zh="OpenDocument 表格（.ods，WPS/LibreOffice）",
                              what_en="an OpenDocument spreadsheet (.ods)")
    if "word/document.xml" in names:
        raise FileProblem("val.file_not_workbook", what_zh="Word 文档（.docx）", what_en="a Word document (.docx)")
    if "ppt/presentation.xml" in names:
        raise FileProblem("val.file_not_workbook", what_zh="PowerPoint 演示文稿（.pptx）",
                          what_en="a PowerPoint presentation (.pptx)")
    if "[Content_Types].xml" not in names:
        raise FileProblem("val.file_not_workbook", what_zh="普通压缩包（.zip）", what_en="a plain zip archive")
    return zf


def read_xlsx(data: bytes, sheet: str | None, *, max_cells: int = MAX_CELLS) -> RawTable:
    import openpyxl

    zf = open_zip(data)
    zf.close()
    try:
        # read_only: cells are streamed from the sheet's XML, never all held as openpyxl objects
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except FileProblem:
        raise
    except Exception as exc:  # not a zip, a damaged zip, or a zip that is not a workbook
        raise FileProblem("val.file_bad_xlsx") from exc
    try:
        return _read_workbook(wb, sheet, max_cells)
    except FileProblem:
        raise
    except Exception as exc:  # a part openpyxl cannot parse
        raise FileProblem("val.file_bad_xlsx") from exc
    finally:
        wb.close()


def _read_workbook(wb, sheet: str | None, max_cells: int) -> RawTable:
    from kaohe.validation.problems import problem

    names = wb.sheetnames
    worksheets = wb.worksheets  # chart sheets hold no cells
    problems: list[dict] = []
    if sheet is not None:
        titles = [w.title for w in worksheets]
        if sheet not in titles:
            raise FileProblem("val.file_no_sheet", sheet=sheet, sheets="、".join(names))
        ws = worksheets[titles.index(sheet)]
        if ws.sheet_state != "visible":  # asked for by name: read it, but the evaluator cannot see it
            problems.append(problem("val.sheet_hidden_named", sheet=ws.title))
    else:
        visible = [w for w in worksheets if w.sheet_state == "visible"]
        if not visible:
            raise FileProblem("val.file_no_visible_sheet", sheets_zh="、".join(names), sheets_en=", ".join(names))
        ws = visible[0]
        hidden = [w.title for w in worksheets if w.sheet_state != "visible"]
        if hidden:
            problems.append(problem("val.sheet_hidden_skipped", sheet=ws.title, hidden_zh="、".join(hidden),
                                    hidden_en=", ".join(hidden)))
    if ws.max_row is not None and ws.max_column is not None:  # the sheet's declared <dimension>
        ref = f"{column_letter(ws.min_column - 1)}{ws.min_row}:{column_letter(ws.max_column - 1)}{ws.max_row}"
        limits.check_sheet(ws.max_row, ws.max_column, sheet=ws.title, ref=ref, max_cells=max_cells)
    src = ws._get_source()
    try:
        limits.prescan_sheet(src, max_cells)  # rows and cell elements counted in the raw XML
    finally:
        src.close()
    rows, formula_cells, hidden_rows, hidden_cols, marked = stream_sheet(wb, ws, max_cells)
    if not rows:
        raise FileProblem("val.file_empty")
    numbers = list(range(1, len(rows) + 1))
    for r in hidden_rows[:ITEMS_LISTED]:
        problems.append(problem("val.row_hidden", row=r))
    problems += _more(len(hidden_rows) - ITEMS_LISTED, "隐藏的行", "hidden rows")
    for c in hidden_cols[:ITEMS_LISTED]:
        problems.append(problem("val.column_hidden", column=column_letter(c - 1)))
    problems += marked
    return RawTable(rows, numbers, "xlsx", sheet=ws.title, sheets=names, formula_cells=formula_cells,
                    problems=problems)


def _blank_under_merges(rows: list[list], merged) -> None:
    """Excel shows a merged range's top-left cell only: whatever else the XML holds there is not seen."""
    from openpyxl.utils.cell import range_boundaries

    for m in getattr(merged, "mergeCell", None) or []:
        try:
            c1, r1, c2, r2 = range_boundaries(m.ref)
        except (TypeError, ValueError):
            continue
        for r in range(r1, min(r2, len(rows)) + 1):
            row = rows[r - 1]
            for c in range(c1, min(c2, len(row)) + 1):
                if (r, c) != (r1, c1):
                    row[c - 1] = None


def _hidden(attrs: dict | None, zero_height: bool) -> bool:
    """A <row>/<col> the evaluator cannot see: hidden, or 0 high/wide, or all rows 0 high by default."""
    attrs = attrs or {}
    if str(attrs.get("hidden", "")).lower() in ("1", "true"):
        return True
    size = attrs.get("ht", attrs.get("width"))
    try:
        if size is not None and float(size) == 0:
            return True
    except ValueError:
        pass
    return zero_height and "ht" not in attrs


def stream_sheet(wb, ws, max_cells: int):
    """(rows, formula cells, hidden rows with data, hidden columns with data, invisible-character problems),
    reading the sheet's XML row by row and stopping at the first limit passed."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    formula_cells: list[str] = []

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                formula_cells.append(f"{column_letter(cell['column'] - 1)}{cell['row']}")
            return cell

    formats: dict[int, str] = {}

    def number_format(style_id: int) -> str:
        if style_id not in formats:
            try:
                fid = wb._cell_styles[style_id].numFmtId
                fmt = BUILTIN_FORMATS.get(fid, "General") if fid < BUILTIN_FORMATS_MAX_SIZE \
                    else wb._number_formats[fid - BUILTIN_FORMATS_MAX_SIZE]
            except (IndexError, KeyError, AttributeError, TypeError):
                fmt = ""
            formats[style_id] = fmt or ""
        return formats[style_id]

    def is_percent(style_id: int) -> bool:
        return "%" in number_format(style_id)

    def hides(style_id: int) -> bool:  # ";;;" shows nothing, whatever the cell holds
        fmt = number_format(style_id)
        return ";" in fmt and not fmt.replace(";", "").strip()

    rows: list[list] = []
    hidden_rows: list[int] = []
    format_hidden: list[tuple[int, int]] = []
    marked: list[dict] = []
    extra_marked = 0
    width = 0
    src = ws._get_source()
    try:
        parser = Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch, date_formats=wb._date_formats,
                        timedelta_formats=wb._timedelta_formats)
        for idx, cells in parser.parse():
            attrs = parser.row_dimensions.pop(str(idx), None)
            if idx > MAX_ROWS:
                raise FileProblem("val.file_too_many_rows", n=idx, limit=MAX_ROWS)
            values: dict[int, object] = {}
            for c in cells:
                col, v = c["column"], c["value"]
                if v is None:
                    continue
                if c["style_id"] and hides(c["style_id"]) and v != "":
                    format_hidden.append((idx, col))
                if col > MAX_COLUMNS:
                    raise FileProblem("val.file_too_many_columns", row=idx, n=col, limit=MAX_COLUMNS)
                if isinstance(v, str):
                    if len(v) > MAX_CELL_CHARS:
                        raise FileProblem("val.cell_too_long", row=idx, column=column_letter(col - 1), n=len(v),
                                          limit=MAX_CELL_CHARS)
                    if _suspect(v):
                        if len(marked) < ITEMS_LISTED:
                            marked.append(_invisible_problem(idx, col - 1, v))
                        else:
                            extra_marked += 1
                        v = _shown(v)
                elif isinstance(v, (int, float)) and not isinstance(v, bool) and c["style_id"] \
                        and is_percent(c["style_id"]):
                    v = f"{round(v * 100, 10):.15g}%"  # a cell formatted as percent holds 0.953 for 95.3%
                values[col] = v
            if not values:
                continue
            row = [None] * max(values)
            for col, v in values.items():
                row[col - 1] = v
            width = max(width, len(row))
            if max(idx, len(rows)) * width > max_cells:  # before the grid grows to this row
                raise FileProblem("val.file_too_many_cells", n=max(idx, len(rows)) * width, limit=max_cells)
            while len(rows) < idx:
                rows.append([])
            rows[idx - 1] = row
            fmt = getattr(parser, "sheet_format", None)
            if _hidden(attrs, bool(fmt is not None and getattr(fmt, "zeroHeight", False))) \
                    and any(v not in (None, "") for v in row):
                hidden_rows.append(idx)
        cols = parser.column_dimensions
        merged = parser.merged_cells  # after the cells in the XML
    finally:
        src.close()
    for r in rows:
        r.extend([None] * (width - len(r)))
    _blank_under_merges(rows, merged)
    hidden_cols = set()
    for attrs in cols.values():
        if _hidden(attrs, False):
            try:
                lo, hi = int(attrs.get("min", 0)), int(attrs.get("max", attrs.get("min", 0)))
            except ValueError:
                continue
            for c in range(max(lo, 1), min(hi, width) + 1):
                if any(r[c - 1] not in (None, "") for r in rows):
                    hidden_cols.add(c)
    from kaohe.validation.problems import problem

    for r, c in format_hidden[:ITEMS_LISTED]:
        marked.append(problem("val.cell_format_hidden", row=r, column=column_letter(c - 1)))
    marked += _more(len(format_hidden) - ITEMS_LISTED, "数字格式隐藏了值的单元格", "cells whose format hides the value")
    return rows, formula_cells, hidden_rows, sorted(hidden_cols), \
        marked + _more(extra_marked, "单元格含不可见字符或形似字母", "cells with invisible or look-alike characters")
