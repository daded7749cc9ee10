"""File to grid: CSV/TSV (any of our encodings, sniffed delimiter) or XLSX (first or named sheet).

The grid keeps the file's own row numbers, so every later message can point at
the line the evaluator sees in Excel or a text editor.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from ingest.decode import decode
from ingest.errors import FileProblem

DELIMITERS = [",", "\t", ";", "|"]


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

    def grid(self):
        import pandas as pd

        if self.frame is not None:
            return self.frame
        grid = pd.DataFrame(self.rows, dtype=object)
        grid.index = self.row_numbers
        return grid


def read(data: bytes, name: str, sheet: str | None = None) -> RawTable:
    if not data or not data.strip():
        raise FileProblem("val.file_empty")
    suffix = PurePath(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return read_xlsx(data, sheet)
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem("val.file_xls")
    if suffix not in ("", ".csv", ".tsv", ".txt"):
        raise FileProblem("val.file_format", suffix=suffix)
    return read_text(data, tab=suffix == ".tsv")


FAST_CSV_BYTES = 2 * 1024 * 1024


def read_text(data: bytes, tab: bool = False) -> RawTable:
    text, encoding = decode(data)
    delimiter = "\t" if tab else sniff_delimiter(text)
    if len(data) > FAST_CSV_BYTES and '"' not in text:
        fast = _read_fast(text, delimiter, encoding)
        if fast is not None:
            return fast
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    # csv joins quoted multi-line cells; count physical lines so row numbers match the editor
    numbers, line = [], 1
    for r in rows:
        numbers.append(line)
        line += 1 + sum(c.count("\n") for c in r)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return RawTable(rows, numbers, "tsv" if delimiter == "\t" else "csv", encoding=encoding)


def _read_fast(text: str, delimiter: str, encoding: str) -> RawTable | None:
    """pandas' C parser for a big backfill. Without quotes, every record is one physical line,
    so row numbers stay exact; anything irregular falls back to the csv module."""
    import pandas as pd

    width = max(ln.count(delimiter) for ln in text[:65536].splitlines()[:100]) + 1  # title rows are narrower
    try:
        grid = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype=object,
                           keep_default_na=False, skip_blank_lines=False, engine="c")
    except (pd.errors.ParserError, ValueError):
        return None
    grid.index = range(1, len(grid) + 1)
    grid.columns = range(grid.shape[1])
    if text.endswith(("\n", "\r")) and len(grid) and (grid.iloc[-1] == "").all():
        grid = grid.iloc[:-1]
    return RawTable([], list(grid.index), "tsv" if delimiter == "\t" else "csv", encoding=encoding, frame=grid)


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


def read_xlsx(data: bytes, sheet: str | None) -> RawTable:
    import openpyxl

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        has_formulas = any(b"<f" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # not a zip, a damaged zip, or a zip that is not a workbook
        raise FileProblem("val.file_bad_xlsx") from exc
    names = wb.sheetnames
    if sheet is not None and sheet not in names:
        raise FileProblem("val.file_no_sheet", sheet=sheet, sheets="、".join(names))
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    formula_cells: list[str] = []
    if has_formulas:
        # data_only gives the value Excel stored; a formula written by a script has none
        wf = openpyxl.load_workbook(io.BytesIO(data), data_only=False)[ws.title]
        for row in wf.iter_rows():
            for c in row:
                formula = isinstance(c.value, str) and c.value.startswith("=")
                if formula and ws[c.coordinate].value is None:
                    formula_cells.append(c.coordinate)
    rows, numbers = [], []
    for r_idx, row in enumerate(ws.iter_rows(), start=1):
        cells = []
        for c in row:
            v = c.value
            if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in (c.number_format or ""):
                v = f"{round(v * 100, 10):g}%"  # a cell formatted as percent holds 0.953 for 95.3%
            cells.append(v)
        rows.append(cells)
        numbers.append(r_idx)
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    if not rows:
        raise FileProblem("val.file_empty")
    return RawTable(rows, numbers, "xlsx", sheet=ws.title, sheets=names, formula_cells=formula_cells)
