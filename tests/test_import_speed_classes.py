"""The import's speed classes, held by behaviour, never by the clock: each cell's work is done once per
distinct value (not once per row), whole columns at a time, and the fast forms give exactly what the
slow ones gave.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kaohe.ingest import normalise as nm
from kaohe.ingest import values as vals
from kaohe.validation import checks


def test_first_cells_column_wise_is_the_row_wise_first_non_empty_cell():
    btext = pd.DataFrame([["", "a", "b"], ["", "", ""], ["x", "", "y"], ["", "", "注：说明"]],
                         index=[5, 6, 7, 9], dtype=object)
    nonempty = btext != ""
    got = nm._first_cells(btext, nonempty)
    want = btext.apply(lambda r: next((v for v in r if v), ""), axis=1)
    assert got.tolist() == want.tolist() and list(got.index) == [5, 6, 7, 9]


def test_fold_once_per_distinct_text_and_cell_by_cell_for_numbers():
    grid = pd.DataFrame({0: ["１２", "１２", None, " 东湖街道 "] * 3,
                         1: [1, 1.0, True, "95．3％"] * 3}, dtype=object)
    got = nm._fold_fast(grid)
    assert got[0].tolist() == ["12", "12", "", "东湖街道"] * 3
    assert got[1].tolist() == ["1", "1.0", "True", "95.3%"] * 3  # 1, 1.0 and True are equal keys, not equal cells
    assert got.dtypes.eq(object).all()


def test_map_distinct_calls_once_per_distinct_value():
    calls = []
    col = pd.Series(["a", "b", "a", None, "b", "a"] * 1000, dtype=object)
    got = vals.map_distinct(col, lambda v: calls.append(v) or v.upper())
    assert sorted(calls) == ["a", "b"]
    assert got.tolist()[:6] == ["A", "B", "A", None, "B", "A"]
    flags = vals.map_distinct(col, lambda v: v == "a", na=False)
    assert flags.dtype == bool and flags.tolist()[:6] == [True, False, True, False, False, True]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_parse_values_of_a_text_column_as_read(dtype):
    cells = pd.Series(["95.3", "", "-", "abc", "1e13", "inf", "12", "95.3", None], dtype=dtype)
    v, s = vals.parse_values(cells)
    ref_v, ref_s = zip(*(vals.parse_value(c) if c is not None else (np.nan, vals.MISSING) for c in
                         cells.astype(object)), strict=True)
    assert s.tolist() == list(ref_s)
    assert np.allclose(v.to_numpy(dtype=float), np.array(ref_v, dtype=float), equal_nan=True)


def test_facts_per_distinct_key_are_the_per_row_lookups():
    units = pd.DataFrame({"code": ["S01", "D01"], "kind": ["street", "department"], "active_from": ["", "2024-01"],
                          "active_to": [None, ""], "name_zh": ["东湖街道", "城管局"], "name_en": ["Donghu", None]})
    indicators = pd.DataFrame({"code": ["HL", "CNT"], "applies_to": ["both", "street"], "kind": ["rate", "count"],
                               "min": [0.0, 0.0], "max": [100.0, np.nan], "ratio": [True, False],
                               "name_zh": ["满意率", "件数"], "name_en": ["Satisfaction", "Cases"], "unit": ["%", "件"]})
    frame = pd.DataFrame({"row": range(2, 8), "unit_code": ["S01", "D01", "S99", None, "S01", "D01"],
                          "indicator_code": ["HL", "CNT", "HL", "HL", "XX", "HL"],
                          "month": ["2026-10", "2026-09", None, "2026-10", "2026-10", "2026-10"],
                          "value": [95.0, 3.0, 1.0, 2.0, 5.5, 50.0], "value_raw": ["95", "3", "1", "2", "5.5%", "50"],
                          "numerator": np.nan, "denominator": np.nan, "numerator_state": "missing",
                          "denominator_state": "missing", "status": "ok"})
    f = checks.facts(frame, units, indicators)
    u, ind = units.set_index("code"), indicators.set_index("code")

    def same(got, want):
        assert [None if pd.isna(x) else x for x in got] == [None if pd.isna(x) else x for x in want]

    same(f["u_kind"], frame["unit_code"].map(u["kind"]))
    same(f["u_from"], frame["unit_code"].map(u["active_from"]).replace("", None))
    same(f["u_to"], frame["unit_code"].map(u["active_to"]).replace("", None))
    same(f["i_applies"], frame["indicator_code"].map(ind["applies_to"]))
    same(f["i_max"], frame["indicator_code"].map(ind["max"]))
    same(f["i_ratio"], frame["indicator_code"].map(ind["ratio"]).fillna(False).astype(bool))
    same(f["u_name_en"], frame["unit_code"].map(u["name_en"]))
    same(f["i_unit"], frame["indicator_code"].map(ind["unit"]))
    assert isinstance(f["u_name_zh"].dtype, pd.CategoricalDtype)
    assert f["percent_unit_mismatch"].tolist() == [False, False, False, False, False, False]  # XX: no unit known
    same(f["month_start"].map(lambda d: None if d is None else d.isoformat()),
         ["2026-10-01", "2026-09-01", None, "2026-10-01", "2026-10-01", "2026-10-01"])
