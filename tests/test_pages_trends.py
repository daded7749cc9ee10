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


# -- history through a reorganisation (issue 14, item 1) ---------------------------------------------------
def figure(at, n: int = 0) -> dict:
    """The n-th plotly figure of the page with its arrays decoded (plotly writes numbers as base64)."""
    import base64
    import json

    import numpy as np

    def arr(v):
        if isinstance(v, dict) and "bdata" in v:
            return [float(x) for x in np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))]
        return list(v or [])

    fig = json.loads(at.get("plotly_chart")[n].proto.spec)
    return {"data": [dict(tr, x=arr(tr.get("x")), y=arr(tr.get("y"))) for tr in fig["data"]]}


@pytest.mark.parametrize("lang, pred_name, note", [
    ("zh", "西山街道（东湖街道的前身）", "东湖街道：2026-09 前为 西山街道 合并前数据"),
    ("en", "Xishan Street (before Donghu Street)", "Donghu Street: before 2026-09: the data of Xishan Street, "
                                                   "before they merged"),
])
def test_a_merged_unit_shows_its_predecessors_line_before_the_merge(app_db, lang, pred_name, note):
    """S02 merged into S01 from 2026-09: S01's trend shows S02's own totals before 2026-09, dotted, as a
    line of its own (not added to S01's), and says so."""
    from browser_helpers import shown

    from kaohe.data import units as store

    store.merge(app_db, "S01,S02", "S01", month="2026-09", actor="考核办")
    at = open_app()
    if lang == "en":
        at.session_state["lang"] = "en"
    at.switch_page("pages/trends.py").run()
    at.multiselect(key="tr_units").set_value(["S01"]).run()
    assert not at.exception, at.exception
    fig = figure(at)
    traces = {tr["name"]: tr for tr in fig["data"]}
    assert pred_name in traces, list(traces)
    pred = traces[pred_name]
    assert pred["line"]["dash"] == "dot"
    hist = service.rank_history(app_db, "S02", "2026-10", n=24).set_index("month")
    assert max(pred["x"]) == "2026-08"
    for m, y in zip(pred["x"], pred["y"], strict=True):
        assert y == pytest.approx(hist.loc[m, "total"], abs=0.005)
    own = traces["东湖街道" if lang == "zh" else "Donghu Street"]
    s01 = service.rank_history(app_db, "S01", "2026-10", n=24).set_index("month")
    assert own["y"][own["x"].index("2026-08")] == pytest.approx(s01.loc["2026-08", "total"], abs=0.005)
    assert note in [shown(c.value) for c in at.caption]


def test_a_split_unit_shows_its_parents_line_in_small_multiples(app_db):
    """S03 split into S41 and S42 from 2026-09: each new unit's panel carries S03's line before."""
    from kaohe.data import units as store
    from kaohe.ingest import units_file

    new = ("code,name_zh,name_en,kind,peer_group,peer_group_zh,peer_group_en,active_from\n"
           "S41,南苑东街道,Nanyuan East,street,urban,城区街道,Urban streets,2026-09\n"
           "S42,南苑西街道,Nanyuan West,street,urban,城区街道,Urban streets,2026-09\n").encode()
    units_file.commit(units_file.prepare(new, "u.csv", app_db), app_db, actor="考核办")
    store.split(app_db, "S03", "S41,S42", month="2026-09", actor="考核办")
    at = open_app("pages/trends.py")
    at.multiselect(key="tr_units").set_value(["S41", "S42"]).run()
    at.segmented_control(key="tr_view").set_value("multiples").run()
    assert not at.exception, at.exception
    fig = figure(at)
    parents = [tr for tr in fig["data"] if tr.get("name", "").startswith("南苑街道（")]
    assert len(parents) == 2 and all(tr["line"]["dash"] == "dot" for tr in parents)
    assert {max(tr["x"]) for tr in parents} == {"2026-08"}
    from browser_helpers import shown

    captions = [shown(c.value) for c in at.caption]
    assert "南苑东街道：2026-09 前为 南苑街道 拆分前数据" in captions, captions
