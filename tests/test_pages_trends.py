"""趋势 Trends: total, dimension and indicator over time; month-on-month and year-on-year."""

from __future__ import annotations

import pytest
from browser_helpers import chart_specs, open_app

from kaohe.metrics import service


def changes(at):
    """The changes table with its text cells read back as numbers (— is no value)."""
    t = at.dataframe[0].value.set_index("单位")
    cells = t.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "<NA>"} & set(cells)
    return t.map(lambda v: float("nan") if v == "—" else float(str(v).replace(",", "")))


def test_total_score_trend_and_changes_are_the_engines(app_db):
    at = open_app("pages/trends.py")
    hist = service.rank_history(app_db, "S01", "2026-10", n=13).set_index("month")
    t = changes(at)
    assert t.loc["东湖街道", "本月"] == pytest.approx(hist.loc["2026-10", "total"], abs=0.005)
    assert t.loc["东湖街道", "环比变化"] == pytest.approx(
        hist.loc["2026-10", "total"] - hist.loc["2026-09", "total"], abs=0.01)
    assert t.loc["东湖街道", "同比变化"] == pytest.approx(
        hist.loc["2026-10", "total"] - hist.loc["2025-10", "total"], abs=0.01)
    spec = chart_specs(at)[0]
    assert "东湖街道" in spec and "城区街道中位数" in spec


def test_an_indicator_trend_shows_its_values_and_target(app_db):
    at = open_app("pages/trends.py")
    at.selectbox(key="tr_measure").set_value("ind:HL_RESPONSE").run()
    at.multiselect(key="tr_units").set_value(["S09"]).run()
    assert not at.exception
    obs = app_db.observations(units=["S09"], indicators=["HL_RESPONSE"], month_from="2026-09")
    t = changes(at)
    assert list(t.index) == ["青石镇"]
    assert t.loc["青石镇", "本月"] == pytest.approx(obs["value"].iloc[-1], abs=0.005)
    assert t.loc["青石镇", "上月"] == pytest.approx(obs["value"].iloc[0], abs=0.005)
    spec = chart_specs(at)[0]
    assert "目标值 95" in spec and "涉农乡镇中位数" in spec


def test_a_dimension_in_small_multiples(app_db):
    at = open_app("pages/trends.py")
    at.selectbox(key="tr_measure").set_value("dim:HL").run()
    at.segmented_control(key="tr_view").set_value("multiples").run()
    at.segmented_control(key="tr_span").set_value(12).run()
    assert not at.exception
    assert at.get_by_key("tr_multiples_chart") is not None
    dims = service.build(app_db, "2026-10").dimensions
    hl = dims[(dims["unit_code"] == "S02") & (dims["dimension"] == "HL")]["score"].iloc[0]
    assert changes(at).loc["西山街道", "本月"] == pytest.approx(hl, abs=0.005)
    # the earlier months come from the same one-pass build; each equals that month's own build
    for month, column in (("2026-09", "上月"), ("2025-10", "去年同月")):
        d = service.build(app_db, month).dimensions
        own = d[(d["unit_code"] == "S02") & (d["dimension"] == "HL")]["score"].iloc[0]
        assert changes(at).loc["西山街道", column] == pytest.approx(own, abs=0.005), month


def test_widget_state_survives_a_page_switch(app_db):
    at = open_app("pages/trends.py")
    at.selectbox(key="tr_measure").set_value("ind:HL_SATISFY").run()
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/trends.py").run()
    assert at.selectbox(key="tr_measure").value == "ind:HL_SATISFY"


def test_a_month_without_last_year_shows_a_dash(app_db):
    """2024-06 has no 2023-06 to compare with: a dash, never None."""
    at = open_app()
    at.session_state["month"] = "2024-06"
    at.switch_page("pages/trends.py").run()
    assert not at.exception, at.exception
    raw = at.dataframe[0].value
    assert set(raw["去年同月"]) == {"—"} and set(raw["同比变化"]) == {"—"}


def test_score_trends_carry_the_publication_notice(app_db):
    import re

    service.publish(app_db, "2026-10", "tester")
    service.add_adjustment(app_db, "S03", "2026-10", "bonus", 3, "市级表彰", None, "tester",
                           correction_reason="漏报的表彰")
    at = open_app("pages/trends.py")
    assert not at.exception, at.exception
    state = service.published_state(app_db, "2026-10")

    def warnings():
        return [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning]

    assert state.showing_published().notice("zh") in warnings()  # the published figures, by default
    at.segmented_control(key="pub_shown").set_value("current").run()
    assert state.notice("zh") in warnings()
