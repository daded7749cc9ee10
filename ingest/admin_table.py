"""Reading a register file (units, the indicator catalogue) as forgivingly as a data file — CSV or
XLSX, GBK or UTF-8, title rows above the header, Chinese or English headers — with the same readers
and the same memory bounds (ingest.read, ingest.limits: sizes are checked before anything is parsed).

What a person gets back is a list of problems, one per row and column, each a message id with its
parameters (said in the reader's language only when shown), and a preview of the changes: added,
changed field by field, unchanged. Nothing here writes.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

from kaohe.base import i18n
from kaohe.ingest import limits
from kaohe.ingest.errors import FileProblem
from kaohe.ingest.lookup import key as header_key
from kaohe.ingest.read import read

HEADER_SCAN = 20  # rows searched for the header (title rows, a note, a blank row above it)
MAX_SHOWN = 200  # problems listed one by one; the rest are counted


@dataclass
class Problem:
    """One thing to fix: the file's row number and column (as the file names it) when one cell is to
    blame, and a message id with its parameters."""

    key: str
    row: int | None = None
    column: str | None = None
    params: dict = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        what = i18n.t(self.key, lang, **self.params)
        if self.row is not None and self.column:
            return i18n.t("adm.at_cell", lang, row=self.row, column=self.column, what=what)
        if self.row is not None:
            return i18n.t("adm.at_row", lang, row=self.row, what=what)
        if self.column:
            return i18n.t("adm.at_column", lang, column=self.column, what=what)
        return what


class FileRefused(i18n.Refusal):
    """A register file refused: every problem found, nothing written."""

    def __init__(self, name: str, problems: list[Problem]):
        super().__init__("adm.refused", name=name, n=len(problems))
        self.name, self.problems = name, problems

    def lines(self, lang: str | None = None) -> list[str]:
        shown = [p.text(lang) for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            shown.append(i18n.t("adm.more", lang, n=len(self.problems) - MAX_SHOWN))
        return shown

    def text(self, lang: str | None = None) -> str:
        return "\n".join([super().text(lang), *self.lines(lang)])


def header_words(names: list[str]) -> str:
    """A field's headers as a person would write them: its first Chinese one / its first English one."""
    zh = next((n for n in names if not n.isascii()), None)
    en = next((n for n in names if n.isascii()), None)
    return " / ".join(n for n in (zh, en) if n)


@dataclass
class Table:
    """A register file's rows: each a dict field -> cell text (None when empty), with its row number."""

    rows: list[tuple[int, dict]]
    columns: dict[str, str]  # field -> the header as the file writes it


def cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime | _dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None


def read_table(data: bytes, name: str, fields: dict[str, list[str]], required: list[str], *,
               max_bytes: int = limits.MAX_UPLOAD_BYTES, sheet: str | None = None) -> Table:
    """The file's rows by field, or FileRefused. `fields`: field -> the headers it may have (any case,
    spaces and brackets ignored)."""
    if len(data) > max_bytes:
        raise FileRefused(name, [Problem("val.file_too_large", params={"size_mb": len(data) / 2**20,
                                                                          "limit_mb": max_bytes / 2**20})])
    try:
        raw = read(data, name, sheet, max_cells=limits.max_cells_for(max_bytes))
    except FileProblem as exc:
        raise FileRefused(name, [Problem(exc.key, exc.row, exc.column, dict(exc.params))]) from None
    problems = [Problem(p["check"], p.get("row"), p.get("column"), dict(p.get("params") or {}))
                for p in raw.problems]
    grid = raw.grid()
    aliases: dict[str, str] = {}
    for f, names in fields.items():  # the first field to claim a header keeps it
        for a in [f, *names]:
            aliases.setdefault(header_key(a), f)
    header_at, columns = None, {}
    for pos in range(min(HEADER_SCAN, len(grid))):
        found = {}
        for col, value in enumerate(grid.iloc[pos].tolist()):
            text = cell_text(value)
            f = aliases.get(header_key(text)) if text else None
            if f and f not in found:
                found[f] = (col, text)
        if "code" in found and len(found) >= 2:
            header_at, columns = pos, found
            break
    if header_at is None:
        raise FileRefused(name, [*problems, Problem("adm.no_header",
                                                    params={"needed": header_words(fields["code"])})])
    missing = [f for f in required if f not in columns]
    for f in missing:
        problems.append(Problem("adm.missing_column", params={"column": header_words(fields[f])}))
    rows = []
    numbers = list(grid.index)
    for pos in range(header_at + 1, len(grid)):
        values = grid.iloc[pos].tolist()
        row = {f: cell_text(values[col]) if col < len(values) else None for f, (col, _) in columns.items()}
        if all(v is None for v in row.values()):
            continue
        rows.append((int(numbers[pos]), row))
    if not rows:
        problems.append(Problem("val.file_no_rows"))
    if problems:
        raise FileRefused(name, problems)
    return Table(rows, {f: text for f, (_, text) in columns.items()})


_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\s*\d{1,2}\s*日?)?(?:\s+00:00:00)?$")


def month_text(text: str | None) -> str | None | bool:
    """A month as the file writes it (2026-10, 2026/10, 2026年10月, an Excel date) as 2026-10; None for
    an empty cell; False when it is no month."""
    if text is None:
        return None
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return False
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def number(text: str | None) -> float | None | bool:
    """A number cell (thousands separators allowed); None when empty; False when it is no number."""
    if text is None:
        return None
    try:
        value = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        return False
    return value if value == value and value not in (float("inf"), float("-inf")) else False


def choice(text: str | None, words: dict[str, str]) -> str | None | bool:
    """A cell naming one of a few values by any of its words (words: key(word) -> value)."""
    if text is None:
        return None
    return words.get(header_key(text), False)


@dataclass
class Preview:
    """What committing a checked file would do: added, changed (field by field), unchanged."""

    name: str
    changes: list[dict]  # code, action ('add', 'change', 'same'), before, after, fields (changed ones)
    kept: list[str] = field(default_factory=list)  # codes in the register that the file leaves out

    def of(self, action: str) -> list[dict]:
        return [c for c in self.changes if c["action"] == action]

    @property
    def writes(self) -> bool:
        return any(c["action"] != "same" for c in self.changes)

    def summary(self, lang: str | None = None) -> str:
        return i18n.t("adm.summary", lang, added=len(self.of("add")), changed=len(self.of("change")),
                      same=len(self.of("same")), kept=len(self.kept))

    def lines(self, lang: str | None = None, labels: dict[str, str] | None = None) -> list[str]:
        """One line per added unit, one per changed field; unchanged ones are counted in the summary."""
        labels = labels or {}
        out = []
        for c in self.changes:
            if c["action"] == "add":
                out.append(i18n.t("adm.line.add", lang, code=c["code"], name=c["after"].get("name_zh") or ""))
            elif c["action"] == "change":
                for f in c["fields"]:
                    out.append(i18n.t("adm.line.change", lang, code=c["code"], field=labels.get(f, f),
                                      before=shown(c["before"].get(f), lang), after=shown(c["after"].get(f), lang)))
        return out

    def table(self, lang: str | None = None, labels: dict[str, str] | None = None) -> list[dict]:
        """The preview as rows (code, what, field, before, after) for a page's table or a report."""
        labels = labels or {}
        rows = []
        for c in self.changes:
            what = i18n.t(f"adm.action.{c['action']}", lang)
            if c["action"] == "change":
                for f in c["fields"]:
                    rows.append({"code": c["code"], "what": what, "field": labels.get(f, f),
                                 "before": shown(c["before"].get(f), lang), "after": shown(c["after"].get(f), lang)})
            else:
                rows.append({"code": c["code"], "what": what, "field": "",
                             "before": "", "after": c["after"].get("name_zh") or ""})
        return rows


def labels(keys: dict[str, str], lang: str | None = None) -> dict[str, str]:
    """field -> its words, from a module's LABELS (field -> message id)."""
    return {f: i18n.t(k, lang) for f, k in keys.items()}


def shown(value, lang) -> str:
    """A register value in words: empty, yes/no, a whole number without its .0."""
    if value is None:
        return i18n.t("adm.empty", lang)
    if isinstance(value, bool):
        return i18n.t("scoring.cli.yes" if value else "scoring.cli.no", lang)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def diff(name: str, incoming: list[dict], current: dict[str, dict], present: set[str]) -> Preview:
    """Compare checked rows with the register. `present`: the fields the file has; a field the file
    leaves out keeps its registered value (a file of names alone changes no population)."""
    changes = []
    for row in incoming:
        before = current.get(row["code"])
        if before is None:
            changes.append({"code": row["code"], "action": "add", "before": None, "after": row, "fields": []})
            continue
        after = dict(before)
        after.update({k: v for k, v in row.items() if k in present})
        fields = [k for k in after if after.get(k) != before.get(k)]
        changes.append({"code": row["code"], "action": "change" if fields else "same", "before": before,
                        "after": after, "fields": fields})
    seen = {r["code"] for r in incoming}
    return Preview(name, changes, kept=[c for c in current if c not in seen])
