"""Every dashboard page for departments, in English, and for an older month: no exception, English titles."""

from __future__ import annotations

import pytest
from browser_helpers import open_app

TITLES = {"pages/overview.py": "Overview", "pages/rankings.py": "Rankings", "pages/trends.py": "Trends",
          "pages/profile.py": "Unit profile", "pages/indicators.py": "Indicators", "pages/scheme.py": "Scheme",
          "pages/browser.py": "Data browser"}


@pytest.mark.parametrize("page", list(TITLES))
def test_departments_in_english_at_an_earlier_month(app_db, page):
    at = open_app()
    at.session_state["lang"] = "en"
    at.session_state["kind"] = "department"
    at.session_state["month"] = "2025-03"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value == TITLES[page]
    # no Chinese left in the headings the page wrote itself
    assert not any("\u4e00" <= ch <= "\u9fff" for h in at.subheader for ch in h.value)
