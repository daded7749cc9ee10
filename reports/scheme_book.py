"""A scoring scheme as an Excel workbook a district office edits in Office, and imports back.

`workbook(data, lang)` writes the scheme's JSON dict as sheets (headers in the user's language,
header row frozen, columns wide enough, a notes sheet saying what each sheet and column means and
which values it takes): settings, dimensions and weights, indicators with rules and parameters,
peer-group overrides, bonus and deduction, veto, grades, and any other section as JSON, so nothing of
the file is lost. `kaohe.ingest.scheme_book.read_workbook` reads it back to the same dict.

`load_workbook(data, catalogue, lang)` reads a workbook and validates it as a scheme
(`kaohe.metrics.scheme.load_dict`): every refusal names the sheet and row its part came from.
Text cells go through `kaohe.reports.safe.cell`: a name starting with = + - @ is never a formula.
"""

from __future__ import annotations

import io
import json

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.ingest import scheme_book as layout
from kaohe.metrics import rules
from kaohe.metrics.scheme_file import BookSchemeError, WorkbookRefused, load_workbook  # noqa: F401 (reading back is the core's)
from kaohe.reports import safe

_KNOWN_TOP = {"id", "version", "year", "name_zh", "name_en", "missing", "adjustments", "veto", "grades", "lists",
              "alerts", "kinds", "groups"}
_ROW_KEYS = {
    "dimensions": {"code", "name_zh", "name_en", "weight", "indicators"},
    "indicators": {"code", "weight", "rule", "params", "cap"},
    "adjustments": {"indicator", "kind", "op", "value", "points", "reason_zh", "reason_en"},
    "veto": {"indicator", "op", "value", "reason_zh", "reason_en"},
}
_SCALAR = (str, int, float, bool)


def _scalar(v) -> bool:
    return isinstance(v, _SCALAR) and v is not None


def _names(catalogue, lang) -> dict[str, str]:
    if catalogue is None or "code" not in getattr(catalogue, "columns", ()):
        return {}
    zh = catalogue["name_zh"] if "name_zh" in catalogue.columns else catalogue["code"]
    en = catalogue["name_en"] if "name_en" in catalogue.columns else zh
    return {str(c): i18n.pick(a if isinstance(a, str) else None, b if isinstance(b, str) else None, lang)
            for c, a, b in zip(catalogue["code"], zh, en, strict=True)}


def rows(data: dict, lang: str | None = None, catalogue=None) -> dict[str, list[dict]]:
    """The workbook's rows, sheet by sheet, as {field: value} (values as the scheme has them)."""
    names = _names(catalogue, lang)
    out: dict[str, list[dict]] = {s.name: [] for s in layout.SHEETS}
    other = out["other"]

    def setting(key, value):
        out["scheme"].append({"setting": _setting(key, lang), "key": key, "value": value})

    for key, value in data.items():
        if key in ("kinds", "groups"):
            if not isinstance(value, dict) or not value:  # written empty (or not an object): kept as it is
                other.append({"path": key, "json": value})
            continue
        if _scalar(value):
            setting(key, value)
        elif isinstance(value, dict) and key in _KNOWN_TOP:
            for sub, v in value.items():
                if (key, sub) in (("adjustments", "rules"), ("veto", "triggers"), ("grades", "bands"),
                                  ("grades", "quota")):
                    continue
                if _scalar(v):
                    setting(f"{key}.{sub}", v)
                else:
                    other.append({"path": f"{key}.{sub}", "json": v})
            for sub in ("rules", "triggers", "bands", "quota"):
                if value.get(sub) in ([], {}):  # written empty: kept so, though no row shows it
                    other.append({"path": f"{key}.{sub}", "json": value[sub]})
            if not value:
                other.append({"path": key, "json": value})
        else:
            other.append({"path": key, "json": value})
    kinds, groups = data.get("kinds"), data.get("groups")
    for kind, section in (kinds if isinstance(kinds, dict) else {}).items():
        if not isinstance(section, dict) or kind not in layout.KINDS:
            other.append({"path": f"kinds.{kind}", "json": section})
            continue
        for sub, v in section.items():
            if sub != "dimensions":
                other.append({"path": f"kinds.{kind}.{sub}", "json": v})
        for dim in section.get("dimensions") or []:
            out["dimensions"].append({"kind": kind, **{k: dim[k] for k in ("code", "name_zh", "name_en", "weight")
                                                       if k in dim},
                                      "other": _extra(dim, _ROW_KEYS["dimensions"])})
            for ind in dim.get("indicators") or []:
                row = {"kind": kind, "dimension": dim.get("code"), "code": ind.get("code"),
                       "indicator_name": names.get(str(ind.get("code")), ""),
                       **{k: ind[k] for k in ("weight", "rule", "cap") if k in ind},
                       "other": _extra(ind, _ROW_KEYS["indicators"])}
                if "params" in ind:
                    row["params"] = ind["params"]
                out["indicators"].append(row)
    for name, group in (groups if isinstance(groups, dict) else {}).items():
        if not isinstance(group, dict):
            other.append({"path": f"groups.{name}", "json": group})
            continue
        first = {**{k: group[k] for k in ("note_zh", "note_en") if k in group},
                 "other": _extra(group, {"note_zh", "note_en", "dimensions", "indicators"})}
        items = [{"level": "dimension", "code": c, **o} for c, o in (group.get("dimensions") or {}).items()]
        items += [{"level": "indicator", "code": c, **o} for c, o in (group.get("indicators") or {}).items()]
        if not items:
            items = [{"level": "note"}]
        for i, item in enumerate(items):
            out["groups"].append({"group": name, **item, **(first if i == 0 else {})})
    for rule in (data.get("adjustments") or {}).get("rules") or []:
        out["adjustments"].append({**{k: v for k, v in rule.items() if k != "kind"}, "adj_kind": rule.get("kind"),
                                   "other": _extra(rule, _ROW_KEYS["adjustments"])})
    for trig in (data.get("veto") or {}).get("triggers") or []:
        out["veto"].append({**trig, "other": _extra(trig, _ROW_KEYS["veto"])})
    grades = data.get("grades") or {}
    quota = dict(grades.get("quota") or {})
    for band in grades.get("bands") or []:
        out["grades"].append({"grade": band.get("grade"), "min": band.get("min"), "quota": quota.pop(band.get("grade"),
                                                                                                   None)})
    for grade, q in quota.items():
        out["grades"].append({"grade": grade, "quota": q})
    for sheet in layout.SHEETS:
        _blank_kept(sheet, out[sheet.name], other)
    return out


def _blank_kept(sheet: layout.Sheet, rows: list[dict], other: list[dict]) -> None:
    """A value a cell cannot tell from blank (an empty text, null) kept in the row's JSON column (or on
    the other-settings sheet), so that reading it back gives it again."""
    names = {c.name for c in sheet.cols}
    for row in rows:
        blank = {k: v for k, v in row.items() if k in names and k not in ("other", "indicator_name", "setting")
                 and v in (None, "") and not isinstance(v, bool)}
        if not blank:
            continue
        if sheet.name == "scheme":
            if row.get("value") in (None, ""):
                other.append({"path": row["key"], "json": row["value"]})
                row["drop"] = True
            continue
        if "other" in names and sheet.name not in ("groups",):
            keep = {("kind" if k == "adj_kind" else k): v for k, v in blank.items()}
            row["other"] = {**(row.get("other") or {}), **keep}
        elif sheet.name == "groups":
            row["other"] = {**(row.get("other") or {}), **{k: v for k, v in blank.items()
                                                           if k in ("note_zh", "note_en")}} or None
    rows[:] = [r for r in rows if not r.get("drop")]


def _setting(key: str, lang) -> str:
    """A setting's name in words; one the layout does not know by its key."""
    for label in (f"book.setting.{key.replace('.', '_')}", f"scoring.scheme.field.{key.rsplit('.', 1)[-1]}"):
        if i18n.has(label):
            return t(label, lang)
    return key


def _extra(item, known: set) -> dict | None:
    extra = {k: v for k, v in item.items() if k not in known} if isinstance(item, dict) else {}
    return extra or None


def _cell(col: layout.Col, value, lang):
    """A value as its cell shows it: choices in words, parameters as key=value, JSON as text."""
    if value is None:
        return None
    if col.name == "value" and isinstance(value, float) and not layout.survives_cell(value):
        return repr(value)
    if col.name == "value" and not isinstance(value, str):
        return value
    if col.kind in layout.CHOICES:
        if isinstance(value, str) and value in layout.CHOICES[col.kind][1]:
            return _text(layout.choice_word(col.kind, value, lang))
        return _text(value if isinstance(value, str) else json.dumps(value))  # not a choice: the reader says so
    if col.kind == "params":
        if isinstance(value, dict) and all(isinstance(v, int | float) and not isinstance(v, bool) and
                                           isinstance(k, str) for k, v in value.items()):
            return layout.params_text(value)
        return safe.cell(json.dumps(value, ensure_ascii=False))  # not numbers: the model says what is wrong
    if col.kind == "json":
        return safe.cell(json.dumps(value, ensure_ascii=False))
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return safe.cell(json.dumps(value, ensure_ascii=False))
    if isinstance(value, float) and not layout.survives_cell(value):
        return repr(value)  # as text, which reads back exactly: 30.0 stays a float, 100/3 keeps every digit
    return value


def _text(value: str) -> str:
    """A text for its cell: never a formula (`safe.cell`), and one that starts with an apostrophe keeps
    it (another is put before it, which the reader takes off)."""
    value = safe.clean(value)
    return "'" + value if value.startswith("'") else safe.cell(value)


def workbook(data: dict, lang: str | None = None, catalogue=None) -> bytes:
    """The scheme as an .xlsx workbook (bytes), headers in `lang` (zh by default). `catalogue` (optional)
    gives the indicators' names, shown beside their codes for reading only."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    content = rows(data, lang, catalogue)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    info_fill = PatternFill("solid", fgColor="F2F2F2")
    for sheet in layout.SHEETS:
        ws = wb.create_sheet(sheet.title(lang))
        for j, col in enumerate(sheet.cols, start=1):
            c = ws.cell(1, j, col.header(lang))
            c.font, c.fill = bold, fill
            c.alignment = Alignment(vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(j)].width = max(col.width, _width(col.header(lang)) + 2)
        for i, row in enumerate(content[sheet.name], start=2):
            for j, col in enumerate(sheet.cols, start=1):
                value = _cell(col, row.get(col.name), lang)
                if value is None:
                    continue
                c = ws.cell(i, j, value)
                if isinstance(value, str):
                    c.number_format = "@"  # text stays text when a person retypes it
                    c.data_type = "s"
                if col.kind == "percent" and isinstance(value, int | float) and _same(layout.number(
                        f"{round(value * 100, 10):g}%", percent=True), value):  # as the reader will see it
                    c.number_format = "0.##%"  # 0.2 shows as 20%, and is read back as 0.2
                if col.kind == "info":
                    c.fill = info_fill
                letter = get_column_letter(j)
                if isinstance(value, str) and _width(value) + 2 > ws.column_dimensions[letter].width:
                    ws.column_dimensions[letter].width = min(_width(value) + 2, 60)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.cols))}{max(1, len(content[sheet.name]) + 1)}"
    _notes(wb.create_sheet(t("book.sheet.notes", lang)), lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b


def _width(text: str) -> int:
    """Display width: a CJK character is two columns wide."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _notes(ws, lang) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append([t("book.col.note_sheet", lang), t("book.col.note_column", lang), t("book.col.note_meaning", lang)])
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.append([t("book.sheet.notes", lang), "", t("book.note.intro", lang)])
    for sheet in layout.SHEETS:
        ws.append([sheet.title(lang), "", t(f"book.note.sheet.{sheet.name}", lang)])
        for col in sheet.cols:
            meaning = t(f"book.note.col.{col.name}", lang)
            if col.name == "rule":
                meaning = t("book.note.allowed", lang, meaning=meaning, known=i18n.sep(lang).join(rules.names()))
            if col.kind in layout.CHOICES:
                keys = layout.CHOICES[col.kind][1]
                meaning = t("book.note.allowed", lang, meaning=meaning,
                            known=i18n.sep(lang).join(layout.choice_word(col.kind, k, lang) for k in keys))
            if col.required:
                meaning = t("book.note.required", lang, meaning=meaning)
            ws.append([sheet.title(lang), col.header(lang), safe.cell(meaning)])
    title = t("book.sheet.indicators", lang)
    for name in rules.names():  # what each rule takes, as the params column writes it
        defaults = rules.get(name).defaults
        words = [t("book.note.param_required", lang, name=k) if v is None else
                 t("book.note.param_default", lang, name=k, value=f"{v:g}") for k, v in defaults.items()]
        ws.append([title, t("book.col.rule", lang), t("book.note.rule", lang, rule=name, params=i18n.sep(lang).join(
            words)) if words else t("book.note.rule_none", lang, rule=name)])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 100
    for row in ws.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
