"""The dashboard in Debian's chromium: walk every page, switch language, change the month, open a
unit profile from the rankings, run a what-if."""

from __future__ import annotations

import pytest
from browser_helpers import choose, exceptions, goto_page, heading, nav_to, settle

pytestmark = pytest.mark.browser

PAGES_ZH = ["总览", "排名", "趋势", "单位画像", "指标分析", "考核方案", "数据导入", "导入批次", "数据浏览"]


def test_walk_switch_language_month_profile_and_whatif(streamlit_server, browser_page):
    page = browser_page
    goto_page(page, streamlit_server.url)
    assert heading(page) == "总览"

    # every page in the navigation renders without an exception
    for title in PAGES_ZH[1:] + PAGES_ZH[:1]:
        nav_to(page, title)
        assert heading(page) == title
        assert exceptions(page) == [], title

    # English on the switch, and back
    page.locator('[data-testid="stSidebar"] button', has_text="English").click()
    settle(page)
    assert heading(page) == "Overview"
    assert page.locator('[data-testid="stSidebarNav"] a', has_text="Rankings").count() == 1
    page.locator('[data-testid="stSidebar"] button', has_text="中文").click()
    settle(page)
    assert heading(page) == "总览"

    # the shared month changes what the overview headlines
    choose(page, "考核月份", "2026-06")
    page.get_by_text("2026-06 考核要点").first.wait_for()

    # rankings: one click on a row opens that unit's profile
    nav_to(page, "排名")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    box = grid.bounding_box()
    second_row_y = box["y"] + 35 + 35 + 17  # header, first row, middle of the second row
    page.mouse.click(box["x"] + 18, second_row_y)
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() "
                           "=== '单位画像'", timeout=30_000)
    settle(page)
    assert exceptions(page) == []
    rank = page.locator('[data-testid="stMetric"]', has_text="组内名次").locator('[data-testid="stMetricValue"]')
    assert rank.first.inner_text().strip().startswith("2 /")  # the second row of the ranking

    # the unit's scorecard downloads as a PDF
    with page.expect_download() as dl:
        page.locator('[data-testid="stDownloadButton"] button', has_text="下载成绩单").click()
    with open(dl.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    # back on the rankings, the ticked row is forgotten: no jump to the profile again
    nav_to(page, "排名")
    settle(page)
    assert heading(page) == "排名"

    # scheme: a what-if on the hotline weight re-ranks beside the official ranking
    nav_to(page, "考核方案")
    page.get_by_text("尚未做任何调整").first.wait_for()
    field = page.locator('[data-testid="stNumberInput"]', has_text="接诉即办").locator("input")
    field.fill("70")
    field.press("Enter")
    settle(page)
    page.get_by_text("正式排名与模拟排名对比").first.wait_for()
    assert exceptions(page) == []
    page.get_by_text("名次变化的单位").first.wait_for()
    page.locator('[data-testid="stDataFrame"]').nth(1).wait_for()  # rules table, then the what-if table


def _chosen(page, label: str) -> list[str]:
    group = page.locator('[data-testid="stSidebar"] [role="radiogroup"]', has=page.locator(f'xpath=self::*[@aria-label="{label}"]'))
    return [b.inner_text().strip() for b in group.locator('button[aria-checked="true"]').all()]


def test_language_switch_keeps_the_unit_kind(streamlit_server, browser_page):
    page = browser_page
    goto_page(page, streamlit_server.url)
    page.locator('[data-testid="stSidebar"] button', has_text="部门").click()
    settle(page)
    page.get_by_text("考核要点 · 部门").first.wait_for()

    page.locator('[data-testid="stSidebar"] button', has_text="English").click()
    settle(page)
    assert _chosen(page, "Unit kind") == ["Departments"]
    assert _chosen(page, "语言 / Language") == ["English"]
    page.get_by_text("at a glance · Departments").first.wait_for()

    # the next run (any widget) still scores departments, and so does the way back to Chinese
    choose(page, "Month", "2026-09")
    page.get_by_text("2026-09 at a glance · Departments").first.wait_for()
    assert _chosen(page, "Unit kind") == ["Departments"]
    page.locator('[data-testid="stSidebar"] button', has_text="中文").click()
    settle(page)
    assert _chosen(page, "单位类型") == ["部门"]
    nav_to(page, "排名")
    assert _chosen(page, "单位类型") == ["部门"]
    assert exceptions(page) == []


def test_the_data_browser_downloads_its_selection_as_csv(streamlit_server, browser_page):
    page = browser_page
    goto_page(page, streamlit_server.url, "browser")
    # two years of months: more rows than the table shows
    choose(page, "起始月份", "2024-11")
    page.get_by_text("仅显示前 5,000 行").first.wait_for()
    with page.expect_download() as dl:
        page.locator('[data-testid="stDownloadButton"] button', has_text="下载所选数据").click()
    with open(dl.value.path(), "rb") as fh:
        head = fh.read().decode("utf-8")
    assert head.startswith("\ufeff") and "单位代码" in head.splitlines()[0]  # BOM, so Excel reads the Chinese
    assert len(head.splitlines()) > 5000  # the whole selection, not only the rows shown


def test_a_cold_servers_first_deep_link_has_the_whole_shell(sample_db, tmp_path, start_streamlit, browser_page):
    import shutil

    db = tmp_path / "cold.duckdb"
    shutil.copy(sample_db, db)
    server = start_streamlit(db)
    page = browser_page
    goto_page(page, server.url, "rankings")  # the fresh server's first request
    assert heading(page) == "排名"
    # language, month and kind controls are there, each showing its choice on this very first run
    assert _chosen(page, "语言 / Language") == ["中文"]
    assert _chosen(page, "单位类型") == ["街道/乡镇"]
    assert page.get_by_role("combobox", name="考核月份").count() == 1
    # the navigation lists translated titles, not file names
    nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert any("排名" in n for n in nav) and not any("rankings" in n or "overview" in n for n in nav)
    assert exceptions(page) == []


_OVERFLOW = """els => els.map(e => {
    const s = e.querySelector('.dvn-scroller');
    return s ? [s.scrollWidth, s.clientWidth, s.scrollHeight, s.clientHeight] : null;
})"""


def _grids(page):
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.wait_for_timeout(500)
    return page.locator('[data-testid="stDataFrame"]').evaluate_all(_OVERFLOW)


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_the_rankings_and_profile_tables_fit_the_screen(streamlit_server, browser_page, width, height):
    """Every column of the ranking tables in view at 1280 and 1440 px, in Chinese and English, for streets
    and departments; the profile's explanation shown whole (no scroll box hiding the last dimensions)."""
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    goto_page(page, streamlit_server.url, "rankings")
    for lang_button, kind_button in (("中文", "街道/乡镇"), ("中文", "部门"), ("English", "Departments"),
                                     ("English", "Streets/towns")):
        page.locator('[data-testid="stSidebar"] button', has_text=lang_button).first.click()
        settle(page)
        page.locator('[data-testid="stSidebar"] button', has_text=kind_button).first.click()
        settle(page)
        for sw, cw, _sh, _ch in [g for g in _grids(page) if g]:
            assert sw <= cw + 2, (lang_button, kind_button, sw, cw)
        # the export buttons show their whole labels
        for b in page.locator('[data-testid="stMain"] button', has_text="scorecard").all() + \
                page.locator('[data-testid="stMain"] button', has_text="成绩单").all():
            assert b.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), b.inner_text()
    nav_to(page, "Unit profile")
    grids = [g for g in _grids(page) if g]
    sw, cw, sh, ch = grids[0]  # the explanation
    assert sh <= ch + 2, "the explanation scrolls"
    assert sw <= cw + 2
    page.locator('[data-testid="stSidebar"] button', has_text="中文").first.click()
    settle(page)
