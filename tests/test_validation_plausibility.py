"""Checks beyond GX: the planted implausible data, periods, peers, completeness, the suite file."""

import json

import import_corpus as corpus
import pandas as pd
import pytest

from kaohe.ingest import pipeline
from kaohe.validation import gx_runner
from kaohe.validation.problems import CHECKS

CURRENT = "2026-11"
HEAD = corpus.LONG_HEADER


def checks_of(prep, severity=None):
    p = prep.report.problems
    if severity:
        p = p[p["severity"] == severity]
    return set(p["check"])


def test_suite_file_is_the_single_source_and_names_known_messages():
    suites = sorted(gx_runner.SUITES.glob("*.json"))
    assert [p.stem for p in suites] == ["completeness", "observations"]
    for path in suites:
        spec = json.loads(path.read_text(encoding="utf-8"))
        assert spec["expectations"]
        for e in spec["expectations"]:
            assert e["meta"]["check"] in CHECKS
            assert set((e["meta"].get("check_by_status") or {}).values()) <= set(CHECKS)
            assert "id" not in e  # ids would churn on every save; the file is hand-edited


def test_exactly_100_percent_month_after_month_is_questioned(sample_wh):
    data = (HEAD + "S06,HL_SATISFY,2026-10,100,500,500\n").encode()
    prep = pipeline.prepare(data, "s06.csv", sample_wh, current_month=CURRENT, month=None)
    assert not prep.blocked and "val.perfect_streak" in checks_of(prep, "warning")
    line = prep.report.problems.set_index("check").loc["val.perfect_streak"]
    assert line["row"] == 2 and line["params"]["n"] >= 12


def test_a_jump_against_the_units_own_history_is_questioned(sample_wh):
    data = (HEAD + "S10,GR_CLOSE,2026-07,44.84,,\nS10,GR_CLOSE,2026-08,90.3,,\n").encode()
    prep = pipeline.prepare(data, "s10.csv", sample_wh, current_month=CURRENT)
    jumps = prep.report.problems[prep.report.problems["check"] == "val.jump"]
    assert jumps["row"].tolist() == [2]  # the spike, not the normal month after it


def test_an_outlier_against_the_peer_group_is_questioned(sample_wh):
    units = ["S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08"]
    rows = [f"{u},PS_REVIEW,2026-10,{93 + i * 0.3:.1f},," for i, u in enumerate(units[:-1])]
    rows.append("S08,PS_REVIEW,2026-10,41,,")
    prep = pipeline.prepare((HEAD + "\n".join(rows) + "\n").encode(), "peers.csv", sample_wh, current_month=CURRENT)
    outliers = prep.report.problems[prep.report.problems["check"] == "val.peer_outlier"]
    assert outliers["value"].tolist() == ["41"]


def test_completeness_per_unit_and_month_is_a_warning(sample_wh):
    data = (HEAD + "S01,HL_SATISFY,2026-10,90,,\nS01,HL_RESPONSE,2026-10,99,,\nS02,HL_SATISFY,2026-10,91,,\n").encode()
    prep = pipeline.prepare(data, "part.csv", sample_wh, current_month=CURRENT)
    inc = prep.report.problems[prep.report.problems["check"] == "val.incomplete"].iloc[0]
    assert inc["severity"] == "warning" and inc["params"]["unit"] == "S02"
    assert "HL_RESPONSE" in inc["params"]["missing"]


def test_the_running_month_is_refused_until_it_ends(sample_wh):
    prep = pipeline.prepare((HEAD + "S01,HL_VOLUME,2026-11,700,,\nS02,HL_VOLUME,2026-11,600,,\n").encode(), "now.csv",
                            sample_wh, current_month=CURRENT)
    assert "val.month_open" in checks_of(prep, "error") and prep.blocked
    line = prep.report.render("zh").set_index("检查项").loc["val.month_open"]
    assert line["问题"] == "2026-11 尚未结束，不能导入月度数据"  # said once for the month, not per row
    assert line["应为"] == "已结束的月份（2026-10 或更早）" and "2026-12 起" in line["修改建议"]
    en = prep.report.render("en").set_index("Check").loc["val.month_open"]
    assert en["Problem"] == "2026-11 has not ended: its monthly data cannot be imported yet"


def test_a_unit_before_it_existed_and_after_it_closed(sample_wh):
    units = sample_wh.units()
    new = units[units["code"] == "S01"].assign(code="S13", name_zh="新区街道", name_en="Xinqu Street",
                                                active_from="2026-06", active_to=None)
    old = units[units["code"] == "S02"].assign(active_to="2026-03")
    sample_wh.upsert_units(pd.concat([new, old]), actor="tester")
    data = (HEAD + "S13,HL_SATISFY,2026-05,90,,\nS13,HL_SATISFY,2026-06,90,,\n"
            "S02,HL_SATISFY,2026-04,90,,\n").encode()
    prep = pipeline.prepare(data, "periods.csv", sample_wh, current_month=CURRENT)
    p = prep.report.problems.set_index("check")
    assert p.loc["val.before_unit", "row"] == 2
    assert p.loc["val.unit_inactive", "row"] == 4


def test_a_published_month_needs_a_correction_reason(sample_wh, monkeypatch):
    import kaohe.data.warehouse

    # publishing belongs to the scoring issue; here only "2026-09 is published" matters
    frozen = lambda con: {"2026-09"}  # noqa: E731
    monkeypatch.setattr(kaohe.data.warehouse, "published_months", frozen)
    monkeypatch.setattr(pipeline, "published_months", frozen)
    data = (HEAD + "S01,HL_SATISFY,2026-09,91,,\n").encode()
    prep = pipeline.prepare(data, "fix.csv", sample_wh, current_month=CURRENT)
    assert "val.month_published" in checks_of(prep, "error")
    before = sample_wh.checksum()
    with pytest.raises(pipeline.ImportRefused):
        pipeline.commit(prep, sample_wh, actor="tester", accept_warnings=True)
    assert sample_wh.checksum() == before
    prep = pipeline.prepare(data, "fix.csv", sample_wh, current_month=CURRENT, correction=True)
    res = pipeline.commit(prep, sample_wh, actor="tester", accept_warnings=True, reason="平台补录更正")
    assert res.revised == 1 and sample_wh.batch(res.batch_id)["reason"] == "平台补录更正"


def test_a_unit_missing_from_a_file_that_covers_its_kind_is_a_warning(sample_wh):
    rows = "".join(f"S{i:02d},HL_RESPONSE,2026-10,98,,\n" for i in range(1, 12))  # S12 left out
    prep = pipeline.prepare((HEAD + rows).encode(), "streets.csv", sample_wh, current_month=CURRENT)
    absent = prep.report.problems[prep.report.problems["check"] == "val.unit_absent"]
    assert absent["value"].tolist() == ["S12"] and not prep.blocked


def test_rates_written_as_fractions_are_questioned(sample_wh):
    rows = "".join(f"S{i:02d},HL_RESPONSE,2026-10,0.9{i},,\n" for i in range(1, 5))
    prep = pipeline.prepare((HEAD + rows).encode(), "fractions.csv", sample_wh, current_month=CURRENT)
    frac = prep.report.problems[prep.report.problems["check"] == "val.rate_fraction"]
    assert len(frac) == 1 and frac.iloc[0]["row"] == 2 and frac.iloc[0]["severity"] == "warning"


def test_gx_reports_a_wrongly_typed_column(sample_wh):
    prep = pipeline.prepare((HEAD + "S01,HL_SATISFY,2026-10,95,,\n").encode(), "ok.csv", sample_wh,
                            current_month=CURRENT)
    frame = prep.frame.assign(value=prep.frame["value"].astype(object))
    problems, raw = gx_runner.run(frame, {"known_units": ["S01"], "known_indicators": ["HL_SATISFY"]})
    assert problems["check"].tolist() == ["val.gx_column_type"]
    assert raw["success"] is False
