"""kaohe.metrics.service on the sample district: explanations, planted cases, publishing and revisions."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from lang_checks import CJK

from kaohe.data import scoring_store as store
from kaohe.data.warehouse import PublishedMonthError, Warehouse
from kaohe.metrics import service
from kaohe.metrics.engine import FIXED
from kaohe.metrics.publish import PublishError

MONTH = "2026-10"


@pytest.fixture(scope="module")
def ro_wh(sample_db) -> Warehouse:
    """The shared sample warehouse, only read from (builds do not write)."""
    return Warehouse(sample_db)


@pytest.mark.parametrize("month,period", [
    *[("2026-09", p) for p in ("month", "quarter", "year", "ytd")],
    # across the sample's three years: its first month, a quarter, a whole year, and more months
    ("2023-11", "month"), ("2024-06", "quarter"), ("2024-12", "year"), ("2025-03", "ytd"), ("2025-08", "month"),
    ("2026-10", "month"),
])
def test_explanation_reproduces_every_total_in_the_sample_district(ro_wh, month, period):
    b = service.build(ro_wh, month, period)
    assert len(b.totals) == 30
    for unit in b.totals["unit_code"]:
        e = b.explain(unit)
        t = b.totals.set_index("unit_code").loc[unit]
        parts = np.rint(e.loc[e["level"].isin(["indicator", "bonus", "deduction", "cap"]), "points"] * FIXED)
        assert (int(parts.sum()) + 50) // 100 / 100 == t["total"], unit
        dims = np.rint(e.loc[e["level"] == "dimension", "points"] * FIXED).sum()
        assert dims == np.rint(t["base_score"] * FIXED)
        assert e.loc[e["level"] == "total", "points"].iloc[0] == t["total"]


def test_interface_columns(ro_wh):
    b = service.build(ro_wh, MONTH)
    assert (b.scheme_id, b.period, b.period_label, b.month) == ("default", "month", MONTH, MONTH)
    for col in ["unit_code", "peer_group", "dimension", "indicator_code", "status", "value", "numerator",
                "denominator", "ci_low", "ci_high", "peer_value", "significance", "target", "rule", "rule_text_zh",
                "rule_text_en", "raw_score", "weight", "points", "treatment_zh", "treatment_en"]:
        assert col in b.indicators.columns, col
    for col in ["unit_code", "peer_group", "dimension", "name_zh", "name_en", "weight", "score", "points",
                "peer_median"]:
        assert col in b.dimensions.columns, col
    for col in ["unit_code", "name_zh", "name_en", "kind", "peer_group", "base_score", "bonus", "deduction", "total",
                "veto", "veto_reason", "grade", "grade_zh", "grade_en", "rank", "n_in_group", "prev_rank",
                "rank_change", "list", "alerts"]:
        assert col in b.totals.columns, col
    assert set(b.totals["grade"]) <= {"excellent", "good", "pass", "fail"}
    assert set(b.indicators["status"]) <= {"ok", "na", "missing", "carried"}
    assert set(b.indicators["significance"].dropna()) <= {"better", "similar", "worse"}
    # every unit's weights add up to the whole
    w = b.indicators.groupby("unit_code")["weight"].sum()
    assert np.allclose(w, 1.0)


def test_each_year_is_scored_with_its_own_scheme(ro_wh):
    assert service.build(ro_wh, "2025-06").scheme_version == "2025.1"
    assert service.build(ro_wh, "2026-06").scheme_version == "2026.1"
    assert service.current_scheme(ro_wh, "2025").year == "2025"


def test_neutral_indicators_are_never_scored(ro_wh):
    b = service.build(ro_wh, MONTH)
    assert not {"HL_VOLUME", "DS_FOUND", "POP"} & set(b.indicators["indicator_code"])


def test_planted_veto_case(ro_wh):
    b = service.build(ro_wh, "2026-09")
    s08 = b.totals.set_index("unit_code").loc["S08"]
    assert bool(s08["veto"]) and s08["grade"] == "fail" and "EM_CONCEAL" not in s08["veto_reason"]
    assert "瞒报" in s08["veto_reason"]
    q3 = service.build(ro_wh, "2026-09", "quarter").totals.set_index("unit_code").loc["S08"]
    assert bool(q3["veto"])  # the quarter holding that month is vetoed too
    assert not service.build(ro_wh, "2026-08").totals.set_index("unit_code").loc["S08", "veto"]


def test_not_applicable_items_are_dropped_and_said_so(ro_wh):
    b = service.build(ro_wh, MONTH)
    row = b.indicators[(b.indicators["unit_code"] == "D07") & (b.indicators["indicator_code"] == "EM_RESPONSE")]
    assert row["status"].iloc[0] == "na" and row["weight"].iloc[0] == 0
    em = b.indicators[(b.indicators["unit_code"] == "D07") & (b.indicators["dimension"] == "EM")]
    assert em["weight"].sum() == pytest.approx(0.15)


def test_rank_history_and_history_frame(ro_wh):
    h = service.rank_history(ro_wh, "S01", MONTH, n=12)
    assert list(h.columns) == ["month", "total", "rank", "n_in_group", "grade"]
    assert len(h) == 12 and h["month"].iloc[-1] == MONTH and h["month"].is_monotonic_increasing
    now = service.build(ro_wh, MONTH).totals.set_index("unit_code").loc["S01"]
    assert h["total"].iloc[-1] == now["total"] and h["rank"].iloc[-1] == now["rank"]


def test_replay_reproduces_a_build(ro_wh):
    b = service.build(ro_wh, MONTH, "quarter")
    again = service.replay(ro_wh, b.steps)
    pd.testing.assert_frame_equal(b.totals[["unit_code", "total", "rank", "grade"]],
                                  again.totals[["unit_code", "total", "rank", "grade"]])


def test_what_if_side_by_side(ro_wh):
    same = service.what_if(ro_wh, MONTH, {})
    assert (same["total_delta"] == 0).all() and (same["rank_delta"] == 0).all()
    cols = {"unit_code", "peer_group", "total_official", "rank_official", "total_whatif", "rank_whatif", "rank_delta"}
    assert cols <= set(same.columns)
    alt = service.what_if(ro_wh, MONTH, {"dimension_weights": {"HL": 60}, "rules": {"SF_CRIME": {"rule": "percentile"}}})
    assert (alt["total_delta"] != 0).any()
    assert len(alt) == 30


def test_a_what_if_changes_one_logged_parameter_of_the_same_chain(ro_wh):
    official = service.build(ro_wh, MONTH)
    by = {s["step"]: s["params"] for s in official.steps}
    assert by["missing"]["policy"] != "carry"
    # the missing policy: carried values reach back further, read for the what-if alone
    carry = service.what_if(ro_wh, MONTH, {"missing_policy": "carry"})
    assert len(carry) == 30 and (carry["total_delta"] >= 0).all()
    # any step's parameter by name: no grade above pass makes no excellent or good unit, totals unchanged
    low = service.what_if(ro_wh, MONTH, {"steps": {"grade": {"bands": [{"grade": "pass", "min": 0}],
                                                             "quota": {}}}})
    assert (low["total_delta"] == 0).all() and set(low["grade_whatif"]) <= {"pass", "fail"}  # fail: a veto
    assert set(low["grade_official"]) - {"pass", "fail"}  # the official grades were other


def test_robustness_through_the_service(ro_wh):
    seen = []
    r = service.robustness(ro_wh, MONTH, replicates=200, seed=3, progress=seen.append)
    assert len(r) == 30 and seen[-1] == 1.0
    assert list(r.columns[:2]) == ["unit_code", "name_zh"]
    assert (r["rank_p05"] <= r["rank"]).sum() > 20  # the official rank lies mostly inside its interval


def test_publish_revise_and_diff(sample_wh):
    wh = sample_wh
    assert service.publication_status(wh, "2026-09")["published"] is False
    assert service.publish(wh, "2026-09", "alice") == 1
    st = service.publication_status(wh, "2026-09")
    assert st["published"] and st["revision"] == 1 and not st["differs"]
    first = store.published_results(wh, "2026-09")
    assert len(first) == 30
    with pytest.raises(PublishError):
        service.publish(wh, "2026-09", "alice")  # a second publication needs a reason
    with pytest.raises(PublishError):
        service.publish(wh, "2026-09", "alice", reason="nothing changed")
    # published data cannot change silently
    obs = wh.observations(units=["S02"], indicators=["HL_SATISFY"], month_from="2026-09", month_to="2026-09")
    obs["value"], obs["numerator"] = 50.0, obs["denominator"] * 0.5
    with pytest.raises(PublishedMonthError):
        wh.write_observations(obs, actor="bob")
    wh.write_observations(obs, actor="bob", reason="回访数据更正")
    # an adjustment to a published month is refused like an import, unless a correction reason is given
    with pytest.raises(PublishedMonthError) as refused:
        service.add_adjustment(wh, "S03", "2026-09", "deduction", 3, "迟报", "通报〔2026〕3号", "carol")
    assert isinstance(refused.value, service.ScoringError) and refused.value.months == ["2026-09"]
    assert service.list_adjustments(wh, month="2026-09").empty
    adj = service.add_adjustment(wh, "S03", "2026-09", "deduction", 3, "迟报", "通报〔2026〕3号", "carol",
                                 correction_reason="补录迟报扣分")
    st = service.publication_status(wh, "2026-09")
    assert st["differs"]
    diff = service.publication_diff(wh, "2026-09")
    assert {"S02", "S03"} <= set(diff["unit_code"])
    assert service.publish(wh, "2026-09", "alice", reason="数据更正与扣分") == 2
    revs = service.revisions(wh, "2026-09")
    assert revs["revision"].tolist() == [1, 2] and revs["reason"].iloc[1] == "数据更正与扣分"
    # the first revision stays readable and unchanged
    pd.testing.assert_frame_equal(first, store.published_results(wh, "2026-09", revision=1))
    second = store.published_results(wh, "2026-09").set_index("unit_code")
    assert second.loc["S03", "deduction"] == first.set_index("unit_code").loc["S03", "deduction"] + 3.0
    changed = service.revision_diff(wh, "2026-09", 2)
    assert {"S02", "S03"} <= set(changed["unit_code"]) and set(changed["field"]) <= {"total", "rank", "grade",
                                                                                       "veto"}
    s03 = changed[(changed["unit_code"] == "S03") & (changed["field"] == "total")].iloc[0]
    assert s03["published"] - s03["current"] == pytest.approx(3.0, abs=0.011)
    assert service.revision_diff(wh, "2026-09", 1).empty
    assert not service.publication_status(wh, "2026-09")["differs"]
    service.revoke_adjustment(wh, adj, "carol", "误录")
    assert service.publication_status(wh, "2026-09")["differs"]
    # the revoke reason is the correction reason: the next publication needs no other
    assert service.publish(wh, "2026-09", "alice") == 3
    assert service.revisions(wh, "2026-09")["reason"].iloc[-1] == "误录"
    log = wh.audit_log()
    assert {"scoring.publish", "scoring.revise", "adjustment.deduction", "adjustment.revoke"} <= set(log["action"])
    steps = store.get_steps(wh, "2026-09", "month", 1)
    assert steps[0]["step"] == "scheme" and steps[0]["params"]["version"] == "2026.1"


def test_adjustments_are_validated(sample_wh, monkeypatch):
    monkeypatch.setenv("KAOHE_LANG", "en")
    wh = sample_wh
    bad = [
        ({"kind": "gift"}, "not one of"),
        ({"points": -1}, "0 or more"),
        ({"reason": "  "}, "reason is required"),
        ({"unit_code": "S99"}, "does not exist"),
    ]
    for change, words in bad:
        args = {"unit_code": "S01", "month": MONTH, "kind": "bonus", "points": 1, "reason": "r",
                "evidence": None, "actor": "x", **change}
        with pytest.raises(service.ScoringError) as refused:
            service.add_adjustment(wh, **args)
        assert re.search(words, refused.value.text("en")), refused.value.text("en")
    with pytest.raises(ValueError):
        service.add_adjustment(wh, "S01", "2026-13", "bonus", 1, "r", None, "x")
    a = service.add_adjustment(wh, "S01", MONTH, "bonus", 2, "好做法", None, "x")
    v = service.add_adjustment(wh, "S01", MONTH, "veto", 0, "重大事故", "事故调查报告", "x")
    listed = service.list_adjustments(wh, month=MONTH)
    assert listed["adj_id"].tolist() == [a, v]
    b = service.build(wh, MONTH).totals.set_index("unit_code").loc["S01"]
    assert b["bonus"] == 2 and bool(b["veto"]) and b["grade"] == "fail"
    service.revoke_adjustment(wh, v, "x", "核实有误")
    assert not service.build(wh, MONTH).totals.set_index("unit_code").loc["S01", "veto"]
    with pytest.raises(service.ScoringError) as refused:
        service.revoke_adjustment(wh, 999, "x", "r")
    assert "does not exist" in refused.value.text("en") and "不存在" in str(refused.value)
    with pytest.raises(ValueError) as refused:
        service.revoke_adjustment(wh, v, "x", "again")
    assert "already revoked" in refused.value.text("en")


def test_an_older_warehouse_is_migrated_for_scoring(tmp_path):
    from kaohe.data import catalogue, sample

    wh = Warehouse(tmp_path / "old.duckdb")
    wh.migrate(target=2)  # a file from before the scoring tables
    wh.upsert_indicators(catalogue.read_indicators(), actor="t")
    wh.upsert_units(catalogue.read_units(), actor="t")
    wh.write_observations(sample.generate(end=MONTH, n_months=3), actor="t")
    assert wh.schema_version() == 2
    assert not service.build(wh, MONTH).totals.empty
    assert wh.schema_version() >= 3


def test_published_results_keep_each_units_indicator_detail(sample_wh):
    import json

    service.publish(sample_wh, "2026-08", "alice")
    frozen = store.published_results(sample_wh, "2026-08").set_index("unit_code")
    rows = json.loads(frozen.loc["S01", "detail"])
    b = service.build(sample_wh, "2026-08")
    live = b.indicators[b.indicators["unit_code"] == "S01"]
    assert len(rows) == len(live) and rows[0][0] == live["indicator_code"].iloc[0]
    assert round(sum(r[-1] for r in rows), 2) == frozen.loc["S01", "base_score"].round(2)


def test_a_month_without_data_cannot_be_published(sample_wh):
    with pytest.raises(PublishError, match="2027-01"):
        service.publish(sample_wh, "2027-01", "alice")


def test_carry_policy_reads_the_months_before(sample_wh):
    wh = sample_wh
    row = wh.observations(units=["S01"], indicators=["HL_SATISFY"], month_from=MONTH, month_to=MONTH)
    row[["value", "numerator", "denominator"]] = np.nan
    row["status"] = "missing"
    wh.write_observations(row, actor="t")
    carry = service.current_scheme(wh, "2026").with_changes({"missing_policy": "carry"})
    b = service.build(wh, MONTH, scheme=carry)
    got = b.indicators[(b.indicators["unit_code"] == "S01") & (b.indicators["indicator_code"] == "HL_SATISFY")]
    assert got["status"].iloc[0] == "carried" and got["carried_from"].iloc[0] == "2026-09"
    sept = wh.observations(units=["S01"], indicators=["HL_SATISFY"], month_from="2026-09", month_to="2026-09")
    assert got["numerator"].iloc[0] == sept["numerator"].iloc[0]
    zero = service.build(wh, MONTH)
    z = zero.indicators[(zero.indicators["unit_code"] == "S01") & (zero.indicators["indicator_code"] == "HL_SATISFY")]
    assert z["status"].iloc[0] == "missing" and z["raw_score"].iloc[0] == 0


def test_a_new_scheme_version_makes_a_published_month_differ(sample_wh):
    from scoring_fixtures import store_scheme

    service.publish(sample_wh, "2026-07", "alice")
    assert not service.publication_status(sample_wh, "2026-07")["differs"]
    base = service.current_scheme(sample_wh, "2026")
    changed = base.with_changes({"dimension_weights": {"HL": 60}})
    store_scheme(sample_wh, {**changed.data, "version": "2026.2"})  # the new version is the active one
    assert service.current_scheme(sample_wh, "2026").version == "2026.2"
    st = service.publication_status(sample_wh, "2026-07")
    assert st["differs"] and st["scheme_version"] == "2026.1"


def test_default_scheme_items_on_the_sample(ro_wh):
    b = service.build(ro_wh, "2026-09")
    auto = b.adjustments[b.adjustments["actor"] == "scheme"]
    assert not auto.empty and set(auto["kind"]) <= {"bonus", "deduction"}
    for unit in auto["unit_code"]:
        e = b.explain(unit)
        items = e[e["level"].isin(["bonus", "deduction"]) & e["code"].isna()]
        assert not items.empty
        # words, not codes: the scheme as the one who entered it, the evidence with indicator names
        assert not (e["code"] == "scheme").any()
        assert items["note"].str.contains("考核方案规定").all()
        assert not items["note"].str.contains(r"[A-Z]{2}_[A-Z]|>=").any()
    # the evidence in both languages, named and worded, e.g. "…满意度 97.2分，达到 95分"
    row = auto.iloc[0]
    assert "达到" in row["evidence_zh"] or "超过" in row["evidence_zh"] or "等于" in row["evidence_zh"]
    assert row["evidence_en"].isascii() and ">=" not in row["evidence_en"]
    assert set(auto["kind_zh"]) <= {"加分", "扣分"} and set(auto["actor_zh"]) == {"考核方案（自动计分）"}


def test_adjustments_to_a_published_month_need_a_correction_reason(sample_wh, monkeypatch):
    monkeypatch.setenv("KAOHE_LANG", "en")
    wh = sample_wh
    assert service.publish(wh, "2026-08", "alice") == 1
    for kind, points in (("bonus", 2), ("deduction", 1), ("veto", 0)):
        with pytest.raises(service.AdjustmentPublishedError) as refused:
            service.add_adjustment(wh, "S04", "2026-08", kind, points, "r", None, "carol")
        assert re.search("2026-08 are published.*correction reason", refused.value.text("en"))
    with pytest.raises(service.ScoringError, match="已发布.*更正理由"):
        service.add_adjustment(wh, "S04", "2026-08", "bonus", 2, "r", None, "carol")
    assert service.list_adjustments(wh, month="2026-08").empty
    # an unpublished month is unaffected
    service.add_adjustment(wh, "S04", "2026-07", "bonus", 1, "好做法", None, "carol")
    service.add_adjustment(wh, "S04", "2026-08", "bonus", 2, "市级表彰", "文件", "carol",
                           correction_reason="表彰文件晚到")
    entry = wh.audit_log().query("action == 'adjustment.bonus'").iloc[0]
    assert "表彰文件晚到" in entry["detail"] and "month 2026-08" in entry["detail"]
    listed = service.list_adjustments(wh, unit="S04").set_index("month")
    assert listed.loc["2026-08", "correction_reason"] == "表彰文件晚到"
    assert pd.isna(listed.loc["2026-07", "correction_reason"])  # an unpublished month needs none
    # the next publish is revision 2, its reason the recorded correction, its difference listed
    assert service.publish(wh, "2026-08", "alice") == 2
    assert service.revisions(wh, "2026-08")["reason"].tolist()[-1] == "表彰文件晚到"
    changed = service.revision_diff(wh, "2026-08", 2)
    assert "S04" in set(changed["unit_code"])
    # nothing pending: the same figures again are never a revision, reason or not
    with pytest.raises(PublishError, match="相同.*未形成新版本"):
        service.publish(wh, "2026-08", "alice")
    with pytest.raises(PublishError, match="相同"):
        service.publish(wh, "2026-08", "alice", reason="再发一次")
    assert service.revisions(wh, "2026-08")["revision"].tolist() == [1, 2]


def test_a_published_quarter_freezes_each_of_its_months(sample_wh):
    wh = sample_wh
    assert service.published_covering(wh, "2026-07") == []
    service.publish(wh, "2026-09", "alice", period="quarter")
    assert service.published_covering(wh, "2026-07") == ["quarter 2026-09"]
    assert service.published_covering(wh, "2026-10") == [] and service.published_covering(wh, "2026-06") == []
    with pytest.raises(service.AdjustmentPublishedError):
        service.add_adjustment(wh, "S01", "2026-07", "deduction", 1, "迟报", None, "carol")
    service.add_adjustment(wh, "S01", "2026-07", "deduction", 1, "迟报", None, "carol", correction_reason="补录")
    assert service.publish(wh, "2026-09", "alice", period="quarter") == 2


ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")


@pytest.mark.parametrize("month,period", [("2026-09", "month"), ("2026-09", "ytd"), ("2026-10", "quarter"),
                                          ("2023-11", "month")])
def test_explanations_are_wholly_in_the_language_asked_for(ro_wh, month, period):
    """Built once (in the default language), explained in both: no Chinese in English, no English in Chinese.
    The sample district has vetoes, quota notes and the scheme's own bonus and deduction items."""
    b = service.build(ro_wh, month, period)
    texts = ["item", "rule", "note"]
    for unit in b.totals["unit_code"]:
        en = b.explain(unit, "en")
        for col in [*texts, "status"]:
            bad = [v for v in en[col].dropna().astype(str) if CJK.search(v)]
            assert not bad, (unit, col, bad[:3])
        zh = b.explain(unit, "zh")
        for col in texts:
            bad = [v for v in zh[col].dropna().astype(str) if ENGLISH_WORD.search(v)]
            assert not bad, (unit, col, bad[:3])
    # the frames pages and reports read carry both languages: each column wholly in its own
    for frame, cols in ((b.indicators, ["name_en", "rule_text_en", "treatment_en"]),
                        (b.totals, ["name_en", "grade_en", "veto_reason_en", "peer_group_en"]),
                        (b.dimensions, ["name_en"])):
        for col in cols:
            assert not frame[col].dropna().astype(str).map(CJK.search).any(), col
    for frame, cols in ((b.indicators, ["name_zh", "rule_text_zh", "treatment_zh"]),
                        (b.totals, ["grade_zh", "veto_reason_zh"])):
        for col in cols:
            assert not frame[col].dropna().astype(str).map(ENGLISH_WORD.search).any(), col
    en_build = service.build(ro_wh, month, period, lang="en")
    vetoed = en_build.totals[en_build.totals["veto"]]
    assert not vetoed["veto_reason"].map(CJK.search).any()
    assert vetoed["veto_reason_zh"].map(CJK.search).all()


def test_a_publication_can_be_replayed_from_its_recorded_steps(sample_wh):
    wh = sample_wh
    service.publish(wh, "2026-06", "alice", period="quarter")
    steps = store.get_steps(wh, "2026-06", "quarter", 1)
    by = {s["step"]: s["params"] for s in steps}
    assert by["select"] == {"month": "2026-06", "period": "quarter", "n_history": 3}
    assert by["scheme"]["version"] == "2026.1"
    ontime = [i for d in by["scheme"]["kinds"]["street"]["dimensions"] for i in d["indicators"]
              if i["code"] == "HL_ONTIME"]
    assert ontime[0]["params"]["full"] == 25
    again = service.replay(wh, steps).totals.set_index("unit_code")
    frozen = store.published_results(wh, "2026-06", "quarter").set_index("unit_code")
    assert (again.loc[frozen.index, "total"] == frozen["total"]).all()
    assert (again.loc[frozen.index, "rank"] == frozen["rank"]).all()
    assert (again.loc[frozen.index, "grade"] == frozen["grade"]).all()
    # after a correction the live re-run moves; the publication rebuilt on its inputs of then does not
    obs = wh.observations(units=["S02"], month_from="2026-05", month_to="2026-05")
    wh.write_observations(obs.assign(value=obs["value"] * 0.3, numerator=obs["numerator"] * 0.3), actor="bob",
                          reason="更正")
    live = service.replay(wh, steps).totals.set_index("unit_code")
    assert live.loc["S02", "total"] != frozen.loc["S02", "total"]
    exact = service.replay_publication(wh, "2026-06", "quarter", 1).totals.set_index("unit_code")
    assert (exact.loc[frozen.index, "total"] == frozen["total"]).all()
    assert (exact.loc[frozen.index, "rank"] == frozen["rank"]).all()


def test_an_import_correction_reason_carries_into_the_next_revision(sample_wh):
    wh = sample_wh
    service.publish(wh, "2026-05", "alice")
    obs = wh.observations(units=["S02"], indicators=["HL_SATISFY"], month_from="2026-05", month_to="2026-05")
    obs["value"], obs["numerator"] = 40.0, obs["denominator"] * 0.4
    wh.write_observations(obs, actor="bob", reason="回访数据更正")
    other = wh.observations(units=["S02"], indicators=["HL_SATISFY"], month_from="2026-04", month_to="2026-04")
    wh.write_observations(other.assign(value=other["value"] - 1), actor="bob", reason="别的月份")
    assert service.publish(wh, "2026-05", "alice") == 2
    assert service.revisions(wh, "2026-05")["reason"].iloc[-1] == "回访数据更正"  # not April's
    assert "S02" in set(service.revision_diff(wh, "2026-05", 2)["unit_code"])


# -- refusals, scheme years, fingerprints, published state ------------------------------------------------
@pytest.mark.parametrize("lang,words", [("zh", "2026-12没有观测数据"), ("en", "no observations for 2026-12")])
def test_a_month_without_data_is_refused_everywhere(ro_wh, lang, words):
    """Not every unit at 0.00, tied first and on the red list: refused, the same way for every caller."""
    with pytest.raises(service.ScoringError) as refused:
        service.build(ro_wh, "2026-12", lang=lang)
    assert words in refused.value.text(lang)  # the page or command says it in its reader's language
    for call in (lambda: service.what_if(ro_wh, "2026-12", {}), lambda: service.robustness(ro_wh, "2026-12", 5),
                 lambda: service.build(ro_wh, "2023-06", "quarter"), lambda: service.entropy_weights(ro_wh, "2026-12")):
        with pytest.raises(service.ScoringError):
            call()
    # a quarter with one month of data is scored (the data it has)
    assert not service.build(ro_wh, "2023-12", "quarter").totals.empty


def test_a_build_says_which_years_scheme_scored_it(ro_wh):
    own = service.build(ro_wh, "2026-06")
    assert own.scheme_year == "2026" and own.scheme_is_own_year and own.scheme_note("zh") is None
    other = service.build(ro_wh, "2024-06")
    assert other.scheme_year == "2025" and not other.scheme_is_own_year
    assert other.scheme_note("zh") == "2024-06 无 2024 年考核方案，按 2025 年方案计分"
    assert other.scheme_note("en") == "there is no 2024 scheme for 2024-06; scored under the 2025 scheme"
    assert len(own.scheme_fingerprint) == 64


def test_a_scheme_override_for_an_unknown_peer_group_is_refused(ro_wh):
    base = service.current_scheme(ro_wh, "2026")
    data = {**base.data, "groups": {**base.data["groups"], "suburb": {"indicators": {"GR_CLOSE": {"weight": 5}}},
                                    "rural": {**base.data["groups"]["rural"], "weights": {}}}}
    from kaohe.metrics import scheme as scheme_mod

    with pytest.raises(scheme_mod.SchemeError) as err:
        s = scheme_mod.load_dict(data, base.catalogue)
        service.build(ro_wh, "2026-06", scheme=s)
    text = str(err.value)
    assert "rural" in text and "weights" in text  # item by item: an unknown key of a known group
    data.pop("groups")
    data["groups"] = {"suburb": {"indicators": {"GR_CLOSE": {"weight": 5}}}}
    with pytest.raises(scheme_mod.SchemeError, match="suburb"):
        service.build(ro_wh, "2026-06", scheme=scheme_mod.load_dict(data, base.catalogue))


def test_a_scheme_fingerprint_is_its_content(ro_wh):
    base = service.current_scheme(ro_wh, "2026")
    same = service.current_scheme(ro_wh, "2026")
    assert base.fingerprint == same.fingerprint
    changed = base.with_changes({"dimension_weights": {"HL": 60}})
    assert changed.fingerprint != base.fingerprint


def test_editing_the_stored_schemes_weights_is_stated(sample_wh):
    from scoring_fixtures import edit_active_scheme, swap_street_weights

    wh = sample_wh
    service.publish(wh, "2026-07", "alice")
    state = service.published_state(wh, "2026-07")
    assert state.published and state.revision == 1 and not state.differs and state.notice("zh") is None
    assert state.label("zh") == "已发布·第 1 版"
    stored = store.publications(wh, "2026-07")["scheme_fingerprint"].iloc[0]
    assert stored == service.current_scheme(wh, "2026").fingerprint
    edit_active_scheme(wh, swap_street_weights)  # other weights, a new active version
    state = service.published_state(wh, "2026-07")
    assert state.scheme_changed and not state.data_changed and state.differs and state.n_units > 0
    assert state.label("zh") == "当前数据（与已发布的第 1 版不同）"
    assert "考核方案内容" in state.notice("zh") and f"{state.n_units} 个单位" in state.notice("zh")
    assert "scheme content" in state.notice("en") and state.notice("en").isascii()
    assert service.publication_status(wh, "2026-07")["differs"]


def test_published_figures_that_drift_after_a_correction_are_not_labelled_published(sample_wh):
    wh = sample_wh
    service.publish(wh, "2026-08", "alice")
    service.add_adjustment(wh, "S01", "2026-08", "deduction", 5, "迟报", None, "carol", correction_reason="补录")
    state = service.published_state(wh, "2026-08")
    assert state.data_changed and state.differs and "已发布" not in state.label("zh").split("（")[0]
    service.publish(wh, "2026-08", "alice")
    state = service.published_state(wh, "2026-08")
    assert not state.differs and state.label("zh") == "已发布·第 2 版（更正）" and state.reason == "补录"
    unpublished = service.published_state(wh, "2026-10")
    assert not unpublished.published and unpublished.label("en") == "not published (live figures)"
