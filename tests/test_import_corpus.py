"""Bad input is harmless: every malformed file gets its one clear message and changes nothing."""

import import_corpus as corpus
import pytest

from kaohe.ingest import pipeline
from kaohe.reports import validation_export
from kaohe.validation.report import Report

CURRENT = "2026-11"  # the running month when the sample ends in 2026-10
CASES = corpus.malformed()


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_file_is_refused_with_its_message(case, sample_wh):
    if case.setup:
        case.setup(sample_wh)
    before = sample_wh.checksum()
    prep = pipeline.prepare(case.data, case.name, sample_wh, current_month=CURRENT, **case.kwargs)
    errors = set(prep.report.problems.loc[prep.report.problems["severity"] == "error", "check"])
    assert case.check in errors
    assert "val.gx_error" not in errors  # the suite ran cleanly: the message is about the file
    assert prep.blocked
    lines = prep.report.render("zh")
    assert (lines["问题"] != "").all() and (lines["修改建议"] != "").all()
    with pytest.raises(pipeline.ImportRefused):
        pipeline.commit(prep, sample_wh, actor="tester", accept_warnings=True)
    assert sample_wh.checksum() == before


def test_problem_lines_point_at_the_files_own_row_and_column(sample_wh):
    data = corpus.hotline_gbk().replace(b"88.6%", "八十八".encode("gbk"))
    prep = pipeline.prepare(data, "hl.csv", sample_wh, current_month=CURRENT)
    bad = prep.report.problems[prep.report.problems["check"] == "val.value_bad"].iloc[0]
    assert (bad["row"], bad["column"], bad["value"]) == (3, "满意率(%)", "八十八")
    en = prep.report.render("en")
    assert {"Row", "Column", "Value", "Problem", "Expected", "How to fix"} <= set(en.columns)


def test_formula_injection_is_neutralised_in_both_downloads(sample_wh):
    case = next(c for c in CASES if c.name == "injection.csv")
    prep = pipeline.prepare(case.data, case.name, sample_wh, current_month=CURRENT)
    csv_text = validation_export.csv_bytes(prep.report, "zh")
    assert csv_text.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads the Chinese right
    assert b"'=HYPERLINK" in csv_text
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(validation_export.xlsx_bytes(prep.report, "en")))
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    assert not any(v.startswith(("=", "+", "@")) for v in cells)


def test_report_summary_counts_by_kind():
    import pandas as pd

    from kaohe.validation.problems import problem

    rep = Report.of([pd.DataFrame([problem("val.value_bad", row=3, column="x", value="a"),
                                   problem("val.value_bad", row=4, column="x", value="b"),
                                   problem("val.jump", row=5, column="y", value="1", n=12, median=2.0, low=1, high=3)])])
    s = rep.summary("en")
    assert s["Count"].tolist() == [2, 1]
    assert rep.summary_line("en") == "2 errors, 1 warnings, 0 notes"


@pytest.mark.slow
def test_a_50_mb_file_is_refused_by_size(sample_wh, tmp_path):
    data = corpus.big_csv(tmp_path / "big.csv")
    assert len(data) >= 50 * 1024 * 1024
    before = sample_wh.checksum()
    prep = pipeline.prepare(data, "big.csv", sample_wh, current_month=CURRENT)
    assert prep.report.checks() == ["val.file_too_large"] and prep.blocked
    assert sample_wh.checksum() == before


def test_control_characters_and_full_width_formula_signs_are_harmless_in_the_downloads(sample_wh):
    import io

    import openpyxl

    rows = ("\x01=cmd|' /C calc'!A0,HL_SATISFY,2026-10,95,,\n"  # a control character before the formula
            "＝HYPERLINK(\"http://evil.example/\"),HL_SATISFY,2026-10,95,,\n"  # a full-width equals sign
            "东湖\u202e街道,HL_SATISFY,2026-10,95,,\n")  # a bidi override
    prep = pipeline.prepare((corpus.LONG_HEADER + rows).encode(), "ctl.csv", sample_wh, current_month=CURRENT)
    assert prep.blocked
    wb = openpyxl.load_workbook(io.BytesIO(validation_export.xlsx_bytes(prep.report, "zh")))  # openpyxl refuses \x01 unless cleaned
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "+", "@", "＝", "\x01")) or "\u202e" in v for v in cells)
    text = validation_export.csv_bytes(prep.report, "zh").decode("utf-8-sig")
    assert "'=cmd" in text and "'=HYPERLINK" in text and "\x01" not in text  # ＝ is folded to = on reading


def test_the_xlsx_report_is_laid_out_for_reading(sample_wh):
    import io

    import openpyxl

    case = next(c for c in CASES if c.name == "rate_over_100.csv")
    prep = pipeline.prepare(case.data, case.name, sample_wh, current_month=CURRENT)
    wb = openpyxl.load_workbook(io.BytesIO(validation_export.xlsx_bytes(prep.report, "en")))
    assert wb.sheetnames == ["Summary", "Problems"]
    ws = wb["Problems"]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["Severity", "Kind", "Row", "Column", "Value", "Problem", "Expected", "How to fix"]
    assert ws.cell(2, 3).value == 2 and ws.freeze_panes and ws.auto_filter.ref  # a number, a fixed header, filters
    assert ws.column_dimensions["H"].width >= 40  # how to fix is readable without widening the column


def test_a_cover_sheet_names_the_other_sheets_in_the_readers_language(sample_wh):
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(next(c for c in CASES if c.name == "cover_sheet_first.xlsx").data))
    wb.create_sheet("备注")
    buf = io.BytesIO()
    wb.save(buf)
    prep = pipeline.prepare(buf.getvalue(), "cover.xlsx", sample_wh, current_month=CURRENT)
    from kaohe.base.i18n import t

    assert prep.report.render("zh")[t("val.col.expected", "zh")].iloc[0] == "数据所在的工作表（本工作簿还有：数据、备注）"
    assert prep.report.render("en")[t("val.col.expected", "en")].iloc[0] == "the sheet with the data (the workbook also has: 数据, 备注)"
