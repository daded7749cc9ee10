"""Cells as evaluators type them: numbers, missing and not-applicable markers, months, headers."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from kaohe.ingest.lookup import Lookup, key, similarity, suggest
from kaohe.ingest.values import MAX_MAGNITUDE, month_in_text, parse_month, parse_value, parse_values


@pytest.mark.parametrize(("cell", "value", "state"), [
    ("95.3%", 95.3, "ok"), ("95.3", 95.3, "ok"), ("1,234", 1234.0, "ok"), ("９５．３", 95.3, "ok"),
    ("９５．３％", 95.3, "ok"), (" 88 ", 88.0, "ok"), (12, 12.0, "ok"), (0.5, 0.5, "ok"), ("-3", -3.0, "ok"),
    ("—", None, "missing"), ("-", None, "missing"), ("", None, "missing"), (None, None, "missing"),
    ("不适用", None, "na"), ("N/A", None, "na"), ("n/a", None, "na"),
    ("abc", None, "bad"), ("1,2", None, "bad"), ('=HYPERLINK("x")', None, "bad"), ("95..3", None, "bad"),
    # not numbers, however they look
    (True, None, "boolean"), (False, None, "boolean"), (np.bool_(True), None, "boolean"), ("TRUE", None, "boolean"),
    ("false", None, "boolean"),
    ("inf", None, "nonfinite"), ("Infinity", None, "nonfinite"), ("-inf", None, "nonfinite"), ("+INF", None, "nonfinite"),
    ("NaN", None, "nonfinite"), ("nan", None, "nonfinite"), ("∞", None, "nonfinite"), ("inf%", None, "nonfinite"),
    ("1e999", None, "nonfinite"), (float("inf"), None, "nonfinite"), (float("-inf"), None, "nonfinite"),
    ("1e308", None, "too_large"), (1e308, None, "too_large"), (10**30, None, "too_large"), ("-2e12", None, "too_large"),
    ("12345678901234567890", None, "too_large"), (MAX_MAGNITUDE, MAX_MAGNITUDE, "ok"), ("-1e12", -1e12, "ok"),
    ("#N/A", None, "excel_error"), ("#DIV/0!", None, "excel_error"), ("#VALUE!", None, "excel_error"),
    ("九十五", None, "bad"), (float("nan"), None, "missing"),
])
def test_parse_value(cell, value, state):
    got, got_state = parse_value(cell)
    assert got_state == state
    if value is None:
        assert math.isnan(got)
    else:
        assert got == pytest.approx(value)


@pytest.mark.parametrize(("cell", "month"), [
    ("2026-10", "2026-10"), ("2026/10", "2026-10"), ("202610", "2026-10"), ("2026年10月", "2026-10"),
    ("2026年10月份", "2026-10"), ("2026.10", "2026-10"), ("2026.1", "2026-01"), ("2026-10-01", "2026-10"),
    ("2026/1/15", "2026-01"), ("２０２６年１０月", "2026-10"), (dt.datetime(2026, 10, 1), "2026-10"),
    (dt.date(2026, 3, 31), "2026-03"), (46296, "2026-10"), (46296.0, "2026-10"), (202610, "2026-10"),
    ("2026-13", None), ("10/2026", None), ("", None), (None, None), ("上月", None), (True, None),
    ("1899-12", "1899-12"), ("1900-01", "1900-01"), ("3000-01", "3000-01"),  # months, if none to import
])
def test_parse_month(cell, month):
    assert parse_month(cell) == month


@pytest.mark.parametrize(("title", "month"), [
    ("2026年10月12345热线考核数据", "2026-10"), ("网格事件处置情况统计表(2026年9月)", "2026-09"),
    ("统计期间:2026-08", "2026-08"), ("12345热线考核数据", None),
])
def test_month_in_title(title, month):
    assert month_in_text(title) == month


@pytest.mark.parametrize(("header", "expected"), [
    ("满意率(%)", "满意率"), ("诉求满意率（%）", "诉求满意率"), ("受理量(件)", "受理量"), ("响应率%", "响应率"),
    ("Unit Code", "unitcode"), ("unit_code", "unitcode"), (" 街道（乡镇） ", "街道"),
])
def test_header_key(header, expected):
    assert key(header) == expected


def test_parse_values_matches_parse_value_cell_by_cell():
    cells = [True, False, "inf", "95", 3, None, "1e13", "-1", "NaN", "#N/A", 1e308, "", "—", "95.3%", "1,234", "abc"]
    values, states = parse_values(pd.Series(cells, dtype=object))
    for cell, v, s in zip(cells, values, states, strict=True):
        want_v, want_s = parse_value(cell)
        assert s == want_s, cell
        assert (np.isnan(v) and np.isnan(want_v)) or v == want_v, cell


def test_parse_values_of_text_only_stays_vectorised_and_refuses_infinities():
    values, states = parse_values(pd.Series(["1", "inf", "", "2e12", "-inf"]))
    assert states.tolist() == ["ok", "nonfinite", "missing", "too_large", "nonfinite"]
    assert values.iloc[0] == 1.0 and values.iloc[1:].isna().all()


@pytest.mark.parametrize(("a", "b", "low"), [
    ("东湖街", "东湖街道", 0.9), ("donghu", "donghustreet", 0.8), ("湖东街道", "东湖街道", 0.6), ("s1", "s01", 0.6),
])
def test_similarity(a, b, low):
    assert similarity(a, b) >= low


UNITS = pd.DataFrame({"code": ["S01", "S02", "S10", "S11", "D01"], "name_zh": ["东湖街道", "西山街道", "白沙镇", "桃源镇", "应急管理局"],
                      "name_en": ["Donghu Street", "Xishan Street", "Baisha Town", "Taoyuan Town", "Emergency Bureau"]})


@pytest.mark.parametrize(("text", "codes"), [
    ("东湖街", ["S01"]), ("东湖", ["S01"]), ("湖东街道", ["S01"]), ("Donghu", ["S01"]), ("donghu st", ["S01"]),
    ("S1", ["S01"]), ("s01", ["S01"]), ("D1", ["D01"]), ("应急局", ["D01"]), ("白沙", ["S10"]),
    ("S99", []), ("北京市", []), ("", []), ('=HYPERLINK("x")', []),
])
def test_unit_suggestions(text, codes):
    lk = Lookup.build(UNITS.assign(kind="street"), pd.DataFrame(columns=["code", "name_zh", "name_en"]))
    assert lk.suggest_units(text) == codes


def test_suggestions_list_the_close_ones_best_first_at_most_three():
    cands = {f"S{i:02d}": ([f"新{i}街道"], [f"S{i:02d}"]) for i in range(1, 8)}
    got = suggest("新街道", cands)
    assert 1 <= len(got) <= 3
