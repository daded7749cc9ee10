"""The first screen (issue 14, item 5): an empty warehouse opens on pages/start.py, which loads the sample
district or lists the steps of setting up a district of one's own (metrics.readiness), each done or
missing, with a link to its page; a warehouse with data opens on the overview as before."""

from __future__ import annotations

import pytest
from browser_helpers import shown
from streamlit.testing.v1 import AppTest

from kaohe.ingest import units_file
from kaohe.metrics import readiness

UNITS = ("单位代码,单位名称,英文名称,单位类型,同类组,常住人口\n"
         "A01,甲街道,Jia Street,街道,城区,52000\n"
         "A02,乙街道,Yi Street,街道,城区,41000\n"
         "D01,区财政局,Finance Bureau,部门,综合部门,\n").encode()


@pytest.fixture(autouse=True)
def schemes_in_force(monkeypatch):
    """kaohe.data.schemes (the schemes table) is another engineer's: the years in force are given here."""
    years: list[str] = []
    monkeypatch.setattr(readiness, "active_years", lambda wh: list(years))
    return years


def app(lang: str = "zh") -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    if lang != "zh":
        at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> list[str]:
    return [shown(x.value) for x in [*at.markdown, *at.info, *at.success, *at.error, *at.caption]]


def links(at) -> list[str]:
    return [link.proto.page for link in at.get("page_link")]


def register_units(wh) -> None:
    units_file.commit(units_file.prepare(UNITS, "units.csv", wh), wh, actor="考核办")


@pytest.mark.parametrize("lang, title, missing, units_missing", [
    ("zh", "开始", "未完成", "尚未登记任何单位。"),
    ("en", "Get started", "missing", "No units registered yet."),
])
def test_an_empty_warehouse_opens_on_the_first_screen_with_every_step_missing(
        app_empty_db, lang, title, missing, units_missing):
    at = app(lang)
    assert at.title[0].value == title
    said = texts(at)
    assert units_missing in said
    # every step but the catalogue (the default one is loaded at init) is missing; no scheme in force
    steps = [m for m in said if m.startswith((":material/check_circle:", ":material/radio_button_unchecked:"))]
    assert len(steps) == 5
    assert [s.startswith(":material/radio_button_unchecked:") for s in steps] == [True, False, True, True, True]
    assert all(missing in s for s in steps if s.startswith(":material/radio_button_unchecked:"))
    assert len(links(at)) == 5
    assert not at.get("plotly_chart")


def test_each_step_links_to_the_page_that_does_it(app_empty_db):
    at = app()
    pages = [link.proto.page for link in at.get("page_link")]
    for target in ("units", "catalogue", "scheme", "import"):
        assert any(p.endswith(f"{target}.py") or p == target for p in pages), pages


@pytest.mark.parametrize("lang, done", [("zh", "已登记 3 个单位：街道/乡镇 2 个，部门 1 个；同类组 2 个。"),
                                        ("en", "3 units registered: 2 streets, 1 departments; 2 peer groups.")])
def test_after_units_are_imported_their_step_is_done(app_empty_db, lang, done):
    register_units(app_empty_db)
    at = app(lang)
    said = texts(at)
    assert done in said
    steps = [m for m in said if m.startswith((":material/check_circle:", ":material/radio_button_unchecked:"))]
    assert steps[0].startswith(":material/check_circle:")
    # still no data: the dashboard still opens here
    assert at.title[0].value == ("开始" if lang == "zh" else "Get started")


def test_the_scheme_step_is_done_once_a_scheme_is_in_force(app_empty_db, schemes_in_force):
    schemes_in_force.append("2026")
    at = app("en")
    assert "A scheme is in force for 2026." in texts(at)


@pytest.mark.parametrize("lang, done", [("zh", "示例区已载入。"), ("en", "The sample district is loaded.")])
def test_the_sample_button_fills_the_warehouse(app_empty_db, lang, done):
    at = app(lang)
    at.button(key="start_sample_btn").click().run()
    assert not at.exception, at.exception
    assert done in texts(at)
    assert app_empty_db.months()[-1] == "2026-10"
    assert len(app_empty_db.units()) == 30
    # a warehouse with data now opens on the overview
    again = app(lang)
    assert again.title[0].value == ("总览" if lang == "zh" else "Overview")


@pytest.mark.parametrize("lang, refused", [
    ("zh", "这个数据仓库已登记了本区的 3 个单位"),
    ("en", "This warehouse already has 3 units of its own"),
])
def test_the_sample_is_refused_in_words_on_a_district_of_its_own(app_empty_db, lang, refused):
    """units but no data: the sample would put made-up figures on a real district's units."""
    register_units(app_empty_db)
    before = app_empty_db.checksum()
    at = app(lang)
    at.button(key="start_sample_btn").click().run()
    assert not at.exception, at.exception
    assert any(e.startswith(refused) for e in (shown(x.value) for x in at.error)), [x.value for x in at.error]
    assert app_empty_db.checksum() == before
    assert app_empty_db.months() == []


def test_the_sample_is_refused_on_a_warehouse_with_data(sample_wh):
    with pytest.raises(readiness.SampleRefused) as exc:
        readiness.load_sample(sample_wh, actor="tester")
    assert exc.value.text("en").startswith("This warehouse already holds data")


def test_loading_the_sample_into_a_warehouse_with_the_sample_units_but_no_data(empty_wh):
    from kaohe.data import catalogue

    empty_wh.upsert_units(catalogue.read_units(), actor="test")
    assert "observations" in readiness.load_sample(empty_wh, actor="tester")
    assert empty_wh.months()


def test_a_warehouse_with_data_opens_on_the_overview_and_the_first_screen_stays_reachable(app_db):
    at = app()
    assert at.title[0].value == "总览"
    at.switch_page("pages/start.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "开始"
    said = texts(at)
    assert "这个数据仓库已有单位和考核数据，可以直接查看总览。" in said
    assert at.button(key="start_sample_btn").disabled
    steps = [m for m in said if m.startswith((":material/check_circle:", ":material/radio_button_unchecked:"))]
    assert [s.startswith(":material/check_circle:") for s in steps][:2] == [True, True]
    assert steps[3].startswith(":material/check_circle:")


def test_text_from_a_file_is_shown_as_text(app_empty_db, monkeypatch):
    """An indicator code a district's catalogue brought is shown literally, never as markdown."""
    from kaohe.data import catalogue

    own = catalogue.read_indicators().head(3).copy()
    own.loc[own.index[0], "code"] = "**X1**"
    app_empty_db.upsert_indicators(own, actor="test")
    state = readiness.status(app_empty_db, lang="en")
    assert "**X1**" in state.step("catalogue").text
    at = app("en")
    raw = [x.value for x in at.markdown if "X1" in x.value]
    assert raw and all("\\*\\*X1\\*\\*" in v for v in raw), raw
