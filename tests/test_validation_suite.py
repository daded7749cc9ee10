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
