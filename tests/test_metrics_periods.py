"""Periods and aggregation: rates from summed numerators and denominators, never a mean of percentages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scoring_fixtures as fx

from kaohe.metrics import periods


@pytest.mark.parametrize("period,month,months,label_zh,label_en,prev", [
    ("month", "2026-10", ["2026-10"], "2026-10", "2026-10", "2026-09"),
    ("quarter", "2026-09", ["2026-07", "2026-08", "2026-09"], "2026-Q3", "2026-Q3", "2026-06"),
    ("quarter", "2026-08", ["2026-07", "2026-08"], "2026-Q3", "2026-Q3", "2026-06"),
    ("year", "2026-12", [f"2026-{m:02d}" for m in range(1, 13)], "2026", "2026", "2025-12"),
    ("ytd", "2026-10", [f"2026-{m:02d}" for m in range(1, 11)], "2026年1-10月", "2026 YTD (Jan-10)", "2026-09"),
    ("ytd", "2026-01", ["2026-01"], "2026年1-1月", "2026 YTD (Jan-01)", None),
    ("month", "2026-01", ["2026-01"], "2026-01", "2026-01", "2025-12"),
])
def test_period_table(period, month, months, label_zh, label_en, prev):
    assert periods.months_of(period, month) == months
    assert periods.label(period, month, "zh") == label_zh
    assert periods.label(period, month, "en") == label_en
    assert periods.previous_end(period, month) == prev


def test_history_stops_where_the_period_kind_has_no_predecessor():
    assert periods.history("month", "2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    assert periods.history("quarter", "2026-09", 3) == ["2026-03", "2026-06", "2026-09"]
    assert periods.history("ytd", "2026-02", 3) == ["2026-01", "2026-02"]


def test_bad_period_is_refused_in_both_languages():
    with pytest.raises(ValueError, match="fortnight"):
        periods.check("fortnight")


def quarter(values_by_month: dict, code: str, unit="S1", period="quarter", month="2026-09"):
    obs = fx.observations(months=("2026-07", "2026-08", "2026-09"))
    for m, fields in values_by_month.items():
        obs = fx.set_obs(obs, unit, code, m, **fields)
    b = fx.run(obs, month=month, period=period)
    ind = b.indicators
    return ind[(ind["unit_code"] == unit) & (ind["indicator_code"] == code)].iloc[0]


def test_quarter_rate_is_summed_numerators_over_summed_denominators():
    # 9/10, 1/10, 90/100: mean of percentages would be 63.3%; pooled it is 100/120 = 83.33%
    row = quarter({"2026-07": {"value": 90.0, "numerator": 9, "denominator": 10},
                   "2026-08": {"value": 10.0, "numerator": 1, "denominator": 10},
                   "2026-09": {"value": 90.0, "numerator": 90, "denominator": 100}}, "HL_SATISFY")
    assert row["numerator"] == 100 and row["denominator"] == 120
    assert row["value"] == pytest.approx(100 / 120 * 100)
    assert row["value"] != pytest.approx((90 + 10 + 90) / 3)


def test_quarter_counts_are_summed_and_caps_scale_with_months():
    row = quarter({"2026-07": {"value": 1.0}, "2026-08": {"value": 0.0}, "2026-09": {"value": 9.0}}, "EM_DRILL")
    assert row["value"] == 10.0
    # cap 2 a month: 6 a quarter; target 2 a month: 6 a quarter
    assert row["value_scored"] == 6.0 and bool(row["capped"])
    assert row["raw_score"] == 100.0
    assert row["target"] == 6.0
    low = quarter({"2026-07": {"value": 1.0}, "2026-08": {"value": 1.0}, "2026-09": {"value": 1.0}}, "EM_DRILL")
    assert low["raw_score"] == pytest.approx(50.0)  # 3 of 6


def test_quarter_other_values_are_averaged_over_reported_months():
    row = quarter({"2026-07": {"value": 3.0}, "2026-08": {"status": "missing", "value": np.nan},
                   "2026-09": {"value": 6.0}}, "SF_CRIME")
    assert row["value"] == pytest.approx(4.5)
    assert row["months_ok"] == 2 and row["n_months"] == 3


def test_quarter_all_not_applicable_is_not_applicable():
    na = {"status": "na", "value": np.nan, "numerator": np.nan, "denominator": np.nan}
    row = quarter({m: na for m in ("2026-07", "2026-08", "2026-09")}, "EM_DRILL")
    assert row["status"] == "na" and np.isnan(row["raw_score"]) and row["weight"] == 0


def test_ytd_and_year_cover_the_months_to_date():
    obs = fx.observations(months=("2026-01", "2026-02", "2026-03"))
    obs = fx.set_obs(obs, "S1", "HL_ONTIME", "2026-01", value=50.0, numerator=500)
    ytd = fx.run(obs, month="2026-03", period="ytd").indicators
    row = ytd[(ytd["unit_code"] == "S1") & (ytd["indicator_code"] == "HL_ONTIME")].iloc[0]
    assert row["denominator"] == 3000
    assert row["numerator"] == 500 + 855 + 855
    year = fx.run(obs, month="2026-03", period="year")
    assert year.period_label == "2026"
    pd.testing.assert_frame_equal(year.totals[["unit_code", "total"]], fx.run(obs, month="2026-03", period="ytd")
                                  .totals[["unit_code", "total"]])
