"""95% Wilson intervals for rates and a significance call against the peer-group value.

A unit is 'better' or 'worse' than its peer group only when its interval lies
wholly on one side of the group's value (the way public-health profiles colour
indicators), so a street with 12 calls is not judged as confidently as one
with 1,200. Values are in percent, like the rates themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


def wilson(numerator, denominator, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds in percent; NaN where there is no denominator."""
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        z2 = z * z
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        lo = np.where(n > 0, np.clip(centre - half, 0.0, 1.0) * 100.0, np.nan)
        hi = np.where(n > 0, np.clip(centre + half, 0.0, 1.0) * 100.0, np.nan)
    return lo, hi


def significance(ci_low, ci_high, peer_value, direction) -> np.ndarray:
    """'better' | 'similar' | 'worse' | None, with direction taken into account once here."""
    lo = np.asarray(ci_low, dtype=float)
    hi = np.asarray(ci_high, dtype=float)
    peer = np.asarray(peer_value, dtype=float)
    lower = np.asarray(direction) == "lower"
    above = lo > peer
    below = hi < peer
    known = ~(np.isnan(lo) | np.isnan(hi) | np.isnan(peer))
    good = np.where(lower, below, above)
    bad = np.where(lower, above, below)
    out = np.where(good, "better", np.where(bad, "worse", "similar")).astype(object)
    out[~known] = None
    return out


def annotate(df: pd.DataFrame, keys=("period", "peer_group", "indicator_code")) -> pd.DataFrame:
    """Adds ci_low, ci_high, peer_value (the group's pooled rate) and significance to scored rows."""
    rate = df["denominator"].notna().to_numpy() & (df["status"] == "ok").to_numpy()
    num = np.where(rate, df["numerator"], np.nan)
    den = np.where(rate, df["denominator"], np.nan)
    lo, hi = wilson(num, den)
    tmp = pd.DataFrame({k: df[k].to_numpy() for k in keys})
    tmp["num"], tmp["den"] = num, den
    g = tmp.groupby(list(keys), sort=False)
    sum_num = g["num"].transform("sum").to_numpy()
    sum_den = g["den"].transform("sum").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        peer = np.where(sum_den > 0, 100.0 * sum_num / sum_den, np.nan)
    # non-rates get the group median as their peer value, with no significance call
    vals = pd.Series(np.where(df["status"].isin(["ok", "carried"]), df["value"], np.nan))
    median = vals.groupby([tmp[k] for k in keys], sort=False).transform("median").to_numpy()
    peer = np.where(np.isnan(peer), median, peer)
    sig = significance(lo, hi, np.where(rate, peer, np.nan), df["direction"].to_numpy())
    return df.assign(ci_low=lo, ci_high=hi, peer_value=peer, significance=sig)
