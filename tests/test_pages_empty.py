"""Every dashboard page at an empty warehouse: a clear message, never a traceback."""

from __future__ import annotations

import pytest
from browser_helpers import open_app

PAGES = ["pages/overview.py", "pages/rankings.py", "pages/trends.py", "pages/profile.py",
         "pages/indicators.py", "pages/scheme.py", "pages/browser.py"]


@pytest.mark.parametrize("page", PAGES)
def test_empty_warehouse_shows_a_message_not_a_traceback(app_empty_db, page):
    at = open_app(page)
    assert not at.exception
    assert any("还没有观测数据" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.get("plotly_chart")
