"""总览 Overview: the month's headline equals the scoring engine's results."""

from __future__ import annotations

from browser_helpers import open_app, shown_metrics, texts

from metrics import service


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
    text = texts(at)
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
    assert shown_metrics(at)["发布状态"] == "已发布 第1版"


def test_sample_data_loaded_without_import_checks_are_checked_on_the_overview(app_db):
    at = open_app()
    text = texts(at)
    # the sample district's planted implausible value: 学府街道 reports exactly 100% satisfaction every month
    assert "未经导入校验" in text
    line = next(x for x in text.split("\n") if "学府街道" in x and "诉求满意率" in x)
    assert "恰好 100%" in line
    at.session_state["lang"] = "en"
    at.run()
    assert "Exactly 100%" in next(x for x in texts(at).split("\n") if "Xuefu Street" in x)
