"""Intervals, entropy weights (cross-checked against pymcdm) and the Monte Carlo rank intervals."""

from __future__ import annotations

import numpy as np
import pytest
import scoring_fixtures as fx
from pymcdm.weights import entropy_weights as pymcdm_entropy
from scipy.stats import rankdata

from kaohe.metrics import intervals, robustness


@pytest.mark.parametrize("x,n,lo,hi", [
    (90, 100, 82.5634, 94.4770),
    (8, 10, 49.0162, 94.3318),
    (0, 12, 0.0, 24.2494),
    (12, 12, 75.7506, 100.0),
    (1188, 1200, 98.2603, 99.4271),
])
def test_wilson_interval_table(x, n, lo, hi):
    a, b = intervals.wilson([x], [n])
    assert a[0] == pytest.approx(lo, abs=1e-3) and b[0] == pytest.approx(hi, abs=1e-3)


def test_small_units_are_not_judged_as_confidently_as_large_ones():
    # 11 of 12 calls satisfied (91.7%) vs 1,100 of 1,200 (91.7%), group value 85%
    lo, hi = intervals.wilson([11, 1100], [12, 1200])
    sig = intervals.significance(lo, hi, [85.0, 85.0], ["higher", "higher"])
    assert sig.tolist() == ["similar", "better"]
    # lower is better flips the call
    assert intervals.significance(lo, hi, [85.0, 85.0], ["lower", "lower"]).tolist() == ["similar", "worse"]
    assert intervals.wilson([1], [0])[0][0] != intervals.wilson([1], [0])[0][0]  # NaN without a denominator


MATRICES = [
    np.array([[3.0, 120, 0.8], [5.0, 100, 0.6], [4.0, 150, 0.9], [6.0, 90, 0.7]]),
    np.random.default_rng(7).uniform(1, 100, (30, 12)),
    np.random.default_rng(8).uniform(60, 100, (343, 38)),
]


@pytest.mark.parametrize("matrix", MATRICES)
def test_entropy_weights_match_pymcdm(matrix):
    ours = robustness.entropy_weights(matrix)
    theirs = pymcdm_entropy(matrix)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    assert ours.sum() == pytest.approx(1.0)


def test_entropy_weights_favour_the_criterion_that_differs_more():
    m = np.array([[50.0, 10], [50.5, 90], [49.5, 50]])
    w = robustness.entropy_weights(m)
    assert w[1] > 0.95 and w[0] < 0.05
    assert robustness.entropy_weights(np.ones((4, 3))) == pytest.approx([1 / 3] * 3)


def test_rank_rows_matches_scipy_min_ranks():
    t = np.round(np.random.default_rng(3).uniform(0, 100, (60, 25)), 0)
    assert (robustness.rank_rows(t) == rankdata(-t, method="min", axis=1)).all()
    assert robustness.rank_rows(np.array([[90.0, 80, 80, 70]])).tolist() == [[1, 2, 2, 4]]


def test_monte_carlo_without_perturbation_reproduces_official_ranks():
    b = fx.run()
    res = robustness.monte_carlo(b, replicates=50, seed=1, spread=0.0, entropy_share=0.0,
                                 methods_p=(1.0, 0.0, 0.0, 0.0))
    res = res.set_index("unit_code")
    official = b.totals.set_index("unit_code")["rank"]
    assert (res["median_rank"] == official.loc[res.index]).all()
    assert (res["rank_p05"] == res["rank_p95"]).all()


def test_monte_carlo_intervals_are_ordered_and_progress_is_reported():
    seen = []
    b = fx.run()
    res = robustness.monte_carlo(b, replicates=300, seed=2, progress=seen.append, chunk=100)
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert (res["rank_p05"] <= res["median_rank"]).all() and (res["median_rank"] <= res["rank_p95"]).all()
    assert (res["rank_p95"] <= res["n_in_group"]).all() and (res["rank_p05"] >= 1).all()
    assert set(res.columns) >= {"unit_code", "peer_group", "rank", "median_rank", "rank_p05", "rank_p95"}
    # same seed, same answer
    again = robustness.monte_carlo(b, replicates=300, seed=2, chunk=100)
    assert again["median_rank"].tolist() == res["median_rank"].tolist()


def test_entropy_table_beside_the_scheme():
    t = robustness.entropy_table(fx.run())
    street = t[t["kind"] == "street"].set_index("indicator_code")
    assert street["entropy_weight"].sum() == pytest.approx(1.0)
    assert street["scheme_weight"].sum() == pytest.approx(1.0)
    assert street.loc["HL_ONTIME", "scheme_weight"] == pytest.approx(0.30)
    assert list(t[t["kind"] == "department"]["indicator_code"]) == ["HL_ONTIME"]


def test_alternative_normalisation_by_hand():
    """Every indicator min-max within the group, scheme weights unperturbed (values in scoring_fixtures):
    on-time (85.5, 95, 70, 95) -> 62, 100, 0, 100; satisfaction (90, 80, 100, 80) -> 50, 0, 100, 0;
    drills after the cap (2, 1, 2, 1) -> 100, 0, 100, 0; crime, lower better (2, 4, 6, 4) -> 100, 50, 0, 50.
    Weights .3 .3 .2 .2: S1 73.6, S2 40, S3 50, S4 40 -> ranks 1, 3, 2, 3 (the scheme's are 1, 2, 4, 2)."""
    b = fx.run()
    res = robustness.monte_carlo(b, replicates=20, seed=0, spread=0.0, entropy_share=0.0,
                                 methods_p=(0.0, 1.0, 0.0, 0.0)).set_index("unit_code")
    assert res.loc[["S1", "S2", "S3", "S4"], "median_rank"].tolist() == [1, 3, 2, 3]
    assert res.loc[["S1", "S2", "S3", "S4"], "rank"].tolist() == [1, 2, 4, 2]  # official, alongside
    # percentile rank within the group: on-time 1/3, 5/6, 0, 5/6 ... -> the same order here
    pct = robustness.monte_carlo(b, replicates=20, seed=0, spread=0.0, entropy_share=0.0,
                                 methods_p=(0.0, 0.0, 0.0, 1.0)).set_index("unit_code")
    assert pct.loc["S1", "median_rank"] == 1 and pct.loc["S3", "median_rank"] == 2


def test_entropy_replicates_use_the_entropy_weights_of_the_scores():
    b = fx.run()
    arr = robustness._kind_arrays(b, "street")
    scores = np.nan_to_num(arr["raw"]["scheme"])
    assert (scores == 0).any()  # real scores have zeros, which pymcdm refuses; p ln p -> 0 as p -> 0
    assert arr["entropy"] == pytest.approx(pymcdm_entropy(scores + 1e-12), rel=1e-6)
    res = robustness.monte_carlo(b, replicates=10, seed=0, spread=0.0, entropy_share=1.0,
                                 methods_p=(1.0, 0.0, 0.0, 0.0)).set_index("unit_code")
    totals = scores @ arr["entropy"]
    expected = rankdata(-np.round(totals, 2), method="min")
    assert res.loc[list(arr["units"]), "median_rank"].tolist() == expected.tolist()
