"""单位画像 Unit profile: numbers from the engine, the explanation adds up, unit and period switch."""

from __future__ import annotations

import pytest
from browser_helpers import chart_specs, open_app, shown_metrics

from metrics import service


def test_profile_numbers_and_explanation_match_the_engine(app_db):
    at = open_app("pages/profile.py")
    code = at.selectbox(key="pf_unit").value
    b = service.build(app_db, "2026-10")
    u = b.unit(code)
    shown = shown_metrics(at)
    assert shown["总分"] == f"{u['total']:.2f}"
    assert shown["组内名次"] == f"{int(u['rank'])} / {int(u['n_in_group'])}"
    assert shown["等次"] == u["grade_zh"]
    exp = at.dataframe[0].value
    indicator_points = exp.loc[exp["指标得分"].notna() & exp["权重"].notna(), "折合分"]
    explain = b.explain(code)
    assert exp["折合分"].round(4).fillna(-1).tolist() == explain["points"].round(4).fillna(-1).tolist()
    assert indicator_points.notna().any()
    specs = chart_specs(at)
    # the spine chart never shows a context indicator
    assert "诉求受理量" not in specs[0] and "诉求响应率" in specs[0]


def test_another_unit_and_a_quarter(app_db):
    at = open_app("pages/profile.py")
    at.selectbox(key="pf_unit").set_value("D03").run()
    at.segmented_control(key="pf_period").set_value("quarter").run()
    assert not at.exception
    u = service.build(app_db, "2026-10", period="quarter").unit("D03")
    shown = shown_metrics(at)
    assert shown["总分"] == f"{u['total']:.2f}"
    assert shown["同类组"] == "执法类部门"
    hist = service.rank_history(app_db, "D03", "2026-10", n=12)
    spec = chart_specs(at)[-1]
    assert hist["month"].iloc[0] in spec and hist["month"].iloc[-1] in spec


def test_a_deduction_shows_in_the_profile(app_db):
    service.add_adjustment(app_db, "S02", "2026-10", "deduction", 3, "迟报突发事件信息", "通报2026-17", "tester")
    at = open_app("pages/profile.py")
    at.selectbox(key="pf_unit").set_value("S02").run()
    assert not at.exception
    u = service.build(app_db, "2026-10").unit("S02")
    assert u["deduction"] == pytest.approx(3)
    assert shown_metrics(at)["总分"] == f"{u['total']:.2f}"
    adj = at.dataframe[-1].value
    assert "迟报突发事件信息" in adj["理由"].tolist()


def test_a_veto_is_explained_on_the_profile(app_db):
    at = open_app()
    at.session_state["month"] = "2026-09"
    at.switch_page("pages/profile.py").run()
    at.selectbox(key="pf_unit").set_value("S08").run()
    assert not at.exception
    reason = service.build(app_db, "2026-09").unit("S08")["veto_reason"]
    assert any(reason in e.value for e in at.error)
    assert shown_metrics(at)["等次"] == "不合格"


def test_the_first_month_in_the_data_has_a_rank_and_no_change(app_db):
    at = open_app()
    first = app_db.months()[0]
    at.sidebar.selectbox(key="month").set_value(first).run()
    at.switch_page("pages/profile.py").run()
    assert not at.exception, at.exception
    rank = next(m for m in at.metric if m.label == "组内名次")
    assert rank.value.count("/") == 1 and not rank.proto.delta
    at.switch_page("pages/rankings.py").run()
    assert not at.exception, at.exception
    assert set(at.dataframe[0].value["变化"]) == {"新"}
