"""The meeting view in Debian's chromium at 1280x720 with the sidebar collapsed: a whole peer group's chart,
reasons and lists on the first screen, no horizontal scroll; → steps to the next group; both languages.
Screenshots are left in the test's tmp directory (and in $KAOHE_SHOTS when set) to be looked at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser_helpers import exceptions, goto_page, settle

pytestmark = pytest.mark.browser

W, H = 1280, 720


@pytest.fixture
def small_page(_browser):
    context = _browser.new_context(viewport={"width": W, "height": H}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def collapse_sidebar(page) -> None:
    button = page.locator('button[aria-label="Collapse sidebar"]')
    page.locator('[data-testid="stSidebar"]').hover()
    button.first.click()
    page.wait_for_function("() => { const r = document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getBoundingClientRect(); return r.right <= 1; }")
    page.wait_for_timeout(400)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("""() => [document.documentElement, document.body,
                              document.querySelector('[data-testid="stMain"]'),
                              document.querySelector('[data-testid="stAppViewContainer"]')]
                              .filter(Boolean).every(e => e.scrollWidth <= e.clientWidth + 1)""")


def bottom(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    if os.environ.get("KAOHE_SHOTS"):
        Path(os.environ["KAOHE_SHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(os.environ["KAOHE_SHOTS"]) / name)
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_group_fits_a_projector(streamlit_server, small_page, tmp_path, lang):
    page = small_page
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(streamlit_server.url) else None)
    goto_page(page, streamlit_server.url, "meeting")
    if lang == "en":
        page.locator('[data-testid="stSidebar"] button', has_text="English").click()
        settle(page)
    collapse_sidebar(page)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    page.wait_for_timeout(800)
    shot(page, tmp_path, f"meeting-{lang}.png")
    assert exceptions(page) == []
    assert no_horizontal_scroll(page)
    # the chart, the reasons and the lists and alerts all end above the fold
    assert bottom(page, '[data-testid="stPlotlyChart"]') <= H
    htmls = page.locator('[data-testid="stMain"] [data-testid="stHtml"]')
    assert htmls.count() >= 3
    for i in range(htmls.count()):  # reasons, lists, alerts and the group's commentary under the chart
        box = htmls.nth(i).bounding_box()
        assert box["y"] + box["height"] <= H, (i, box)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert ("红榜" if lang == "zh" else "Red list") in text

    # below the fold: the district map, drawn locally (no basemap), one shape per street and town
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(1)
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length >= 13")
    page.wait_for_timeout(500)
    shot(page, tmp_path, f"meeting-{lang}-map.png")
    assert [u for u in outside if not u.startswith(("data:", "blob:"))] == []  # nothing fetched from outside
    page.locator('[data-testid="stMain"] h1').scroll_into_view_if_needed()

    # the right arrow key steps to the next peer group
    before = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first.input_value()
    page.mouse.click(W - 60, 80)  # a blank spot, so no widget holds the key
    page.keyboard.press("ArrowRight")
    settle(page)
    after = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input').first.input_value()
    assert after != before
    assert no_horizontal_scroll(page)
    shot(page, tmp_path, f"meeting-{lang}-next.png")
