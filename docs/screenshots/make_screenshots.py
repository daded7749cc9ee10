"""Screenshots of every dashboard page at 1440x900 in Debian's chromium, on the sample district.

Run from the repository root: `python docs/screenshots/make_screenshots.py` (starts its own
`streamlit run` on a free port against a fresh copy of the sample warehouse; writes PNGs beside
this file). Look at every one before committing them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_helpers import StreamlitServer, choose, launch_chromium, nav_to, settle, wait_for_app  # noqa: E402

END = "2026-10"


def sample_db(tmp: Path) -> Path:
    from kaohe.data.setup import ensure_ready
    from kaohe.data.warehouse import Warehouse

    db = tmp / "sample.duckdb"
    ensure_ready(Warehouse(db), end=END)
    return db


def shoot(page, name: str, target=None) -> None:
    if target is not None:
        target.scroll_into_view_if_needed()
        page.mouse.wheel(0, -70)  # Streamlit's header covers the top of the viewport: keep the target's top in view
        page.mouse.move(150, 880)  # off the charts, so plotly's toolbar does not cover a legend
        page.wait_for_timeout(600)
    page.wait_for_timeout(900)  # plotly draws after Streamlit reports the run finished
    page.screenshot(path=str(HERE / f"{name}.png"))
    if name == "01-overview":  # the README shows this one
        shutil.copy(HERE / f"{name}.png", HERE / "overview.png")
    print("wrote", name)


def main() -> int:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="kaohe-shots-"))
    db = sample_db(tmp)
    try:
        with StreamlitServer(db) as server, sync_playwright() as p:
            url = server.url
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.set_default_timeout(60_000)
            page.goto(url)
            wait_for_app(page, 60_000)
            charts = page.locator('[data-testid="stPlotlyChart"]')
            # a cold server's first run scores the month before drawing: wait for its output
            page.get_by_text("参与排名单位").first.wait_for()
            charts.first.wait_for()
            settle(page)

            shoot(page, "01-overview")
            shoot(page, "01b-overview-completeness", charts.first)

            nav_to(page, "排名")
            shoot(page, "02-rankings")
            page.locator("button", has_text="计算名次区间").click()
            page.get_by_text("随机扰动权重").first.wait_for()
            settle(page)
            shoot(page, "02b-rankings-robustness", charts.first)

            nav_to(page, "趋势")
            shoot(page, "03-trends")
            page.locator('[data-testid="stMain"] button', has_text="每个单位一个小图").click()
            settle(page)
            shoot(page, "03b-trends-small-multiples", charts.first)

            nav_to(page, "单位画像")
            choose(page, "单位", "河畔街道 (S08)")
            shoot(page, "04-profile")
            shoot(page, "04b-profile-spine", charts.first)
            shoot(page, "04c-profile-explanation", page.locator('[data-testid="stDataFrame"]').first)

            nav_to(page, "指标分析")
            choose(page, "指标", "诉求满意率 (HL_SATISFY)")
            page.locator('[data-testid="stMain"] button', has_text="近12个月").click()
            settle(page)
            shoot(page, "05-indicators")
            page.get_by_role("tab", name="漏斗图").click()
            settle(page)
            shoot(page, "05b-indicators-funnel", charts.nth(1))
            page.get_by_role("tab", name="指标相关性").click()
            settle(page)
            shoot(page, "05c-indicators-correlations", charts.nth(3))

            nav_to(page, "考核方案")
            shoot(page, "06-scheme")
            field = page.locator('[data-testid="stNumberInput"]', has_text="接诉即办").locator("input")
            field.fill("60")
            field.press("Enter")
            settle(page)
            page.get_by_text("正式排名与模拟排名对比").first.wait_for()
            shoot(page, "06b-scheme-whatif", charts.nth(1))

            for title, name in (("数据导入", "07-import"), ("导入批次", "08-batches"), ("数据浏览", "09-browser")):
                nav_to(page, title)
                shoot(page, name)

            nav_to(page, "总览")
            page.locator('[data-testid="stSidebar"] button', has_text="English").click()
            settle(page)
            shoot(page, "10-overview-english")
            nav_to(page, "Rankings")
            shoot(page, "10b-rankings-english")
            nav_to(page, "Scheme")  # the what-if made above is still there (widget state survives)
            page.get_by_text("Official against what-if ranking").first.wait_for()
            shoot(page, "10c-scheme-whatif-english", charts.nth(1))
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
