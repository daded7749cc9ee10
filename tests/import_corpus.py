"""The import corpus: malformed files (each with the one message it must produce) and
real-looking good files, generated from Python rather than checked in as binaries."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
from openpyxl.styles import Alignment

LONG_HEADER = "单位代码,指标代码,统计月份,数值,分子,分母\n"


@dataclass(frozen=True)
class Case:
    name: str  # file name as uploaded
    data: bytes
    check: str  # the message key the report must contain (an error)
    kwargs: dict = field(default_factory=dict)  # month=, sheet=, max_bytes=
    setup: Callable | None = None  # what the warehouse must hold first (a closed unit, a published month...)


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def xlsx(rows: list[list], *, title: str | None = None, sheet: str = "Sheet1", percent_cols=(),
         merge_title: bool = True) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    offset = 0
    if title:
        ws.cell(1, 1, title)
        if merge_title:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
        offset = 1
    for i, row in enumerate(rows, start=1 + offset):
        for j, v in enumerate(row, start=1):
            c = ws.cell(i, j, v)
            if j - 1 in percent_cols and isinstance(v, float):
                c.number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def garbage(n: int = 4096, seed: int = 7) -> bytes:
    import random

    rnd = random.Random(seed)
    return bytes(rnd.randrange(256) for _ in range(n))


def big_csv(path, size: int = 50 * 1024 * 1024) -> bytes:
    """A 50 MB long CSV (valid rows), for the size limit."""
    line = b"S01,HL_SATISFY,2026-10,95.3,953,1000\n"
    n = size // len(line) + 1
    data = LONG_HEADER.encode() + line * n
    path.write_bytes(data)
    return data


def _cover_then_data() -> bytes:
    """A workbook whose first sheet is filling-in instructions, the data on the second."""
    wb = openpyxl.Workbook()
    wb.active.title = "填报说明"
    wb.active["A1"] = "请在「数据」表中填写本月数据,不要修改表头。"
    data = wb.create_sheet("数据")
    for row in (["单位", "月份", "诉求满意率(%)"], ["S01", "2026-10", 95]):
        data.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _dated_unit(code: str, **dates) -> Callable:
    """Setup: give a unit of the sample district a start or an end date."""
    def apply(wh):
        units = wh.units()
        wh.upsert_units(units[units["code"] == code].assign(**dates), actor="corpus")
    return apply


def _imported_before(data: bytes) -> Callable:
    """Setup: the same bytes were imported and committed already."""
    def apply(wh):
        from kaohe.ingest import pipeline

        prep = pipeline.prepare(data, "first.csv", wh, current_month="2026-11")
        pipeline.commit(prep, wh, actor="corpus", accept_warnings=True)
    return apply


def _published(month: str) -> Callable:
    """Setup: the month's results are published (frozen)."""
    def apply(wh):
        from kaohe.metrics import service

        service.publish(wh, month, "corpus")
    return apply


def malformed() -> list[Case]:
    wide_hotline = "单位名称,受理量(件),响应率(%),满意率(%)\n"
    return [
        Case("empty.csv", b"", "val.file_empty"),
        Case("blank_lines.csv", b"\r\n  \r\n\r\n", "val.file_empty"),
        Case("header_only.csv", utf8(LONG_HEADER), "val.file_no_rows"),
        Case("garbage.csv", garbage(), "val.file_binary"),
        Case("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + garbage(512, 3), "val.file_binary"),
        Case("text_named.xlsx", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,95\n"), "val.file_bad_xlsx"),
        Case("truncated.xlsx", xlsx([["单位", "满意率"], ["S01", 95]])[:600], "val.file_bad_xlsx"),
        Case("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "val.file_xls"),
        Case("report.pdf", b"%PDF-1.4\n1 0 obj\n", "val.file_format"),
        Case("mixed.csv", "单位名称,满意率(%)\n".encode() + "东湖街道,95\n".encode() + "西山街道,96\n".encode("gbk"),
             "val.file_mixed_encoding", {"month": "2026-10"}),
        Case("no_header.csv", utf8("1,2,3\n4,5,6\n"), "val.file_no_header"),
        Case("no_unit.csv", utf8("指标,月份,数值\nHL_SATISFY,2026-10,95\n"), "val.file_no_unit_column"),
        Case("no_layout.csv", utf8("单位,月份,联系电话\nS01,2026-10,123\n"), "val.file_layout"),
        Case("no_month.csv", utf8(wide_hotline + "东湖街道,100,98,95\n"), "val.file_no_month"),
        Case("unknown_unit.csv", utf8(LONG_HEADER + "S99,HL_SATISFY,2026-10,95,,\n"), "val.unit_unknown"),
        Case("blank_unit.csv", utf8(LONG_HEADER + ",HL_SATISFY,2026-10,95,,\nS01,HL_SATISFY,2026-10,95,,\n"),
             "val.unit_missing"),
        Case("unknown_indicator.csv", utf8(LONG_HEADER + "S01,HL_HAPPY,2026-10,95,,\n"), "val.indicator_unknown"),
        Case("bad_number.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,九十五,,\n"), "val.value_bad"),
        Case("rate_over_100.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,120%,,\n"), "val.value_range"),
        Case("negative_count.csv", utf8(LONG_HEADER + "S01,EM_DRILL,2026-10,-1,,\n"), "val.value_range"),
        Case("fraction_count.csv", utf8(LONG_HEADER + "S01,EM_DRILL,2026-10,1.5,,\n"), "val.count_integer"),
        Case("num_gt_den.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,,120,100\n"), "val.num_gt_den"),
        Case("negative_den.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,,5,-10\n"), "val.ratio_negative"),
        Case("mismatch.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,80,950,1000\n"), "val.value_mismatch"),
        Case("wrong_kind.csv", utf8(LONG_HEADER + "S01,DP_WHISTLE,2026-10,90,,\n"), "val.not_applicable_kind"),
        Case("future.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2027-03,95,,\n"), "val.month_future"),
        Case("bad_month.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-13,95,,\n"), "val.month_bad"),
        Case("blank_month.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,,95,,\n"), "val.month_missing"),
        Case("duplicates.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,95,,\nS01,诉求满意率,2026年10月,96,,\n"),
             "val.duplicate_row"),
        Case("bad_status.csv", utf8("单位,指标,月份,数值,状态\nS01,HL_SATISFY,2026-10,95,待定\n"), "val.status_bad"),
        Case("injection.csv", utf8(LONG_HEADER + '"=HYPERLINK(""http://evil.example/"",""点我"")",HL_SATISFY,'
                                   "2026-10,95,,\n"), "val.unit_unknown"),
        Case("formulas.xlsx", xlsx([["单位", "月份", "诉求满意率(%)"], ["S01", "2026-10", "=B3*2"],
                                    ["S02", "2026-10", 95]]), "val.formula_no_value"),
        Case("no_such_sheet.xlsx", xlsx([["单位", "月份", "HL_SATISFY"], ["S01", "2026-10", 95]]),
             "val.file_no_sheet", {"sheet": "汇总"}),
        Case("utf16_garbage.csv", "单位,数值\n".encode("utf-16-le"), "val.file_binary"),
        Case("cover_sheet_first.xlsx", _cover_then_data(), "val.file_sheet_no_table"),
        Case("blank_indicator.csv", utf8(LONG_HEADER + "S01,,2026-10,95,,\n"), "val.indicator_missing"),
        Case("closed_unit.csv", utf8(LONG_HEADER + "S02,HL_SATISFY,2026-04,95,,\n"), "val.unit_inactive",
             setup=_dated_unit("S02", active_to="2026-03")),
        Case("unit_not_yet.csv", utf8(LONG_HEADER + "S12,HL_SATISFY,2026-05,95,,\n"), "val.before_unit",
             setup=_dated_unit("S12", active_from="2026-06")),
        Case("same_file_again.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-09,91,,\n"), "val.file_duplicate",
             setup=_imported_before(utf8(LONG_HEADER + "S01,HL_SATISFY,2026-09,91,,\n"))),
        Case("published_month.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,91,,\n"), "val.month_published",
             setup=_published("2026-10")),
    ]


# -- good, real-looking files -----------------------------------------------------------

def hotline_gbk(month_title: str = "2026年10月") -> bytes:
    """The 12345 platform's monthly export: GBK, a title row, Chinese headers, percents, a total row."""
    lines = [
        f"{month_title}12345热线考核数据,,,,,,",
        "序号,街道(乡镇),受理量(件),响应率(%),解决率(%),满意率(%),办结率(%)",
        "1,东湖街道,712,99.2%,85.1%,88.6%,96.0%",
        "2,西山街道,540,98.7%,83.0%,86.2%,95.1%",
        "3,南苑街道,\"1,003\",99.5%,86.4%,89.0%,97.2%",
        "4,北辰街道,611,97.9%,—,85.5%,94.8%",
        ",,,,,,",
        "合计,,\"2,866\",,,,",
        "注:响应率=按时响应工单数/受理工单数;数据来源:12345政务服务便民热线平台,,,,,,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def grid_wide_xlsx(month: str = "2026年10月") -> bytes:
    """The grid platform's sheet: merged title, numbers stored as text, percent-formatted cells."""
    rows = [
        ["街道(乡镇)", "网格事件按时处置率(%)", "主动发现事件占比(%)", "基础信息更新率(%)", "备注"],
        ["东湖街道", "92.5", 0.851, "98.0", None],
        ["西山街道", "90.1", 0.552, "97.5", None],
        ["青石镇", "88.0", 0.441, "不适用", "系统升级"],
        ["白沙镇", "８９．４", 0.83, "96.2", None],
        [None, None, None, None, None],
        ["合计", None, None, None, None],
    ]
    return xlsx(rows, title=f"网格事件处置情况统计表({month})", sheet="网格", percent_cols=(2,))


def long_csv(wh, month: str = "2026-10", units=("S01", "S02", "S03"), bom: bool = True) -> bytes:
    """A long CSV with numerators and denominators, copied from the warehouse's own month."""
    obs = wh.observations(units=list(units), month_from=month, month_to=month)
    obs = obs[obs["status"] == "ok"]
    out = io.StringIO()
    out.write(LONG_HEADER)
    for r in obs.itertuples(index=False):
        num = "" if r.numerator != r.numerator else f"{r.numerator:g}"
        den = "" if r.denominator != r.denominator else f"{r.denominator:g}"
        out.write(f"{r.unit_code},{r.indicator_code},{r.month},{r.value:g},{num},{den}\n")
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def write_all(folder) -> list:
    """Write the malformed corpus to a folder (for trying it by hand with `kaohe import`). Cases with a
    `setup` (a closed unit, a published month...) or kwargs (--sheet) are refused only in that state."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for c in malformed():
        p = os.path.join(folder, c.name)
        with open(p, "wb") as fh:
            fh.write(c.data)
        paths.append(p)
    return paths


# -- hostile values and months
# Values that are not numbers (infinities, NaN, 1e308, TRUE/FALSE, Excel error values, 有效 beside text),
# numbers in the wrong unit, and months no assessment has (before the earliest month, the running month).

def _status_file(value: str, status: str = "有效") -> bytes:
    return utf8(f"单位,指标,月份,数值,状态\nS01,HL_SATISFY,2026-10,{value},{status}\n")


def hostile_values() -> list[Case]:
    one = LONG_HEADER + "S01,{ind},{month},{value},{num},{den}\n"

    def row(value="95", ind="HL_SATISFY", month="2026-10", num="", den=""):
        return utf8(one.format(ind=ind, month=month, value=value, num=num, den=den))

    return [
        Case("inf_rate.csv", row("inf"), "val.value_not_finite"),
        Case("infinity_count.csv", row("Infinity", "EM_DRILL"), "val.value_not_finite"),
        Case("minus_inf.csv", row("-inf", "SF_ACCIDENT"), "val.value_not_finite"),
        Case("nan_text.csv", row("NaN"), "val.value_not_finite"),
        Case("overflow_text.csv", row("1e999", "HL_VOLUME"), "val.value_not_finite"),
        Case("huge_count.csv", row("1e308", "EM_DRILL"), "val.value_too_large"),
        Case("huge_whole_count.csv", row("12345678901234567890", "HL_VOLUME"), "val.value_too_large"),
        Case("inf_numerator.csv", row("", num="inf", den="100"), "val.numerator_bad"),
        Case("text_denominator.csv", row("", num="5", den="一百"), "val.denominator_bad"),
        Case("huge_denominator.csv", row("", num="5", den="1e300"), "val.denominator_bad"),
        Case("excel_error_value.csv", row("#DIV/0!"), "val.value_excel_error"),
        Case("percent_count.csv", row("5%", "EM_DRILL"), "val.value_percent_unit"),
        Case("ok_status_chinese_number.csv", _status_file("九十五"), "val.value_bad"),
        Case("ok_status_na_cell.csv", _status_file("#N/A"), "val.value_excel_error"),
        Case("ok_status_inf.csv", _status_file("inf", "ok"), "val.value_not_finite"),
        Case("ok_status_empty.csv", _status_file(""), "val.status_ok_no_value"),
        Case("true_cell.xlsx", xlsx([["单位", "月份", "诉求满意率(%)"], ["S01", "2026-10", True]]), "val.value_boolean"),
        Case("false_count.xlsx", xlsx([["单位", "月份", "应急演练次数"], ["S01", "2026-10", False]]), "val.value_boolean"),
        Case("huge_number_cell.xlsx", xlsx([["单位", "月份", "诉求受理量"], ["S01", "2026-10", 1e308]]),
             "val.value_too_large"),
        Case("percent_formatted_count.xlsx", xlsx([["单位", "月份", "应急演练次数"], ["S01", "2026-10", 0.05]],
                                                  percent_cols=(2,)), "val.value_percent_unit"),
        Case("month_1990.csv", row(month="1990-01"), "val.month_too_early"),
        Case("month_1900.csv", row(month="1900-01"), "val.month_too_early"),
        Case("wide_1990.csv", utf8("单位,月份,诉求满意率(%)\n东湖街道,1990年1月,95\n"), "val.month_too_early"),
        Case("given_1900.csv", utf8("单位,诉求满意率(%)\n东湖街道,95\n"), "val.month_too_early", {"month": "1900-01"}),
        Case("running_month.csv", row(month="2026-11"), "val.month_open"),  # the corpus runs on 2026-11
        # the hints: a count's range, one line for a ratio over 100%, a close registered name
        Case("negative_accidents.csv", row("-1", "SF_ACCIDENT"), "val.value_range"),
        Case("ratio_over_100.csv", row("", num="35", den="32"), "val.num_gt_den"),
        Case("unit_typo.csv", utf8(LONG_HEADER + "东湖街,HL_SATISFY,2026-10,95,,\n"), "val.unit_unknown"),
        Case("given_running_month.csv", utf8("单位,诉求满意率(%)\n东湖街道,95\n"), "val.month_open",
             {"month": "2026-11"}),
    ]


_before_hostile_values = malformed


def malformed() -> list[Case]:  # noqa: F811 - the corpus grows section by section
    return _before_hostile_values() + hostile_values()
# -- hostile files (reading, limits)
# Files that read differently from what the evaluator sees, and files built to exhaust memory or time.
# Each is refused with its own message and changes nothing; the big bombs (1 GiB unzipped, a 5 MB line)
# are built in tests/test_import_memory.py, the small ones here.

import zipfile as _zipfile  # noqa: E402

_HOSTILE_LONG = LONG_HEADER + "S01,HL_SATISFY,2026-10,95,,\n"


def _workbook(*sheets, hidden=(), very_hidden=(), hidden_rows=(), hidden_cols=()) -> bytes:
    """A workbook of (title, rows) sheets; some sheets, rows (1-based) or columns (letters) hidden."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
        if title in very_hidden:
            ws.sheet_state = "veryHidden"
        if ws is wb.worksheets[-1] and title not in hidden and title not in very_hidden:
            for r in hidden_rows:
                ws.row_dimensions[r].hidden = True
            for c in hidden_cols:
                ws.column_dimensions[c].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_DATA = [["单位", "月份", "诉求满意率(%)"], ["S01", "2026-10", 95], ["S02", "2026-10", 93], ["S03", "2026-10", 91]]


def hidden_sheet_first() -> bytes:
    """A hidden first sheet of old numbers, the visible data on the second: the visible one is read."""
    return _workbook(("旧数据", [["单位", "月份", "诉求满意率(%)"], ["S01", "2026-10", 12]]), ("数据", _DATA),
                     hidden=("旧数据",))


def _rezip(data: bytes, edits: dict | None = None, extra: dict | None = None, level: int = 6) -> bytes:
    """The same zip with some parts rewritten (name -> function of the old bytes) or added."""
    src = _zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with _zipfile.ZipFile(out, "w", _zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if edits and info.filename in edits:
                part = edits[info.filename](part)
            dst.writestr(info.filename, part)
        for name, part in (extra or {}).items():
            dst.writestr(name, part)
    return out.getvalue()


SHEET1 = "xl/worksheets/sheet1.xml"


def padded_sheet_xlsx(path, unzipped: int, level: int = 9) -> int:
    """A zip bomb: a real workbook whose sheet is padded with identical rows and blanks to `unzipped` bytes,
    streamed to `path` (never held in memory). ~1 MiB on disk per GiB. Returns the file's size."""
    base = xlsx([["单位", "月份", "诉求满意率(%)"], ["S01", "2026-10", 95]])
    src = _zipfile.ZipFile(io.BytesIO(base))
    with _zipfile.ZipFile(path, "w", _zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename != SHEET1:
                dst.writestr(info.filename, part)
                continue
            head, tail = part.split(b"</sheetData>")
            pad = b"<row><c><v>1</v></c></row>" * 1000 + b" " * 2**20  # rows, and the whitespace between them
            with dst.open(SHEET1, "w", force_zip64=unzipped > 2**31) as fh:
                fh.write(head)
                written = len(head)
                while written < unzipped:
                    fh.write(pad)
                    written += len(pad)
                fh.write(b"</sheetData>" + tail)
    return path.tell() if hasattr(path, "tell") else os.path.getsize(path)


def _zip_ratio_bomb() -> bytes:
    """20 MiB of sheet from ~20 KB: under the unzipped limit, far over the compression ratio."""
    buf = io.BytesIO()
    padded_sheet_xlsx(buf, 20 * 2**20)
    return buf.getvalue()


def _declared(ref: str) -> bytes:
    """A small workbook whose sheet declares a huge range (<dimension ref=...>)."""
    import re

    return _rezip(xlsx(_DATA), {SHEET1: lambda x: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), x)})


def _cell_at(ref: str, row: int) -> bytes:
    """A workbook whose sheet says it is A1:C4 but has one more cell far away (a lying dimension)."""
    col = "".join(ch for ch in ref if ch.isalpha())
    extra = f'<row r="{row}"><c r="{ref}" t="n"><v>1</v></c></row>'.encode()
    return _rezip(xlsx(_DATA), {SHEET1: lambda x: x.replace(b"</sheetData>", extra + b"</sheetData>")}) \
        if col else b""


def compound_file(*streams: str) -> bytes:
    """An OLE compound file (D0 CF 11 E0 ...): a header and a directory sector naming `streams`."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1C] = b"\x3e\x00\x03\x00"  # minor/major version 3
    header[0x1C:0x1E] = b"\xfe\xff"  # little-endian
    header[0x1E:0x20] = b"\x09\x00"  # 512-byte sectors
    directory = bytearray()
    for name in ("Root Entry", *streams):
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(raw)] = raw
        entry[0x40:0x42] = len(raw).to_bytes(2, "little")
        entry[0x42] = 5 if name == "Root Entry" else 2
        directory += entry
    directory += bytes(-len(directory) % 512)
    return bytes(header) + bytes(directory) + garbage(2048, 11)


def big5_csv() -> bytes:
    return "單位名稱,月份,訴求滿意率(%)\n東湖街道,2026-10,95\n西山街道,2026-10,93\n南苑街道,2026-10,91\n".encode("big5")


def unicode_text(rows: list[str]) -> bytes:
    """Excel's "Unicode 文本" (Unicode text) export: UTF-16LE with a BOM, tab separated, CRLF."""
    return "\r\n".join(rows).encode("utf-16") + "\r\n".encode("utf-16-le")


def nul_deep_csv() -> bytes:
    """40 good rows, then a NUL byte inside row 42's number."""
    body = "".join(f"S01,HL_SATISFY,20{20 + i // 12}-{1 + i % 12:02d},9{i % 10},,\n" for i in range(40))
    return (LONG_HEADER + body).encode() + b"S02,HL_SATISFY,2026-10,9\x005,,\n"


def _wide_columns(n: int) -> bytes:
    return utf8("单位," + ",".join(f"列{i}" for i in range(n - 1)) + "\n" + "S01," + ",".join("1" for _ in range(n - 1)) + "\n")


def _sheet_cell(value: str) -> bytes:
    return xlsx([["单位", "月份", "诉求满意率(%)"], ["S01", "2026-10", value]])


def hostile() -> list[Case]:
    """The hostile corpus: each file with the error it must produce."""
    return [
        # what is read must be what the evaluator sees
        Case("hidden_rows.xlsx", _workbook(("数据", _DATA), hidden_rows=(3,)), "val.row_hidden"),
        Case("hidden_column.xlsx", _workbook(("数据", [r + [n] for r, n in zip(_DATA, ["受理量(件)", 5, 6, 7],
                                                                                 strict=True)]),
                                             hidden_cols=("D",)), "val.column_hidden"),
        Case("all_sheets_hidden.xlsx", _all_hidden(), "val.file_no_visible_sheet"),
        Case("hidden_sheet_holds_the_data.xlsx",
             _workbook(("数据", _DATA), ("说明", [["请勿修改本表"]]), hidden=("数据",)), "val.file_sheet_no_table"),
        Case("unicode_text_unknown_unit.txt", unicode_text(["单位代码\t指标代码\t统计月份\t数值", "S99\tHL_SATISFY\t2026-10\t95"]),
             "val.unit_unknown"),  # read (it is UTF-16), so the one error is the unit's
        Case("big5.csv", big5_csv(), "val.file_encoding_unsupported"),
        Case("shift_jis.csv", "単位,月,満足率\nテスト区,2026-10,95\nサンプル町,2026-10,93\n".encode("shift_jis"),
             "val.file_encoding_unsupported"),
        Case("encrypted.xlsx", compound_file("\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"),
             "val.file_encrypted"),
        Case("encrypted_named.csv", compound_file("EncryptionInfo", "EncryptedPackage"), "val.file_encrypted"),
        Case("old_xls_named.xlsx", compound_file("Workbook", "\x05SummaryInformation"), "val.file_xls"),
        Case("word.doc.xlsx", compound_file("WordDocument", "1Table"), "val.file_not_workbook"),
        Case("web_page.xls", utf8("<html><body><table><tr><td>单位</td></tr></table></body></html>"),
             "val.file_not_workbook"),
        Case("binary.xlsb", _rezip(xlsx(_DATA), extra={"xl/workbook.bin": b"\x00" * 64}), "val.file_not_workbook"),
        Case("calc.ods.xlsx", _rezip(xlsx(_DATA), extra={"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
             "val.file_not_workbook"),
        Case("archive.zip.xlsx", _plain_zip(), "val.file_not_workbook"),
        Case("nul_deep.csv", nul_deep_csv(), "val.file_nul"),
        Case("nul_in_unicode_text.txt", unicode_text(["单位\t月份\t诉求满意率(%)", "S01\t2026-10\t9\x005"]), "val.file_nul"),
        Case("replacement_chars.csv", utf8("单位名称,月份,满意率(%)\n东湖街道,2026-10,95\n\ufffd\ufffd街道,2026-10,93\n"),
             "val.file_garbled"),
        Case("double_encoded.csv", "单位名称,月份,满意率(%)\n东湖街道,2026-10,95\n".encode().decode("latin-1")
             .encode("utf-8"), "val.file_garbled"),
        Case("zero_width_unit.csv", utf8(LONG_HEADER + "东湖\u200b街道,HL_SATISFY,2026-10,95,,\n"), "val.cell_invisible"),
        Case("zero_width_unit.xlsx", xlsx([["单位", "月份", "诉求满意率(%)"], ["西山\ufeff街道", "2026-10", 93]]),
             "val.cell_invisible"),
        Case("zero_width_header.csv", utf8("单位\u2060,月份,诉求满意率(%)\nS01,2026-10,95\n"), "val.cell_invisible"),
        Case("cyrillic_unit_code.csv", utf8(LONG_HEADER + "\u040501,HL_SATISFY,2026-10,95,,\n"), "val.cell_lookalike"),
        Case("format_hides_value.xlsx", _format_hidden(), "val.cell_format_hidden"),
        # memory and time bounded before parsing
        Case("zip_ratio_bomb.xlsx", _zip_ratio_bomb(), "val.file_zip_bomb"),
        Case("declared_huge.xlsx", _declared("A1:XFD1048576"), "val.sheet_too_large"),
        Case("lying_dimension_rows.xlsx", _cell_at("A1200000", 1_200_000), "val.file_too_many_rows"),
        Case("lying_dimension_columns.xlsx", _cell_at("ZZ4", 4), "val.file_too_many_columns"),
        Case("one_row_of_many_cells.xlsx", _rezip(xlsx(_DATA), {SHEET1: lambda x: x.replace(
            b"</sheetData>", b'<row r="9">' + b"<c/>" * 20_000 + b"</row></sheetData>")}), "val.file_too_many_columns"),
        Case("huge_shared_strings.xlsx", _huge_shared_strings(), "val.file_unzipped_too_large"),
        Case("ten_thousand_columns.csv", _wide_columns(10_000), "val.file_too_many_columns"),
        Case("long_line_after_head.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10,95,,\n" * 120
                                               + "S01" + ",1" * 5000 + "\n"), "val.file_too_many_columns"),
        Case("long_cell.csv", utf8(LONG_HEADER + "S01,HL_SATISFY,2026-10," + "9" * 20_000 + ",,\n"), "val.cell_too_long"),
        Case("unterminated_quote.csv", utf8(LONG_HEADER + 'S01,HL_SATISFY,2026-10,"95,,\n'
                                            + "S02,HL_SATISFY,2026-10,95,,\n" * 6000), "val.cell_too_long"),
        Case("long_cell.xlsx", _sheet_cell("九" * 12_000), "val.cell_too_long"),
    ]


def _huge_shared_strings() -> bytes:
    """A table of distinct texts (xl/sharedStrings.xml) of 40 MiB: openpyxl would load it whole."""
    return _rezip(xlsx(_DATA), extra={"xl/sharedStrings.xml": b"<sst>" + b"<si><t>x</t></si>" * (40 * 2**20 // 17)
                                      + b"</sst>"})


def _format_hidden() -> bytes:
    """A value the cell's number format ";;;" shows as nothing."""
    wb = openpyxl.load_workbook(io.BytesIO(xlsx(_DATA)))
    wb.active["C3"].number_format = ";;;"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _all_hidden() -> bytes:
    """Every sheet hidden (Excel never saves this, a script can): the second made veryHidden after saving."""
    data = _workbook(("甲", _DATA), ("乙", _DATA), hidden=("甲",))
    return _rezip(data, {"xl/workbook.xml": lambda x: x.replace(b'state="visible" r:id', b'state="veryHidden" r:id')})


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with _zipfile.ZipFile(out, "w") as z:
        z.writestr("数据.csv", _HOSTILE_LONG)
    return out.getvalue()


def hostile_notices() -> list[tuple[Case, str]]:
    """Hostile files that are read, with the note or warning they must carry: (case, severity)."""
    return [
        (Case("hidden_first_sheet.xlsx", hidden_sheet_first(), "val.sheet_hidden_skipped"), "info"),
        (Case("hidden_sheet_named.xlsx", hidden_sheet_first(), "val.sheet_hidden_named", {"sheet": "旧数据"}), "warning"),
    ]


_before_hostile_files = malformed


def malformed() -> list[Case]:  # noqa: F811 - the corpus grows by the hostile files
    return _before_hostile_files() + hostile()
