"""Every dashboard page for departments, in English, and for an older month: no exception, English titles."""

from __future__ import annotations

import pytest
from browser_helpers import open_app
from lang_checks import CJK

TITLES = {"pages/overview.py": "Overview", "pages/rankings.py": "Rankings", "pages/trends.py": "Trends",
          "pages/profile.py": "Unit profile", "pages/indicators.py": "Indicators", "pages/scheme.py": "Scheme",
          "pages/browser.py": "Data browser"}


def chinese_left(at) -> list[str]:
    """Every line of text, table header and table cell the page wrote that still holds Chinese."""
    lines = []
    for el in [*at.subheader, *at.markdown, *at.caption, *at.info, *at.warning, *at.error]:
        lines += el.value.split("\n")
    for m in at.metric:
        lines += [m.label, str(m.value), str(m.delta or "")]
    for df in at.dataframe:
        frame = df.value
        lines += [str(c) for c in frame.columns]
        for c in frame.columns:
            lines += [str(v) for v in frame[c].unique()]
    return sorted({x for x in lines if CJK.search(x)})


@pytest.mark.parametrize("page", list(TITLES))
def test_departments_in_english_at_an_earlier_month(app_db, page):
    at = open_app()
    at.session_state["lang"] = "en"
    at.session_state["kind"] = "department"
    at.session_state["month"] = "2025-03"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title[0].value == TITLES[page]
    assert chinese_left(at) == []


@pytest.mark.parametrize("page", list(TITLES))
def test_streets_in_english_hold_no_chinese(app_db, page):
    at = open_app()
    at.session_state["lang"] = "en"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert chinese_left(at) == []
