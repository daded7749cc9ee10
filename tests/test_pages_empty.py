"""Every dashboard page at an empty warehouse: a clear message, never a traceback."""

from __future__ import annotations

import pytest
from browser_helpers import open_app

PAGES = ["pages/overview.py", "pages/rankings.py", "pages/trends.py", "pages/profile.py",
         "pages/indicators.py", "pages/scheme.py", "pages/browser.py", "pages/meeting.py", "pages/boundaries.py"]


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

    from kaohe.data import scoring_store as store

    real = store.read_inputs

    def no_observations(*args, **kwargs):  # the real refusal of the real build, on a period read empty
        inp = real(*args, **kwargs)
        return {**inp, "observations": inp["observations"].iloc[0:0]}

    monkeypatch.setattr(store, "read_inputs", no_observations)
    at = open_app(page)
    assert not at.exception, at.exception
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]
    assert any("2026-10没有观测数据，不能计分排名" in e for e in errors), errors
    assert not any("尚未就绪" in x.value for x in [*at.info, *at.error, *at.caption])


@pytest.mark.parametrize("page", SCORED)
def test_a_bug_in_the_core_reaches_the_page_as_an_error(app_db, monkeypatch, page):
    """Only the core's refusals (kaohe.data.warehouse.Refusal) are said in words; a real bug in metrics,
    even an ImportError, is the exception it is, never a page that says the engine is "not ready"."""
    from kaohe.data import scoring_store as store

    def broken(*args, **kwargs):
        raise ImportError("cannot import name 'steps_for' from 'kaohe.metrics.build'")

    monkeypatch.setattr(store, "read_inputs", broken)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert at.exception, "a broken core must show as an error"
    assert "steps_for" in at.exception[0].message
    assert not any("就绪" in x.value or "not ready" in x.value.lower() for x in [*at.info, *at.error, *at.caption])


def test_every_page_opens_with_the_one_shared_call():
    """No page repeats the opening guard (title, empty warehouse, month, kind): each calls ui.setup.page()
    once, and none draws its own title or reads the warehouse's months or the sidebar's month and kind."""
    import ast
    from pathlib import Path

    pages = sorted((Path(__file__).resolve().parents[1] / "pages").glob("*.py"))
    pages = [p for p in pages if p.name != "__init__.py"]
    assert len(pages) >= 10
    for path in pages:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                 and n.func.id == "page"]
        assert len(calls) == 1, f"{path.name}: one page() call"
        for bad in ("st.title(", "empty.warehouse", "queries.months()", 'session_state.get("kind"',
                    'session_state.get("month"'):
            assert bad not in source, f"{path.name} repeats the opening guard: {bad}"


def test_a_refusal_is_said_in_the_readers_language():
    """ui.setup.refusal_text: the core gives a message id and parameters, the page words it in the
    session's language (never the server's)."""
    from kaohe.data.warehouse import Refusal
    from kaohe.ui.setup import refusal_text

    exc = Refusal("scoring.no_data", month="2026-10")
    assert refusal_text(exc, "en").startswith("no observations for 2026-10")
    assert refusal_text(exc, "zh").startswith("2026-10没有观测数据")
    assert refusal_text(ValueError("plain"), "en") == "plain"


def test_the_faces_catch_no_import_error_and_nothing_wholesale():
    """ui/, pages/ and app.py never catch ImportError (an engine that fails to import is an error, not a
    feature "not ready") nor everything at once (bare except, Exception, BaseException)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    banned = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
    found = []
    for path in [root / "app.py", *sorted((root / "ui").glob("*.py")), *sorted((root / "pages").glob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        assert "not ready" not in source and "就绪" not in source, path.name
        for node in ast.walk(ast.parse(source)):
            caught = []
            if isinstance(node, ast.ExceptHandler):
                if node.type is None:
                    found.append((path.name, node.lineno, "bare except"))
                caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "suppress":
                caught = node.args
            for c in caught:
                name = c.attr if isinstance(c, ast.Attribute) else getattr(c, "id", None)
                if name in banned:
                    found.append((path.name, node.lineno, name))
    assert found == []
