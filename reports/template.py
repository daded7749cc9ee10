"""A blank import workbook for one month: the units and indicators one source system or office reports.

`template(units, catalogue, month, source=..., office=...)` takes plain frames from the caller (the unit
register and the indicator catalogue as `Warehouse.units()` / `Warehouse.indicators()` give them; no SQL
here) and writes an XLSX in the long format the importer reads (ingest.normalise, ingest/aliases.csv):

    单位代码 | 指标代码 | 统计月份 | 数值 | 分子 | 分母 | 说明      (zh)
    unit_code | indicator_code | month | value | numerator | denominator | notes   (en)

one row per unit active in the month and indicator that applies to its kind, is in use (active, not
retired in the month: catalogue `retired_from`) and is reported by the source / office asked for.
The month is filled in; the value cells are blank for the person to fill. The last column (说明 / notes)
names the unit and the indicator: the importer reads it as a column to ignore (aliases.csv `ignore`),
so it is help for the reader, locked like the code columns. A second sheet (说明 / Notes) says what each
column means and, per indicator, its unit of measure, valid range and whether a numerator and a
denominator are wanted. Every text cell goes through reports.safe (no formula injection).
"""

from __future__ import annotations

import io

import pandas as pd

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.data.warehouse import Refusal
from kaohe.reports import safe

# The headers are the importer's own (ingest/aliases.csv): a format, not words to translate; a test
# holds each of them to the aliases file. `notes` is an `ignore` alias: the importer skips the column.
HEADERS = {
    "zh": {"unit": "单位代码", "indicator": "指标代码", "month": "统计月份", "value": "数值",
           "numerator": "分子", "denominator": "分母", "notes": "说明"},
    "en": {"unit": "unit_code", "indicator": "indicator_code", "month": "month", "value": "value",
           "numerator": "numerator", "denominator": "denominator", "notes": "notes"},
}
COLUMNS = ["unit", "indicator", "month", "value", "numerator", "denominator", "notes"]
INPUT = {"value", "numerator", "denominator"}  # the cells a person fills; the others are locked
WIDTHS = {"unit": 12, "indicator": 16, "month": 11, "value": 12, "numerator": 12, "denominator": 12, "notes": 48}


class TemplateRefused(Refusal, ValueError):
    """No template for what was asked (a month that is none, a source or office the catalogue does not
    know, a month without an active unit or an indicator in use). Nothing is written."""


def _text(v) -> str:
    return v.strip() if isinstance(v, str) else ""


def _retired(v, month: str) -> bool:
    return bool(_text(v)) and _text(v) <= month


def _active_units(units: pd.DataFrame, month: str) -> pd.DataFrame:
    frm = units["active_from"].map(_text) if "active_from" in units.columns else pd.Series("", index=units.index)
    to = units["active_to"].map(_text) if "active_to" in units.columns else pd.Series("", index=units.index)
    keep = ((frm == "") | (frm <= month)) & ((to == "") | (to >= month))
    return units[keep]


def choose(units: pd.DataFrame, catalogue: pd.DataFrame, month: str, *, source: str | None = None,
           office: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(units active in `month`, indicators in use in `month` for the source / office), or a refusal."""
    if not mo.is_month(month or ""):
        raise TemplateRefused("units.err.month", value=month)
    cat = catalogue
    if "active" in cat.columns:
        cat = cat[cat["active"].fillna(False).astype(bool)]
    for col, wanted, key in (("source_system", source, "tpl.err.source"), ("owner_office", office, "tpl.err.office")):
        if wanted is None:
            continue
        values = cat[col].map(_text) if col in cat.columns else pd.Series("", index=cat.index)
        if not (values == wanted.strip()).any():
            known = sorted({v for v in values if v})
            raise TemplateRefused(key, value=wanted, known_zh="、".join(known) or "（无）",
                                  known_en=", ".join(known) or "(none)")
        cat = cat[values == wanted.strip()]
    if "retired_from" in cat.columns:
        cat = cat[~cat["retired_from"].map(lambda v: _retired(v, month))]
    active = _active_units(units, month)
    if active.empty:
        raise TemplateRefused("tpl.err.no_units", month=month)
    if cat.empty:
        raise TemplateRefused("tpl.err.no_indicators", month=month)
    return active, cat


def rows(units: pd.DataFrame, indicators: pd.DataFrame, lang: str | None = None) -> list[dict]:
    """One line per indicator (catalogue order) and unit of a kind it applies to (register order)."""
    out = []
    for ind in indicators.itertuples(index=False):
        applies = _text(getattr(ind, "applies_to", "")) or "both"
        for u in units.itertuples(index=False):
            if applies != "both" and applies != u.kind:
                continue
            unit_name = i18n.pick(u.name_zh, u.name_en, lang)
            ind_name = i18n.pick(ind.name_zh, ind.name_en, lang)
            measure = _measure(ind, lang)
            out.append({"unit": u.code, "indicator": ind.code, "unit_name": unit_name,
                        "notes": f"{unit_name} · {ind_name}" + (f"（{measure}）" if measure and lang != "en"
                                                                else f" ({measure})" if measure else ""),
                        "ratio": bool(ind.ratio) if ind.ratio == ind.ratio else False})
    return out


def _measure(ind, lang) -> str:
    unit = _text(getattr(ind, "unit", ""))
    return (i18n.unit_en(unit) or unit) if lang == "en" else unit


def _range(ind, lang) -> str:
    from kaohe.validation import checks

    def num(x):
        return None if x is None or (isinstance(x, float) and x != x) else float(x)

    words = checks.range_words(ind.kind, ind.name_zh, ind.name_en, getattr(ind, "unit", ""), num(ind.min),
                               num(ind.max))
    return words["range_en" if lang == "en" else "range_zh"]


def _value_checks(ws, lines: list[dict], inds: pd.DataFrame, lang: str) -> None:
    """Excel's own check on the value cells of each indicator's block of rows: its valid range (a whole
    number for a count), with the range in words as the message. Help while typing; the import checks
    again whatever Excel let through."""
    from openpyxl.worksheet.datavalidation import DataValidation

    col = "ABCDEFG"[COLUMNS.index("value")]
    by_code = {r.code: r for r in inds.itertuples(index=False)}
    start = 0
    for i in range(1, len(lines) + 1):
        if i < len(lines) and lines[i]["indicator"] == lines[start]["indicator"]:
            continue
        ind = by_code[lines[start]["indicator"]]
        lo = None if ind.min is None or ind.min != ind.min else float(ind.min)
        hi = None if ind.max is None or ind.max != ind.max else float(ind.max)
        if lo is not None or hi is not None:
            kind = "whole" if ind.kind == "count" else "decimal"
            if lo is not None and hi is not None:
                dv = DataValidation(type=kind, operator="between", formula1=f"{lo:g}", formula2=f"{hi:g}")
            elif lo is not None:
                dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{lo:g}")
            else:
                dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=f"{hi:g}")
            dv.allow_blank = True
            dv.error = safe.cell(_range(ind, lang))[:255]
            dv.errorTitle = safe.cell(i18n.t("tpl.ind.range", lang))[:32]
            dv.showErrorMessage = True
            dv.add(f"{col}{start + 2}:{col}{i + 1}")
            ws.add_data_validation(dv)
        start = i


def template(units: pd.DataFrame, catalogue: pd.DataFrame, month: str, *, source: str | None = None,
             office: str | None = None, lang: str | None = None) -> bytes:
    """The blank workbook (XLSX bytes) for `month`; see the module's text. Raises TemplateRefused."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill, Protection

    lang = "en" if lang == "en" else "zh"
    active, inds = choose(units, catalogue, month, source=source, office=office)
    lines = rows(active, inds, lang)
    if not lines:  # indicators for one kind only, and no active unit of that kind
        raise TemplateRefused("tpl.err.no_units", month=month)
    heads = HEADERS[lang]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = safe.cell(i18n.t("nav.section.data", lang))
    ws.append([heads[c] for c in COLUMNS])
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")
    for cell in ws[1]:
        cell.font, cell.fill = bold, grey
    unlocked = Protection(locked=False)
    for i, line in enumerate(lines, start=2):
        values = {"unit": line["unit"], "indicator": line["indicator"], "month": month, "notes": line["notes"]}
        for j, col in enumerate(COLUMNS, start=1):
            c = ws.cell(row=i, column=j, value=safe.cell(values[col]) if col in values else None)
            if col in INPUT:
                c.protection = unlocked
            else:
                c.number_format = "@"  # codes and the month stay text (Excel would turn 2026-10 into a date)
                c.fill = grey
    _value_checks(ws, lines, inds, lang)
    for j, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = WIDTHS[col]
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{openpyxl.utils.get_column_letter(len(COLUMNS))}{len(lines) + 1}"
    # the codes, the month and the notes are locked (no password: it guards against slips, not people)
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False

    notes = wb.create_sheet(safe.cell(i18n.t("report.notes", lang)))
    wrap = Alignment(wrap_text=True, vertical="top")
    filt = []
    if source:
        filt.append(i18n.t("tpl.notes.source", lang, source=source))
    if office:
        filt.append(i18n.t("tpl.notes.office", lang, office=office))
    notes.append([safe.cell(i18n.t("tpl.notes.title", lang, month=month))])
    notes["A1"].font = Font(bold=True, size=13)
    if filt:
        notes.append([safe.cell(i18n.sep(lang).join(filt))])
    notes.append([safe.cell(i18n.t("tpl.notes.how", lang))])
    notes.append([])
    notes.append([safe.cell(i18n.t("val.col.column", lang)), safe.cell(i18n.t("tpl.meaning", lang))])
    for c in notes[notes.max_row]:
        c.font = bold
    for col in COLUMNS:
        notes.append([safe.cell(heads[col]), safe.cell(i18n.t(f"tpl.col.{col}", lang))])
    notes.append([])
    ind_heads = ["report.col.code", "report.col.indicator", "cat.field.unit", "tpl.ind.range", "tpl.ind.ratio",
                 "cat.field.source_system", "cat.field.owner_office"]
    notes.append([safe.cell(i18n.t(k, lang)) for k in ind_heads])
    for c in notes[notes.max_row]:
        c.font = bold
    for ind in inds.itertuples(index=False):
        ratio = bool(ind.ratio) if ind.ratio == ind.ratio else False
        notes.append([safe.cell(str(ind.code)), safe.cell(i18n.pick(ind.name_zh, ind.name_en, lang)),
                      safe.cell(_measure(ind, lang)), safe.cell(_range(ind, lang)),
                      safe.cell(i18n.t("tpl.ratio.yes" if ratio else "tpl.ratio.no", lang)),
                      safe.cell(_text(getattr(ind, "source_system", ""))),
                      safe.cell(_text(getattr(ind, "owner_office", "")))])
    for letter, width in zip("ABCDEFG", (16, 30, 12, 36, 40, 16, 16), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows():
        for c in row:
            c.alignment = wrap
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_name(month: str, *, source: str | None = None, office: str | None = None, lang: str | None = None) -> str:
    """A download's name: 导入模板-2026-10-12345.xlsx / import-template-2026-10-12345.xlsx."""
    stem = i18n.t("tpl.file_stem", lang)
    parts = [stem, month] + [p for p in (source, office) if p]
    name = "-".join(parts)
    return "".join(ch for ch in name if ch not in '\\/:*?"<>|\r\n\t') + ".xlsx"
