"""Hostile text in every place user text comes from, every page opened in Debian's chromium: the text
stays text (no link, no image, no element made from it, no emphasis) and no request leaves the server.

The places: a unit's name (the warehouse's upsert), an adjustment's and a veto's reason and evidence and
the actor who entered them (metrics.service.add_adjustment), a batch's source file name, and an uploaded
file whose unknown units and file name are the hostile text. Each page is opened for both unit kinds.
Failures are collected over the whole walk and listed together (page, kind, element, text)."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import import_corpus as corpus
import pytest
from browser_helpers import goto_page, settle, wait_for_app

from kaohe.data.warehouse import Warehouse
from kaohe.ingest import pipeline
from kaohe.metrics import service
from kaohe.ui import routing

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINK = "[请点此复核](http://evil.example/login) ![t](http://evil.example/beacon.png)"
IMG = "<img src=http://127.0.0.1:9/x onerror=alert(1)>"
BOLD = "**bold**"
HOSTILE = f"{LINK} {IMG} {BOLD}"
# a name a file can have on disk (no slash): a link, emphasis and an element
FILE_NAME = "[请点此复核](javascript:alert(1)) **bold** <img src=x onerror=alert(1)>.csv"
KIND_BUTTON = {"street": "街道/乡镇", "department": "部门"}

# what the page's main block must not hold, as JavaScript over it: external links, foreign images,
# elements made from the hostile HTML, emphasis made from the hostile markdown
FIND_MARKUP = """(main) => {
  const out = [];
  const local = (u) => { try { const x = new URL(u, location.href);
      return x.protocol === 'data:' || x.protocol === 'blob:' || x.origin === location.origin; }
    catch (e) { return false; } };
  // the element, and the sentence it sits in (to find the line of code that made it)
  const text = (e) => (e.outerHTML || '').slice(0, 120) + '  in: «' +
    ((e.closest('li, p, h1, h2, h3, td, [data-testid="stMarkdownContainer"]') || e).textContent || '').slice(0, 240) + '»';
  for (const a of main.querySelectorAll('a')) {
    const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
    if (href && !href.startsWith('#') && !local(href)) out.push(['a', href, text(a)]);
    if (href.includes('evil.example') || href.startsWith('javascript:')) out.push(['a', href, text(a)]);
  }
  for (const img of main.querySelectorAll('img, image')) {
    const src = img.getAttribute('src') || img.getAttribute('href') || '';
    if (!local(src)) out.push(['img', src, text(img)]);
  }
  for (const e of main.querySelectorAll('[onerror], [src*="127.0.0.1:9"], [src="x"]'))
    out.push(['element from the hostile HTML', e.tagName, text(e)]);
  for (const e of main.querySelectorAll('strong, b, em, i'))
    if (e.textContent.trim() === 'bold') out.push(['emphasis from the hostile markdown', e.tagName, text(e)]);
  return out;
}"""


def hostile_warehouse(wh: Warehouse, tmp_path) -> None:
    # the file names the units as the register did before the renaming below
    prep = pipeline.prepare(corpus.hotline_gbk(), HOSTILE + ".csv", wh, current_month="2026-11")
    pipeline.commit(prep, wh, actor=HOSTILE, accept_warnings=True)
    units = wh.units()  # every unit: whichever a page lists (red list, alerts, a default pick) is hostile
    units["name_zh"] = HOSTILE + " " + units["code"]
    units["name_en"] = HOSTILE + " " + units["code"]
    wh.upsert_units(units, actor="test")
    service.add_adjustment(wh, "S02", "2026-10", "bonus", 1, HOSTILE, HOSTILE, HOSTILE)
    service.add_adjustment(wh, "S03", "2026-10", "veto", 0, HOSTILE, HOSTILE, "考核办")
    service.add_adjustment(wh, "D02", "2026-10", "deduction", 1, HOSTILE, None, HOSTILE)


def hostile_upload(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_bytes((corpus.LONG_HEADER + f'"{HOSTILE}",HL_SATISFY,2026-10,95,,\n'
                      f'"{BOLD}",HL_SATISFY,2026-10,95,,\nS02,HL_SATISFY,2026-10,95,,\n').encode())
    return path


def external(url: str, server_url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return False
    return f"{parsed.scheme}://{parsed.netloc}" != server_url


def url_paths() -> list[str]:
    """Every page's url path ("" for the default page, which Streamlit serves at the root)."""
    return ["" if default else path.removeprefix("pages/").removesuffix(".py")
            for path, _title, _icon, _section, default in routing.pages()]


def choose_kind(page, kind: str) -> None:
    if kind == "street":
        return
    page.locator('[data-testid="stSidebar"]').get_by_text(KIND_BUTTON[kind], exact=True).click()
    settle(page)


def test_hostile_text_stays_text_on_every_page(sample_db, tmp_path, start_streamlit, browser_page):
    db = tmp_path / "hostile.duckdb"
    shutil.copy(sample_db, db)
    hostile_warehouse(Warehouse(db), tmp_path)
    upload = hostile_upload(tmp_path)
    server = start_streamlit(db)
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (requests.append("dialog:" + d.message), d.dismiss()))
    failures: list[tuple] = []

    def check(where: str, kind: str) -> None:
        page.wait_for_timeout(600)  # charts draw after the run
        main = page.locator('[data-testid="stMain"]')
        for found in main.evaluate(FIND_MARKUP):
            failures.append((where, kind, *found))
        for exc in page.locator('[data-testid="stException"]').all_inner_texts():
            failures.append((where, kind, "exception", exc[:200]))

    for path in url_paths():
        for kind in ("street", "department"):
            goto_page(page, server.url, path)
            choose_kind(page, kind)
            if path == "import":
                page.locator('input[type="file"]').set_input_files([str(upload)])
                page.get_by_text("单位不在单位名录中", exact=False).first.wait_for(state="attached", timeout=60_000)
                wait_for_app(page)
                # the file's name and its unknown units are on the page, as text
                body = page.inner_text('[data-testid="stMain"]')
                if "**bold**" not in body or "[请点此复核]" not in body:
                    failures.append((path, kind, "text", "the file's own text is not shown literally"))
            if path == "batches":  # the picked batch (the newest) is named by its file, as text
                picked = page.get_by_role("combobox", name="批次").first.input_value()
                if BOLD not in picked or "[请点此复核]" not in picked:
                    failures.append((path, kind, "text", f"the batch's file name is not shown literally: {picked}"))
            check(path or "overview", kind)

    outside = sorted({u for u in requests if u.startswith("dialog:") or external(u, server.url)})
    failures += [("any page", "-", "request", u, "") for u in outside]
    assert not failures, "\n".join(" | ".join(map(str, f)) for f in failures)


def test_no_request_leaves_the_server(sample_db, tmp_path, start_streamlit, browser_page):
    """District networks are offline: the icon, fonts and scripts of every page come from Kaohe itself."""
    db = tmp_path / "offline.duckdb"
    shutil.copy(sample_db, db)
    server = start_streamlit(db)
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for path in url_paths():
        goto_page(page, server.url, path)
        page.wait_for_timeout(500)
    # the English interface too (other icons or words could come in with it)
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(page)
    assert page.locator('link[rel="shortcut icon"]').first.get_attribute("href").startswith(
        ("/", server.url, "./media", "media")), "the tab's icon is served by Kaohe"
    assert requests and not [u for u in requests if external(u, server.url)], \
        sorted({u for u in requests if external(u, server.url)})
