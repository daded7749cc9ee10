"""Reading real-looking files: encodings, delimiters, sheets, title rows, layouts."""

import import_corpus as corpus
import pytest

from kaohe.data.catalogue import read_indicators, read_units
from kaohe.ingest.errors import FileProblem
from kaohe.ingest.lookup import Lookup
from kaohe.ingest.normalise import normalise
from kaohe.ingest.read import read

LOOKUP = Lookup.build(read_units(), read_indicators())
LONG = "单位,指标,月份,数值\nS01,HL_SATISFY,2026-10,95.5\n西山街道,诉求满意率,2026年10月,\"1,0\"\n"


def understood(data: bytes, name: str, **kw):
    return normalise(read(data, name, kw.pop("sheet", None)), LOOKUP, kw.pop("month", None))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_are_detected(encoding):
    raw = read("单位名称,满意率(%)\n东湖街道,95\n西山街道,96\n".encode(encoding), "x.csv")
    assert raw.rows[1][0] == "东湖街道"
    assert raw.encoding in {"utf-8": ["utf-8"], "utf-8-sig": ["utf-8-sig"], "gbk": ["gb18030"],
                            "gb18030": ["gb18030"]}[encoding]


@pytest.mark.parametrize(("text", "name"), [
    (LONG.replace(",", "\t"), "x.tsv"), (LONG.replace(",", "\t"), "x.csv"), (LONG.replace(",", ";"), "x.csv"),
])
def test_delimiters(text, name):
    frame, und, _ = understood(text.encode(), name)
    assert und.layout == "long"
    assert frame["unit_code"].tolist() == ["S01", "S02"]


def test_long_layout_by_names_and_codes():
    frame, und, _ = understood(LONG.encode(), "x.csv")
    assert und.layout == "long" and und.month_source == "column"
    assert frame["indicator_code"].tolist() == ["HL_SATISFY", "HL_SATISFY"]
    assert frame["month"].tolist() == ["2026-10", "2026-10"]
    assert frame["status"].tolist() == ["ok", "bad"]  # "1,0" is not a number: reported, never guessed


def test_hotline_export_in_gbk_with_title_and_totals():
    frame, und, problems = understood(corpus.hotline_gbk(), "12345热线.csv")
    assert (und.fmt, und.encoding, und.layout, und.header_row) == ("csv", "gb18030", "wide", 2)
    assert und.month_source == "title" and und.months == ["2026-10"]
    assert und.units_matched == ["S01", "S02", "S03", "S04"]
    assert und.unit_names["S01"] == ("东湖街道", "Donghu Street")  # the preview shows whom each name matched
    assert set(und.indicators_matched) == {"HL_VOLUME", "HL_RESPONSE", "HL_RESOLVE", "HL_SATISFY", "HL_ONTIME"}
    skipped = {p["check"] for p in problems}
    assert {"val.skipped_title", "val.skipped_total", "val.skipped_note", "val.skipped_empty",
            "val.skipped_ignored_column"} <= skipped
    s03 = frame[(frame["unit_code"] == "S03") & (frame["indicator_code"] == "HL_VOLUME")].iloc[0]
    assert s03["value"] == 1003 and s03["row"] == 5
    s04 = frame[(frame["unit_code"] == "S04") & (frame["indicator_code"] == "HL_RESOLVE")].iloc[0]
    assert s04["status"] == "missing"


def test_grid_platform_xlsx_merged_title_text_numbers_percent_cells():
    frame, und, _ = understood(corpus.grid_wide_xlsx(), "网格.xlsx")
    assert (und.fmt, und.sheet, und.layout, und.months) == ("xlsx", "网格", "wide", ["2026-10"])
    got = frame.set_index(["unit_code", "indicator_code"])
    assert got.loc[("S01", "GR_CLOSE"), "value"] == 92.5  # number stored as text
    assert got.loc[("S01", "GR_PROACTIVE"), "value"] == pytest.approx(85.1)  # a cell formatted as percent
    assert got.loc[("S10", "GR_CLOSE"), "value"] == pytest.approx(89.4)  # full-width digits
    assert got.loc[("S09", "GR_INFO"), "status"] == "na"


def test_named_sheet_and_excel_dates():
    import datetime as dt

    data = corpus.xlsx([["单位", "指标", "月份", "数值"], ["S01", "HL_SATISFY", dt.datetime(2026, 9, 1), 91]],
                       sheet="明细")
    frame, und, _ = understood(data, "x.xlsx", sheet="明细")
    assert und.sheet == "明细" and frame["month"].tolist() == ["2026-09"]
    with pytest.raises(FileProblem) as exc:
        understood(data, "x.xlsx", sheet="汇总")
    assert exc.value.key == "val.file_no_sheet"


def test_given_month_and_title_month_disagree():
    _, und, problems = understood(corpus.hotline_gbk(), "x.csv", month="2026-09")
    assert und.month_source == "given" and und.months == ["2026-09"]
    assert "val.month_title_differs" in {p["check"] for p in problems}


def test_wide_blanks_of_inapplicable_indicators_are_not_data():
    text = "单位,月份,DP_WHISTLE,HL_SATISFY\nS01,2026-10,,95\nD01,2026-10,88,90\n"
    frame, _, problems = understood(text.encode(), "x.csv")
    assert len(frame) == 3  # S01's blank DP_WHISTLE (departments only) is dropped
    assert "val.skipped_not_applicable" in {p["check"] for p in problems}


def test_numerator_and_denominator_give_the_rate():
    text = "单位代码,指标代码,统计月份,数值,分子,分母\nS01,HL_SATISFY,2026-10,,45,50\n"
    frame, _, _ = understood(text.encode(), "x.csv")
    assert frame.loc[0, "value"] == 90.0 and frame.loc[0, "status"] == "ok"


def test_english_headers_and_unit_names():
    text = "Unit name,Indicator,Month,Value,Numerator,Denominator\nDonghu Street,Hotline satisfaction rate,2026/10,90,45,50\n"
    frame, und, _ = understood(text.encode(), "en.csv")
    assert und.layout == "long"
    assert frame.loc[0, ["unit_code", "indicator_code", "month", "numerator"]].tolist() == [
        "S01", "HL_SATISFY", "2026-10", 45.0]


def test_big_csv_fast_path_reads_exactly_like_the_csv_module(monkeypatch):
    from kaohe.ingest import read as reader

    body = "".join(f"S0{1 + i % 9},HL_SATISFY,20{10 + i // 12 % 90}-{1 + i % 12:02d},{90 + i % 10},,\n"
                   for i in range(80_000))
    data = ("2026年考核数据回填\n\n" + corpus.LONG_HEADER + body + "\n合计,,,,,\n").encode()
    assert len(data) > reader.FAST_CSV_BYTES
    fast = understood(data, "big.csv")
    monkeypatch.setattr(reader, "FAST_CSV_BYTES", 10**12)
    slow = understood(data, "big.csv")
    assert fast[0].equals(slow[0]) and fast[1] == slow[1] and fast[2] == slow[2]
    assert fast[0]["row"].iloc[0] == 4 and fast[1].rows_skipped == 2


def test_empty_columns_total_rows_and_notes_are_skipped_and_reported():
    text = ("单位,,满意率(%),,月份\n东湖街道,,95,,2026-10\n\n西山街道,,96,,2026-10\n总计,,95.5,,\n"
            "说明:满意率为回访满意数/回访数\n")
    frame, und, problems = understood(text.encode(), "x.csv")
    assert len(frame) == 2 and und.rows_skipped == 3
    got = [(p["check"], p["row"]) for p in problems]
    assert ("val.skipped_empty_column", 1) in got and ("val.skipped_total", 5) in got
    assert ("val.skipped_note", 6) in got and ("val.skipped_empty", 3) in got
