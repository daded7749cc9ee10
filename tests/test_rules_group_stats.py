"""The relative rules compute their group statistics with bincounts and one sort, not pandas'
groupby: they must give what the groupby gives, ties and one-unit groups included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kaohe.metrics import rank as rank_mod
from kaohe.metrics import rules


@pytest.mark.parametrize("seed", range(12))
def test_group_statistics_equal_pandas(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    x = np.round(rng.normal(80, 15, n), int(rng.integers(0, 2)))  # rounded: ties are common
    keys = rng.integers(0, 9, n) * 1013 + 7  # sparse keys, as the engine's (period, group, indicator) keys
    codes, n_groups = rules._groups(keys)
    g = pd.Series(x).groupby(codes)
    np.testing.assert_allclose(rules._group_mean(x, codes, n_groups), g.transform("mean"), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(rules._group_extreme(x, codes, n_groups, "min"), g.transform("min"))
    np.testing.assert_array_equal(rules._group_extreme(x, codes, n_groups, "max"), g.transform("max"))
    np.testing.assert_array_equal(rules._group_rank(x, codes, n_groups), g.rank(method="average"))
    sd = np.sqrt(rules._group_mean((x - rules._group_mean(x, codes, n_groups)) ** 2, codes, n_groups))
    np.testing.assert_allclose(sd, g.transform("std", ddof=0), rtol=1e-12, atol=1e-9)


def test_relative_rules_on_a_known_group():
    x = np.array([50.0, 70.0, 70.0, 90.0, 10.0])
    keys = np.array([1, 1, 1, 1, 2])
    p = {"center": np.full(5, 50.0), "scale": np.full(5, 10.0)}
    np.testing.assert_allclose(rules._minmax(x, p, keys), [0, 50, 50, 100, 100])
    np.testing.assert_allclose(rules._percentile(x, p, keys), [0, 50, 50, 100, 100])
    z = rules._zscore(x, p, keys)
    assert z[4] == 50.0 and z[1] == z[2] == 50.0 and z[0] < 50 < z[3]


@pytest.mark.parametrize("seed", range(8))
def test_ranks_equal_pandas_min_rank(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 300))
    t = pd.DataFrame({"period": rng.choice(["2026-09", "2026-10"], n).astype(object),
                      "peer_group": rng.choice(["urban", "rural", "dept"], n).astype(object),
                      "total_cents": rng.integers(9000, 9010, n)})
    out = rank_mod.rank(t)
    g = t.groupby(["period", "peer_group"], sort=False)["total_cents"]
    np.testing.assert_array_equal(out["rank"], g.rank(method="min", ascending=False).astype(int))
    np.testing.assert_array_equal(out["rank_from_bottom"], g.rank(method="min", ascending=True).astype(int))
    np.testing.assert_array_equal(out["n_in_group"], g.transform("size"))
