"""Screenshots of every page to look at: .venv/bin/python scripts/screenshots.py OUTDIR [page ...]

Builds the sample district (clock pinned to 2026-11-20), serves it, and shoots each page in Debian's
chromium at 1440x900 and 1280x720, in Chinese and English, for streets (SHOT_KINDS=street,department for
both kinds)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("KAOHE_TODAY", "2026-11-20")

from browser_helpers import StreamlitServer, goto_page, launch_chromium, settle  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from kaohe.data.setup import ensure_ready  # noqa: E402
from kaohe.data.warehouse import Warehouse  # noqa: E402

PAGES = ["overview", "rankings", "profile", "trends", "indicators", "scheme", "browser", "import", "batches",
         "audit"]
SIZES = [(1440, 900), (1280, 720)]


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    pages = sys.argv[2:] or PAGES
    kinds = os.environ.get("SHOT_KINDS", "street").split(",")
    db = Path(tempfile.mkdtemp()) / "shots.duckdb"
    ensure_ready(Warehouse(db), end="2026-10")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for lang in ("zh", "en"):
            with StreamlitServer(db, lang=lang) as srv:
                for w, h in SIZES:
                    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
                    page = ctx.new_page()
                    page.set_default_timeout(60_000)
                    for kind in kinds:
                        for name in pages:
                            goto_page(page, srv.url, "" if name == "overview" else name)
                            if kind == "department":
                                label = "部门" if lang == "zh" else "Departments"
                                page.locator('[data-testid="stSidebar"] button', has_text=label).first.click()
                                settle(page)
                            page.wait_for_timeout(1500)
                            path = out / f"{name}-{kind}-{lang}-{w}.png"
                            page.screenshot(path=str(path))
                            print(path)
                    ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
