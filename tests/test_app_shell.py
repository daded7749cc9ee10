"""The dashboard shell: navigation, language switch, shared month, overview and data browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_the_warehouse_numbers(app_db):
    info = app_db.info()
    at = app()
    shown = metrics(at)
    assert shown["考核单位"] == "30"
    assert shown["指标"] == str(info["indicators"])
    assert shown["数据月份"] == "36"
    assert shown["当前观测值"] == f"{info['rows_current']:,}"
    comp = app_db.completeness(month_from="2026-10", month_to="2026-10")
    assert shown["2026-10 填报完整率"] == f"{comp['reported'].sum() / comp['expected'].sum():.1%}"
    assert at.session_state["month"] == "2026-10"


def test_language_switch_turns_the_page_english(app_db):
    at = app()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert "Units assessed" in metrics(at)


def test_changing_the_month_changes_the_completeness_figure(app_db):
    at = app()
    at.selectbox(key="month").set_value("2024-06").run()
    assert "2024-06 填报完整率" in metrics(at)


def test_trend_follows_the_chosen_indicator_and_units(app_db):
    at = app()
    at.selectbox(key="ov_indicator").set_value("HL_SATISFY").run()
    at.multiselect(key="ov_units").set_value(["S06", "S01"]).run()
    assert not at.exception
    names = [trace.get("name") for trace in json.loads(at.get("plotly_chart")[-1].proto.spec)["data"]]
    assert names == ["学府街道", "东湖街道", "城区街道中位数"]


def test_department_kind_switches_the_unit_lists(app_db):
    at = app()
    at.segmented_control(key="kind").set_value("department").run()
    assert not at.exception
    assert set(at.multiselect(key="ov_units").options) >= {"区城市管理综合执法局"}


def test_data_browser_filters_and_offers_a_csv(app_db):
    at = app()
    at.switch_page("pages/browser.py").run()
    assert not at.exception
    at.multiselect(key="br_units").set_value(["S01"]).run()
    at.multiselect(key="br_indicators").set_value(["HL_SATISFY"]).run()
    at.selectbox(key="br_from").set_value("2026-01").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 10
    assert set(table["单位代码"]) == {"S01"} and set(table["月份"]) == {f"2026-{m:02d}" for m in range(1, 11)}
    expected = app_db.observations(units=["S01"], indicators=["HL_SATISFY"], month_from="2026-01")
    assert table["数值"].tolist() == expected["value"].tolist()


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/browser.py"])
def test_an_empty_warehouse_gets_a_clear_message(app_empty_db, page):
    at = app()
    # an empty warehouse opens on the first screen (pages/start.py); the other pages say it is empty
    assert at.title[0].value == "开始"
    at.switch_page(page).run()
    assert not at.exception
    assert any("还没有观测数据" in i.value for i in at.info)


def sidebar_keys(at) -> list[str]:
    return [w.key for w in at.sidebar if getattr(w, "key", None)]


def test_the_sidebar_controls_stay_through_reruns_and_page_switches(app_db):
    at = app()
    assert sidebar_keys(at) == ["lang", "month", "kind"]
    at.run()
    assert sidebar_keys(at) == ["lang", "month", "kind"]
    at.switch_page("pages/rankings.py").run()
    assert not at.exception
    assert at.title[0].value == "排名" and sidebar_keys(at) == ["lang", "month", "kind"]
    # a language switch, then a widget on the page and one in the sidebar
    at.segmented_control(key="lang").set_value("en").run()
    at.selectbox(key="rk_sort").set_value("change").run()
    at.segmented_control(key="kind").set_value("department").run()
    assert not at.exception
    assert at.title[0].value == "Rankings" and sidebar_keys(at) == ["lang", "month", "kind"]
    assert at.session_state["kind"] == "department" and at.session_state["rk_sort"] == "change"
    assert [o for o in at.selectbox(key="rk_sort").options] == ["Rank", "Rank change", "Unit code"]


def test_the_tab_icon_is_a_file_kaohe_serves():
    """No ':material/...:' or emoji page icon: the browser would fetch it from a font or emoji host."""
    from kaohe.ui import routing

    assert routing.ICON.is_file() and routing.ICON.read_bytes().startswith(b"\x89PNG")
    source = Path(APP).read_text(encoding="utf-8")
    assert "page_icon=str(routing.ICON)" in source and ":material/" not in source


def test_streamlit_run_listens_on_this_machine_only_and_caps_uploads_at_the_pages_limit():
    import tomllib

    from kaohe.ingest import pipeline

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"
    assert config["server"]["maxUploadSize"] * 2**20 == pipeline.MAX_UPLOAD_BYTES
    assert config["browser"]["gatherUsageStats"] is False


def test_the_audit_page_is_in_the_navigation(app_db):
    from kaohe.ui import routing

    assert ("pages/audit.py", "page.audit") in [(p, k) for p, k, *_ in routing.pages()]
    at = app()
    at.switch_page("pages/audit.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "审计日志" and sidebar_keys(at) == ["lang", "month", "kind"]
    at.session_state["lang"] = "en"
    at.run()
    assert at.title[0].value == "Audit log"
