"""指标分析 Indicators: distribution, funnel plot, completeness and correlations of the warehouse data."""

from __future__ import annotations

import pytest
from browser_helpers import chart_specs, open_app, texts

from kaohe.metrics import analysis


def test_funnel_lists_the_units_outside_the_limits(app_db):
    at = open_app("pages/indicators.py")
    at.selectbox(key="ind_indicator").set_value("HL_SATISFY").run()
    at.segmented_control(key="ind_window").set_value(12).run()
    assert not at.exception
    series = app_db.indicator_series("HL_SATISFY", month_from="2025-11", month_to="2026-10")
    series = series[series["unit_code"].str.startswith("S")]
    points, _ = analysis.funnel(analysis.period_rates(series), "higher")
    outside = points[points["band"].isin(["high998", "low998"])]
    assert not outside.empty  # S06 reports exactly 100% every month
    shown = at.dataframe[1].value
    assert set(shown["单位"]) == set(outside["unit_code"].map(
        dict(zip(app_db.units()["code"], app_db.units()["name_zh"], strict=True))))
    s06 = points.set_index("unit_code").loc["S06"]
    assert shown.set_index("单位").loc["学府街道", "比率（%）"] == pytest.approx(round(s06["value"], 2))
    assert any("99.8% 控制限" in s for s in chart_specs(at))


def test_distribution_summary_is_the_months_values(app_db):
    at = open_app("pages/indicators.py")
    at.selectbox(key="ind_indicator").set_value("EM_RESPONSE").run()
    assert not at.exception
    summary = at.dataframe[0].value.set_index("同类组")
    obs = app_db.indicator_series("EM_RESPONSE", peer_group="urban", month_from="2026-10", month_to="2026-10")
    assert summary.loc["城区街道", "中位数"] == pytest.approx(round(obs["value"].median(), 2))
    assert summary.loc["城区街道", "单位数"] == obs["value"].notna().sum()
    # not a rate: no funnel, a clear word instead
    assert "漏斗图只适用于" in texts(at)


def test_a_peer_group_filter_and_the_other_tabs(app_db):
    at = open_app("pages/indicators.py")
    at.selectbox(key="ind_group").set_value("urban").run()
    assert not at.exception
    summary = at.dataframe[0].value
    assert summary["同类组"].tolist() == ["城区街道"]
    specs = chart_specs(at)
    assert any("秩相关系数" in s for s in specs)  # correlations
    assert any("报送率" in s for s in specs)  # completeness heatmap
    assert not any("涉农乡镇" in s or "青石镇" in s for s in specs)
    # four rural towns are too few to correlate: the page says so
    at.selectbox(key="ind_group").set_value("rural").run()
    assert "可比较的单位太少" in texts(at)


def test_context_indicator_is_marked_as_never_ranked(app_db):
    at = open_app("pages/indicators.py")
    at.selectbox(key="ind_indicator").set_value("HL_VOLUME").run()
    assert not at.exception
    assert "背景指标" in texts(at)
