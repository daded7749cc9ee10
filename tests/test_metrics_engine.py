"""A whole build on the toy district, against scores worked out by hand (see scoring_fixtures)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import scoring_fixtures as fx

from kaohe.metrics import build
from kaohe.metrics.engine import FIXED


def ind(b, unit, code):
    i = b.indicators
    return i[(i["unit_code"] == unit) & (i["indicator_code"] == code)].iloc[0]


def tot(b, unit):
    return b.totals.set_index("unit_code").loc[unit]


def test_base_scores_by_hand():
    b = fx.run()
    assert fx.totals(b) == pytest.approx(fx.EXPECTED_BASE)
    s1 = ind(b, "S1", "HL_ONTIME")
    assert s1["raw_score"] == pytest.approx(82.0) and s1["weight"] == pytest.approx(0.30)
    assert s1["points"] == pytest.approx(24.6)  # 20.5 of 25 points, on a 30-point item
    drill = ind(b, "S1", "EM_DRILL")
    assert drill["value"] == 5 and drill["value_scored"] == 2 and bool(drill["capped"])
    assert "封顶" in drill["treatment_zh"] and "cap" in drill["treatment_en"]


def test_equal_scores_share_a_rank_1_2_2_4():
    t = fx.run().totals.set_index("unit_code")
    assert t.loc[["S1", "S2", "S4", "S3"], "rank"].tolist() == [1, 2, 2, 4]
    assert t.loc["S1", "n_in_group"] == 4 and t.loc["D1", "rank"] == 1 and t.loc["D1", "n_in_group"] == 1


def test_grades_by_band():
    t = fx.run().totals.set_index("unit_code")
    assert t.loc[["S1", "S2", "S3", "D1"], "grade"].tolist() == ["good", "pass", "fail", "excellent"]
    assert t.loc["S1", "grade_zh"] == "良好" and t.loc["S3", "grade_en"] == "Fail"


def test_quota_limits_excellent_to_the_top_share_of_the_group():
    # everybody scores 100: all within the excellent band, but 20% of 4 units is one place
    vals = {u: (99.0, 100.0, 2, 4.0) for u in ("S1", "S2", "S3", "S4")}
    g = dict(fx.SCHEME["grades"], quota={"excellent": 0.2})
    b = fx.run(fx.observations(values=vals), fx.scheme(grades=g))
    t = b.totals.set_index("unit_code")
    assert t.loc[["S1", "S2", "S3", "S4"], "total"].tolist() == [100.0] * 4
    # all tie for rank 1, so all are within the quota's one place
    assert (t.loc[["S1", "S2", "S3", "S4"], "grade"] == "excellent").all()
    vals["S2"] = (99.0, 98.0, 2, 4.0)
    vals["S3"] = (99.0, 96.0, 2, 4.0)
    vals["S4"] = (99.0, 94.0, 2, 4.0)
    t = fx.run(fx.observations(values=vals), fx.scheme(grades=g)).totals.set_index("unit_code")
    assert t.loc[["S1", "S2", "S3", "S4"], "grade"].tolist() == ["excellent", "good", "good", "good"]
    assert "名额" in fx.run(fx.observations(values=vals), fx.scheme(grades=g)).explain("S2", "zh").to_string()


def test_not_applicable_spreads_weight_over_the_rest_of_the_dimension():
    obs = fx.set_obs(fx.observations(), "S2", "EM_DRILL", "2026-10", status="na", value=np.nan)
    b = fx.run(obs)
    row = ind(b, "S2", "EM_DRILL")
    assert row["status"] == "na" and row["weight"] == 0 and row["points"] == 0
    assert ind(b, "S2", "SF_CRIME")["weight"] == pytest.approx(0.40)
    # B is now crime alone: 50 -> 20 points; A unchanged 45
    assert fx.totals(b)["S2"] == pytest.approx(65.0)
    assert "不适用" in row["treatment_zh"]


def test_a_dimension_with_nothing_left_passes_its_weight_on():
    obs = fx.observations()
    for code in ("EM_DRILL", "SF_CRIME"):
        obs = fx.set_obs(obs, "S3", code, "2026-10", status="na", value=np.nan)
    b = fx.run(obs)
    assert fx.totals(b)["S3"] == pytest.approx(60.0)  # A alone: (20 + 100) / 2
    dims = b.dimensions[b.dimensions["unit_code"] == "S3"].set_index("dimension")
    assert dims.loc["A", "weight"] == pytest.approx(1.0) and dims.loc["B", "weight"] == 0


@pytest.mark.parametrize("policy,expected,status", [
    ("zero", 87.10 - 22.5, "missing"),        # satisfaction scores 0 with its weight
    ("reweight", 40 + 0.6 * 82, "missing"),   # on-time carries A alone: 82 x .6 = 49.2
    ("carry", 87.10 - 0.3 * 75 + 0.3 * 50, "carried"),  # September's 80% -> 50
])
def test_missing_data_policies(policy, expected, status):
    obs = fx.set_obs(fx.observations(), "S1", "HL_SATISFY", "2026-09", value=80.0, numerator=80)
    obs = obs[~((obs["unit_code"] == "S1") & (obs["indicator_code"] == "HL_SATISFY") & (obs["month"] == "2026-10"))]
    b = fx.run(obs, fx.scheme(missing={"policy": policy, "carry_months": 2}))
    assert fx.totals(b)["S1"] == pytest.approx(expected)
    row = ind(b, "S1", "HL_SATISFY")
    assert row["status"] == status
    if policy == "carry":
        assert row["carried_from"] == "2026-09" and row["value"] == pytest.approx(80.0)
        assert "2026-09" in row["treatment_zh"]


def test_carry_looks_back_no_further_than_allowed():
    obs = fx.observations()
    sel = (obs["unit_code"] == "S1") & (obs["indicator_code"] == "HL_SATISFY") & (obs["month"] >= "2026-09")
    b = fx.run(obs[~sel], fx.scheme(missing={"policy": "carry", "carry_months": 1}))
    assert ind(b, "S1", "HL_SATISFY")["status"] == "missing"
    assert ind(b, "S1", "HL_SATISFY")["raw_score"] == 0


def test_reported_status_without_a_value_is_missing():
    obs = fx.set_obs(fx.observations(), "S1", "HL_ONTIME", "2026-10", value=np.nan)
    assert ind(fx.run(obs), "S1", "HL_ONTIME")["status"] == "missing"


def test_bonus_and_deduction_with_caps():
    adj = fx.adjustments([
        {"unit_code": "S3", "month": "2026-10", "kind": "bonus", "points": 3, "reason": "经验推广"},
        {"unit_code": "S3", "month": "2026-10", "kind": "bonus", "points": 4, "reason": "市级表彰"},
        {"unit_code": "S1", "month": "2026-10", "kind": "deduction", "points": 2.5, "reason": "迟报"},
        {"unit_code": "S2", "month": "2026-09", "kind": "bonus", "points": 1, "reason": "上月"},
        {"unit_code": "S4", "month": "2026-10", "kind": "bonus", "points": 2, "reason": "撤销的",
         "revoked_at": pd.Timestamp("2026-11-02")},
    ])
    b = fx.run(adj=adj)
    t = b.totals.set_index("unit_code")
    assert t.loc["S3", ["bonus", "deduction", "total"]].tolist() == [5.0, 0.0, 61.0]  # 7 capped at 5
    assert t.loc["S1", ["bonus", "deduction", "total"]].tolist() == [0.0, 2.5, 84.6]
    assert t.loc["S2", "total"] == 65.0 and t.loc["S4", "total"] == 65.0  # other month; revoked
    assert sorted(b.adjustments["adj_id"]) == [1, 2, 3]
    e = b.explain("S3", "en").set_index("level")
    assert e.loc["cap", "points"] == -2.0
    # S3 now ranks above S2/S4? 61 < 65: no; S1 stays first
    assert t.loc[["S1", "S2", "S4", "S3"], "rank"].tolist() == [1, 2, 2, 4]


def test_total_never_below_zero():
    adj = fx.adjustments([{"unit_code": "S3", "month": "2026-10", "kind": "deduction", "points": 10,
                           "reason": "x"}])
    sch = fx.scheme(adjustments={"deduction_cap": 100})
    vals = dict(fx.BASE_VALUES, S3=(60.0, 60.0, 0, 6.0))  # A 0; B 0 -> base 0
    b = fx.run(fx.observations(values=vals), sch, adj)
    assert fx.totals(b)["S3"] == 0.0
    e = b.explain("S3", "en")
    assert (e.loc[e["level"].isin(["base", "deduction", "cap"]), "points"].sum()) == pytest.approx(0.0)


def test_veto_from_data_caps_the_grade_whatever_the_score():
    obs = fx.set_obs(fx.observations(), "S1", "EM_CONCEAL", "2026-10", value=1.0)
    b = fx.run(obs)
    t = tot(b, "S1")
    assert t["total"] == 87.10 and t["rank"] == 1  # the score and rank stand
    assert bool(t["veto"]) and t["grade"] == "fail" and t["grade_zh"] == "不合格"
    assert "瞒报" in t["veto_reason"] and "veto" in t["alerts"]
    assert t["list"] != "red"  # a vetoed unit is not held up as an example
    e = b.explain("S1", "zh").set_index("level")
    assert "一票否决" in e.loc["grade", "note"] and "瞒报" in e.loc["veto", "note"]


def test_veto_entered_by_the_office():
    adj = fx.adjustments([{"unit_code": "D1", "month": "2026-10", "kind": "veto", "points": 0,
                           "reason": "重大责任事故"}])
    t = tot(fx.run(adj=adj), "D1")
    assert t["total"] == 100.0 and bool(t["veto"]) and t["grade"] == "fail"
    assert "重大责任事故" in t["veto_reason"]


def test_veto_cap_grade_is_configurable():
    obs = fx.set_obs(fx.observations(), "S1", "EM_CONCEAL", "2026-10", value=2.0)
    b = fx.run(obs, fx.scheme(veto=dict(fx.SCHEME["veto"], cap_grade="pass")))
    assert tot(b, "S1")["grade"] == "pass"


def test_explanation_reproduces_the_total_exactly():
    adj = fx.adjustments([{"unit_code": "S1", "month": "2026-10", "kind": "bonus", "points": 1.235, "reason": "x"},
                          {"unit_code": "S1", "month": "2026-10", "kind": "deduction", "points": 0.5, "reason": "y"}])
    b = fx.run(adj=adj)
    for unit in b.totals["unit_code"]:
        e = b.explain(unit, "zh")
        t = tot(b, unit)
        fixed = lambda s: int(np.rint(s * FIXED).sum())  # noqa: E731
        base = fixed(e.loc[e["level"] == "indicator", "points"])
        assert base == fixed(e.loc[e["level"] == "dimension", "points"])
        assert base == round(t["base_score"] * FIXED)
        before = base + fixed(e.loc[e["level"].isin(["bonus", "deduction", "cap"]), "points"])
        assert (before + 50) // 100 / 100 == t["total"]
        assert e.loc[e["level"] == "total", "points"].iloc[0] == t["total"]
    assert tot(b, "S1")["total"] == pytest.approx(87.10 + 1.235 - 0.5, abs=0.006)
    assert tot(b, "S1")["total"] == 87.84  # 87.835 rounds half up


def test_rank_change_lists_and_alerts_over_three_months():
    months = ("2026-08", "2026-09", "2026-10")
    obs = fx.observations(months)
    # S3 is last every month: bottom streak; S1 falls from 1st in September to 4th in October
    obs = fx.set_obs(obs, "S1", "HL_SATISFY", "2026-10", value=60.0, numerator=60)
    obs = fx.set_obs(obs, "S1", "HL_ONTIME", "2026-10", value=60.0, numerator=600)
    b = fx.run(obs)
    t = b.totals.set_index("unit_code")
    assert t.loc["S1", "prev_rank"] == 1 and t.loc["S1", "rank"] == 4
    assert t.loc["S1", "rank_change"] == -3
    assert "rank_fall" in t.loc["S1", "alerts"]
    assert t.loc["S2", "rank_change"] == 1  # from 2 to 1
    # groups of four: lists of one (a third of the group)
    assert t.loc["S2", "list"] == "red" and t.loc["S4", "list"] == "red"  # tied for first
    assert t.loc["S1", "list"] == "black"
    b2 = fx.run(fx.observations(months))
    t2 = b2.totals.set_index("unit_code")
    assert t2.loc["S3", "alerts"] == ["bottom_streak"]
    assert t2.loc["S1", "alerts"] == []
    assert set(b2.history["period"]) == set(months)


def test_wilson_interval_and_significance_against_the_group():
    b = fx.run()
    row = ind(b, "S1", "HL_SATISFY")
    # 90 of 100; group pooled: (90 + 80 + 100 + 80) / 400 = 87.5%
    assert row["ci_low"] == pytest.approx(82.5634, abs=1e-3) and row["ci_high"] == pytest.approx(94.4770, abs=1e-3)
    assert row["peer_value"] == pytest.approx(87.5) and row["significance"] == "similar"
    assert ind(b, "S3", "HL_SATISFY")["significance"] == "better"  # 100/100: [96.30, 100] > 87.5
    assert ind(b, "S2", "HL_ONTIME")["significance"] == "better"   # 950/1000 vs 86.375%
    assert ind(b, "S3", "HL_ONTIME")["significance"] == "worse"
    assert ind(b, "S1", "SF_CRIME")["significance"] is None        # not a rate


def test_units_outside_their_active_months_are_not_scored():
    units = fx.UNITS.copy()
    units.loc[units["code"] == "S4", "active_to"] = "2026-09"
    b = fx.run(units=units)
    assert "S4" not in set(b.totals["unit_code"])
    assert b.totals.set_index("unit_code").loc["S3", "n_in_group"] == 3


def test_steps_record_the_scheme_and_parameters():
    b = fx.run()
    names = [s["step"] for s in b.steps]
    assert names == ["scheme", "select", "missing", "score", "adjust", "veto", "rank", "grade", "lists"]
    by = {s["step"]: s["params"] for s in b.steps}
    assert by["scheme"]["id"] == "toy"
    ind = {i["code"]: i for d in by["scheme"]["kinds"]["street"]["dimensions"] for i in d["indicators"]}
    assert ind["HL_ONTIME"]["params"]["full"] == 25
    assert by["select"] == {"month": "2026-10", "period": "month", "n_history": 3}
    assert by["grade"] == fx.SCHEME["grades"] and by["veto"] == fx.SCHEME["veto"]
    json.dumps(b.steps)  # the log is plain data


def test_running_the_log_is_the_build():
    obs, adj = fx.observations(), fx.adjustments()
    b = fx.run(obs=obs, adj=adj)
    again = build.run(json.loads(json.dumps(b.steps)), fx.UNITS, fx.CATALOGUE, obs, adj)
    pd.testing.assert_frame_equal(again.totals, b.totals)
    pd.testing.assert_frame_equal(again.indicators, b.indicators)
    assert again.scheme_fingerprint == b.scheme_fingerprint  # the scheme spelled by the log is the same scheme


def test_a_what_if_is_the_log_with_one_parameter_changed():
    obs = fx.observations()
    b = fx.run(obs=obs)
    # stricter grades: every band but the last (0) asks for a higher score, at most 100
    bands = [dict(x, min=min(100, x["min"] + 15)) if x.get("min") else x for x in b.steps[7]["params"]["bands"]]
    strict = build.change(b.steps, "grade", bands=bands)
    alt = build.run(strict, fx.UNITS, fx.CATALOGUE, obs, None)
    assert b.steps[7]["params"]["bands"] != bands  # the official log is left as it was
    assert alt.totals["total"].tolist() == b.totals["total"].tolist()
    assert (alt.totals["grade"] != b.totals["grade"]).any()
    with pytest.raises(KeyError):
        build.change(b.steps, "no-such-step", x=1)


def test_a_log_of_an_older_release_still_runs():
    obs = fx.observations()
    b = fx.run(obs=obs)
    old = [{"step": "scheme", "params": {"id": "toy", "version": "1", "data": build.scheme_data(b.steps)}},
           {"step": "select", "params": {"month": "2026-10", "period": "month", "months": ["2026-10"],
                                         "periods": ["2026-08", "2026-09", "2026-10"]}},
           {"step": "aggregate", "params": {}}, {"step": "weigh", "params": {"fixed_point": FIXED}}]
    again = build.run(old, fx.UNITS, fx.CATALOGUE, obs, None)
    pd.testing.assert_frame_equal(again.totals, b.totals)


def test_explain_unknown_unit():
    with pytest.raises(KeyError):
        fx.run().explain("S99")


def test_automatic_bonus_and_deduction_items_of_the_scheme():
    adj = dict(fx.SCHEME["adjustments"], rules=[
        {"indicator": "SF_CRIME", "kind": "deduction", "op": ">=", "value": 6, "points": 1.5,
         "reason_zh": "发案率过高", "reason_en": "high crime rate"},
        # an indicator outside the weighted set: finding more disputes earns a bonus, never a penalty
        {"indicator": "DS_FOUND", "kind": "bonus", "op": ">=", "value": 100, "points": 0.5,
         "reason_zh": "主动排查成效明显", "reason_en": "active screening"}])
    obs = fx.set_obs(fx.observations(), "S2", "DS_FOUND", "2026-10", value=120.0)
    b = fx.run(obs, fx.scheme(adjustments=adj))
    t = b.totals.set_index("unit_code")
    assert t.loc["S3", ["deduction", "total"]].tolist() == [1.5, 54.5]
    assert t.loc["S2", ["bonus", "total"]].tolist() == [0.5, 65.5]
    assert t.loc["S4", "total"] == 65.0
    auto = b.adjustments.set_index("unit_code")
    assert auto.loc["S3", "actor"] == "scheme" and auto.loc["S3", "evidence_zh"] == "治安案件发案率 6 件/万人，达到 6 件/万人"
    assert "SF_CRIME" not in auto.loc["S3", "evidence_en"] and "at least 6" in auto.loc["S3", "evidence_en"]
    e = b.explain("S2", "zh").set_index("level")
    assert pd.isna(e.loc["bonus", "code"]) and e.loc["bonus", "points"] == 0.5
    assert "考核方案规定" in e.loc["bonus", "note"] and "DS_FOUND" not in e.loc["bonus", "note"]
    assert "DS_FOUND" not in set(b.indicators["indicator_code"])  # read, never weighted


def test_what_if_by_hand():
    from kaohe.metrics.service import compare

    official = fx.run()
    alt = fx.run(sch=official.scheme.with_changes({"dimension_weights": {"A": 50, "B": 50}}))
    side = compare(official, alt).set_index("unit_code")
    # S1: A 78.5 x .5 + B 100 x .5 = 89.25; S3: 60 x .5 + 50 x .5 = 55; S2/S4: 75 x .5 + 50 x .5 = 62.5
    assert side.loc[["S1", "S2", "S3", "S4"], "total_whatif"].tolist() == [89.25, 62.5, 55.0, 62.5]
    assert side.loc["S1", "total_delta"] == 2.15 and side.loc["S3", "rank_delta"] == 0
    rules = official.scheme.with_changes({"rules": {"SF_CRIME": {"rule": "pass_fail", "threshold": 4}}})
    side = compare(official, fx.run(sch=rules)).set_index("unit_code")
    # crime is lower-better: 2 and 4 pass (100), 6 fails (0); S2/S4 gain 0.2 x 50 = 10 points
    assert side.loc[["S1", "S2", "S3", "S4"], "total_whatif"].tolist() == [87.1, 75.0, 56.0, 75.0]
    assert side.loc["S2", "rank_whatif"] == 2 and side.loc["S3", "rank_whatif"] == 4


@pytest.mark.parametrize("month,period", [("2026-08", "month"), ("2026-09", "quarter"), ("2026-08", "ytd")])
def test_the_first_period_in_the_data_has_no_previous_rank(month, period):
    # the data begins in August: July (and Q2) had nothing reported, so nobody had a rank then
    b = fx.run(fx.observations(("2026-08", "2026-09")), month=month, period=period)
    t = b.totals
    assert t["prev_rank"].isna().all() and t["rank_change"].isna().all()
    assert not any("rank_fall" in a or "bottom_streak" in a for a in t["alerts"])
    assert set(b.history["period"]) == {month}
    assert t.set_index("unit_code").loc[["S1", "S2", "S4", "S3"], "rank"].tolist() == [1, 2, 2, 4]


def test_the_second_period_has_a_change_and_a_new_unit_has_none():
    units = fx.UNITS.copy()
    units.loc[units["code"] == "S3", "active_from"] = "2026-10"  # S3 is new in October
    b = fx.run(fx.observations(("2026-09", "2026-10")), units=units)
    t = b.totals.set_index("unit_code")
    assert t.loc[["S1", "S2", "S4"], "prev_rank"].tolist() == [1, 2, 2]
    assert t.loc[["S1", "S2", "S4"], "rank_change"].tolist() == [0, 0, 0]
    assert pd.isna(t.loc["S3", "prev_rank"]) and pd.isna(t.loc["S3", "rank_change"])


def test_a_bottom_streak_needs_reported_periods():
    # S3 is last in September and October, but August had no data: two periods, not three
    b = fx.run(fx.observations(("2026-09", "2026-10")))
    assert fx.run().totals.set_index("unit_code").loc["S3", "alerts"] == ["bottom_streak"]
    assert b.totals.set_index("unit_code").loc["S3", "alerts"] == []


def test_dimension_history_comes_from_the_same_pass():
    # October as in the fixtures; August: S1's on-time rate 70% -> A = (20 + 75) / 2 = 47.5
    obs = fx.set_obs(fx.observations(), "S1", "HL_ONTIME", "2026-08", value=70.0, numerator=700)
    b = fx.run(obs)
    h = b.dimension_history
    assert list(h.columns) == ["period", "unit_code", "peer_group", "dimension", "name_zh", "name_en", "weight",
                               "score", "points", "peer_median"]
    assert sorted(set(h["period"])) == ["2026-08", "2026-09", "2026-10"]
    s1 = h[(h["unit_code"] == "S1") & (h["dimension"] == "A")].set_index("period")["score"]
    assert s1.to_dict() == pytest.approx({"2026-08": 47.5, "2026-09": 78.5, "2026-10": 78.5})
    # the period asked for equals the build's own dimension frame, and each month's equals its own build
    last = h[h["period"] == "2026-10"].drop(columns="period").reset_index(drop=True)
    pd.testing.assert_frame_equal(last, b.dimensions.reset_index(drop=True))
    aug = fx.run(obs, month="2026-08").dimensions.reset_index(drop=True)
    pd.testing.assert_frame_equal(h[h["period"] == "2026-08"].drop(columns="period").reset_index(drop=True), aug)
    assert b.dimension_history is h  # made once
    import pickle

    again = pickle.loads(pickle.dumps(fx.run(obs)))  # a build can be cached by value
    pd.testing.assert_frame_equal(again.dimension_history, h)
    assert len(fx.run(obs, n_history=1).dimension_history["period"].unique()) == 1


def test_grades_by_quota_alone_best_grade_first():
    # ten streets, totals 100, 95, ..., 55 (crime scored 100 for all; A varies through satisfaction)
    units = pd.DataFrame({**{c: fx.UNITS[c].iloc[0] for c in fx.UNITS.columns},
                          "code": [f"S{k}" for k in range(10)], "name_zh": "街", "name_en": "St"})
    sch = fx.scheme(kinds={"street": {"dimensions": [{"code": "A", "name_zh": "甲", "name_en": "A", "weight": 100,
                                                     "indicators": [{"code": "HL_SATISFY", "weight": 100,
                                                                     "rule": "linear",
                                                                     "params": {"floor": 0, "target": 100}}]}]},
                           "department": fx.SCHEME["kinds"]["department"]},
                    # listed worst first on purpose: quotas still apply best grade first
                    grades={"bands": [{"grade": "excellent", "min": 0}],
                            "quota": {"pass": 0.9, "good": 0.5, "excellent": 0.2}})
    rows = [fx._rate(f"S{k}", "HL_SATISFY", "2026-10", 100.0 - 5 * k, 100) for k in range(10)]
    b = fx.run(pd.DataFrame(rows), sch, units=units)
    t = b.totals.set_index("unit_code")
    assert t.loc[[f"S{k}" for k in range(10)], "total"].tolist() == [100.0 - 5 * k for k in range(10)]
    # top 20% of ten: 2 excellent; top 50%: 3 more good; top 90%: 4 more pass; the last fails
    assert t.loc[[f"S{k}" for k in range(10)], "grade"].tolist() == (
        ["excellent"] * 2 + ["good"] * 3 + ["pass"] * 4 + ["fail"])
    e = b.explain("S9", "en").set_index("level")
    assert "beyond the Pass quota" in e.loc["grade", "note"]
