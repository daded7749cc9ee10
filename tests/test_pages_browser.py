"""数据浏览 Data browser: filters change the rows shown; the download holds the selection."""

from __future__ import annotations

from browser_helpers import open_app


def test_month_range_and_indicator_filter(app_db):
    at = open_app("pages/browser.py")
    at.multiselect(key="br_indicators").set_value(["POP"]).run()
    at.selectbox(key="br_from").set_value("2026-07").run()
    at.selectbox(key="br_to").set_value("2026-10").run()
    assert not at.exception
    t = at.dataframe[0].value
    expected = app_db.observations(indicators=["POP"], month_from="2026-07", month_to="2026-10")
    assert len(t) == len(expected) == 12 * 4
    assert set(t["指标代码"]) == {"POP"}
    assert at.get_by_key("br_dl") is not None


def drawn(table):
    """The cells as the grid draws them: a missing number as the table's placeholder."""
    value = table.value.astype(object)
    return value.where(value.notna(), table.proto.placeholder)


def test_numbers_stay_numbers_in_the_grid(app_db):
    at = open_app("pages/browser.py")
    t = at.dataframe[0].value
    assert str(t["数值"].dtype).startswith("float") and at.dataframe[0].proto.placeholder == "—"


def test_filters_survive_a_page_switch_and_empty_parts_are_blank(app_db):
    at = open_app("pages/browser.py")
    at.multiselect(key="br_indicators").set_value(["HL_SATISFY", "POP"]).run()
    at.selectbox(key="br_from").set_value("2026-09").run()
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/browser.py").run()
    assert not at.exception
    assert at.multiselect(key="br_indicators").value == ["HL_SATISFY", "POP"]
    assert at.selectbox(key="br_from").value == "2026-09"
    t = drawn(at.dataframe[0])
    pop = t[t["指标代码"] == "POP"]
    assert set(pop["分子"]) == {"—"} and set(pop["分母"]) == {"—"}  # a count has neither: a dash, not None
    rate = t[t["指标代码"] == "HL_SATISFY"]
    assert (rate["分母"] != "—").all()
    cells = t.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "<NA>"} & set(cells)


def test_the_browser_follows_the_sidebar_kind(app_db):
    """部门 in the sidebar: the browser lists and shows departments only (it showed every unit)."""
    at = open_app()
    at.session_state["kind"] = "department"
    at.switch_page("pages/browser.py").run()
    assert not at.exception, at.exception
    assert all(o.startswith("D") for o in at.multiselect(key="br_units").options)
    t = at.dataframe[0].value
    assert len(t) and set(t["单位代码"].str[0]) == {"D"}
    # a street chosen before the switch is dropped, and streets come back with the kind
    at.session_state["kind"] = "street"
    at.run()
    at.multiselect(key="br_units").set_value(["S01"]).run()
    at.session_state["kind"] = "department"
    at.run()
    assert not at.exception, at.exception
    assert at.multiselect(key="br_units").value == []
    assert set(at.dataframe[0].value["单位代码"].str[0]) == {"D"}


def test_not_applicable_values_are_words_not_none(app_db):
    at = open_app()
    at.session_state["kind"] = "department"
    at.switch_page("pages/browser.py").run()
    t = drawn(at.dataframe[0])
    na = t[t["状态"] == "不适用"]
    assert len(na) and set(na["数值"]) == {"—"}
