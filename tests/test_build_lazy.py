"""A build is made once, whatever the language, and its explanation frame only when asked for:
`in_lang` gives the same figures with the one-language words of the other language, `indicators_of`
the same rows `indicators` has, and `nbytes` what the build holds (the dashboard's cache is bounded by it)."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from kaohe.data import catalogue, sample
from kaohe.metrics import build as build_mod
from kaohe.metrics import scheme as scheme_mod
from kaohe.metrics import service

MONTHS = ["2024-03", "2025-07", "2026-10"]


@pytest.fixture(scope="module")
def inputs():
    cat = catalogue.read_indicators()
    units = sample.scaled_units()
    obs = sample.generate(units, cat, end="2026-10", n_months=36)
    return units, cat, obs


@pytest.mark.parametrize("month", MONTHS)
@pytest.mark.parametrize("period", ["month", "quarter"])
def test_in_lang_is_the_build_made_in_that_language(inputs, month, period):
    units, cat, obs = inputs
    sch = scheme_mod.load_year(month[:4], cat)
    neutral = build_mod.compute(sch, units, cat, obs, None, month, period)
    for lang in ("zh", "en"):
        made = build_mod.compute(sch, units, cat, obs, None, month, period, lang=lang)
        view = neutral.in_lang(lang)
        assert view.lang == lang and view.period_label == made.period_label
        pd.testing.assert_frame_equal(view.totals, made.totals)
        pd.testing.assert_frame_equal(view.fixed, made.fixed)
        pd.testing.assert_frame_equal(view.adjustments, made.adjustments)
        pd.testing.assert_frame_equal(view.indicators, made.indicators)
        pd.testing.assert_frame_equal(view.explain("S01", lang), made.explain("S01", lang))


def test_views_share_the_lazy_parts(inputs):
    units, cat, obs = inputs
    b = build_mod.compute(scheme_mod.load_year("2026", cat), units, cat, obs, None, "2026-10")
    en = b.in_lang("en")
    assert en.in_lang("zh").totals is not None and b.in_lang("zh") is b
    assert en.indicators is b.indicators  # made once, for both languages
    assert en.dimension_history is b.dimension_history


def test_indicators_of_is_the_rows_of_indicators(inputs):
    units, cat, obs = inputs
    sch = scheme_mod.load_year("2026", cat)
    lazy = build_mod.compute(sch, units, cat, obs, None, "2026-10", "quarter")
    picked = ["S03", "D02", "S01"]
    few = lazy.indicators_of(picked)  # before the whole frame exists
    assert lazy._indicators._made is None
    whole = lazy.indicators
    want = whole.loc[whole["unit_code"].isin(picked)].reset_index(drop=True)
    pd.testing.assert_frame_equal(few, want)
    pd.testing.assert_frame_equal(lazy.indicators_of(picked), want)  # after, from the frame
    assert lazy.indicators_of(["nobody"]).empty


def test_nbytes_counts_what_the_build_holds_and_it_pickles(inputs):
    units, cat, obs = inputs
    b = build_mod.compute(scheme_mod.load_year("2026", cat), units, cat, obs, None, "2026-10")
    before = b.nbytes
    deep = sum(int(f.memory_usage(deep=True).sum()) for f in (b.totals, b.dimensions, b.history))
    assert before > deep * 0.5
    _ = b.indicators
    assert b.nbytes > before  # the explanation frame, once made, is counted
    again = pickle.loads(pickle.dumps(b))
    pd.testing.assert_frame_equal(again.indicators, b.indicators)


def test_service_build_is_one_build_for_both_languages(sample_wh):
    zh = service.build(sample_wh, "2026-10")
    en = service.build(sample_wh, "2026-10", lang="en")
    assert zh.lang == "zh" and en.lang == "en"
    pd.testing.assert_frame_equal(zh.totals[["unit_code", "total", "rank", "grade"]],
                                  en.totals[["unit_code", "total", "rank", "grade"]])
    assert en.period_label == "2026-10" and "月" not in en.period_label
