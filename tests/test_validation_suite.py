"""The expectation suite is where the rules live: every rule family of issue 3 is an expectation
in validation/expectations/observations.json, GX runs it, and each failure reads as a person's line."""

import import_corpus as corpus
import pytest

from kaohe.ingest import pipeline
from kaohe.validation import gx_runner

CURRENT = "2026-11"
HEAD = corpus.LONG_HEADER
def _checks(meta: dict) -> set[str]:
    """The messages one expectation gives: its check, and one per status it tells apart."""
    return {meta["check"], *(meta.get("check_by_status") or {}).values()}


SUITE_CHECKS = {c for e in gx_runner.suite_spec()["expectations"] for c in _checks(e["meta"])}


def test_the_suite_covers_structure_references_domain_periods_and_duplicates():
    assert {
        "val.gx_column_missing", "val.gx_column_type",  # structure
        "val.unit_unknown", "val.indicator_unknown", "val.not_applicable_kind",  # references
        "val.before_unit", "val.unit_inactive",  # the unit exists in that month
        "val.value_range", "val.count_integer", "val.num_gt_den", "val.value_mismatch",  # domain
        "val.month_bad", "val.month_future", "val.month_open",  # periods
        "val.duplicate_row",  # duplicates within the file
        # values that are no numbers, numerators and denominators, a % on a count, months none may hold
        "val.value_bad", "val.value_boolean", "val.value_not_finite", "val.value_too_large", "val.value_excel_error",
        "val.status_ok_no_value", "val.numerator_bad", "val.denominator_bad", "val.value_percent_unit",
        "val.month_too_early",
    } <= SUITE_CHECKS


# (a header with no rows is caught while reading, before there is a frame for GX)
SUITE_CASES = [c for c in corpus.malformed() if c.check in SUITE_CHECKS - {"val.file_no_rows"}]


@pytest.mark.parametrize("case", SUITE_CASES, ids=[c.name for c in SUITE_CASES])
def test_the_message_comes_from_a_failed_expectation_in_the_raw_gx_result(case, sample_wh):
    if case.setup:
        case.setup(sample_wh)
    prep = pipeline.prepare(case.data, case.name, sample_wh, current_month=CURRENT, **case.kwargs)
    failed = {c for r in prep.gx_result["results"] if not r["success"] for c in _checks(r["expectation_config"]["meta"])}
    assert case.check in failed
    assert "val.gx_error" not in set(prep.report.problems["check"])


def checks(prep):
    return prep.report.problems.set_index("check")


def test_a_fraction_out_of_range_is_said_once(sample_wh):
    prep = pipeline.prepare((HEAD + "S01,EM_DRILL,2026-10,-1.5,,\n").encode(), "x.csv", sample_wh,
                            current_month=CURRENT)
    assert prep.report.checks() == ["val.value_range"]


def test_repeats_point_at_the_first_row_and_the_running_month_is_said_once(sample_wh):
    rows = "S01,HL_SATISFY,2026-11,95,,\nS01,HL_SATISFY,2026-11,96,,\nS01,HL_SATISFY,2026-11,97,,\n"
    prep = pipeline.prepare((HEAD + rows).encode(), "x.csv", sample_wh, current_month=CURRENT)
    p = prep.report.problems
    dup = p[p["check"] == "val.duplicate_row"]
    assert dup["row"].tolist() == [3, 4] and [x["first"] for x in dup["params"]] == [2, 2]
    assert (p["check"] == "val.month_open").sum() == 1


def test_messages_carry_the_facts_they_quote(sample_wh):
    rows = ("S01,DP_WHISTLE,2026-10,90,,\n"  # a department's indicator for a street
            "S01,HL_SATISFY,2026-10,80,950,1000\n"  # value disagrees with 950/1000
            "S01,HL_RESPONSE,2027-01,95,,\n")  # future
    prep = pipeline.prepare((HEAD + rows).encode(), "x.csv", sample_wh, current_month=CURRENT)
    en = prep.report.render("en").set_index("Check")
    assert "does not apply to" in en.loc["val.not_applicable_kind", "Problem"]
    assert "95.00" in en.loc["val.value_mismatch", "Problem"]
    assert en.loc["val.month_future", "Expected"] == "2026-10 or earlier"  # the running month is refused too
    assert en.loc["val.month_future", "Row"] == 4 and en.loc["val.month_future", "Column"] == "统计月份"


def test_a_failing_expectation_that_raises_is_a_bug_line_not_a_silent_pass(sample_wh, monkeypatch):
    prep = pipeline.prepare((HEAD + "S01,HL_SATISFY,2026-10,95,,\n").encode(), "ok.csv", sample_wh,
                            current_month=CURRENT)
    from kaohe.validation import checks

    facts = checks.facts(prep.frame, sample_wh.units(), sample_wh.indicators())
    facts["u_from"] = [5.0]  # a number where a month belongs: the comparison raises
    problems, _ = gx_runner.run(facts, gx_runner.parameters(sample_wh.units(), sample_wh.indicators(), CURRENT))
    assert "val.gx_error" in set(problems["check"])


def test_completeness_runs_as_its_own_suite_and_is_kept_with_the_batch(sample_wh):
    import json

    spec = gx_runner.suite_spec("completeness")
    assert {e["meta"]["check"] for e in spec["expectations"]} == {"val.incomplete", "val.unit_absent"}
    rows = "".join(f"S{i:02d},HL_RESPONSE,2026-10,98,,\n" for i in range(1, 12))  # S12 left out
    rows += "S01,HL_SATISFY,2026-10,95,,\n"  # only S01 has the satisfaction rate
    prep = pipeline.prepare((HEAD + rows).encode(), "streets.csv", sample_wh, current_month=CURRENT)
    failed = {r["expectation_config"]["meta"]["check"] for r in prep.gx_result["completeness"]["results"]
              if not r["success"]}
    assert failed == {"val.incomplete", "val.unit_absent"}
    p = prep.report.problems
    inc = p[p["check"] == "val.incomplete"]
    assert len(inc) == 10 and inc.iloc[0]["params"]["missing"] == "HL_SATISFY" and inc.iloc[0]["row"] == 3
    assert p.loc[p["check"] == "val.unit_absent", "value"].tolist() == ["S12"]
    assert not prep.blocked
    res = pipeline.commit(prep, sample_wh, actor="t", accept_warnings=True)
    kept = json.loads(sample_wh.batch(res.batch_id)["gx_result"])
    assert kept["success"] is True and kept["completeness"]["success"] is False


# -- the report's downloads, written a layer up (reports/validation_export.py) -----------------------------
def test_the_reports_downloads_are_written_by_the_reports_layer_and_neutralise_formulas(sample_wh):
    """The core gives frames; reports.validation_export writes the CSV and the workbook through reports.safe:
    a value that would run as a formula is text, a number stays a number, each file is built once."""
    import csv
    import io

    import openpyxl

    from kaohe.reports import validation_export

    rows = ("=HYPERLINK(\"http://x\"),HL_SATISFY,2026-10,95,,\n"  # an unknown unit that is a formula
            "S01,HL_SATISFY,2026-10,-7,,\n")  # a number out of range, quoted as the number it is
    prep = pipeline.prepare((HEAD + rows).encode(), "x.csv", sample_wh, current_month=CURRENT)
    report = prep.report
    assert report.errors >= 2
    text = validation_export.csv_bytes(report, "en")
    assert text.startswith(b"\xef\xbb\xbf")  # with a BOM, so Excel reads UTF-8
    body = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    values = [r["Value"] for r in body]
    assert "'=HYPERLINK(\"http://x\")" in values and "-7" in values
    assert not any(v.startswith("=") for r in body for v in r.values())
    assert validation_export.csv_bytes(report, "en") is text  # built once per language
    assert validation_export.csv_bytes(report, "zh") != text

    wb = openpyxl.load_workbook(io.BytesIO(validation_export.xlsx_bytes(report, "zh")))
    assert [ws.title for ws in wb.worksheets] == ["汇总", "问题清单"]
    problems = [list(r) for r in wb["问题清单"].iter_rows(values_only=True)]
    j = problems[0].index("值")
    cells = [r[j] for r in problems[1:]]
    assert "'=HYPERLINK(\"http://x\")" in cells and -7 in cells  # text as text, the number as a number
    assert validation_export.file_bytes(report, "r.xlsx", "zh")[:2] == b"PK"
    assert validation_export.file_bytes(report, "r.csv", "zh") == validation_export.csv_bytes(report, "zh")


def test_the_core_report_writes_no_files():
    """validation/report.py imports nothing of the reports layer and has no to_csv / to_xlsx of its own."""
    import ast
    from pathlib import Path

    from kaohe.validation.report import Report

    source = (Path(__file__).resolve().parents[1] / "validation" / "report.py").read_text(encoding="utf-8")
    modules = {n.module for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in modules if m.startswith("kaohe.reports") or m.startswith("openpyxl")}
    assert not hasattr(Report, "to_csv") and not hasattr(Report, "to_xlsx")


def test_expectation_counts_per_kind_over_both_suites(sample_wh):
    """What the batch page shows of a stored GX run, counted in the core (validation.report)."""
    from kaohe.validation.report import expectation_counts

    rows = "".join(f"S{i:02d},HL_RESPONSE,2026-10,98,,\n" for i in range(1, 12)) + "S99,HL_RESPONSE,2026-10,98,,\n"
    prep = pipeline.prepare((HEAD + rows).encode(), "x.csv", sample_wh, current_month=CURRENT)
    counts = expectation_counts(prep.gx_result)
    results = prep.gx_result["results"] + prep.gx_result["completeness"]["results"]
    assert counts["run"].sum() == len(results)
    assert counts["failed"].sum() == sum(not r["success"] for r in results) >= 2  # S99 unknown, S12 absent
    assert (counts["run"] == counts["passed"] + counts["failed"]).all()
    from kaohe.validation.problems import KINDS

    assert set(counts["kind"].dropna()) <= set(KINDS) and {"reference", "completeness"} <= set(counts["kind"])
    assert expectation_counts(None).empty and list(expectation_counts({}).columns) == ["kind", "run", "passed",
                                                                                        "failed"]
