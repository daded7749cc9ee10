"""总览 Overview: the month's headline equals the scoring engine's results."""

from __future__ import annotations

import re

import pytest
from browser_helpers import notices, open_app, shown, shown_metrics, texts
from streamlit.proto.Metric_pb2 import Metric

from kaohe.metrics import service
from kaohe.metrics.rank import rule_text
from kaohe.metrics.scheme import raw_year

RULE = rule_text(raw_year("2026").get("lists", {}), "zh")

HOSTILE = "[请点此复核](http://evil.example/login) ![t](http://evil.example/beacon.png)"


def overview(kind="street", month=None, lang="zh"):
    at = open_app()
    at.session_state["kind"] = kind
    at.session_state["lang"] = lang
    if month:
        at.session_state["month"] = month
    at.run()
    assert not at.exception, at.exception
    return at


def test_headline_numbers_are_the_engines(app_db):
    at = open_app()
    b = service.build(app_db, "2026-10")
    streets = b.totals[b.totals["kind"] == "street"]
    shown = shown_metrics(at)
    assert shown["参与排名单位"] == str(len(streets))
    assert shown["平均总分"] == f"{streets['total'].mean():.2f}"
    assert shown["一票否决"] == str(int(streets["veto"].sum()))
    assert shown["发布状态"] == "未发布"
    # the warehouse figures the overview showed before are still there
    assert shown["考核单位"] == "30"


def test_red_and_black_lists_name_the_engines_units(app_db):
    at = open_app()
    b = service.build(app_db, "2026-10")
    streets = b.totals[b.totals["kind"] == "street"]
    text = shown(texts(at))
    for r in streets.itertuples():
        if r.list in ("red", "black"):
            assert f"{int(r.rank)}. {r.name_zh}" in text
    assert streets["list"].eq("red").any() and streets["list"].eq("black").any()


def test_department_kind_and_month_change_the_headline(app_db):
    at = open_app()
    # the sidebar's shared state, as its widgets set it
    at.session_state["kind"] = "department"
    at.session_state["month"] = "2026-06"
    at.run()
    assert not at.exception
    b = service.build(app_db, "2026-06")
    deps = b.totals[b.totals["kind"] == "department"]
    shown = shown_metrics(at)
    assert shown["参与排名单位"] == str(len(deps)) == "18"
    assert shown["平均总分"] == f"{deps['total'].mean():.2f}"
    assert "2026-06 考核要点 · 部门" in [s.value for s in at.subheader]


def test_an_alerted_unit_opens_its_profile(app_db):
    at = open_app()
    b = service.build(app_db, "2026-10")
    alerted = b.totals[(b.totals["kind"] == "street") & b.totals["alerts"].map(len).gt(0)]
    assert not alerted.empty
    code = alerted["unit_code"].iloc[-1]
    at.selectbox(key="ov_alert_unit").set_value(code).run()
    at.button(key="ov_open_btn").click().run()
    assert not at.exception
    assert at.title[0].value == "单位画像"
    assert at.selectbox(key="pf_unit").value == code


def test_a_published_month_says_so(app_db):
    service.publish(app_db, "2026-10", "tester")
    at = open_app()
    assert shown_metrics(at)["发布状态"] == "第 1 版"
    assert not notices(at), notices(at)  # the figures shown are the published ones


def test_figures_that_differ_from_the_published_ones_carry_the_cores_notice(app_db):
    service.publish(app_db, "2026-10", "tester")
    service.add_adjustment(app_db, "S03", "2026-10", "bonus", 3, "市级表彰", None, "tester",
                           correction_reason="漏报的表彰")
    state = service.published_state(app_db, "2026-10")
    assert state.differs and state.notice("zh")
    for lang in ("zh", "en"):
        # the published figures by default, with the notice that the current ones differ
        at = overview(lang=lang)
        tile = "发布状态" if lang == "zh" else "Publication"
        assert shown_metrics(at)[tile] == state.showing_published().short(lang)
        assert notices(at) == [state.showing_published().notice(lang)]
        # the current figures on request, with the core's notice that they differ from the published ones
        at.segmented_control(key="pub_shown").set_value("current").run()
        assert shown_metrics(at)[tile] == state.short(lang)
        assert notices(at) == [state.notice(lang)]


def test_sample_data_loaded_without_import_checks_are_checked_on_the_overview(app_db):
    at = open_app()
    text = shown(texts(at))
    # the sample district's planted implausible value: 学府街道 reports exactly 100% satisfaction every month
    assert "未经导入校验" in text
    line = next(x for x in text.split("\n") if "学府街道" in x and "诉求满意率" in x)
    assert "恰好 100%" in line
    at.session_state["lang"] = "en"
    at.run()
    assert "Exactly 100%" in next(x for x in shown(texts(at)).split("\n") if "Xuefu Street" in x)


@pytest.mark.parametrize(("kind", "month"), [("street", "2026-09"), ("department", "2026-10")])
def test_the_mean_change_arrow_follows_its_sign(app_db, kind, month):
    """Streets in 2026-09: the mean fell on last month, so a red down arrow (it was a green up one, the
    minus hidden behind 较上月); departments in 2026-10 rose: green up."""
    at = overview(kind, month)
    m = next(m for m in at.metric if m.label == "平均总分")
    assert m.proto.delta and m.proto.delta_description == "较上月"
    value = float(m.proto.delta)
    if value < 0:
        assert (m.proto.direction, m.proto.color) == (Metric.MetricDirection.DOWN, Metric.MetricColor.RED)
    elif value > 0:
        assert (m.proto.direction, m.proto.color) == (Metric.MetricDirection.UP, Metric.MetricColor.GREEN)
    assert (value < 0) == (kind == "street")


def test_every_overview_metric_arrow_matches_its_delta(app_db):
    for kind in ("street", "department"):
        for month in ("2026-10", "2026-06"):
            for m in overview(kind, month).metric:
                if not m.proto.delta:
                    continue
                if m.proto.delta == "0":
                    assert m.proto.direction == Metric.MetricDirection.NONE
                    continue
                down = m.proto.delta.startswith("-")
                assert m.proto.direction == (Metric.MetricDirection.DOWN if down else Metric.MetricDirection.UP)
                assert m.proto.color == (Metric.MetricColor.RED if down else Metric.MetricColor.GREEN)


def test_no_unit_is_on_both_lists_and_the_rule_is_stated(app_db):
    at = overview("department")
    reds = [m.value for m in at.markdown if "红榜" in m.value]
    blacks = [m.value for m in at.markdown if "黑榜" in m.value and "红榜" not in m.value]
    names = lambda v: set(re.findall(r"\d+\\?\. ([^、]+)", shown(v)))  # noqa: E731
    for red, black in zip(reds, blacks, strict=True):
        assert not names(red) & names(black)
    assert any(RULE in c.value for c in at.caption)  # the core's one wording (metrics.rank.rule_text)


def test_a_hostile_unit_name_is_shown_as_text(app_db):
    units = app_db.units()
    row = units[units["code"] == "S01"].copy()
    row["name_zh"] = HOSTILE
    app_db.upsert_units(row, actor="tester")
    at = overview("street")
    md = [m.value for m in at.markdown if "evil.example" in shown(m.value)]
    assert md, "the unit is on the red list"
    assert all("](http" not in v and "![" not in v for v in md)
    assert any(HOSTILE in shown(v) for v in md)


def test_a_month_scored_under_another_years_scheme_says_so(app_db):
    at = overview("street", "2024-06")
    note = service.build(app_db, "2024-06").scheme_note("zh")  # the core's one wording
    assert any(note in shown(c.value) for c in at.caption)
    assert not any("年考核方案，按" in shown(c.value) for c in overview("street", "2026-10").caption)


def test_english_overview_has_no_chinese_punctuation_in_built_text(app_db):
    at = overview("street", lang="en")
    assert "；" not in texts(at) and "：" not in texts(at)
