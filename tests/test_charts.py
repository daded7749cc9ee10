"""Pure figure builders (ui/charts.py) and the words shown for the core's frames (ui/views.py): tables in, checks
out. The statistics behind them are tested beside the core, in test_metrics_analysis.py."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd

from kaohe.metrics import analysis as stats
from kaohe.ui import charts, views


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


# -- words for the core's frames (ui/views.py) ---------------------------------------------------------
def test_arrows():
    assert [views.arrow(x) for x in (2, -1, 0, None, pd.NA)] == ["▲2", "▼1", "—", "新", "新"]
    assert views.arrow(pd.NA, "en") == "new"
    assert [views.rank_delta(x) for x in (2, -1, 0, None, pd.NA)] == [2, -1, None, None, None]


# -- builders ---------------------------------------------------------------------------------------------
FONT_MIN = 14


def assert_readable(fig):
    s = spec(fig)
    assert s["layout"]["font"]["size"] >= FONT_MIN
    return s


def test_funnel_plot_has_both_limits_and_labelled_axes():
    rates = pd.DataFrame({"unit_code": ["A", "B", "C"], "peer_group": "g", "numerator": [90, 450, 990],
                          "denominator": [100, 500, 1000], "value": [90.0, 90.0, 99.0]})
    points, limits = stats.funnel(rates, "higher")
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
    med = stats.peer_median(series.assign(status="ok"))
    s = assert_readable(charts.trend_lines(series, ["A"], {"A": "Alpha"}, med, {"A": "g"}, {"g": "Urban"},
                                           "T", "Value (%)", "en", target=95))
    assert [t["name"] for t in s["data"]] == ["Alpha", "Urban median"]
    assert s["layout"]["annotations"][0]["text"] == "Target 95"
    assert s["layout"]["yaxis"]["title"]["text"] == "Value (%)"


def test_small_multiples_one_panel_per_unit():
    series = pd.DataFrame({"unit_code": ["A", "B", "C"], "peer_group": "g", "month": "2026-01",
                           "value": [1.0, 2.0, 3.0]})
    med = stats.peer_median(series)
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
    tree = views.weights_tree(table, {"D": "维度"}, {"I1": "甲"}, {"I1": "规则"})
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
    assert views.period_label("quarter", "2026-10", "zh") == "2026-Q4（截至10月）"
    assert views.period_label("quarter", "2026-10", "en") == "2026-Q4 (to October)"
    assert views.period_label("quarter", "2026-12", "zh") == "2026-Q4"
    assert views.period_label("year", "2026-10", "zh") == "2026（截至10月）"
    assert views.period_label("year", "2025-12", "en") == "2025"
    assert views.period_label("month", "2026-10", "zh") == "2026-10"


def test_the_core_words_the_adjustments_and_the_ui_shows_them():
    """build.adjustments carries kind_/actor_/reason_/evidence_ zh/en (metrics.adjust.words): the table
    shows them as they are, and the UI keeps no copy of the core's wording."""
    adj = pd.DataFrame({"month": ["2026-10", "2026-10"], "kind": ["bonus", "deduction"], "points": [1.0, 0.5],
                        "kind_zh": ["加分", "扣分"], "kind_en": ["bonus", "deduction"],
                        "reason_zh": ["群众满意度达标", "迟报"], "reason_en": ["survey met", "late"],
                        "evidence_zh": ["群众满意度 97.2%，达到 95%", None], "evidence_en": ["survey 97.2%", None],
                        "actor_zh": ["考核方案", "测试员"], "actor_en": ["the scheme", "tester"]})
    v = views.adjustments_view(adj, "zh")
    assert v["kind"].tolist() == ["加分", "扣分"] and v["actor"].tolist() == ["考核方案", "测试员"]
    assert v["evidence"].tolist() == ["群众满意度 97.2%，达到 95%", "—"]
    assert views.adjustments_view(adj, "en")["reason"].tolist() == ["survey met", "late"]
    for gone in ("readable", "evidence_text", "scheme_year_note", "op_words"):
        assert not hasattr(views, gone) and not hasattr(stats, gone)
    from kaohe.base import i18n

    assert not i18n.has("lists.rule") and not i18n.has("ui.scheme.other_year")
    assert views.zh_semicolons("按实际值计分;超过封顶值1", "zh") == "按实际值计分；超过封顶值1"
    assert views.zh_semicolons("a; b", "en") == "a; b" and views.zh_semicolons(None) == ""


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
    v = views.explain_view(exp, "zh")
    cells = v.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN"} & set(cells)
    assert v.iloc[0]["value"] == "不适用" and v.iloc[0]["raw_score"] == "不适用"
    assert v.iloc[1]["item"] == "■ 维" and v.iloc[1]["weight"] == "30.00%" and v.iloc[3]["value"] == "3"
