"""The statistics behind the dashboard's charts (kaohe.metrics.analysis): frames in, checks out, no Streamlit.

Funnel limits, period rates, changes, spine charts, correlations, completeness, the scheme table and the
what-if diff, strengths and weaknesses, the red and black lists, the month's headline and the plausibility
flags. The core's constants are used, not copies: the periods of metrics.periods and the 95% quantile of
metrics.intervals.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kaohe.metrics import analysis, intervals, periods

ROOT = Path(__file__).resolve().parents[1]


def series_frame(rows):
    return pd.DataFrame(rows, columns=["unit_code", "peer_group", "month", "value", "numerator", "denominator",
                                       "status"])


def test_period_rate_is_summed_numerators_over_summed_denominators():
    s = series_frame([
        ("A", "g", "2026-01", 50.0, 1, 2, "ok"), ("A", "g", "2026-02", 99.0, 99, 100, "ok"),
        ("B", "g", "2026-01", None, None, None, "missing"), ("B", "g", "2026-02", 0.0, 0, 0, "ok"),
    ])
    r = analysis.period_rates(s).set_index("unit_code")
    assert r.loc["A", "value"] == pytest.approx(100 * 100 / 102)  # not the mean of 50% and 99%
    assert r.loc["A", "months"] == 2
    assert "B" not in r.index  # zero denominator: no rate


@pytest.mark.parametrize("value,den,band,judgement", [
    (50.0, 100, "in", "in"),
    (60.0, 100, "high95", "better"),  # z = 2.0
    (65.0, 100, "high998", "better"),  # z = 3.0 is below 3.09 ... see below
    (35.0, 100, "low998", "worse"),
])
def test_funnel_bands_against_the_pooled_rate(value, den, band, judgement):
    # one large unit pins the pooled rate at 50% (its own share of the pool dominates)
    rates = pd.DataFrame({"unit_code": ["BIG", "X"], "peer_group": ["g", "g"],
                          "numerator": [500_000, value * den / 100], "denominator": [1_000_000, den],
                          "value": [50.0, value]})
    points, limits = analysis.funnel(rates, "higher")
    x = points.set_index("unit_code").loc["X"]
    p = (500_000 + value * den / 100) / (1_000_000 + den)
    z = (value / 100 - p) / math.sqrt(p * (1 - p) / den)
    assert x["z"] == pytest.approx(z)
    expected = ("high998" if z > analysis.Z998 else "low998" if z < -analysis.Z998 else
                "high95" if z > analysis.Z95 else "low95" if z < -analysis.Z95 else "in")
    assert x["band"] == expected
    assert {"95", "998"} == set(limits["level"])
    lim = limits[(limits["level"] == "95")].iloc[0]
    assert lim["upper"] == pytest.approx(100 * min(1, p + analysis.Z95 * math.sqrt(p * (1 - p) / lim["denominator"])))


def test_funnel_judgement_follows_direction_and_is_none_for_context():
    rates = pd.DataFrame({"unit_code": ["A", "B", "C"], "peer_group": "g", "numerator": [10, 500, 990],
                          "denominator": [1000, 1000, 1000], "value": [1.0, 50.0, 99.0]})
    low, _ = analysis.funnel(rates, "lower")
    assert low.set_index("unit_code").loc["A", "judgement"] == "better"
    assert low.set_index("unit_code").loc["C", "judgement"] == "worse"
    neutral, _ = analysis.funnel(rates, "neutral")
    assert neutral["judgement"].isna().all()


def test_changes_month_on_month_and_year_on_year():
    s = pd.DataFrame({"unit_code": "A", "peer_group": "g", "month": ["2025-10", "2026-09", "2026-10"],
                      "value": [70.0, 80.0, 85.0]})
    c = analysis.changes(s, "2026-10").iloc[0]
    assert (c["value"], c["mom"], c["yoy"]) == (85.0, 5.0, 15.0)
    c = analysis.changes(s, "2026-09").iloc[0]
    assert np.isnan(c["yoy"]) and np.isnan(c["mom"])


def test_spine_mirrors_lower_is_better_and_leaves_out_context():
    inds = pd.DataFrame({"code": ["UP", "DOWN", "CTX"], "direction": ["higher", "lower", "neutral"]})
    vals = []
    for code in ("UP", "DOWN", "CTX"):
        for unit, v in (("A", 10.0), ("B", 20.0), ("C", 40.0)):
            vals.append({"unit_code": unit, "peer_group": "g", "indicator_code": code, "value": v})
    rows = analysis.spine(pd.DataFrame(vals), "C", inds).set_index("indicator_code")
    assert "CTX" not in rows.index
    # median 20, farthest peer 20 away: C (40) is +1 on a higher-is-better item, -1 when lower is better
    assert rows.loc["UP", "position"] == pytest.approx(1.0)
    assert rows.loc["DOWN", "position"] == pytest.approx(-1.0)
    assert rows.loc["DOWN", "worst"] == pytest.approx(-1.0) and rows.loc["DOWN", "best"] == pytest.approx(0.5)


def test_correlations_need_enough_units_and_variation():
    rng = np.random.default_rng(0)
    a = rng.normal(size=8)
    obs = pd.concat([
        pd.DataFrame({"unit_code": [f"U{i}" for i in range(8)], "indicator_code": "A", "value": a, "status": "ok"}),
        pd.DataFrame({"unit_code": [f"U{i}" for i in range(8)], "indicator_code": "B", "value": -a, "status": "ok"}),
        pd.DataFrame({"unit_code": [f"U{i}" for i in range(8)], "indicator_code": "C", "value": 1.0, "status": "ok"}),
    ])
    corr = analysis.correlations(obs, ["A", "B", "C"])
    assert list(corr.columns) == ["A", "B"]  # C does not vary
    assert corr.loc["A", "B"] == pytest.approx(-1.0)
    assert analysis.correlations(obs[obs["unit_code"] < "U3"], ["A", "B"]).empty


def test_indicator_completeness_blank_where_not_applicable():
    units = pd.DataFrame({"code": ["S1", "D1"], "kind": ["street", "department"]})
    inds = pd.DataFrame({"code": ["ST", "BOTH"], "applies_to": ["street", "both"]})
    obs = pd.DataFrame({"unit_code": ["S1", "S1", "S1", "D1"], "indicator_code": ["ST", "ST", "BOTH", "BOTH"],
                        "month": ["2026-01", "2026-02", "2026-01", "2026-02"],
                        "status": ["ok", "na", "ok", "ok"]})
    f = analysis.indicator_completeness(obs, units, inds, ["2026-01", "2026-02"]).set_index(
        ["unit_code", "indicator_code"])["share"]
    assert f[("S1", "ST")] == 1.0  # one month n/a, the other reported
    assert f[("S1", "BOTH")] == 0.5
    assert np.isnan(f[("D1", "ST")])


def test_scheme_table_and_whatif_changes_keep_only_differences():
    data = {"kinds": {"street": {"dimensions": [
        {"code": "D1", "name_zh": "一", "weight": 60, "indicators": [
            {"code": "I1", "weight": 50, "rule": "linear", "params": {"floor": 60, "target": 95}},
            {"code": "I2", "weight": 50, "rule": "minmax"}]},
        {"code": "D2", "name_zh": "二", "weight": 40, "indicators": [
            {"code": "I3", "weight": 100, "rule": "pass_fail", "params": {"threshold": 0}}]}]}}}
    table = analysis.scheme_table(data, "street")
    assert table["weight"].tolist() == [30.0, 30.0, 40.0]
    assert table["target"].tolist()[0] == 95 and table["target"].tolist()[2] == 0
    assert analysis.whatif_changes(table, {"D1": 60, "D2": 40}, {}) == {}
    ch = analysis.whatif_changes(table, {"D1": 80, "D2": 40},
                                 {"I1": {"weight": 50, "rule": "linear", "params": {"floor": 50, "target": 95}},
                                  "I2": {"weight": 25, "rule": "minmax", "params": {}}})
    assert ch == {"dimension_weights": {"D1": 80.0}, "indicator_weights": {"I2": 25.0},
                  "rules": {"I1": {"rule": "linear", "params": {"floor": 50, "target": 95}}}}


def test_strengths_and_weaknesses_never_name_context_items():
    ind = pd.DataFrame({
        "indicator_code": ["A", "B", "C", "N"], "direction": ["higher", "higher", "lower", "neutral"],
        "weight": [0.2, 0.3, 0.5, 0.0], "points": [20.0, 15.0, 10.0, 0.0], "raw_score": [100, 50, 20, np.nan],
        "significance": ["better", "similar", "worse", None], "value": [1, 2, 3, 4], "status": "ok",
    })
    strong, weak = analysis.strengths_weaknesses(ind)
    assert strong["indicator_code"].tolist() == ["A"]
    assert weak["indicator_code"].tolist() == ["C", "B"]  # 40 points lost, then 15
    assert weak["lost"].tolist() == [40.0, 15.0]


def test_lists_shown_never_repeat_a_unit():
    t = pd.DataFrame({"unit_code": ["A", "B", "C"], "rank": [1, 2, 3], "list": ["red", "black", "black"]})
    red, black = analysis.lists_shown(t)
    assert red["unit_code"].tolist() == ["A"] and black["unit_code"].tolist() == ["C", "B"]
    assert not set(red["unit_code"]) & set(black["unit_code"])




def test_the_core_constants_are_used_not_redefined():
    """One PERIODS (metrics.periods) and one Z95 (metrics.intervals): no copy in the core's analysis or the ui."""
    assert analysis.Z95 is intervals.Z95
    assert pytest.approx(3.090232, abs=1e-6) == analysis.Z998
    from kaohe.ui import views

    assert tuple(views.PERIODS) == periods.PERIODS
    for path in [ROOT / "metrics" / "analysis.py", *sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in ("Z95", "PERIODS"):
                        assert isinstance(node.value, (ast.Attribute, ast.Name, ast.Call)), (
                            f"{path.name} defines {target.id} again instead of using the core's")


def test_the_statistics_need_no_streamlit():
    """metrics/analysis.py is core: it imports neither Streamlit nor plotly nor the ui."""
    tree = ast.parse((ROOT / "metrics" / "analysis.py").read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {n for n in names if n.split(".")[0] in ("streamlit", "plotly") or n.startswith("kaohe.ui")}


def test_peer_median_and_distribution_skip_what_was_not_reported():
    s = pd.DataFrame({"unit_code": ["A", "B", "C", "D"], "peer_group": "g", "month": "2026-10",
                      "value": [10.0, 20.0, 90.0, None], "status": ["ok", "ok", "na", "missing"]})
    med = analysis.peer_median(s)
    assert med["value"].tolist() == [15.0]
    d = analysis.distribution(s).iloc[0]
    assert (d["n"], d["min"], d["median"], d["max"]) == (2, 10.0, 15.0, 20.0)


def test_headline_compares_the_same_units_with_last_month():
    totals = pd.DataFrame({"unit_code": ["A", "B"], "total": [80.0, 90.0], "veto": [False, True],
                           "alerts": [["fall"], None]})
    history = pd.DataFrame({"unit_code": ["A", "B", "A", "C"], "month": ["2026-10", "2026-10", "2026-09", "2026-09"],
                            "total": [80.0, 90.0, 70.0, 10.0]})
    h = analysis.headline(totals, history, "2026-10")
    assert h == {"units": 2, "mean": 85.0, "change": 10.0, "vetoes": 1, "alerts": 1}  # C is not A's peer month


def test_ranking_table_joins_dimensions_and_nets_the_adjustments():
    totals = pd.DataFrame({"unit_code": ["A", "B"], "rank": [1, 2], "rank_change": [1, None],
                           "bonus": [2.0, None], "deduction": [0.5, 1.0]})
    dims = pd.DataFrame({"unit_code": ["A", "B", "A"], "dimension": ["D2", "D2", "D1"], "score": [50.0, 60.0, 70.0]})
    out = analysis.ranking_table(totals, dims)
    assert [c for c in out.columns if c.startswith("dim_")] == ["dim_D2", "dim_D1"]
    assert out["net_adjustment"].tolist() == [1.5, -1.0]
    assert "change" not in out.columns  # words are the ui's (ui.views.ranking_table)


def test_plausibility_flags_keep_only_plausibility_lines():
    record = {"lines": [{"kind": "plausibility", "check": "val.plaus.jump", "row": 3, "value": "9", "params": {"x": 1}},
                        {"kind": "value", "check": "val.value.bad", "row": 4}]}
    flags = analysis.plausibility_flags([(7, "a.csv", record), (8, None, None)])
    assert flags[["batch_id", "source", "check", "row"]].values.tolist() == [[7, "a.csv", "val.plaus.jump", 3]]


def test_period_values_are_rates_for_rate_indicators_and_means_otherwise():
    s = pd.DataFrame({"unit_code": "A", "peer_group": "g", "month": ["2026-09", "2026-10", "2026-08"],
                      "value": [50.0, 99.0, 10.0], "numerator": [1, 99, None], "denominator": [2, 100, None],
                      "status": ["ok", "ok", "missing"]})
    rate = analysis.period_values(s, ratio=True).iloc[0]
    assert rate["value"] == pytest.approx(100 * 100 / 102)
    assert analysis.period_values(s, ratio=False).iloc[0]["value"] == pytest.approx(74.5)  # reported months only
    assert list(analysis.period_values(s, ratio=True).columns) == ["unit_code", "peer_group", "value"]
