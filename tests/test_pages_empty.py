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


SCORED = ["pages/overview.py", "pages/rankings.py", "pages/trends.py", "pages/profile.py"]


@pytest.mark.parametrize("page", SCORED)
def test_a_period_the_core_refuses_is_said_in_words(app_db, monkeypatch, page):
    """The core refuses a period with no observations (ScoringError 'scoring.no_data'): the page shows
    its message as an error, not a traceback and not "engine not ready"."""
    import re

    from kaohe.metrics import service

    real = service._inputs

    def no_observations(*args, **kwargs):  # the real refusal of the real build, on a period read empty
        inp = real(*args, **kwargs)
        return {**inp, "observations": inp["observations"].iloc[0:0]}

    monkeypatch.setattr(service, "_inputs", no_observations)
    at = open_app(page)
    assert not at.exception, at.exception
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]
    assert any("2026-10没有观测数据，不能计分排名" in e for e in errors), errors
    assert not any("尚未就绪" in x.value for x in [*at.info, *at.error, *at.caption])
