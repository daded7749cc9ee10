"""单位画像 Unit profile: numbers from the engine, the explanation adds up, unit and period switch."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from browser_helpers import chart_specs, notices, open_app, shown, shown_metrics, texts
from streamlit.proto.Metric_pb2 import Metric

from kaohe.metrics import analysis, service

HOSTILE = "[请点此复核](http://evil.example/login) ![t](http://evil.example/beacon.png)"


def profile(kind: str = "street", unit: str | None = None, month: str | None = None, lang: str = "zh"):
    at = open_app()
    at.session_state["kind"] = kind
    at.session_state["lang"] = lang
    if month:
        at.session_state["month"] = month
    at.switch_page("pages/profile.py").run()
    assert not at.exception, at.exception
    if unit:
        at.selectbox(key="pf_unit").set_value(unit).run()
        assert not at.exception, at.exception
    return at


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
    explain = b.explain(code)
    expected = ["" if lv in ("veto", "grade", "rank") or pd.isna(p) else f"{p:.4f}"
                for lv, p in zip(explain["level"], explain["points"], strict=True)]
    assert exp["折合分"].tolist() == expected
    specs = chart_specs(at)
    # the spine chart never shows a context indicator
    assert "诉求受理量" not in specs[0] and "诉求响应率" in specs[0]


def test_another_unit_and_a_quarter(app_db):
    at = profile("department", "D03")
    at.segmented_control(key="pf_period").set_value("quarter").run()
    assert not at.exception
    u = service.build(app_db, "2026-10", period="quarter").unit("D03")
    assert shown_metrics(at)["总分"] == f"{u['total']:.2f}"
    assert "执法类部门" in shown(texts(at))
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
    # the core's words for the trigger, as they are: no operator
    assert any(reason in shown(e.value) for e in at.error)
    assert not any(">=" in shown(e.value) for e in at.error)
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


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


@pytest.mark.parametrize(("unit", "sign"), [("D01", -1), ("D11", 1)])
def test_the_rank_arrow_follows_the_sign(app_db, unit, sign):
    """区城市管理综合执法局 fell a place (5 -> 6): a red down arrow; 区政务服务管理局 rose two: green up."""
    change = int(service.build(app_db, "2026-10").unit(unit)["rank_change"])
    assert (change > 0) - (change < 0) == sign
    at = profile("department", unit)
    m = _metric(at, "组内名次")
    assert m.proto.delta == f"{change:+d}"
    assert m.proto.delta_description == "位（较上期）"
    if sign < 0:
        assert (m.proto.direction, m.proto.color) == (Metric.MetricDirection.DOWN, Metric.MetricColor.RED)
    else:
        assert (m.proto.direction, m.proto.color) == (Metric.MetricDirection.UP, Metric.MetricColor.GREEN)


def test_every_metric_arrow_matches_its_delta(app_db):
    for unit in ("D01", "D09", "D11", "D07"):
        at = profile("department", unit)
        for m in at.metric:
            if not m.proto.delta:
                continue
            if m.proto.delta == "0":  # unchanged: grey, no arrow
                assert (m.proto.direction, m.proto.color) == (Metric.MetricDirection.NONE, Metric.MetricColor.GRAY)
                continue
            down = m.proto.delta.startswith("-")
            assert m.proto.direction == (Metric.MetricDirection.DOWN if down else Metric.MetricDirection.UP)
            assert m.proto.color == (Metric.MetricColor.RED if down else Metric.MetricColor.GREEN)


def test_the_explanation_is_whole_and_shows_no_none(app_db):
    """区政务服务管理局 has a not-applicable indicator: 不适用, never None or nan; every row is in view."""
    at = profile("department", "D11")
    exp = at.dataframe[0].value
    cells = exp.astype(str).to_numpy().ravel().tolist()
    assert not any(c in ("None", "nan", "NaN", "<NA>") or "None" in c or "nan" in c.lower().split() for c in cells)
    na = exp[exp["项目"] == "突发事件平均响应时长"].iloc[0]
    assert na["数值"] == "不适用" and na["指标得分"] == "不适用"
    assert exp["项目"].str.startswith("∑ 总分").any() and exp["项目"].iloc[-1] == "同组排名"
    # its height (every row in view) is checked in the browser: tests/test_browser_dashboard.py


def test_strengths_and_losses_never_share_an_indicator(app_db):
    b = service.build(app_db, "2026-10")
    for unit in b.totals["unit_code"]:
        strong, weak = analysis.strengths_weaknesses(b.indicators[b.indicators["unit_code"] == unit])
        assert not set(strong["indicator_code"]) & set(weak["indicator_code"]), unit
        assert (weak["points"].fillna(0) < weak["weight"] * 100).all()
    for kind, unit in (("department", "D11"), ("street", "S01"), ("street", "S02")):
        at = profile(kind, unit)
        lists = [m.value for m in at.markdown if m.value.startswith("- **")]
        names = [set(re.findall(r"\*\*(.+?)\*\*", v)) for v in lists[:2]]
        assert len(names) == 2 and not names[0] & names[1], (unit, names)


def test_the_profile_follows_the_sidebar_kind(app_db):
    at = profile("street")
    assert at.selectbox(key="pf_unit").value.startswith("S")
    at = profile("department")
    box = at.selectbox(key="pf_unit")
    assert box.value.startswith("D") and all(o.startswith("区") for o in box.options)
    assert "部门" in at.caption[0].value


def test_a_hostile_veto_reason_is_shown_as_text(app_db):
    service.add_adjustment(app_db, "S03", "2026-10", "veto", 0, HOSTILE, HOSTILE, "tester")
    at = profile("street", "S03")
    errors = [e.value for e in at.error]
    assert errors and all("](http" not in e and "![" not in e for e in errors)
    assert any(HOSTILE in shown(e) for e in errors)
    adj = at.dataframe[-1].value  # the reason itself in a table cell: text
    assert HOSTILE in adj["理由"].tolist()


def test_adjustments_are_in_words(app_db):
    """新城街道's survey bonus: 加分 by 考核方案, the evidence with the indicator's name, not CP_SURVEY."""
    at = profile("street", "S07")
    adj = at.dataframe[-1].value
    row = adj.iloc[0]
    assert row["类型"] == "加分" and row["录入人"] == "考核方案（自动计分）"
    core = service.build(app_db, "2026-10").adjustments
    core = core[core["unit_code"] == "S07"].iloc[0]
    # the core's words (build.adjustments evidence_zh/en), shown as they are
    assert row["依据"] == core["evidence_zh"] and "CP_SURVEY" not in row["依据"] and ">=" not in row["依据"]
    en = profile("street", "S07", lang="en").dataframe[-1].value.iloc[0]
    assert en["Kind"] == "bonus" and en["Entered by"] == "the scheme (automatic)"
    assert en["Evidence"] == core["evidence_en"]


def test_a_month_scored_under_another_years_scheme_says_so(app_db):
    at = profile("street", month="2024-06")
    assert service.build(app_db, "2024-06").scheme_note("zh") in shown(texts(at))
    at = profile("street", month="2026-10")
    assert "年考核方案，按" not in shown(texts(at))


def test_a_partial_quarter_is_named(app_db):
    at = profile("street")
    at.segmented_control(key="pf_period").set_value("quarter").run()
    assert "2026-Q4（截至10月）" in shown(texts(at))


def test_the_explanation_names_the_evidence_and_the_actor(app_db):
    at = profile("street", "S07")
    exp = at.dataframe[0].value
    notes = " ".join(exp["说明"])
    assert "CP_SURVEY" not in notes and ">=" not in notes and "scheme" not in notes
    # the core's explanation note (evidence in words, the actor named), shown as it is
    core = service.build(app_db, "2026-10").explain("S07", "zh")
    assert core.loc[core["level"] == "bonus", "note"].iloc[0] in notes and "依据：群众满意度" in notes
    service.add_adjustment(app_db, "S07", "2026-10", "deduction", 1, "迟报", "通报2026-3", "dashboard")
    exp = profile("street", "S07").dataframe[0].value
    assert "录入：看板用户" in " ".join(exp["说明"])


def test_the_profile_says_whether_its_figures_are_the_published_ones(app_db):
    service.publish(app_db, "2026-10", "tester")
    at = profile(unit="S03")
    assert "已发布·第 1 版" in shown(" ".join(c.value for c in at.caption))
    assert not notices(at), notices(at)
    service.add_adjustment(app_db, "S03", "2026-10", "bonus", 3, "市级表彰", None, "tester",
                           correction_reason="漏报的表彰")
    state = service.published_state(app_db, "2026-10")
    for lang in ("zh", "en"):
        at = profile(unit="S03", lang=lang)  # the published figures by default
        assert notices(at) == [state.showing_published().notice(lang)]
        assert state.showing_published().label(lang) in shown(" ".join(c.value for c in at.caption))
        at.segmented_control(key="pub_shown").set_value("current").run()
        assert notices(at) == [state.notice(lang)]
        assert state.label(lang) in shown(" ".join(c.value for c in at.caption))


# -- history through a reorganisation (issue 14, item 1) ---------------------------------------------------
def _traces(at, key: str) -> dict[str, dict]:
    import base64
    import json

    import numpy as np

    def arr(v):
        if isinstance(v, dict) and "bdata" in v:
            return [float(x) for x in np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))]
        return list(v or [])

    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    return {tr.get("name"): dict(tr, x=arr(tr.get("x")), y=arr(tr.get("y")))
            for tr in json.loads(chart.proto.spec)["data"]}


@pytest.mark.parametrize("lang, pred, note", [
    ("zh", "南苑街道（南苑东街道的前身）", "2026-09 前为 南苑街道 拆分前数据"),
    ("en", "Nanyuan Street (before Nanyuan East)", "before 2026-09: the data of Nanyuan Street, before it was split"),
])
def test_a_split_units_rank_history_shows_its_parent_before_the_split(app_db, lang, pred, note):
    """S03 split into S41 and S42 from 2026-09: S41's rank history shows S03's ranks before, dotted."""
    from kaohe.data import units as store
    from kaohe.ingest import units_file

    new = ("code,name_zh,name_en,kind,peer_group,peer_group_zh,peer_group_en,active_from\n"
           "S41,南苑东街道,Nanyuan East,street,urban,城区街道,Urban streets,2026-09\n"
           "S42,南苑西街道,Nanyuan West,street,urban,城区街道,Urban streets,2026-09\n").encode()
    units_file.commit(units_file.prepare(new, "u.csv", app_db), app_db, actor="考核办")
    store.split(app_db, "S03", "S41,S42", month="2026-09", actor="考核办")
    at = profile(unit="S41", lang=lang)
    traces = _traces(at, "pf_history_chart")
    assert pred in traces, list(traces)
    parent = traces[pred]
    assert parent["line"]["dash"] == "dot" and max(parent["x"]) == "2026-08"
    ranks = service.rank_history(app_db, "S03", "2026-10", n=12).set_index("month")
    assert parent["y"] == [float(ranks.loc[m, "rank"]) for m in parent["x"]]
    assert note in [shown(c.value) for c in at.caption]


def test_a_unit_with_no_reorganisation_has_one_line_and_no_note(app_db):
    at = profile(unit="S01")
    assert len(_traces(at, "pf_history_chart")) == 1
    assert not any("合并前数据" in c.value or "拆分前数据" in c.value for c in at.caption)
