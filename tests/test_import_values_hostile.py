"""Hostile values and months: what is not a number never lands as one, months no assessment has are
refused, and every hint the report gives is right for the indicator (its kind, unit, valid range, name)."""

from __future__ import annotations

import io
import re

import import_corpus as corpus
import openpyxl
import pandas as pd
import pytest
from test_i18n_catalogue import CJK, half_width_marks

from kaohe.ingest import pipeline
from kaohe.reports import validation_export
from kaohe.validation import checks

CURRENT = "2026-11"  # the running month of the pinned day (2026-11-20)
HEAD = corpus.LONG_HEADER


def prepare(wh, text: str | bytes, name: str = "x.csv", **kw):
    data = text.encode() if isinstance(text, str) else text
    return pipeline.prepare(data, name, wh, **{"current_month": CURRENT, **kw})


def lines_of(prep, check: str, lang: str = "zh") -> pd.DataFrame:
    col = "检查项" if lang == "zh" else "Check"
    r = prep.report.render(lang)
    return r[r[col] == check]


def assert_refused(prep, wh, before):
    assert prep.blocked
    with pytest.raises(pipeline.ImportRefused):
        pipeline.commit(prep, wh, actor="tester", accept_warnings=True)
    assert wh.checksum() == before


def assert_words(prep):
    """Every line has words in both languages; Chinese in full-width punctuation, English without CJK."""
    for lang in ("zh", "en"):
        r = prep.report.render(lang)
        cols = ["问题", "应为", "修改建议"] if lang == "zh" else ["Problem", "Expected", "How to fix"]
        for c in cols:
            for text in r[c]:
                assert "{" not in text, text  # every parameter filled
                words = re.sub(r"「[^」]*」", "", text)  # names and values quoted from data are as they are
                if lang == "zh" and CJK.search(words):
                    assert not half_width_marks(words), text


# (id, rows under the long header, the error, what the value column shows)
VALUE_CASES = [
    ("inf", "S01,HL_SATISFY,2026-10,inf,,", "val.value_not_finite", "inf"),
    ("Infinity in a count", "S01,EM_DRILL,2026-10,Infinity,,", "val.value_not_finite", "Infinity"),
    ("-inf", "S01,SF_ACCIDENT,2026-10,-inf,,", "val.value_not_finite", "-inf"),
    ("NaN", "S01,HL_SATISFY,2026-10,NaN,,", "val.value_not_finite", "NaN"),
    ("nan", "S01,HL_SATISFY,2026-10,nan,,", "val.value_not_finite", "nan"),
    ("∞", "S01,HL_SATISFY,2026-10,∞,,", "val.value_not_finite", "∞"),
    ("1e999 overflows", "S01,HL_VOLUME,2026-10,1e999,,", "val.value_not_finite", "1e999"),
    ("1e308 in a count", "S01,EM_DRILL,2026-10,1e308,,", "val.value_too_large", "1e308"),
    ("past int64", "S01,HL_VOLUME,2026-10,12345678901234567890,,", "val.value_too_large", "12345678901234567890"),
    ("just past the bound", "S01,HL_VOLUME,2026-10,1000000000001,,", "val.value_too_large", "1000000000001"),
    ("TRUE as text", "S01,HL_SATISFY,2026-10,TRUE,,", "val.value_boolean", "TRUE"),
    ("#N/A", "S01,HL_SATISFY,2026-10,#N/A,,", "val.value_excel_error", "#N/A"),
    ("#DIV/0!", "S01,HL_SATISFY,2026-10,#DIV/0!,,", "val.value_excel_error", "#DIV/0!"),
    ("inf numerator", "S01,HL_SATISFY,2026-10,,inf,100", "val.numerator_bad", "inf"),
    ("text numerator", "S01,HL_SATISFY,2026-10,95,九十五,100", "val.numerator_bad", "九十五"),
    ("NaN denominator", "S01,HL_SATISFY,2026-10,,5,NaN", "val.denominator_bad", "NaN"),
    ("1e300 denominator", "S01,HL_SATISFY,2026-10,,5,1e300", "val.denominator_bad", "1e300"),
    ("% on a count", "S01,EM_DRILL,2026-10,5%,,", "val.value_percent_unit", "5%"),
]


@pytest.mark.parametrize(("rows", "check", "shown"), [c[1:] for c in VALUE_CASES], ids=[c[0] for c in VALUE_CASES])
def test_what_is_not_a_number_is_refused_row_by_row(sample_wh, rows, check, shown):
    before = sample_wh.checksum()
    prep = prepare(sample_wh, HEAD + rows + "\n")
    p = prep.report.problems
    errors = p[p["severity"] == "error"]
    assert errors["check"].tolist() == [check]  # one line, the right one
    line = errors.iloc[0]
    assert (int(line["row"]), line["value"]) == (2, shown)
    assert_words(prep)
    assert_refused(prep, sample_wh, before)


def test_a_bad_value_never_reaches_the_warehouse_even_beside_good_rows(sample_wh):
    rows = "S01,HL_SATISFY,2026-10,95,,\nS02,HL_SATISFY,2026-10,inf,,\nS03,EM_DRILL,2026-10,1e308,,\n"
    before = sample_wh.checksum()
    prep = prepare(sample_wh, HEAD + rows)
    errors = prep.report.problems.query("severity == 'error'")
    assert errors[["check", "row"]].values.tolist() == [["val.value_not_finite", 3], ["val.value_too_large", 4]]
    assert_refused(prep, sample_wh, before)


STATUS_CASES = [  # the status column says ok (有效), the value does not hold a number
    ("有效", "九十五", "val.value_bad"),
    ("有效", "#N/A", "val.value_excel_error"),
    ("ok", "inf", "val.value_not_finite"),
    ("有效", "TRUE", "val.value_boolean"),
    ("有效", "", "val.status_ok_no_value"),
    ("正常", "—", "val.status_ok_no_value"),
    ("有效", "不适用", "val.status_ok_no_value"),
]


@pytest.mark.parametrize(("status", "value", "check"), STATUS_CASES, ids=[f"{s}-{v or 'empty'}" for s, v, _ in STATUS_CASES])
def test_a_status_of_ok_needs_a_readable_number(sample_wh, status, value, check):
    before = sample_wh.checksum()
    prep = prepare(sample_wh, corpus._status_file(value, status))
    errors = prep.report.problems.query("severity == 'error'")
    assert errors["check"].tolist() == [check] and int(errors.iloc[0]["row"]) == 2
    assert errors.iloc[0]["value"] == value  # the line names the value
    assert_words(prep)
    assert_refused(prep, sample_wh, before)


@pytest.mark.parametrize(("status", "value"), [("缺报", "#N/A"), ("不适用", ""), ("有效", "95.3")])
def test_missing_and_not_applicable_need_no_number_and_a_good_row_lands(sample_wh, status, value):
    prep = prepare(sample_wh, corpus._status_file(value, status))
    assert not prep.blocked, prep.report.lines("en")


@pytest.mark.parametrize(("cells", "check"), [
    ([True], "val.value_boolean"), ([False], "val.value_boolean"), ([float("1e308")], "val.value_too_large"),
    (["inf"], "val.value_not_finite"), (["#N/A"], "val.value_excel_error"),
])
def test_excel_cells_that_are_not_numbers(sample_wh, cells, check):
    data = corpus.xlsx([["单位", "月份", "应急演练次数"], ["S01", "2026-10", *cells]])
    before = sample_wh.checksum()
    prep = prepare(sample_wh, data, "x.xlsx")
    errors = prep.report.problems.query("severity == 'error'")
    assert errors["check"].tolist() == [check]
    if isinstance(cells[0], bool):  # shown as Excel shows it, not as 1/0 or Python's True
        assert prep.report.render("en")["Value"].iloc[0] == ("TRUE" if cells[0] else "FALSE")
    assert_refused(prep, sample_wh, before)


def test_a_count_in_a_cell_formatted_as_percent_is_not_taken_as_500(sample_wh):
    data = corpus.xlsx([["单位", "月份", "应急演练次数"], ["S01", "2026-10", 0.05]], percent_cols=(2,))
    prep = prepare(sample_wh, data, "x.xlsx")
    line = lines_of(prep, "val.value_percent_unit").iloc[0]
    assert line["值"] == "5%" and "应急演练次数" in line["问题"] and "百分比格式" in line["修改建议"]


# -- months

@pytest.mark.parametrize(("month", "check"), [
    ("1990-01", "val.month_too_early"), ("1900-01", "val.month_too_early"), ("2021-12", "val.month_too_early"),
    ("1899-12", "val.month_too_early"), ("1900年1月", "val.month_too_early"), ("3000-01", "val.month_future"),
    ("2022-01", None), ("2026-10", None), ("2026-11", "val.month_open"), ("2026-12", "val.month_future"),
])
def test_months_no_assessment_has_are_refused(sample_wh, month, check):
    prep = prepare(sample_wh, HEAD + f"S01,HL_SATISFY,{month},95,,\n")
    errors = set(prep.report.problems.query("severity == 'error'")["check"])
    if check is None:
        assert not errors and not prep.blocked
    else:
        assert errors == {check}


def test_the_earliest_month_is_three_years_before_the_first_scheme(monkeypatch):
    from kaohe.metrics.scheme import available_years

    monkeypatch.delenv(checks.EARLIEST_SETTING, raising=False)
    first = min(int(y) for y in available_years())
    assert checks.earliest_month() == (f"{first - 3}-01", None) == ("2022-01", None)


def test_the_earliest_month_is_named_with_its_setting(sample_wh, monkeypatch):
    monkeypatch.setenv(checks.EARLIEST_SETTING, "2024/01")  # read as 2024-01
    rows = "".join(f"S01,HL_SATISFY,2023-{m:02d},95,,\n" for m in (11, 12)) + "S01,HL_SATISFY,2024-01,95,,\n"
    prep = prepare(sample_wh, HEAD + rows)
    early = lines_of(prep, "val.month_too_early")
    assert early["行号"].tolist() == [2, 3]  # once per month, at its first row
    assert early.iloc[0]["问题"] == "2023-11 早于可导入的最早月份 2024-01"
    assert "KAOHE_EARLIEST_MONTH" in early.iloc[0]["修改建议"]
    en = lines_of(prep, "val.month_too_early", "en").iloc[0]
    assert "2024-01" in en["Problem"] and "KAOHE_EARLIEST_MONTH" in en["How to fix"]


def test_an_earliest_month_setting_that_is_not_a_month_refuses_every_import(sample_wh, monkeypatch):
    monkeypatch.setenv(checks.EARLIEST_SETTING, "last year")
    before = sample_wh.checksum()
    prep = prepare(sample_wh, HEAD + "S01,HL_SATISFY,2026-10,95,,\n")
    line = lines_of(prep, "val.earliest_setting_bad").iloc[0]
    assert "「last year」" in line["问题"] and "2022-01" in line["修改建议"]
    assert_refused(prep, sample_wh, before)


def test_the_running_month_is_refused_on_the_first_day_of_the_month(sample_wh, monkeypatch):
    monkeypatch.setenv("KAOHE_TODAY", "2026-12-01")
    prep = pipeline.prepare((HEAD + "S01,HL_SATISFY,2026-12,95,,\nS01,HL_SATISFY,2026-11,95,,\n").encode(), "x.csv",
                            sample_wh)  # no current_month: the clock's running month
    zh = lines_of(prep, "val.month_open").iloc[0]
    assert zh["问题"] == "2026-12 尚未结束，不能导入月度数据"
    assert "2027-01 起" in zh["修改建议"] and zh["级别"] == "错误"
    assert set(prep.report.problems.query("severity == 'error'")["check"]) == {"val.month_open"}  # 2026-11 is fine


# -- hints

@pytest.mark.parametrize(("rows", "expected_zh", "fix_has", "fix_lacks"), [
    ("S01,SF_ACCIDENT,2026-10,-1,,", "不小于 0 的整数（单位：起）", "计数", "百分数"),
    ("S01,HL_SATISFY,2026-10,120,,", "0 至 100 的百分数（95.3 或 95.3%）", "百分数", "计数"),
    ("S01,EM_RESPONSE,2026-10,-5,,", "不小于 0（单位：分钟）", "时长", "百分数"),
    ("S01,SF_CRIME,2026-10,-2,,", "不小于 0（单位：件/万人）", "每万人", "百分数"),
    ("S01,CP_SURVEY,2026-10,130,,", "0 至 100（单位：分）", "得分", "百分数"),
])
def test_the_range_hint_follows_the_indicators_kind_and_unit(sample_wh, rows, expected_zh, fix_has, fix_lacks):
    prep = prepare(sample_wh, HEAD + rows + "\n")
    line = lines_of(prep, "val.value_range").iloc[0]
    assert line["应为"] == expected_zh
    assert fix_has in line["修改建议"] and fix_lacks not in line["修改建议"]
    assert_words(prep)


def test_an_accident_count_of_minus_one_reads_as_a_count_in_english_too(sample_wh):
    prep = prepare(sample_wh, HEAD + "S01,SF_ACCIDENT,2026-10,-1,,\n")
    en = lines_of(prep, "val.value_range", "en").iloc[0]
    assert en["Problem"] == "Work-safety liability accidents is outside the indicator's range"
    assert en["Expected"] == "a whole number of at least 0 (incidents)"
    assert "is a count" in en["How to fix"] and "percent" not in en["How to fix"]


def test_a_numerator_over_its_denominator_is_one_error_showing_the_rate(sample_wh):
    prep = prepare(sample_wh, HEAD + "S01,HL_SATISFY,2026-10,,35,32\n")
    errors = prep.report.problems.query("severity == 'error'")
    assert errors["check"].tolist() == ["val.num_gt_den"]  # no second range line with an empty value
    assert errors.iloc[0]["value"] == "109.4%"
    assert "109.4%" in lines_of(prep, "val.num_gt_den").iloc[0]["问题"]


def test_a_negative_numerator_is_one_error_pointing_at_the_numerator(sample_wh):
    prep = prepare(sample_wh, HEAD + "S01,HL_SATISFY,2026-10,,-5,100\n")
    errors = prep.report.problems.query("severity == 'error'")
    assert errors[["check", "column", "value"]].values.tolist() == [["val.ratio_negative", "分子", "-5"]]


@pytest.mark.parametrize(("unit", "zh", "en"), [
    ("东湖街", "是否为：「东湖街道」（S01）？", "did you mean Donghu Street (S01)?"),
    ("S1", "是否为：「东湖街道」（S01）？", "did you mean Donghu Street (S01)?"),
    ("Donghu", "是否为：「东湖街道」（S01）？", "did you mean Donghu Street (S01)?"),
])
def test_an_unknown_unit_gets_the_closest_registered_name(sample_wh, unit, zh, en):
    prep = prepare(sample_wh, HEAD + f"{unit},HL_SATISFY,2026-10,95,,\n")
    assert zh in lines_of(prep, "val.unit_unknown").iloc[0]["问题"]
    assert en in lines_of(prep, "val.unit_unknown", "en").iloc[0]["Problem"]


def test_an_unknown_unit_far_from_every_name_gets_no_guess(sample_wh):
    prep = prepare(sample_wh, HEAD + "S99,HL_SATISFY,2026-10,95,,\n")
    assert lines_of(prep, "val.unit_unknown").iloc[0]["问题"] == "单位不在单位名录中"


def test_unknown_indicators_and_headers_get_the_closest_catalogue_name(sample_wh):
    prep = prepare(sample_wh, HEAD + "S01,诉求满意,2026-10,95,,\n")
    assert "「诉求满意率」（HL_SATISFY）" in lines_of(prep, "val.indicator_unknown").iloc[0]["问题"]
    prep = prepare(sample_wh, "单位,月份,诉求满意率(%),应急演练\n东湖街道,2026-10,95,2\n")
    assert "是否为：「应急演练次数」（EM_DRILL）？" in lines_of(prep, "val.column_unknown").iloc[0]["问题"]
    assert "did you mean Emergency drills held (EM_DRILL)?" in lines_of(prep, "val.column_unknown", "en").iloc[0]["Problem"]


def test_completeness_warnings_name_units_and_indicators_in_the_readers_language(sample_wh):
    rows = "S01,HL_SATISFY,2026-10,90,,\nS01,EM_DRILL,2026-10,1,,\nS02,HL_SATISFY,2026-10,91,,\n"
    prep = prepare(sample_wh, HEAD + rows)
    assert lines_of(prep, "val.incomplete").iloc[0]["问题"] == "西山街道 在 2026-10 缺少 1 项指标：应急演练次数"
    assert lines_of(prep, "val.incomplete", "en").iloc[0]["Problem"] == \
        "Xishan Street lacks 1 indicators in 2026-10: Emergency drills held"


def test_a_plausibility_warning_names_unit_indicator_value_and_a_usual_range_within_the_valid_one(sample_wh):
    prep = prepare(sample_wh, HEAD + "S10,HL_RESPONSE,2026-10,60,,\nS10,EM_DRILL,2026-10,40,,\n")
    jumps = prep.report.problems[prep.report.problems["check"] == "val.jump"]
    assert len(jumps) == 2
    for p in jumps["params"]:
        assert p["unit_zh"] == "白沙镇" and p["low"] >= 0
    rate = jumps.iloc[0]["params"]
    assert rate["indicator_zh"] == "诉求响应率" and rate["value"] == "60%" and rate["high"] <= 100
    count = jumps.iloc[1]["params"]
    assert float(count["low"]).is_integer() and float(count["high"]).is_integer()  # whole numbers for a count
    zh = lines_of(prep, "val.jump").iloc[0]["问题"]
    assert zh.startswith("白沙镇「诉求响应率」为 60%，与本单位历史差异过大") and "至 100）" in zh
    en = lines_of(prep, "val.jump", "en").iloc[0]["Problem"]
    assert en.startswith("Baisha Town, Hotline response rate: 60% is far outside")


def test_a_peer_outlier_range_stays_within_0_to_100(sample_wh):
    units = ["S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08"]
    rows = [f"{u},PS_REVIEW,2026-10,{98 + i * 0.2:.1f},," for i, u in enumerate(units[:-1])] + ["S08,PS_REVIEW,2026-10,41,,"]
    prep = prepare(sample_wh, HEAD + "\n".join(rows) + "\n")
    out = prep.report.problems[prep.report.problems["check"] == "val.peer_outlier"].iloc[0]["params"]
    assert out["high"] <= 100 and out["indicator_zh"] == "政务服务好评率"


# -- row numbers and exports

def test_row_numbers_are_whole_numbers_in_lines_and_downloads(sample_wh):
    rows = "S01,HL_SATISFY,2026-10,95,,\nS01,EM_DRILL,2026-10,-1,,\n"
    prep = prepare(sample_wh, "2026年10月考核数据\n" + HEAD + rows)  # a title row: a line without a data row
    text = "\n".join(prep.report.lines("zh") + prep.report.lines("en"))
    assert "第 4 行" in text and "row 4" in text and ".0 行" not in text and "row 4.0" not in text
    csv = validation_export.csv_bytes(prep.report, "zh").decode("utf-8-sig")
    assert ",4,数值,-1," in csv and "4.0" not in csv and "'-1" not in csv
    wb = openpyxl.load_workbook(io.BytesIO(validation_export.xlsx_bytes(prep.report, "zh")))
    ws = wb["问题清单"]
    values = {(r[2], r[4]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert (4, -1) in values  # the row a whole number, -1 a number, not the text '-1


def test_formulas_are_still_neutralised_in_the_report(sample_wh):
    rows = "\"-2+3+cmd|' /C calc'!A0\",HL_SATISFY,2026-10,95,,\n\"@SUM(A1)\",HL_SATISFY,2026-10,95,,\n"
    prep = prepare(sample_wh, HEAD + rows)
    csv = validation_export.csv_bytes(prep.report, "en").decode("utf-8-sig")
    assert "'-2+3+cmd" in csv and "'@SUM(A1)" in csv


def test_the_cli_refuses_a_hostile_file_and_writes_nothing(sample_wh, tmp_path, capsys):
    from kaohe.cli import main

    f = tmp_path / "hostile.csv"
    f.write_bytes((HEAD + "S01,EM_DRILL,2026-10,1e308,,\nS02,HL_SATISFY,1990-01,95,,\nS03,HL_SATISFY,2026-10,inf,,\n"
                   "东湖街,HL_SATISFY,2026-10,95,,\n").encode())
    before = sample_wh.checksum()
    assert main(["import", "--db", str(sample_wh.path), "--accept-warnings", str(f)]) == 1
    err = capsys.readouterr().err
    assert "第 2 行" in err and "数值过大" in err and "早于可导入的最早月份 2022-01" in err
    assert "不是有限的数字" in err and "是否为：「东湖街道」（S01）？" in err
    assert sample_wh.checksum() == before
