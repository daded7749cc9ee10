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


def annotate(numerator, denominator, value, usable, lower, key) -> dict[str, np.ndarray]:
    """ci_low, ci_high, peer_value and significance for cells grouped by the integer `key`
    (peer group and indicator). The peer value of a rate is the group's pooled rate; of
    anything else, the group median (without a significance call)."""
    return annotate_with(peer_values(numerator, denominator, value, usable, key), numerator, denominator,
                         usable, lower)


def peer_values(numerator, denominator, value, usable, key) -> dict[str, np.ndarray]:
    """Per cell, its group's value (`key`: peer group and indicator): `peer_value` (the pooled rate of a
    rate, the median of anything else) and `is_rate` (whether the cell's own rate is known)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    rate = usable & ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    num = np.where(rate, num, 0.0)
    den = np.where(rate, den, 0.0)
    k = np.asarray(key, dtype=np.int64)
    if len(k) and (k.min() < 0 or k.max() > 4 * len(k) + 1_000_000):  # sparse keys: renumber them
        _, k = np.unique(k, return_inverse=True)
    s_num = np.bincount(k, weights=num)[k]
    s_den = np.bincount(k, weights=den)[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        peer = np.where(s_den > 0, 100.0 * s_num / s_den, np.nan)
    vals = pd.Series(np.where(usable, value, np.nan))
    median = vals.groupby(k, sort=False).transform("median").to_numpy(dtype=float)
    return {"peer_value": np.where(np.isnan(peer), median, peer)}


def annotate_with(peer: dict, numerator, denominator, usable, lower) -> dict[str, np.ndarray]:
    """annotate, given the cells' peer_values (made once for the whole group, used for a few cells)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    rate = usable & ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    lo, hi = wilson(np.where(rate, num, np.nan), np.where(rate, den, np.nan))
    direction = np.where(lower, "lower", "higher")
    sig = significance(lo, hi, np.where(rate, peer["peer_value"], np.nan), direction)
    return {"ci_low": lo, "ci_high": hi, "peer_value": peer["peer_value"], "significance": sig}
