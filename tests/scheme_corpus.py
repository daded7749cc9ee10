"""The scheme corpus: bad scheme workbooks and JSON files, each with the words its refusal must hold,
generated from Python (the shipped scheme exported, then spoiled as a person or an attacker would)
rather than checked in as binaries."""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl

from kaohe.base import i18n
from kaohe.ingest import scheme_book as layout
from kaohe.metrics import scheme
from kaohe.reports import scheme_book


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: list[str]  # fragments the refusal's words must hold, in the case's language
    stage: str = "read"  # read: the reader refuses; load: the scheme's validation (names sheet and row)
    kwargs: dict = field(default_factory=dict)


def default(year: str = "2026") -> dict:
    return json.loads(scheme.path_for(year).read_text(encoding="utf-8"))


def exported(lang: str | None, data: dict | None = None) -> bytes:
    return scheme_book.workbook(data or default(), lang)


def edited(lang: str | None, fn: Callable, data: dict | None = None) -> bytes:
    """The exported workbook, changed by `fn(wb, lang)` as a person would in Excel, saved again."""
    wb = openpyxl.load_workbook(io.BytesIO(exported(lang, data)))
    fn(wb, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet(wb, name: str, lang):
    return wb[layout.SHEET[name].title(lang)]


def column(ws, field_name: str, sheet_name: str, lang) -> int:
    """1-based column of a field on its sheet (as exported)."""
    names = [c.name for c in layout.SHEET[sheet_name].cols]
    return names.index(field_name) + 1


def header(sheet_name: str, field_name: str, lang) -> str:
    return next(c for c in layout.SHEET[sheet_name].cols if c.name == field_name).header(lang)


def title(sheet_name: str, lang) -> str:
    return layout.SHEET[sheet_name].title(lang)


def at(sheet_name: str, lang, row: int | None = None, field_name: str | None = None) -> list[str]:
    """The fragments naming a place: the sheet, the row, the column."""
    out = [title(sheet_name, lang)]
    if row is not None:
        out.append(f"第 {row} 行" if lang != "en" else f"row {row}")
    if field_name is not None:
        out.append(header(sheet_name, field_name, lang))
    return out


def set_cell(name: str, row: int, field_name: str, value) -> Callable:
    def fn(wb, lang):
        ws = sheet(wb, name, lang)
        ws.cell(row, column(ws, field_name, name, lang)).value = value
    return fn


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    return buf.getvalue()


def _zip_bomb() -> bytes:
    """A workbook whose one part unzips 24 MiB of zeros from a few KB: refused from the table of contents."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (24 * 2**20))
    return buf.getvalue()


def _lying_dimension(lang) -> bytes:
    """The exported workbook whose indicator sheet declares two million rows: refused before it is parsed."""
    src = zipfile.ZipFile(io.BytesIO(exported(lang)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet3.xml":
                part = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z2000000"', part)
            out.writestr(info.filename, part)
    return buf.getvalue()


def _delete_sheet(name):
    def fn(wb, lang):
        del wb[title(name, lang)]
    return fn


def _rename_sheet(name, new):
    def fn(wb, lang):
        wb[title(name, lang)].title = new
    return fn


def _delete_column(name, field_name):
    def fn(wb, lang):
        ws = sheet(wb, name, lang)
        ws.delete_cols(column(ws, field_name, name, lang))
    return fn


def _clear(name):
    def fn(wb, lang):
        ws = sheet(wb, name, lang)
        ws.delete_rows(1, ws.max_row)
    return fn


def _duplicate_row(name, row):
    def fn(wb, lang):
        ws = sheet(wb, name, lang)
        ws.append([c.value for c in ws[row]])
    return fn


def bad_workbooks(lang: str | None) -> list[Case]:
    """Each bad workbook with the words that must say what is wrong and where, in `lang`."""
    zh = lang != "en"
    ind, dim = "indicators", "dimensions"
    return [
        Case("garbage.xlsx", b"\x00\x01binary junk" * 50, [i18n.t("val.file_bad_xlsx", lang)]),
        Case("plain.zip.xlsx", _plain_zip(), ["（.zip）" if zh else "plain zip"]),
        Case("too_big.xlsx", b"PK\x03\x04" + b"\0" * (21 * 2**20), ["MB"]),
        Case("small_limit.xlsx", exported(lang), ["MB"], kwargs={"max_bytes": 4096}),
        Case("zip_bomb.xlsx", _zip_bomb(), ["xl/worksheets/sheet1.xml"]),
        Case("huge_dimension.xlsx", _lying_dimension(lang), [title(ind, lang), "A1:Z2000000"]),
        Case("no_dimensions_sheet.xlsx", edited(lang, _delete_sheet(dim)), [title(dim, lang)]),
        Case("renamed_sheet.xlsx", edited(lang, _rename_sheet(ind, "Sheet9")), [title(ind, lang)]),
        Case("no_weight_column.xlsx", edited(lang, _delete_column(ind, "weight")),
             [*at(ind, lang), header(ind, "weight", lang)]),
        Case("text_weight.xlsx", edited(lang, set_cell(ind, 3, "weight", "二十八")), [*at(ind, lang, 3, "weight"),
                                                                                   "二十八"]),
        Case("text_dimension_weight.xlsx", edited(lang, set_cell(dim, 2, "weight", "thirty")),
             [*at(dim, lang, 2, "weight"), "thirty"]),
        Case("unknown_kind.xlsx", edited(lang, set_cell(dim, 4, "kind", "村")), [*at(dim, lang, 4, "kind"), "村"]),
        Case("unknown_kind_indicator.xlsx", edited(lang, set_cell(ind, 5, "kind", "village")),
             [*at(ind, lang, 5, "kind"), "village"]),
        Case("empty_dimensions.xlsx", edited(lang, _clear(dim)), at(dim, lang)),
        Case("duplicate_indicator.xlsx", edited(lang, _duplicate_row(ind, 2)), [*at(ind, lang), "HL_RESPONSE", "2"]),
        Case("duplicate_dimension.xlsx", edited(lang, _duplicate_row(dim, 3)), [*at(dim, lang), "DS"]),
        Case("formula_weight.xlsx", edited(lang, set_cell(ind, 2, "weight", "=12+12")), [title(ind, lang), "E2"]),
        Case("bad_params.xlsx", edited(lang, set_cell(ind, 2, "params", "target 95, per_point two")),
             [*at(ind, lang, 2, "params"), "target 95"]),
        Case("unknown_dimension.xlsx", edited(lang, set_cell(ind, 2, "dimension", "ZZ")),
             [*at(ind, lang, 2, "dimension"), "ZZ", title(dim, lang)]),
        Case("blank_code.xlsx", edited(lang, set_cell(ind, 6, "code", None)), at(ind, lang, 6, "code")),
        Case("bad_op.xlsx", edited(lang, set_cell("veto", 2, "op", "≈")), [*at("veto", lang, 2, "op"), "≈"]),
        Case("bad_adj_kind.xlsx", edited(lang, set_cell("adjustments", 3, "adj_kind", "奖励")),
             [*at("adjustments", lang, 3, "adj_kind"), "奖励"]),
        Case("bad_grade.xlsx", edited(lang, set_cell("grades", 3, "grade", "A+")), [*at("grades", lang, 3, "grade")]),
        Case("bad_quota.xlsx", edited(lang, set_cell("grades", 2, "quota", "二成")),
             [*at("grades", lang, 2, "quota"), "二成"]),
        Case("bad_json.xlsx", edited(lang, set_cell(ind, 2, "other", "{oops")), [*at(ind, lang, 2, "other")]),
        Case("invisible_code.xlsx", edited(lang, set_cell(ind, 4, "code", "HL\u200bSATISFY")),
             [*at(ind, lang, 4), "U+200B"]),
        Case("lookalike_code.xlsx", edited(lang, set_cell(ind, 4, "code", "\u041dL_SATISFY")),
             [*at(ind, lang, 4), "U+041D"]),
        Case("european_decimal.xlsx", edited(lang, set_cell(ind, 2, "weight", "24,5")), [*at(ind, lang, 2, "weight"),
                                                                                        "24,5"]),
        Case("hidden_row.xlsx", edited(lang, _hide_row(ind, 3)), at(ind, lang, 3)),
        Case("hidden_column.xlsx", edited(lang, _hide_column(ind, "H")), [title(ind, lang), "H"]),
        Case("hidden_sheet.xlsx", edited(lang, _hide_sheet("veto")), [title("veto", lang)]),
        Case("two_dimension_sheets.xlsx", edited(lang, _copy_sheet(dim, "Dimensions" if zh else "维度与权重")),
             ["维度与权重", "Dimensions"]),
        Case("duplicate_setting.xlsx", edited(lang, _duplicate_row("scheme", 3)), [*at("scheme", lang), "version"]),
        Case("text_setting.xlsx", edited(lang, _set_setting("lists.red", "five")),
             [*at("scheme", lang, 12, "value"), "five"]),
        Case("bad_path.xlsx", edited(lang, _append("other", ["lists..x", "1"])), [*at("other", lang, 2, "path")]),
        # read cleanly, refused by the scheme's own validation, which names the sheet and row too
        Case("unknown_rule.xlsx", edited(lang, set_cell(ind, 2, "rule", "magic")),
             [*at(ind, lang, 2), "magic", "HL_RESPONSE"], "load"),
        Case("weights_not_100.xlsx", edited(lang, set_cell(ind, 2, "weight", 50)), [*at(dim, lang, 2), "126"], "load"),
        Case("unknown_indicator.xlsx", edited(lang, set_cell(ind, 2, "code", "HL_NOPE")),
             [*at(ind, lang, 2), "HL_NOPE"], "load"),
        Case("bad_policy.xlsx", edited(lang, _set_setting("missing.policy", "guess")), [title("scheme", lang), "guess"],
             "load"),
        Case("bad_param_name.xlsx", edited(lang, set_cell(ind, 2, "params", "target=95; per_pt=2")),
             [*at(ind, lang, 2), "per_pt"], "load"),
        Case("band_order.xlsx", edited(lang, set_cell("grades", 3, "min", 95)), [title("grades", lang)], "load"),
    ]


def _hide_row(name, row):
    def fn(wb, lang):
        sheet(wb, name, lang).row_dimensions[row].hidden = True
    return fn


def _hide_column(name, letter):
    def fn(wb, lang):
        ws = sheet(wb, name, lang)
        ws["H2"] = 1  # a cap someone hid
        ws.column_dimensions[letter].hidden = True
    return fn


def _hide_sheet(name):
    def fn(wb, lang):
        sheet(wb, name, lang).sheet_state = "hidden"
    return fn


def _copy_sheet(name, new_title):
    def fn(wb, lang):
        wb.copy_worksheet(sheet(wb, name, lang)).title = new_title
    return fn


def _append(name, values):
    def fn(wb, lang):
        sheet(wb, name, lang).append(values)
    return fn


def _set_setting(key: str, value) -> Callable:
    def fn(wb, lang):
        ws = sheet(wb, "scheme", lang)
        for row in ws.iter_rows(min_row=2):
            if row[1].value == key:
                row[2].value = value
                return
        raise AssertionError(key)
    return fn


def bad_json() -> list[tuple[str, bytes, list[str]]]:
    """Bad scheme files in the JSON format: (file name, bytes, fragments of the zh refusal)."""
    def spoil(fn) -> bytes:
        d = copy.deepcopy(default())
        fn(d)
        return json.dumps(d, ensure_ascii=False).encode("utf-8")

    def street_dim(d, i=0):
        return d["kinds"]["street"]["dimensions"][i]

    return [
        ("not_json.json", b"{\"id\": \"x\",", ["JSON"]),
        ("gbk.json", "{\"id\": \"方案\"}".encode("gbk"), ["UTF-8"]),
        ("unknown_rule.json", spoil(lambda d: street_dim(d)["indicators"][0].update(rule="magic")), ["magic"]),
        ("weights.json", spoil(lambda d: street_dim(d).update(weight=31)), ["101"]),
        ("text_weight.json", spoil(lambda d: street_dim(d)["indicators"][0].update(weight="24")), ["HL_RESPONSE"]),
        ("unknown_indicator.json", spoil(lambda d: street_dim(d)["indicators"][0].update(code="HL_NOPE")),
         ["HL_NOPE"]),
        ("no_grades.json", spoil(lambda d: d.pop("grades")), ["等次"]),
    ]
