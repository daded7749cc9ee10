"""A scoring scheme as an Excel workbook, read back: the layout both ways, and the reader.

A district office writes its 考核办法 in Office: `kaohe.reports.scheme_book.workbook` writes a scheme as
a workbook of sheets a person edits (settings, dimensions and weights, indicators with rules and
parameters, peer-group overrides, bonus and deduction, veto, grades, other settings, notes), and
`read_workbook` here gives the scheme's plain JSON dict back. Export then import gives the same dict
(the same fingerprint, so the same ranks).

The reader is forgiving where a person is (Chinese or English sheet names and headers, kinds in
words, numbers typed as text, percent cells, blank trailing rows) and strict where a guess would
change a score: every cell that cannot be read is refused item by item (sheet, row, column, what to
fix, in the user's language) and nothing is returned. The file is held to the limits of
`kaohe.ingest.limits` before anything is parsed, as `kaohe.ingest.read` opens a workbook. Whether the
weights sum, the rules and parameters fit, the codes are in the catalogue is the scheme model's
business (`kaohe.metrics.scheme.load_dict`), not repeated here; `places` says which sheet and row
each part of the dict came from, so those refusals can name them too.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.ingest import limits
from kaohe.ingest.errors import FileProblem

KINDS = ("street", "department")
GRADES = ("excellent", "good", "pass", "fail")
OPS = (">=", ">", "==")
ADJ_KINDS = ("bonus", "deduction")
LEVELS = ("dimension", "indicator", "note")
TEXT_SETTINGS = {"id", "version", "year", "name_zh", "name_en", "missing.policy", "veto.cap_grade"}
NUMBER_SETTINGS = {"missing.carry_months", "adjustments.bonus_cap", "adjustments.deduction_cap", "lists.red",
                   "lists.black", "alerts.bottom_n", "alerts.consecutive", "alerts.fall_places"}


@dataclass(frozen=True)
class Col:
    name: str  # the field: JSON key, or a role ("kind", "dimension", "level", "other" ...)
    kind: str = "text"  # text, number, percent, params, json, kindword, grade, op, adjkind, level, info
    required: bool = False  # the column must be there
    width: int = 14
    head: str = ""  # the header's message, when not the field's own (book.col.<name>)

    def header(self, lang: str | None) -> str:
        return t(f"book.col.{self.head or self.name}", lang)


@dataclass(frozen=True)
class Sheet:
    name: str
    cols: tuple[Col, ...]
    required: bool = False

    def title(self, lang: str | None) -> str:
        return t(f"book.sheet.{self.name}", lang)


OTHER = Col("other", "json", width=24)
SHEETS = (
    Sheet("scheme", (Col("setting", "info", width=22), Col("key", "text", True, 22), Col("value", "any", True, 56)),
          True),
    Sheet("dimensions", (Col("kind", "kindword", True, 12), Col("code", "text", True, 14),
                         Col("name_zh", width=22), Col("name_en", width=30), Col("weight", "number", True, 10),
                         OTHER), True),
    Sheet("indicators", (Col("kind", "kindword", True, 12), Col("dimension", "text", True, 12),
                         Col("code", "text", True, 16), Col("indicator_name", "info", width=26),
                         Col("weight", "number", True, 10), Col("rule", "text", True, 16),
                         Col("params", "params", width=32), Col("cap", "number", width=10), OTHER), True),
    Sheet("groups", (Col("group", "text", True, 14), Col("level", "level", True, 10), Col("code", width=16),
                     Col("weight", "number", width=10), Col("rule", width=16), Col("params", "params", width=32),
                     Col("cap", "number", width=10), Col("note_zh", width=36), Col("note_en", width=40), OTHER)),
    Sheet("adjustments", (Col("indicator", "text", True, 16), Col("adj_kind", "adjkind", True, 10),
                          Col("op", "op", True, 8), Col("value", "number", True, 10, "value_cmp"),
                          Col("points", "number", True, 10), Col("reason_zh", width=36),
                          Col("reason_en", width=40), OTHER)),
    Sheet("veto", (Col("indicator", "text", True, 16), Col("op", "op", True, 8),
                   Col("value", "number", True, 10, "value_cmp"),
                   Col("reason_zh", width=40), Col("reason_en", width=44), OTHER)),
    Sheet("grades", (Col("grade", "grade", True, 12), Col("min", "number", width=12),
                     Col("quota", "percent", width=14)), True),
    Sheet("other", (Col("path", "text", True, 28), Col("json", "json", True, 80))),
)
SHEET = {s.name: s for s in SHEETS}
LANGS = ("zh", "en")


def words(prefix: str, key: str, lang: str | None) -> str:
    return t(f"{prefix}.{key}", lang)


def _norm(text) -> str:
    return re.sub(r"[\s_（）()]+", "", str(text)).casefold()


def _bare(text) -> str:
    """A header without its bracketed part, normalised: 权重（%） -> 权重."""
    return _norm(re.sub(r"[（(][^）)]*[）)]", "", str(text)))


def _choices(prefix: str, keys, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Words a person may write for a choice (both languages, the key itself) -> the key."""
    out = {}
    for k in keys:
        out[_norm(k)] = k
        for lang in LANGS:
            out[_norm(t(f"{prefix}.{k}", lang))] = k
    for word, k in (extra or {}).items():
        out[_norm(word)] = k
    return out


def kind_choices() -> dict[str, str]:
    return _choices("kind", KINDS, {"街道": "street", "乡镇": "street", "街乡": "street", "镇": "street",
                                    "streets": "street", "town": "street", "towns": "street",
                                    "departments": "department", "dept": "department"})


CHOICES = {
    "kindword": (kind_choices, KINDS, "kind"),
    "grade": (lambda: _choices("scoring.grade", GRADES), GRADES, "scoring.grade"),
    "adjkind": (lambda: _choices("scoring.cli.lv", ADJ_KINDS, {"加分项": "bonus", "扣分项": "deduction",
                                                              "减分": "deduction"}), ADJ_KINDS, "scoring.cli.lv"),
    "level": (lambda: _choices("book.level", LEVELS, {"维度": "dimension", "指标": "indicator", "说明": "note",
                                                      "note": "note"}), LEVELS, "book.level"),
    "op": (lambda: {">=": ">=", "≥": ">=", "＞＝": ">=", "＞=": ">=", ">": ">", "＞": ">", "==": "==", "=": "==",
                    "＝": "==", "＝＝": "=="}, OPS, None),
}


def choice_word(col_kind: str, key: str, lang: str | None) -> str:
    prefix = CHOICES[col_kind][2]
    return key if prefix is None else t(f"{prefix}.{key}", lang)


# -- numbers and parameters as a person writes them ----------------------------------------------
def canonical(x):
    """A number as the scheme file holds it: a whole number as int (20, not 20.0), others as float."""
    if isinstance(x, float) and math.isfinite(x) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


_NUM = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_FULL = str.maketrans("０１２３４５６７８９．－＋％，", "0123456789.-+%,")


def number(value, *, percent: bool = False):
    """A cell as a number, or None when it is not one. A number cell is the number it holds (int or
    float, as the file has it); text is read as a number ("20" an int, "20.0" and " 95.5 " floats,
    "１,000"); a trailing % means percent points in a weight or a parameter ("20%" is 20) and a
    fraction in a quota (`percent`: "20%" is 0.2)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.translate(_FULL).strip()
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?%?", text):  # 1,000 (never 1,5: which is meant is a guess)
        text = text.replace(",", "")
    pct = text.endswith("%")
    text = text.rstrip("%").strip()
    if not _NUM.fullmatch(text):
        return None
    x = float(text)
    if not math.isfinite(x):
        return None
    if pct and percent:
        return canonical(round(x / 100, 12))
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else x


_PARAM_SEP = re.compile(r"[;；\n]")


def params_text(params: dict) -> str:
    """Parameters as a cell: target=95; per_point=2 (an empty set is {}); each number as Python writes
    it, which reads back the same (95, 0.5, 90.0, 33.333333333333336)."""
    if not params:
        return "{}"
    return "; ".join(f"{k}={v!r}" for k, v in params.items())


def survives_cell(x: float) -> bool:
    """Whether a float written to a number cell reads back as the same float: openpyxl writes 16
    significant digits (33.333333333333336 comes back 33.33333333333334) and a whole one as an int
    (20.0 comes back 20)."""
    text = f"{x:.16g}"
    return any(c in text for c in ".eE") and float(text) == x


def parse_params(text: str) -> dict | None:
    """`key=value; key=value` as a dict of numbers; None when it is not written so."""
    text = text.strip()
    if text in ("{}", "｛｝"):
        return {}
    out: dict = {}
    for part in _PARAM_SEP.split(text):
        part = part.strip().rstrip(",，")
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*[=＝:：]\s*(.+)", part)
        if not m or m.group(1) in out:
            return None
        x = number(m.group(2))
        if x is None:
            return None
        out[m.group(1)] = x
    return out


def unquote(text: str) -> str:
    """A text cell as written: the apostrophe `kaohe.reports.safe.cell` puts before a formula sign dropped
    (and the one the export puts before a text that starts with an apostrophe itself, `quote`)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "'=+-@\t\r＝＋－＠":
        return text[1:]
    return text


# -- refusals --------------------------------------------------------------------------------------
@dataclass
class Problem:
    key: str
    params: dict = field(default_factory=dict)
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def text(self, lang: str | None) -> str:
        params = {k: (v(lang) if callable(v) else v) for k, v in self.params.items()}
        what = t(self.key, lang, **params)
        if self.sheet is None:
            return what
        if self.row is not None and self.column is not None:
            return t("book.at.cell", lang, sheet=self.sheet, row=self.row, column=self.column, what=what)
        if self.row is not None:
            return t("book.at.row", lang, sheet=self.sheet, row=self.row, what=what)
        if self.column is not None:
            return t("book.at.column", lang, sheet=self.sheet, column=self.column, what=what)
        return t("book.at.sheet", lang, sheet=self.sheet, what=what)


class BookRefusal(i18n.Refusal, ValueError):
    """A scheme workbook refused: every problem, each naming its sheet, row and column, in words in the
    language asked for (`text(lang)`, `problems_in(lang)`)."""

    LISTED = 50  # problems said one by one; the rest are counted

    def __init__(self, name: str, problems: list[Problem], lang: str | None = None):
        self.name, self.items, self.lang = name, list(problems), lang
        super().__init__("book.invalid", name=name)

    def problems_in(self, lang: str | None) -> list[str]:
        out: list[str] = []
        for p in self.items:
            text = p.text(lang)
            if text not in out:
                out.append(text)
        if len(out) > self.LISTED:
            out = [*out[:self.LISTED], t("adm.more", lang, n=len(out) - self.LISTED)]
        return out

    def __str__(self) -> str:  # in the language it was raised for
        return self.text(self.lang)

    def text(self, lang: str | None = None) -> str:
        return t("book.invalid", lang, name=self.name,
                 problems=t("scoring.scheme.sep", lang).join(self.problems_in(lang)))

    @property
    def problems(self) -> list[str]:
        return self.problems_in(None)


def _file_problem(exc: FileProblem) -> Problem:
    return Problem(exc.key, dict(exc.params))


# -- reading -----------------------------------------------------------------------------------------
@dataclass
class Book:
    """What the reader made of a workbook: the scheme's dict and where each part of it came from."""

    data: dict
    places: dict[tuple, tuple[str, int | None]]  # JSON path -> (sheet title, row)


def read_workbook(data: bytes, lang: str | None = None, *, name: str = "workbook.xlsx",
                  max_bytes: int = limits.MAX_UPLOAD_BYTES) -> dict:
    """The scheme a workbook holds, as the plain dict of its JSON file; refused (`BookRefusal`, an
    i18n.Refusal) with every problem, sheet by sheet and row by row, when a cell cannot be read. `lang`
    is the language of `str()` of the refusal; `.text(lang)` says it in any."""
    return read_book(data, lang, name=name, max_bytes=max_bytes).data


def read_book(data: bytes, lang: str | None = None, *, name: str = "workbook.xlsx",
              max_bytes: int = limits.MAX_UPLOAD_BYTES) -> Book:
    try:
        return _Reader(data, name, max_bytes, lang).read()
    except FileProblem as exc:
        raise BookRefusal(name, [_file_problem(exc)], lang) from None


class _Reader:
    def __init__(self, data: bytes, name: str, max_bytes: int, lang: str | None = None):
        self.bytes, self.name, self.max_bytes, self.lang = data, name, max_bytes, lang
        self.problems: list[Problem] = []
        self._choices: dict[str, dict[str, str]] = {}
        self.places: dict[tuple, tuple[str, int | None]] = {}

    # the file, safely -----------------------------------------------------------------------------
    def _open(self):
        import openpyxl

        from kaohe.ingest import read as file_read

        data = self.bytes
        if not data:
            raise FileProblem("val.file_empty")
        if len(data) > self.max_bytes:
            raise FileProblem("val.file_too_large", size_mb=len(data) / limits.MiB,
                              limit_mb=self.max_bytes / limits.MiB)
        zf = file_read.open_zip(data)  # the zip's table of contents within the limits, before parsing
        zf.close()
        try:
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - a zip that is not a workbook, a damaged part
            raise FileProblem("val.file_bad_xlsx") from exc

    def _rows(self, wb, ws) -> tuple[list[list], list[str]]:
        from kaohe.ingest import read as file_read

        max_cells = limits.max_cells_for(self.max_bytes)
        if ws.max_row is not None and ws.max_column is not None:
            ref = f"{limits.column_letter(ws.min_column - 1)}{ws.min_row}:" \
                  f"{limits.column_letter(ws.max_column - 1)}{ws.max_row}"
            limits.check_sheet(ws.max_row, ws.max_column, sheet=ws.title, ref=ref, max_cells=max_cells)
        src = ws._get_source()
        try:
            limits.prescan_sheet(src, max_cells)
        finally:
            src.close()
        rows, formulas, hidden_rows, hidden_cols, marked = file_read.stream_sheet(wb, ws, max_cells)
        # invisible characters, look-alike letters, a format that hides a value: refused, never imported
        # as something that looks like what it is not
        for p in marked:
            self.problems.append(Problem(p["check"], {**p["params"], "value": p["value"]}, ws.title, p["row"],
                                         p["column"]))
        # what a person cannot see in Excel must not change a score: hidden rows and columns are refused
        for r in hidden_rows[:20]:
            self.problems.append(Problem("book.hidden_row", {}, ws.title, r))
        for c in hidden_cols[:20]:
            self.problems.append(Problem("book.hidden_column", {}, ws.title, None, limits.column_letter(c - 1)))
        if ws.sheet_state != "visible":
            self.problems.append(Problem("book.hidden_sheet", {}, ws.title))
        return rows, formulas

    def read(self) -> Book:
        wb = self._open()
        try:
            try:
                tables = self._tables(wb)
            except FileProblem:
                raise
            except Exception as exc:  # noqa: BLE001 - a part openpyxl cannot parse
                raise FileProblem("val.file_bad_xlsx") from exc
        finally:
            wb.close()
        if self.problems:
            raise BookRefusal(self.name, self.problems, self.lang)
        data = self._build(tables)
        if self.problems:
            raise BookRefusal(self.name, self.problems, self.lang)
        return Book(data, self.places)

    def _tables(self, wb) -> dict[str, tuple[str, list[tuple[int, dict]]] | None]:
        tables: dict = {}
        for sheet in SHEETS:
            names = {_norm(sheet.title(lg)) for lg in LANGS} | {_norm(sheet.name)}
            found = [ws for ws in wb.worksheets if _norm(ws.title) in names]
            if len(found) > 1:  # 维度与权重 and Dimensions both: which one is meant cannot be guessed
                titles = [ws.title for ws in found]
                self.problems.append(Problem("book.two_sheets", {"sheets": lambda lg, titles=titles: i18n.sep(lg).join(
                    (f"'{x}'" if lg == "en" else f"“{x}”") for x in titles)}))
                continue
            ws = found[0] if found else None
            if ws is None:
                tables[sheet.name] = None
                if sheet.required:
                    self.problems.append(Problem("book.no_sheet", {"sheet": sheet.title, "sheet_zh": sheet.title("zh"),
                                                                   "sheet_en": sheet.title("en")}))
                continue
            rows, formulas = self._rows(wb, ws)
            for ref in formulas[:20]:
                self.problems.append(Problem("book.formula", {"cell": ref}, ws.title))
            tables[sheet.name] = (ws.title, self._records(sheet, ws.title, rows))
        return tables

    def _records(self, sheet: Sheet, title: str, rows: list[list]) -> list[tuple[int, dict]]:
        """The sheet's rows below its header as {field: cell}, each with its row number."""
        filled = [i for i, r in enumerate(rows) if any(v not in (None, "") for v in r)]
        if not filled:  # a sheet of items left quite empty has none; the parts every scheme has must be there
            if sheet.required:
                self.problems.append(Problem("book.empty_sheet", {}, title))
            return []
        wanted: dict[str, Col] = {}
        for col in sheet.cols:
            for word in {col.header("zh"), col.header("en"), col.name}:
                wanted[_norm(word)] = col
        short: dict[str, list[Col]] = {}  # a header written without its bracketed part: 权重 for 权重（%）
        for col in sheet.cols:
            for word in {_bare(col.header("zh")), _bare(col.header("en"))}:
                if word and col not in short.setdefault(word, []):
                    short[word].append(col)
        for word, cols in short.items():
            if len(cols) == 1:
                wanted.setdefault(word, cols[0])

        def matches(i: int) -> int:
            return len({wanted[_norm(h)].name for h in rows[i] if h is not None and _norm(h) in wanted})

        # the header: the first filled row, or below a title row or two (the row of most headers among the first)
        head_at = max(filled[:5], key=lambda i: (matches(i), -i))
        header = rows[head_at]
        index: dict[str, int] = {}
        for j, h in enumerate(header):
            if h is None or str(h).strip() == "":
                continue
            col = wanted.get(_norm(h))
            if col is None:
                continue  # a column of the person's own (a remark): not the scheme's
            if col.name in index:
                self.problems.append(Problem("book.duplicate_column", {"column": str(h)}, title))
            index[col.name] = j
        for col in sheet.cols:
            if col.required and col.name not in index:
                self.problems.append(Problem("book.no_column", {"column": col.header, "column_zh": col.header("zh"),
                                                                "column_en": col.header("en")}, title))
        out = []
        for i in range(head_at + 1, len(rows)):
            r = rows[i]
            rec = {name: (r[j] if j < len(r) else None) for name, j in index.items()}
            rec = {k: (unquote(v.strip()) if isinstance(v, str) else v) for k, v in rec.items()}
            rec = {k: v for k, v in rec.items() if v not in (None, "")}
            if rec:
                out.append((i + 1, rec))
        if not out and sheet.required:
            self.problems.append(Problem("book.empty_sheet", {}, title))
        headers = {c.name: c for c in sheet.cols}
        self._headers = getattr(self, "_headers", {})
        self._headers[title] = {n: (str(header[j]), headers[n]) for n, j in index.items()}
        return out

    # cells -----------------------------------------------------------------------------------------
    def cell(self, title: str, row: int, rec: dict, name: str, kind: str | None = None, *, need: bool = False):
        """One cell read as its column says; a problem noted (and None given) when it cannot be."""
        header, col = self._headers[title].get(name, (name, None))
        kind = kind or (col.kind if col else "text")
        value = rec.get(name)
        if value is None:
            if need:
                self.problems.append(Problem("book.required", {}, title, row, header))
            return None
        if kind in ("number", "percent"):
            x = number(value, percent=kind == "percent")
            if x is None:
                self.problems.append(Problem("book.bad_number", {"value": str(value)}, title, row, header))
            return x
        if kind == "params":
            p = parse_params(str(value))
            if p is None:
                self.problems.append(Problem("book.bad_params", {"value": str(value)}, title, row, header))
            return p
        if kind == "json":
            try:
                return json.loads(str(value))
            except ValueError:
                self.problems.append(Problem("book.bad_json", {"value": str(value)[:80]}, title, row, header))
                return None
        if kind in CHOICES:
            make, keys, _ = CHOICES[kind]
            if kind not in self._choices:
                self._choices[kind] = make()
            words = self._choices[kind]
            key = words.get(_norm(value)) if kind != "op" else words.get(str(value).strip())
            if key is None:
                self.problems.append(Problem("book.one_of", {
                    "value": str(value),
                    "known": lambda lg, kind=kind, keys=keys: i18n.sep(lg).join(choice_word(kind, k, lg) for k in keys)},
                    title, row, header))
            return key
        return text(value)

    # the scheme ------------------------------------------------------------------------------------
    def _build(self, tables) -> dict:
        data: dict = {}
        self._settings(tables["scheme"], data)
        self._kinds(tables["dimensions"], tables["indicators"], data)
        self._groups(tables["groups"], data)
        self._adjustments(tables["adjustments"], data)
        self._veto(tables["veto"], data)
        self._grades(tables["grades"], data)
        self._other(tables["other"], data)
        return data

    def _settings(self, table, data: dict) -> None:
        if table is None:
            return
        title, recs = table
        seen: dict[str, int] = {}
        for row, rec in recs:
            key = self.cell(title, row, rec, "key", need=True)
            if key is None:
                continue
            if key in seen:
                self.problems.append(Problem("book.duplicate", {"first": seen[key], "what": key}, title, row))
                continue
            seen[key] = row
            raw = rec.get("value")
            if raw is None:
                continue  # blank: the setting is left out (its default)
            if key in TEXT_SETTINGS:
                value = text(raw)
            elif key in NUMBER_SETTINGS:
                value = number(raw)
                if value is None:
                    self.problems.append(Problem("book.bad_number", {"value": str(raw)}, title, row,
                                                 self._headers[title]["value"][0]))
                    continue
            else:  # a setting this layout does not know: as the cell holds it, text or number
                value = raw if isinstance(raw, str | bool) else number(raw) if number(raw) is not None else text(raw)
            path = key.split(".")
            node = data
            for part in path[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    self.problems.append(Problem("book.duplicate", {"first": row, "what": key}, title, row))
                    break
            else:
                node[path[-1]] = value
                self.places[tuple(path)] = (title, row)
                self.places.setdefault(tuple(path[:1]), (title, row))

    def _extra(self, title, row, rec, item: dict) -> None:
        other = self.cell(title, row, rec, "other")
        if isinstance(other, dict):
            for k, v in other.items():
                item.setdefault(k, v)
        elif other is not None:
            self.problems.append(Problem("book.bad_json", {"value": str(rec.get("other"))[:80]}, title, row,
                                         self._headers[title].get("other", ("other",))[0]))

    def _kinds(self, dims, inds, data: dict) -> None:
        kinds: dict = {}
        index: dict[tuple[str, str], tuple[dict, int, list]] = {}
        unread: set = set()  # dimensions whose row has its own problem: their indicators are not refused again
        if dims is not None:
            title, recs = dims
            for row, rec in recs:
                kind = self.cell(title, row, rec, "kind", need=True)
                code = self.cell(title, row, rec, "code", need=True)
                weight = self.cell(title, row, rec, "weight", need=True)
                if kind is None or code is None:
                    unread.add(rec.get("code"))
                    continue
                if (kind, code) in index:
                    self.problems.append(Problem("book.duplicate", {"first": index[kind, code][1], "what": code},
                                                 title, row))
                    continue
                dim: dict = {"code": code}
                for k in ("name_zh", "name_en"):
                    v = self.cell(title, row, rec, k)
                    if v is not None:
                        dim[k] = v
                if weight is not None:
                    dim["weight"] = weight
                self._extra(title, row, rec, dim)
                dim["indicators"] = []
                section = kinds.setdefault(kind, {"dimensions": []})
                path = ("kinds", kind, "dimensions", len(section["dimensions"]))
                section["dimensions"].append(dim)
                index[kind, code] = (dim, row, path)
                self.places[path] = (title, row)
                self.places.setdefault(("kinds", kind), (title, None))
        if inds is not None:
            title, recs = inds
            seen: dict[tuple[str, str], int] = {}
            for row, rec in recs:
                kind = self.cell(title, row, rec, "kind", need=True)
                dcode = self.cell(title, row, rec, "dimension", need=True)
                code = self.cell(title, row, rec, "code", need=True)
                weight = self.cell(title, row, rec, "weight", need=True)
                rule = self.cell(title, row, rec, "rule", need=True)
                params = self.cell(title, row, rec, "params")
                cap = self.cell(title, row, rec, "cap")
                if kind is None or dcode is None or code is None:
                    continue
                if (kind, code) in seen:
                    self.problems.append(Problem("book.duplicate", {"first": seen[kind, code], "what": code},
                                                 title, row))
                    continue
                seen[kind, code] = row
                if (kind, dcode) not in index:
                    if dcode in unread:
                        continue
                    self.problems.append(Problem("book.unknown_dimension", {
                        "code": dcode, "sheet": lambda lg: SHEET["dimensions"].title(lg)}, title, row,
                        self._headers[title]["dimension"][0]))
                    continue
                dim, _, dpath = index[kind, dcode]
                ind: dict = {"code": code}
                if weight is not None:
                    ind["weight"] = weight
                if rule is not None:
                    ind["rule"] = rule
                if params is not None:
                    ind["params"] = params
                if cap is not None:
                    ind["cap"] = cap
                self._extra(title, row, rec, ind)
                self.places[(*dpath, "indicators", len(dim["indicators"]))] = (title, row)
                dim["indicators"].append(ind)
        if kinds:
            data["kinds"] = kinds

    def _groups(self, table, data: dict) -> None:
        if table is None:
            return
        title, recs = table
        groups: dict = {}
        seen: dict[tuple, int] = {}
        for row, rec in recs:
            name = self.cell(title, row, rec, "group", need=True)
            level = self.cell(title, row, rec, "level", need=True)
            if name is None or level is None:
                continue
            group = groups.setdefault(name, {})
            self.places.setdefault(("groups", name), (title, row))
            for k in ("note_zh", "note_en"):
                v = self.cell(title, row, rec, k)
                if v is not None:
                    group[k] = v
            self._extra(title, row, rec, group)
            if level == "note":
                continue
            code = self.cell(title, row, rec, "code", need=True)
            if code is None:
                continue
            if (name, level, code) in seen:
                self.problems.append(Problem("book.duplicate", {"first": seen[name, level, code], "what": code},
                                             title, row))
                continue
            seen[name, level, code] = row
            over: dict = {}
            for k in ("weight", "rule", "params", "cap") if level == "indicator" else ("weight",):
                v = self.cell(title, row, rec, k)
                if v is not None:
                    over[k] = v
            part = "indicators" if level == "indicator" else "dimensions"
            group.setdefault(part, {})[code] = over
            self.places[("groups", name, part, code)] = (title, row)
        if groups:
            data["groups"] = groups

    def _items(self, table, fields: dict[str, str], need: set[str]):
        if table is None:
            return []
        title, recs = table
        out = []
        for row, rec in recs:
            item = {}
            for key, col in fields.items():
                v = self.cell(title, row, rec, col, need=key in need)
                if v is not None:
                    item[key] = v
            self._extra(title, row, rec, item)
            out.append((title, row, item))
        return out

    def _adjustments(self, table, data: dict) -> None:
        fields = {"indicator": "indicator", "kind": "adj_kind", "op": "op", "value": "value", "points": "points",
                  "reason_zh": "reason_zh", "reason_en": "reason_en"}
        items = self._items(table, fields, {"indicator", "kind", "op", "value", "points"})
        for n, (title, row, _item) in enumerate(items):
            self.places[("adjustments", "rules", n)] = (title, row)
        if items:
            data.setdefault("adjustments", {})["rules"] = [i for _, _, i in items]

    def _veto(self, table, data: dict) -> None:
        fields = {"indicator": "indicator", "op": "op", "value": "value", "reason_zh": "reason_zh",
                  "reason_en": "reason_en"}
        items = self._items(table, fields, {"indicator", "op", "value"})
        for n, (title, row, _item) in enumerate(items):
            self.places[("veto", "triggers", n)] = (title, row)
        if items:
            data.setdefault("veto", {})["triggers"] = [i for _, _, i in items]

    def _grades(self, table, data: dict) -> None:
        if table is None:
            return
        title, recs = table
        bands, quota, seen = [], {}, {}
        for row, rec in recs:
            grade = self.cell(title, row, rec, "grade", need=True)
            low = self.cell(title, row, rec, "min")
            q = self.cell(title, row, rec, "quota")
            if grade is None:
                continue
            if grade in seen:
                self.problems.append(Problem("book.duplicate", {"first": seen[grade], "what": rec.get("grade")},
                                             title, row))
                continue
            seen[grade] = row
            if low is not None:
                self.places[("grades", "bands", len(bands))] = (title, row)
                bands.append({"grade": grade, "min": low})
            if q is not None:
                quota[grade] = q
                self.places[("grades", "quota", grade)] = (title, row)
        grades: dict = {"bands": bands} if bands or recs else {}
        if quota:
            grades["quota"] = quota
        if grades:
            data["grades"] = grades
            self.places.setdefault(("grades",), (title, None))

    def _other(self, table, data: dict) -> None:
        """Sections kept as JSON, at a dotted path (a top-level key, or kinds.street.something)."""
        if table is None:
            return
        title, recs = table
        for row, rec in recs:
            path = self.cell(title, row, rec, "path", need=True)
            value = self.cell(title, row, rec, "json", need=True)
            if path is None or "json" not in rec:
                continue
            parts = path.split(".")
            node = data
            for part in parts[:-1]:
                node = node.setdefault(part, {}) if isinstance(node, dict) else None
            if not isinstance(node, dict) or not all(parts):
                self.problems.append(Problem("book.bad_path", {"value": path}, title, row,
                                             self._headers[title]["path"][0]))
                continue
            node[parts[-1]] = value
            self.places[tuple(parts)] = (title, row)


def text(value) -> str:
    """A cell as text: a number a person typed where text belongs ("2026", a version 1) as its digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(canonical(value))
    return str(value)
