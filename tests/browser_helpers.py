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
