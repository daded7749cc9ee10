"""Helpers for the browser tests (import as `from browser_helpers import ...`)."""

from __future__ import annotations


def wait_for_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script (no running indicator, app rendered)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
                 && document.querySelector('[data-testid="stMain"]')""", timeout=timeout)


def goto_page(page, base_url: str, url_path: str = "") -> None:
    """Open a dashboard page by its url path and wait for it to settle."""
    page.goto(f"{base_url}/{url_path}")
    wait_for_app(page)


# -- AppTest helpers for the page tests (tests/test_pages_*.py) -------------------------------------------
def open_app(page: str | None = None, timeout: float = 60):
    """The dashboard under AppTest, run once, optionally switched to `page`; fails on an exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def shown_metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_specs(at) -> list[str]:
    """The plotly figures on the page, as their JSON text (non-ASCII unescaped, so Chinese is searchable)."""
    import json

    return [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]


def texts(at) -> str:
    """Every markdown, caption, info, warning and error text on the page, joined."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(parts)


# -- browser helpers for the dashboard walk (tests/test_browser_dashboard.py) --------------------------------
def settle(page, timeout: float = 30_000) -> None:
    """After a click: give Streamlit a moment to start the rerun, then wait for it to finish."""
    page.wait_for_timeout(350)
    wait_for_app(page, timeout)


def heading(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def nav_to(page, title: str) -> None:
    """Click a page in the sidebar navigation (keeps the session, unlike a URL)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_function("t => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === t",
                           arg=title, timeout=30_000)
    settle(page)


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    box = page.get_by_role("combobox", name=label).first
    box.click()
    box.fill(option)  # the list is filtered as one types; long lists are virtualised
    page.get_by_role("option", name=option, exact=True).first.click()
    settle(page)
