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
        from ingest import pipeline

        prep = pipeline.prepare(data, "first.csv", wh, current_month="2026-11")
        pipeline.commit(prep, wh, actor="corpus", accept_warnings=True)
    return apply


def _published(month: str) -> Callable:
    """Setup: the month's results are published (frozen)."""
    def apply(wh):
        from metrics import service

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
