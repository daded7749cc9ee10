"""The bench's peers score what the engine scores: every total, rank, grade and veto, unit by unit.

Not timing (the bench prints times; no test reads a clock): the pandas, polars and DuckDB peers of
bench/peers.py are run on the sample district and on a scaled one (200 units), for months across
the sample's three years, and compared with the engine given the same month frame.
"""

from __future__ import annotations

import pytest

from kaohe.bench import common, peers
from kaohe.data import catalogue, sample
from kaohe.metrics import build
from kaohe.metrics import scheme as scheme_mod

END = "2026-10"
MONTHS = ["2023-11", "2024-06", "2025-01", "2025-12", "2026-08", END]  # across the sample's three years


@pytest.fixture(scope="module", params=[None, 200], ids=["sample", "scaled200"])
def district(request, tmp_path_factory):
    cat = catalogue.read_indicators()
    units = sample.scaled_units(request.param)
    obs = sample.generate(units, cat, end=END, n_months=36)
    wh = common.load(common.Workload("t", units, obs), tmp_path_factory.mktemp("peers") / "w.duckdb")
    sch = scheme_mod.load_year(END[:4], cat)
    return {"cat": cat, "units": units, "obs": obs, "wh": wh, "scheme": sch}


def _engine(d, month):
    month_obs = d["obs"].loc[d["obs"]["month"].eq(month)].reset_index(drop=True)
    b = build.compute(d["scheme"], d["units"], d["cat"], month_obs, None, month, n_history=1)
    return month_obs, b.totals


@pytest.mark.parametrize("month", MONTHS)
def test_pandas_and_polars_agree_with_the_engine_on_every_unit(district, month):
    month_obs, totals = _engine(district, month)
    for name, peer in (("pandas", peers.pandas_peer), ("polars", peers.polars_peer)):
        got = peer(district["scheme"], district["units"], district["cat"], month_obs, month)
        result = peers.agree(totals, got)
        assert result["ok"], (name, month, result)
        assert result["units"] == len(totals) > 0


@pytest.mark.parametrize("month", MONTHS)
def test_duckdb_peer_agrees_with_the_engine_on_every_unit(district, month):
    _, totals = _engine(district, month)
    with district["wh"].connect() as con:
        prepared = peers.duckdb_prepare(con, district["scheme"], district["units"])
        # without a query it scores with the scheme of the month's year, read from the warehouse
        own_year = [None] if month[:4] == END[:4] else []
        for sql in (prepared, peers.duckdb_sql(district["scheme"], district["units"]), *own_year):
            result = peers.agree(totals, peers.duckdb_peer(con, month, sql))
            assert result["ok"], (month, sql is None, result)


def test_the_months_checked_exercise_the_whole_scheme(district):
    """Agreement is not vacuous: the months checked hold vetoes, automatic bonus and deduction
    items, the quota taking units out of 'excellent', re-weighted (not applicable) and missing items."""
    seen = {"veto": 0, "bonus": 0, "deduction": 0, "quota": 0}
    for month in MONTHS:
        month_obs, totals = _engine(district, month)
        seen["veto"] += int(totals["veto"].sum())
        seen["bonus"] += int((totals["bonus"] > 0).sum())
        seen["deduction"] += int((totals["deduction"] > 0).sum())
        seen["quota"] += int((totals["grade"].eq("good") & (totals["total"] >= 90)).sum())
    assert all(v > 0 for v in seen.values()), seen
    st = district["obs"]["status"]
    assert st.eq("na").any() and (st.eq("missing").any() or district["obs"]["value"].isna().any())


def test_agree_counts_each_kind_of_disagreement(district):
    month_obs, totals = _engine(district, END)
    got = peers.pandas_peer(district["scheme"], district["units"], district["cat"], month_obs, END)
    bad = got.copy()
    bad.loc[bad.index[0], "total"] += 0.01
    bad.loc[bad.index[1], "rank"] += 1
    bad.loc[bad.index[2], "veto"] = not bad.loc[bad.index[2], "veto"]
    bad.loc[bad.index[3], "grade"] = "fail" if bad.loc[bad.index[3], "grade"] != "fail" else "pass"
    bad.loc[bad.index[4], "base_score"] += 0.0011
    bad.loc[bad.index[6], "bonus"] += 0.0002  # within a tenth of a cent: reported as a gap, not counted
    bad = bad.drop(index=bad.index[5])
    result = peers.agree(totals, bad)
    assert not result["ok"]
    assert {k: result[k] for k in ("total", "rank", "veto", "grade", "base_score", "missing")} == {
        "total": 1, "rank": 1, "veto": 1, "grade": 1, "base_score": 1, "missing": 1}
    assert result["bonus"] == 0 and result["gap4"] == 11
    assert "DISAGREE" in peers.agreement_line("pandas", result)
    assert "agree on every unit" in peers.agreement_line("pandas", peers.agree(totals, got))


def test_peers_take_only_the_month_frame(district):
    """The peers get what the engine gets: the month alone, no history (a frame of other months
    is not needed to score it)."""
    month_obs, totals = _engine(district, END)
    assert set(month_obs["month"]) == {END}
    got = peers.polars_peer(district["scheme"], district["units"], district["cat"], month_obs, END)
    assert peers.agree(totals, got)["ok"]
