"""A district set up through the pages, in Debian's chromium (issue 14, "done when"): on a warehouse as
`kaohe init --no-sample` leaves it (migrated, the default catalogue, no units, no scheme) the start page
says what is missing; then the units file of 青山区, its catalogue file, its scheme JSON (activated on
import) and its month of data go in through the units, catalogue, scheme and import pages, and the
rankings show the totals worked out by hand. Each step is photographed at 1440x900 into
/tmp/setup-shots/ (KAOHE_SETUP_SHOTS to put them elsewhere)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import district_files as qs
import pytest
from browser_helpers import exceptions, goto_page, heading, nav_to, settle, wait_for_app

from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Warehouse
from kaohe.metrics import scheme_admin

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path(os.environ.get("KAOHE_SETUP_SHOTS", "/tmp/setup-shots"))


def shoot(page, name: str) -> None:
    wait_for_app(page)
    page.wait_for_timeout(600)  # the tables' canvases draw after the run
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def go(page, title: str) -> None:
    """A page of the sidebar's navigation, showing the whole list first when it is folded ("View N more")."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    if not nav.locator("a", has_text=title).first.is_visible():
        nav.locator('[data-testid="stSidebarNavViewButton"], button').first.click()
        page.wait_for_timeout(300)
    nav_to(page, title)


def tab(page, title: str) -> None:
    page.get_by_role("tab", name=title).first.click()
    settle(page)


def upload(page, path: Path) -> None:
    """Into the uploader of the tab shown (hidden tabs keep theirs in the page too)."""
    page.locator('[role="tabpanel"]:not([hidden]) input[type="file"]').first.set_input_files(str(path))


def test_a_district_is_set_up_through_the_pages(start_streamlit, browser_page, tmp_path, monkeypatch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "qingshan.duckdb"
    ensure_ready(Warehouse(db), with_sample=False)  # what `kaohe init --no-sample` makes
    assert scheme_admin.versions(Warehouse(db)).empty and Warehouse(db).units().empty
    files = {"units": tmp_path / "青山区单位名录.csv", "catalogue": tmp_path / "青山区指标目录.xlsx",
             "scheme": tmp_path / "青山区考核办法2026.json", "data": tmp_path / "青山区2026年10月.csv"}
    files["units"].write_bytes(qs.units_csv())
    files["catalogue"].write_bytes(qs.catalogue_xlsx())
    files["scheme"].write_text(json.dumps(qs.SCHEME, ensure_ascii=False, indent=2), encoding="utf-8")
    files["data"].write_bytes(qs.data_csv())
    monkeypatch.setenv("KAOHE_SAMPLE", "0")  # the server must not seed the empty warehouse with the sample
    server = start_streamlit(db)
    page = browser_page

    # the first screen: nothing is there yet
    goto_page(page, server.url)
    assert heading(page) == "开始"
    page.get_by_text("这个数据仓库还没有单位或考核数据", exact=False).first.wait_for()
    assert exceptions(page) == []
    shoot(page, "01-start")

    # units
    go(page, "单位名录")
    tab(page, "上传文件（CSV 或 XLSX）")
    upload(page, files["units"])
    page.get_by_text("新增 6 个", exact=False).first.wait_for(timeout=60_000)
    wait_for_app(page)
    shoot(page, "02-units-preview")
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text("项变更，已记入审计日志", exact=False).first.wait_for(timeout=60_000)
    assert set(Warehouse(db).units()["code"]) == {"QS01", "QS02", "QS03", "QS04", "QD01", "QD02"}
    assert exceptions(page) == []
    shoot(page, "03-units-done")

    # the catalogue
    go(page, "指标目录")
    tab(page, "上传文件（CSV 或 XLSX）")
    upload(page, files["catalogue"])
    page.get_by_role("button", name="确认写入").wait_for(timeout=60_000)
    wait_for_app(page)
    shoot(page, "04-catalogue-preview")
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text("项变更，已记入审计日志", exact=False).first.wait_for(timeout=60_000)
    assert {"QS_TREE", "QD_SERVICE"} <= set(Warehouse(db).indicators()["code"])
    assert exceptions(page) == []
    shoot(page, "05-catalogue-done")

    # the scheme: no scheme yet, said; the district's JSON, previewed, imported and made active
    go(page, "考核方案")
    page.get_by_text("新年度方案").first.wait_for()
    assert exceptions(page) == []
    shoot(page, "06-scheme-none")
    tab(page, "导入方案文件")
    upload(page, files["scheme"])
    page.get_by_text("方案有效", exact=False).first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.locator('[role="tabpanel"]:not([hidden]) [data-testid="stCheckbox"]', has_text="立即生效").first.click()
    settle(page)
    shoot(page, "07-scheme-preview")
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text("已导入考核方案 2026 年 2026.1 版（生效）", exact=False).first.wait_for(timeout=60_000)
    assert scheme_admin.get(Warehouse(db), "2026")["version"] == "2026.1"
    wait_for_app(page)
    assert exceptions(page) == []
    shoot(page, "08-scheme-active")

    # the month's data
    go(page, "数据导入")
    upload_input = page.locator('input[type="file"]').first
    upload_input.set_input_files(str(files["data"]))
    page.get_by_role("button", name="导入此文件").wait_for(timeout=60_000)
    wait_for_app(page)
    shoot(page, "09-import-checked")
    page.get_by_role("button", name="导入此文件").click()
    page.get_by_text("已导入：批次", exact=False).first.wait_for(timeout=60_000)
    assert exceptions(page) == []
    shoot(page, "10-import-done")

    # the rankings: the totals worked out by hand, under the district's own scheme, named
    go(page, "排名")
    assert exceptions(page) == []
    expected = qs.by_hand()
    shoot(page, "11-rankings")
    for unit in ("QS01", "QS02"):  # the urban peer group, shown first; the grid's cells hold the number
        value = expected[unit]       # as it is (70), drawn as 70.00
        page.get_by_text(re.compile(rf"^({value:.2f}|{value:g})$")).first.wait_for(state="attached", timeout=30_000)
    page.get_by_text("青山区基层治理绩效考核办法（2026年度） · 方案版本 2026.1", exact=False).first.wait_for()
    assert expected["QS01"] == 86.25

    # the scheme page now: the scheme in force for the month, its contents, and its versions
    go(page, "考核方案")
    page.get_by_text("2026-10 适用的考核方案：青山区基层治理绩效考核办法（2026年度）（2026 年，2026.1 版）",
                     exact=False).first.wait_for()
    assert exceptions(page) == []
    shoot(page, "12-scheme-contents")
    tab(page, "方案版本")
    assert exceptions(page) == []
    shoot(page, "13-scheme-versions")
