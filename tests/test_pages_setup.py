"""The set-up pages (设置 / Set-up): units (单位名录) and the indicator catalogue (指标目录), through AppTest in
both languages: the register and the catalogue listed, a file uploaded with the preview of its changes and
a confirm, a bad file refused row by row with nothing changed, the forms that rename, split, merge and
retire, and the core's refusals shown in words."""

from __future__ import annotations

from pathlib import Path

from browser_helpers import open_app, shown
from streamlit.testing.v1 import AppTest
from test_units_admin import GOOD, dump, gbk_with_title, land, sha256

from kaohe.data import units as store
from kaohe.metrics import service

ROOT = Path(__file__).resolve().parents[1]


def app(page: str, lang: str = "zh") -> AppTest:
    return open_app(page, 60, lang)


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
    assert "西山新街道" in set(at.dataframe[0].value["单位名称"])  # the register shown holds the change
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


def uploader(at, key):
    return next(u for u in at.file_uploader if u.proto.id.endswith(key) or key in u.proto.id)


def test_a_units_file_is_previewed_then_committed_on_the_confirm(app_empty_db):
    at = app("pages/units.py")
    digest = sha256(app_empty_db.path)
    uploader(at, "un_upload").set_value(("单位名录.csv", gbk_with_title(GOOD), "text/csv")).run()
    assert not at.exception
    assert any("新增 4 个" in t.value for t in at.text)
    preview = at.dataframe[-1].value
    assert list(preview.columns) == ["代码", "变更", "字段", "原值", "新值"] and "甲街道" in set(preview["新值"])
    assert sha256(app_empty_db.path) == digest  # the preview writes nothing
    at.button(key="un_confirm_btn").click().run()
    assert not at.exception
    assert any("已写入 4 项变更" in shown(s.value) for s in at.success)
    assert set(app_empty_db.units()["code"]) == {"A01", "A02", "A03", "D01"}


def test_a_bad_units_file_on_the_page_is_listed_row_by_row_and_changes_nothing(app_db):
    digest, tables = sha256(app_db.path), dump(app_db.path)
    at = app("pages/units.py", "en")
    bad = b"code,name,kind,peer group,population\nS01,,village,urban,many\n"
    uploader(at, "un_upload").set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.exception
    assert any("bad.csv was not imported" in shown(e.value) for e in at.error)
    problems = at.dataframe[-1].value
    assert list(problems.columns) == ["Row", "Column", "Problem"]
    assert problems.iloc[:, 1].tolist() == ["name", "kind", "population"]
    assert not [b for b in at.button if b.key == "un_confirm_btn"]
    assert sha256(app_db.path) == digest and dump(app_db.path) == tables


def test_a_catalogue_file_is_previewed_and_committed_in_english(app_db):
    at = app("pages/catalogue.py", "en")
    own = ("code,name_zh,name_en,dimension_zh,applies_to,direction,kind,ratio,source_system,owner_office\n"
           "GRID_VISIT,网格员走访率,Grid visits,网格治理,street,higher,rate,yes,Grid platform,Office 2\n").encode()
    uploader(at, "cat_upload").set_value(("own.csv", own, "text/csv")).run()
    assert not at.exception
    assert any("1 added" in t.value for t in at.text)
    at.button(key="cat_confirm_btn").click().run()
    assert not at.exception
    assert app_db.indicators().set_index("code").loc["GRID_VISIT", "owner_office"] == "Office 2"
