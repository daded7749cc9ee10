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


MACHINE = ("None", "nan", "NaN", "<NA>", "NaT")
CODES = ("bonus", "deduction", ">=", "<=", "CP_SURVEY")


def machine_text(at, lang: str) -> list[str]:
    """Cells and texts that show a missing value as None/nan, or an internal code, instead of words."""
    found = []
    for df in at.dataframe:
        frame = df.value.astype(object)
        frame = frame.where(frame.notna(), df.proto.placeholder or "None")  # a blank cell as the grid draws it
        for c in frame.columns:
            for v in frame[c].map(str).unique():
                if v in MACHINE or v.startswith("None") or " nan" in v:
                    found.append(f"{c}: {v}")
                if lang == "zh" and "代码" not in str(c) and any(code in v for code in CODES):
                    found.append(f"{c}: {v}")
    for el in [*at.markdown, *at.caption, *at.info, *at.warning, *at.error]:
        words = el.value.replace("\\", "")
        if any(f" {m} " in f" {words} " for m in MACHINE) or ">=" in words:
            found.append(el.value)
    return found


@pytest.mark.parametrize("page", list(TITLES))
@pytest.mark.parametrize(("kind", "month"), [("street", "2026-10"), ("department", "2026-09")])
def test_no_machine_text_on_any_page(app_db, page, kind, month):
    at = open_app()
    at.session_state["kind"] = kind
    at.session_state["month"] = month
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert machine_text(at, "zh") == []


@pytest.mark.parametrize("page", list(TITLES))
def test_arrows_follow_the_sign_on_every_page(app_db, page):
    from streamlit.proto.Metric_pb2 import Metric

    for kind, month in (("street", "2026-09"), ("department", "2026-10")):
        at = open_app()
        at.session_state["kind"] = kind
        at.session_state["month"] = month
        at.switch_page(page).run()
        for m in at.metric:
            d = m.proto.delta
            if not d:
                continue
            assert d[0] in "+-0", f"{m.label}: the delta starts with words ({d})"
            if d == "0":
                assert m.proto.direction == Metric.MetricDirection.NONE
            else:
                assert m.proto.direction == (Metric.MetricDirection.DOWN if d.startswith("-")
                                             else Metric.MetricDirection.UP), m.label
