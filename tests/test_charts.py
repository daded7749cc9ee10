"""Pure figure builders (ui/charts.py) and the data shaping behind them (ui/analysis.py): tables in, checks out."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
import pytest

from kaohe.ui import analysis, charts


def _plain(obj):
    # plotly 6 stores numeric arrays as base64 typed arrays ({"dtype", "bdata"}): decode them to lists
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            return arr.reshape(obj["shape"]).tolist() if "shape" in obj and isinstance(obj["shape"], list) \
                else arr.tolist()
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def spec(fig) -> dict:
    """The figure as plain Python."""
    return _plain(json.loads(fig.to_json()))


# -- analysis -------------------------------------------------------------------------------------------
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


def test_arrows():
    assert [analysis.arrow(x) for x in (2, -1, 0, None, pd.NA)] == ["▲2", "▼1", "—", "新", "新"]
    assert analysis.arrow(pd.NA, "en") == "new"
    assert [analysis.rank_delta(x) for x in (2, -1, 0, None, pd.NA)] == [2, -1, None, None, None]


# -- builders ---------------------------------------------------------------------------------------------
FONT_MIN = 14


def assert_readable(fig):
    s = spec(fig)
    assert s["layout"]["font"]["size"] >= FONT_MIN
    return s


def test_funnel_plot_has_both_limits_and_labelled_axes():
    rates = pd.DataFrame({"unit_code": ["A", "B", "C"], "peer_group": "g", "numerator": [90, 450, 990],
                          "denominator": [100, 500, 1000], "value": [90.0, 90.0, 99.0]})
    points, limits = analysis.funnel(rates, "higher")
    s = assert_readable(charts.funnel_plot(points, limits, {"A": "甲"}, {"g": "组"}, "标题", "zh"))
    names = [t.get("name") for t in s["data"]]
    assert "95% 控制限" in names and "99.8% 控制限" in names and "组总体率" in names
    assert s["layout"]["xaxis"]["type"] == "log"
    assert "分母" in s["layout"]["xaxis"]["title"]["text"] and "%" in s["layout"]["yaxis"]["title"]["text"]
    # the legend stands right of the plot, clear of the x-axis title below it and the title above it
    legend = s["layout"]["legend"]
    assert legend["orientation"] == "v" and legend["x"] > 1 and legend["xanchor"] == "left"


def test_spine_chart_colours_by_significance_with_the_palette():
    rows = pd.DataFrame({"indicator_code": ["A", "B"], "worst": [-1, -0.5], "best": [0.8, 1], "q_low": [-0.3, -0.2],
                         "q_high": [0.3, 0.4], "position": [0.5, -0.6], "value": [1.0, 2.0], "median": [0.5, 2.5],
                         "min": [0, 1], "max": [2, 3]})
    s = spec(charts.spine_chart(rows, {"A": "甲", "B": "乙"}, "en", {"A": "better", "B": "worse"}))
    markers = {t["name"]: t["marker"]["color"] for t in s["data"] if t["type"] == "scatter"}
    assert markers == {"Significantly better than peers": charts.SIGNIFICANCE_COLOURS["better"],
                       "Significantly worse than peers": charts.SIGNIFICANCE_COLOURS["worse"]}


def test_trend_lines_show_target_and_median_in_english():
    series = pd.DataFrame({"unit_code": ["A", "A"], "peer_group": "g", "month": ["2026-01", "2026-02"],
                           "value": [90.0, 92.0]})
    med = analysis.peer_median(series.assign(status="ok"))
    s = assert_readable(charts.trend_lines(series, ["A"], {"A": "Alpha"}, med, {"A": "g"}, {"g": "Urban"},
                                           "T", "Value (%)", "en", target=95))
    assert [t["name"] for t in s["data"]] == ["Alpha", "Urban median"]
    assert s["layout"]["annotations"][0]["text"] == "Target 95"
    assert s["layout"]["yaxis"]["title"]["text"] == "Value (%)"


def test_small_multiples_one_panel_per_unit():
    series = pd.DataFrame({"unit_code": ["A", "B", "C"], "peer_group": "g", "month": "2026-01",
                           "value": [1.0, 2.0, 3.0]})
    med = analysis.peer_median(series)
    s = spec(charts.small_multiples(series, ["A", "B", "C"], {}, med, {"A": "g", "B": "g", "C": "g"}, "分", "zh",
                                    cols=2))
    assert [a["text"] for a in s["layout"]["annotations"]] == ["A", "B", "C"]
    assert "xaxis3" in s["layout"] and "xaxis4" in s["layout"]


def test_rank_intervals_and_history_put_rank_one_on_top():
    rob = pd.DataFrame({"unit_code": ["A", "B"], "rank": [1, 2], "median_rank": [1.0, 2.0],
                        "rank_p05": [1, 1], "rank_p95": [2, 3]})
    s = spec(charts.rank_intervals(rob, {"A": "甲", "B": "乙"}, "zh"))
    err = s["data"][0]["error_x"]
    assert err["array"] == [1.0, 1.0] and err["arrayminus"] == [0.0, 1.0]
    hist = pd.DataFrame({"month": ["2026-09", "2026-10"], "rank": [3, 1], "n_in_group": [8, 8]})
    s = spec(charts.rank_history(hist, "zh"))
    low, top = s["layout"]["yaxis"]["range"]
    assert low == 8.5 and top < 0.5  # rank 1 on top, with room above it for its label
    assert s["data"][0]["cliponaxis"] is False


def test_weights_sunburst_uses_the_palette_and_sums():
    table = pd.DataFrame({"dimension": ["D", "D"], "indicator_code": ["I1", "I2"], "weight": [30.0, 70.0]})
    tree = analysis.weights_tree(table, {"D": "维度"}, {"I1": "甲"}, {"I1": "规则"})
    s = spec(charts.weights_sunburst(tree, "zh"))
    assert s["data"][0]["values"] == [100.0, 30.0, 70.0]
    assert s["layout"]["sunburstcolorway"][0] == charts.PALETTE[0]


def test_whatif_slope_colours_movers():
    cmp = pd.DataFrame({"unit_code": ["A", "B", "C"], "rank_official": [1, 2, 3], "rank_whatif": [2, 1, 3]})
    s = spec(charts.whatif_slope(cmp, {"A": "甲"}, "zh"))
    lines = {t["line"]["color"]: t for t in s["data"] if t["mode"] == "lines+markers"}
    assert set(lines) == {"#999999", "#0072B2", "#D55E00"}
    assert lines["#0072B2"]["y"] == [2, 1, None] and lines["#D55E00"]["y"] == [1, 2, None]
    assert s["layout"]["xaxis"]["ticktext"] == ["正式方案", "模拟方案"]
    # names are the tick labels of both rank axes (plotly makes room for them), coloured as the lines
    left, right = s["layout"]["yaxis"], s["layout"]["yaxis2"]
    assert left["tickvals"] == [1, 2, 3] and right["tickvals"] == [2, 1, 3]
    assert left["ticktext"][0] == '<span style="color:#D55E00">甲  1</span>'
    assert right["ticktext"][1] == '<span style="color:#0072B2">1  B</span>'
    assert left["automargin"] and right["side"] == "right"


def test_distribution_and_heatmaps_build():
    vals = pd.DataFrame({"unit_code": ["A", "B", "C"], "peer_group": ["g", "g", "h"], "value": [1.0, 2.0, 3.0]})
    s = spec(charts.distribution(vals, {}, {"g": "甲组", "h": "乙组"}, "t", "件", "zh", highlight=["C"]))
    assert [t["name"] for t in s["data"]] == ["甲组", "乙组"]
    assert s["layout"]["annotations"][0]["text"] == "C"
    corr = pd.DataFrame([[1.0, -0.5], [-0.5, 1.0]], index=["A", "B"], columns=["A", "B"])
    s = spec(charts.correlation_heatmap(corr, {"A": "甲"}, "zh"))
    assert s["data"][0]["zmin"] == -1 and s["data"][0]["x"] == ["甲", "B"]
    dims = pd.DataFrame({"name_zh": ["一"], "name_en": ["One"], "score": [80.0], "peer_median": [75.0]})
    s = spec(charts.dimension_bars(dims, "en"))
    assert s["data"][0]["y"] == ["One"] and s["layout"]["xaxis"]["range"] == [0, 105]


def test_measurement_units_in_english():
    assert charts.with_unit("12", "件", "en") == "12 cases"
    assert charts.with_unit("12", "件", "zh") == "12件"
    assert charts.with_unit("95.3", "%", "en") == "95.3%"
    assert charts._unit_label("件/万人", "en") == "Value (per 10k residents)"


def test_axis_text_is_large_and_dark_whatever_the_streamlit_theme():
    s = spec(charts.completeness_heatmap(pd.DataFrame({"unit_code": ["A"], "month": ["2026-10"], "share": [1.0]}),
                                         {"A": "甲"}, "zh"))
    for axis in ("xaxis", "yaxis"):
        assert s["layout"][axis]["tickfont"]["size"] == charts.FONT["size"] >= 15
        assert s["layout"][axis]["title"]["font"]["size"] > charts.FONT["size"]
    assert s["data"][0]["colorbar"]["tickfont"]["size"] == charts.FONT["size"]
    assert s["layout"]["legend"]["font"]["size"] == charts.FONT["size"]


def test_log_axis_ticks_are_whole_numbers():
    assert charts._log_ticks(520, 9800) == [500, 1000, 2000, 5000, 10000]
    assert charts._log_ticks(3, 120) == [5, 10, 20, 50, 100]


def test_two_years_of_months_are_ticked_every_third_month():
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    series = pd.DataFrame({"unit_code": "A", "peer_group": "g", "month": months, "value": 1.0})
    medians = series.groupby(["peer_group", "month"], as_index=False)["value"].median()
    s = spec(charts.trend_lines(series, ["A"], {"A": "甲"}, medians, {"A": "g"}, {"g": "组"}, "t", "y", "zh"))
    assert s["layout"]["xaxis"]["tickvals"][-1] == "2026-12" and len(s["layout"]["xaxis"]["tickvals"]) == 8
    assert s["layout"]["xaxis"]["categoryarray"] == months


def test_chinese_chart_text_uses_full_width_punctuation():
    series = pd.DataFrame({"unit_code": ["A", "A"], "peer_group": ["g", "g"], "month": ["2026-09", "2026-10"],
                           "value": [1.0, 2.0], "status": ["ok", "ok"]})
    vals = series[["unit_code", "peer_group", "value"]]
    s = spec(charts.distribution(vals, {"A": "甲"}, {"g": "组"}, "标题", charts._unit_label("件", "zh"), "zh"))
    assert s["layout"]["yaxis"]["title"]["text"] == "数值（件）"
    assert s["data"][0]["hovertemplate"].startswith("%{text}：")
    en = spec(charts.distribution(vals, {"A": "A"}, {"g": "G"}, "T", charts._unit_label("件", "en"), "en"))
    assert en["layout"]["yaxis"]["title"]["text"] == "Value (cases)" and "%{text}: " in en["data"][0]["hovertemplate"]


def test_names_from_a_file_are_not_html_in_charts():
    hostile = '<a href="http://evil.example">点我</a>'
    vals = pd.DataFrame({"unit_code": ["A"], "peer_group": ["g"], "value": [1.0]})
    s = json.dumps(spec(charts.distribution(vals, {"A": hostile}, {"g": hostile}, hostile, "y", "zh")),
                   ensure_ascii=False)
    assert "<a href" not in s and "&lt;a href" in s


def test_short_labels_are_distinct_and_the_text_width_grows_with_the_text():
    en = {"a": "Public safety", "b": "Public services", "c": "Disputes and petitions", "d": "Grid governance"}
    short = charts.short_labels(en, "en")
    assert len(set(short.values())) == 4 and short["c"] == "Disputes"
    zh = charts.short_labels({"a": "接诉即办", "b": "接诉即办考核"}, "zh")
    assert len(set(zh.values())) == 2 and zh["a"] == "接诉即办"
    assert charts.text_width("区城市管理综合执法局") > charts.text_width("Xuefu Street") > charts.text_width("名次")


def test_partial_periods_say_how_far_they_reach():
    assert analysis.period_label("quarter", "2026-10", "zh") == "2026-Q4（截至10月）"
    assert analysis.period_label("quarter", "2026-10", "en") == "2026-Q4 (to October)"
    assert analysis.period_label("quarter", "2026-12", "zh") == "2026-Q4"
    assert analysis.period_label("year", "2026-10", "zh") == "2026（截至10月）"
    assert analysis.period_label("year", "2025-12", "en") == "2025"
    assert analysis.period_label("month", "2026-10", "zh") == "2026-10"


def test_the_core_words_the_adjustments_and_the_ui_shows_them():
    """build.adjustments carries kind_/actor_/reason_/evidence_ zh/en (metrics.adjust.words): the table
    shows them as they are, and the UI keeps no copy of the core's wording."""
    adj = pd.DataFrame({"month": ["2026-10", "2026-10"], "kind": ["bonus", "deduction"], "points": [1.0, 0.5],
                        "kind_zh": ["加分", "扣分"], "kind_en": ["bonus", "deduction"],
                        "reason_zh": ["群众满意度达标", "迟报"], "reason_en": ["survey met", "late"],
                        "evidence_zh": ["群众满意度 97.2%，达到 95%", None], "evidence_en": ["survey 97.2%", None],
                        "actor_zh": ["考核方案", "测试员"], "actor_en": ["the scheme", "tester"]})
    v = analysis.adjustments_view(adj, "zh")
    assert v["kind"].tolist() == ["加分", "扣分"] and v["actor"].tolist() == ["考核方案", "测试员"]
    assert v["evidence"].tolist() == ["群众满意度 97.2%，达到 95%", "—"]
    assert analysis.adjustments_view(adj, "en")["reason"].tolist() == ["survey met", "late"]
    for gone in ("readable", "evidence_text", "scheme_year_note", "op_words"):
        assert not hasattr(analysis, gone)
    from kaohe.base import i18n

    assert not i18n.has("lists.rule") and not i18n.has("ui.scheme.other_year")
    assert analysis.zh_semicolons("按实际值计分;超过封顶值1", "zh") == "按实际值计分；超过封顶值1"
    assert analysis.zh_semicolons("a; b", "en") == "a; b" and analysis.zh_semicolons(None) == ""


def test_lists_shown_never_repeat_a_unit():
    t = pd.DataFrame({"unit_code": ["A", "B", "C"], "rank": [1, 2, 3], "list": ["red", "black", "black"]})
    red, black = analysis.lists_shown(t)
    assert red["unit_code"].tolist() == ["A"] and black["unit_code"].tolist() == ["C", "B"]
    assert not set(red["unit_code"]) & set(black["unit_code"])


def test_explain_view_has_no_none():
    exp = pd.DataFrame([
        {"level": "indicator", "item": "甲", "value": float("nan"), "status": "na", "rule": "规则", "raw_score": None,
         "weight": 0.0, "points": 0.0, "note": "不适用"},
        {"level": "dimension", "item": "维", "value": None, "status": None, "rule": None, "raw_score": 80.0,
         "weight": 0.3, "points": 24.0, "note": None},
        {"level": "total", "item": "总分", "value": None, "status": None, "rule": None, "raw_score": None,
         "weight": None, "points": 24.0, "note": "24 → 24"},
        {"level": "rank", "item": "同组排名", "value": 3.0, "status": None, "rule": None, "raw_score": None,
         "weight": None, "points": None, "note": "共8个"},
    ])
    v = analysis.explain_view(exp, "zh")
    cells = v.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN"} & set(cells)
    assert v.iloc[0]["value"] == "不适用" and v.iloc[0]["raw_score"] == "不适用"
    assert v.iloc[1]["item"] == "■ 维" and v.iloc[1]["weight"] == "30.00%" and v.iloc[3]["value"] == "3"
