"""The set-up pages (设置 / Set-up): units (单位名录) and the indicator catalogue (指标目录), through AppTest in
both languages. Uploads are covered by the core and CLI tests (AppTest cannot upload a file); the forms
here rename, split, merge and retire, and the core's refusals are shown in words."""

from __future__ import annotations

from pathlib import Path

from browser_helpers import shown
from streamlit.testing.v1 import AppTest
from test_units_admin import land

from kaohe.data import units as store
from kaohe.metrics import service

ROOT = Path(__file__).resolve().parents[1]


def app(page: str, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    if lang != "zh":
        at.session_state["lang"] = lang
        at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    return "\n".join(e.value for e in [*at.text, *at.markdown, *at.caption])


def test_units_page_lists_the_register_in_both_languages(app_db):
    at = app("pages/units.py")
    assert at.title[0].value == "单位名录"
    table = at.dataframe[0].value
    assert list(table.columns[:4]) == ["代码", "单位名称", "英文名称", "类型"] or "单位名称" in table.columns
    assert "东湖街道" in set(table["单位名称"])
    at = app("pages/units.py", "en")
    assert at.title[0].value == "Units"
    table = at.dataframe[0].value
    assert "Unit name" in table.columns and "Donghu Street" in set(table["English name"])


def test_the_set_up_pages_are_in_a_set_up_section_of_the_navigation(app_db):
    from kaohe.ui import routing

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    rows = [r for r in routing.pages() if r[0] in ("pages/units.py", "pages/catalogue.py")]
    assert [r[3] for r in rows] == ["nav.section.setup", "nav.section.setup"]
    at.run()  # a second run adds no second entry
    assert len([r for r in routing.pages() if r[0] == "pages/units.py"]) == 1


def test_rename_split_and_merge_through_the_forms(app_db):
    land(app_db, ("单位代码,单位名称,单位类型,同类组,起始月份\n"
                  "S21,东湖北街道,街道,urban,2026-11\nS22,东湖南街道,街道,urban,2026-11\n").encode())
    at = app("pages/units.py")
    at.selectbox(key="un_rename_unit").set_value("S02")
    at.text_input(key="un_rename_name").input("西山新街道")
    at.text_input(key="un_rename_month").input("2026-11")
    at.button(key="un_rename_btn").click().run()
    assert not at.exception
    assert any("S02 自 2026-11 起更名为 西山新街道" in shown(s.value) for s in at.success)
    assert app_db.units().set_index("code").loc["S02", "name_zh"] == "西山新街道"
    at.selectbox(key="un_split_unit").set_value("S01")
    at.multiselect(key="un_split_into").set_value(["S21", "S22"])
    at.text_input(key="un_split_month").input("2026-11")
    at.button(key="un_split_btn").click().run()
    assert not at.exception
    assert [r["code"] for r in store.lineage(app_db, "S01")] == ["S21", "S22"]
    at.selectbox(key="un_lineage_unit").set_value("S01").run()
    assert "2026-11 拆分：成为 S21" in texts(at)


def test_a_refused_reorganisation_is_said_in_words_and_changes_nothing(app_db):
    service.publish(app_db, "2026-09", "alice")
    before = app_db.units()
    at = app("pages/units.py", "en")
    at.multiselect(key="un_merge_sources").set_value(["S01", "S02"])
    at.selectbox(key="un_merge_target").set_value("S01")
    at.text_input(key="un_merge_month").input("2026-09")
    at.button(key="un_merge_btn").click().run()
    assert not at.exception
    assert any("Results for 2026-09 are published" in shown(e.value) for e in at.error)
    assert app_db.units().equals(before)


def test_names_from_files_are_shown_as_text_not_markdown(app_db):
    land(app_db, "单位代码,单位名称,单位类型,同类组\nS31,**粗体**<b>街道</b>,街道,urban\n".encode())
    at = app("pages/units.py")
    assert "**粗体**<b>街道</b>" in set(at.dataframe[0].value["单位名称"])
    store.rename(app_db, "S31", name_zh="[链接](http://x.invalid)", month="2026-11", actor="t")
    at = app("pages/units.py")
    at.selectbox(key="un_lineage_unit").set_value("S31").run()
    plain_texts = [e.value for e in at.text]
    assert any("更名：**粗体**<b>街道</b> → [链接](http://x.invalid)" in v for v in plain_texts)  # st.text: as written
    assert not any("http://x.invalid" in e.value for e in at.markdown)


def test_catalogue_page_lists_retires_and_keeps_history_in_both_languages(app_db):
    at = app("pages/catalogue.py")
    assert at.title[0].value == "指标目录"
    table = at.dataframe[0].value
    assert "诉求响应率" in set(table["指标名称"]) and "越高越好" in set(table["方向"])
    at.selectbox(key="cat_retire_code").set_value("HL_ONTIME")
    at.text_input(key="cat_retire_month").input("2026-11")
    at.button(key="cat_retire_btn").click().run()
    assert not at.exception
    assert any("HL_ONTIME 自 2026-11 起停用" in shown(s.value) for s in at.success)
    at = app("pages/catalogue.py", "en")
    assert at.title[0].value == "Indicator catalogue"
    assert "HL_ONTIME" not in set(at.dataframe[0].value["Indicator code"])
    at.toggle(key="cat_show_retired").set_value(True).run()
    listed = at.dataframe[0].value
    assert listed.set_index("Indicator code").loc["HL_ONTIME", "Retired from"] == "2026-11"
    assert len(app_db.observations(indicators=["HL_ONTIME"])) > 0
    # retiring it again is refused in words
    at.selectbox(key="cat_retire_code").set_value("HL_RESPONSE")
    at.text_input(key="cat_retire_month").input("11/2026")
    at.button(key="cat_retire_btn").click().run()
    assert any("is not a month" in shown(e.value) for e in at.error)


def test_set_up_pages_open_on_an_empty_warehouse(app_empty_db):
    at = app("pages/units.py")
    assert not at.exception and any("还没有单位" in i.value for i in at.info)
    at = app("pages/catalogue.py", "en")
    assert not at.exception and len(at.dataframe[0].value) > 0
