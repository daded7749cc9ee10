"""How big a file may be, in one place, and the cheap checks that hold a file to it BEFORE it is parsed.

Every limit is checked on what costs nothing to know (the byte count, the zip's table of contents, a
sheet's declared <dimension>, the separators on the first lines), so a hostile file is refused before it
is expanded into memory. The readers check the same limits again while they stream, because a file can
lie about its size. Each refusal names the limit in the message.
"""

from __future__ import annotations

import zipfile

from kaohe.ingest.errors import FileProblem

MiB = 2**20

MAX_UPLOAD_BYTES = 20 * MiB  # the upload page: a month's file is well under 1 MB
MAX_CLI_BYTES = 200 * MiB  # the command line, for backfills of several years
MAX_ROWS = 1_100_000  # rows of a sheet or lines of a text file (a 1M-row backfill fits)
MAX_COLUMNS = 500  # the widest real export has ~60 indicator columns
MAX_CELLS = 12_000_000  # rows x columns of the grid the file becomes (a 1M-row long backfill has ~7M)
# The upload page keeps a server's memory under 1.5 GB whatever the file: validation costs ~1.6 KB per value,
# so the page takes at most this many cells (a 540-unit month is ~85,000 in long form, ~22,000 wide;
# several months fit). Bigger files go through `kaohe import`, which has the limits above.
MAX_UPLOAD_CELLS = 600_000
MAX_CELL_CHARS = 10_000  # one cell's text; a unit name or a number is a few dozen characters
MAX_XLSX_UNCOMPRESSED = 200 * MiB  # all parts of a workbook, unzipped
MAX_XLSX_RATIO = 100  # unzipped / zipped size of one part; real sheets compress 5-20 times
RATIO_FLOOR = 8 * MiB  # parts smaller than this unzipped are never a threat, whatever their ratio
MAX_ZIP_PARTS = 10_000  # files inside a workbook; a real one has a few dozen
MAX_SHARED_STRINGS = 32 * MiB  # the workbook's table of distinct texts, unzipped (openpyxl loads it whole)
EXCEL_MAX_COLUMNS = 16_384  # no row of a real sheet has more cell elements, styled empty ones included
HEAD_LINES = 100  # lines of a text file whose separators are counted before it is parsed


def check_zip(zf: zipfile.ZipFile) -> None:
    """The workbook's table of contents, before any part is unzipped. Python's zipfile never gives more
    bytes than a part declares (it stops there), so the declared sizes bound what reading can cost."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_PARTS:
        raise FileProblem("val.file_zip_parts", n=len(infos), limit=MAX_ZIP_PARTS)
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise FileProblem("val.file_unzipped_too_large", size_mb=total / MiB, limit_mb=MAX_XLSX_UNCOMPRESSED / MiB)
    for i in infos:
        if i.filename.lower().endswith("sharedstrings.xml") and i.file_size > MAX_SHARED_STRINGS:
            raise FileProblem("val.file_unzipped_too_large", size_mb=i.file_size / MiB,
                              limit_mb=MAX_SHARED_STRINGS / MiB)
        if i.file_size > RATIO_FLOOR and i.file_size / max(i.compress_size, 1) > MAX_XLSX_RATIO:
            raise FileProblem("val.file_zip_bomb", part=i.filename, ratio=i.file_size / max(i.compress_size, 1),
                              limit=MAX_XLSX_RATIO, size_mb=i.file_size / MiB)




def prescan_sheet(source, max_cells: int) -> None:
    """Count a sheet's <row> and <c> elements in its raw XML, a MiB at a time, before it is parsed: the
    parser builds a whole row in memory before it hands it over, so one row of millions of cell elements
    (a lying <dimension> cannot warn of it) must be refused here. Styled empty cells count, so the totals
    allow four times the grid's cell limit."""
    rows = cells = current = 0
    tail = b""
    while True:
        chunk = source.read(MiB)
        if not chunk:
            break
        buf = tail + chunk
        cut = max(buf.rfind(b"<"), len(buf) - 8)  # keep a tag cut in two for the next chunk
        buf, tail = buf[:cut], buf[cut:]
        pieces = buf.split(b"<row")
        for k, piece in enumerate(pieces):
            if k:
                rows += 1
                current = 0
            n = piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/")
            current += n
            cells += n
            if current > EXCEL_MAX_COLUMNS:
                raise FileProblem("val.file_too_many_columns", row=rows, n=current, limit=MAX_COLUMNS)
        if rows > MAX_ROWS:
            raise FileProblem("val.file_too_many_rows", n=rows, limit=MAX_ROWS)
        if cells > 4 * max_cells:
            raise FileProblem("val.file_too_many_cells", n=cells, limit=max_cells)


def max_cells_for(max_bytes: int) -> int:
    """The cell limit that goes with a byte limit: the page's (MAX_UPLOAD_BYTES or less) or the command line's."""
    return MAX_UPLOAD_CELLS if max_bytes <= MAX_UPLOAD_BYTES else MAX_CELLS


def check_sheet(rows: int, cols: int, *, sheet: str, ref: str, max_cells: int = MAX_CELLS) -> None:
    """A sheet's declared range (its <dimension>) within the limits, before a cell is read."""
    if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > max_cells:
        raise FileProblem("val.sheet_too_large", sheet=sheet, ref=ref, rows=rows, cols=cols,
                          limit_rows=MAX_ROWS, limit_cols=MAX_COLUMNS, limit_cells=max_cells)


def check_text_head(text: str, delimiter: str, max_cells: int = MAX_CELLS) -> None:
    """Count the separators of the first lines, each in full, without splitting anything (str.count on a
    span copies nothing): a 5 MB line of millions of fields is refused before a parser sees it. Then the
    whole text's line and separator counts bound the grid it would become."""
    head = text[:65536]
    nl = "\r" if "\n" not in head and "\r" in head else "\n"  # old Mac exports end lines with CR alone
    start, n = 0, len(text)
    for number in range(1, HEAD_LINES + 1):
        if start >= n:
            break
        end = text.find(nl, start)
        end = n if end < 0 else end
        cols = text.count(delimiter, start, end) + 1
        if cols > MAX_COLUMNS:
            raise FileProblem("val.file_too_many_columns", row=number, n=cols, limit=MAX_COLUMNS)
        start = end + 1
    lines = text.count(nl) + (0 if text.endswith(nl) else 1)
    if lines > MAX_ROWS:
        raise FileProblem("val.file_too_many_rows", n=lines, limit=MAX_ROWS)
    cells = text.count(delimiter) + lines
    if cells > max_cells:
        raise FileProblem("val.file_too_many_cells", n=cells, limit=max_cells)


def column_letter(idx: int) -> str:
    """0-based column index to Excel's letters: 0 -> A, 26 -> AA."""
    s, n = "", int(idx) + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s
