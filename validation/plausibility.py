"""Warnings for figures that are possible but unlikely: a jump against the unit's own history,
a rate at exactly 100% month after month, an outlier within the peer group.

Self-reported figures are not trusted blindly (DOMAIN.md), but they are not
refused either: the evaluator confirms them and the confirmation is recorded.
Everything works on a (series x month) matrix, so cost grows with months, not rows.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from kaohe.base import months as mo
from kaohe.validation.problems import CHECKS

WINDOW = 12  # months of the unit's own history to compare with
MIN_HISTORY = 6
JUMP_Z = 6.0  # robust z (median/MAD) beyond which a value is a jump
PEER_Z = 5.0
MIN_PEERS = 6
STREAK = 6  # months at exactly 100% before it is worth a question
STREAK_MIN_CASES = 20  # 8 of 8 plans complete is ordinary; 500 of 500 calls satisfied is not
RATE_FLOOR = 3.0  # points: spread below which a rate's history counts as flat


def run(frame: pd.DataFrame, history: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """`frame`: the normalised import; `history`: current warehouse observations around its months."""
    ok = frame["status"].eq("ok") & frame["value"].notna() & frame["unit_code"].isin(units["code"]) \
        & frame["indicator_code"].isin(indicators["code"]) & frame["month"].notna()
    f = frame.loc[ok, ["row", "unit_code", "indicator_code", "month", "value", "denominator", "value_raw",
                       "col_value"]]
    if f.empty:
        return pd.DataFrame()
    f = f.drop_duplicates(["unit_code", "indicator_code", "month"], keep="last")
    h = history.loc[history["status"].eq("ok") & history["value"].notna(),
                    ["unit_code", "indicator_code", "month", "value"]]
    combined = pd.concat([h, f[["unit_code", "indicator_code", "month", "value"]]], ignore_index=True)
    combined = combined.drop_duplicates(["unit_code", "indicator_code", "month"], keep="last")
    all_months = mo.span(combined["month"].min(), combined["month"].max())
    matrix = combined.pivot(index=["unit_code", "indicator_code"], columns="month", values="value") \
        .reindex(columns=all_months)
    values = matrix.to_numpy(dtype="float64")
    col_of = {m: i for i, m in enumerate(all_months)}
    row_of = pd.Series(np.arange(len(matrix)), index=matrix.index)
    fi = row_of.reindex(pd.MultiIndex.from_frame(f[["unit_code", "indicator_code"]])).to_numpy()
    fj = f["month"].map(col_of).to_numpy()
    ind = indicators.set_index("code")
    is_rate = f["indicator_code"].map(ind["kind"]).eq("rate").to_numpy()
    f = _words(f, units, indicators)
    out = [_jumps(f, values, fi, fj, is_rate), _streaks(f, values, fi, fj, is_rate),
           _peers(f, combined, units, indicators)]
    out = [o for o in out if not o.empty]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _words(f: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Beside each row: the unit's and indicator's names, the value as a person reads it, and the
    catalogue's valid range (a usual range shown never leaves it: a percentage stays within 0-100).
    Looked up once per distinct unit and indicator (checks._Beside), not once per row."""
    from kaohe.validation.checks import _Beside

    u = _Beside(f["unit_code"], units.drop_duplicates("code").set_index("code"))
    ind = _Beside(f["indicator_code"], indicators.drop_duplicates("code").set_index("code"))
    f = f.copy()
    for lang in ("zh", "en"):
        f[f"unit_{lang}"] = u.category(f"name_{lang}", or_key=True)
        f[f"indicator_{lang}"] = ind.category(f"name_{lang}", or_key=True)
    f["i_min"] = pd.to_numeric(ind("min"), errors="coerce").astype("float64")
    f["i_max"] = pd.to_numeric(ind("max"), errors="coerce").astype("float64")
    f["i_count"] = ind.flag("kind", lambda k: k == "count")
    f["i_pct"] = ind.flag("unit", lambda x: x == "%")
    return f


def _shown(v: float, pct: bool) -> str:
    text = f"{round(float(v), 2):g}"
    return text + "%" if pct else text


def _usual(f: pd.DataFrame, mask, med, scale) -> list[dict]:
    """The message parameters of flagged rows: who, what, the value, and the usual range around the
    median, clipped to the catalogue's valid range (whole numbers for counts)."""
    sel = f[mask]
    out = []
    for (_, r), m, s in zip(sel.iterrows(), med, scale, strict=True):
        lo, hi = float(m - 3 * s), float(m + 3 * s)
        if not np.isnan(r["i_min"]):
            lo = max(lo, r["i_min"])
        if not np.isnan(r["i_max"]):
            hi = min(hi, r["i_max"])
        lo, hi = (float(np.ceil(lo)), float(np.floor(hi))) if r["i_count"] else (round(lo, 1), round(hi, 1))
        out.append({"median": round(float(m), 2), "low": lo, "high": max(hi, lo),
                    "unit_zh": r["unit_zh"], "unit_en": r["unit_en"], "indicator_zh": r["indicator_zh"],
                    "indicator_en": r["indicator_en"], "value": _shown(r["value"], r["i_pct"])})
    return out


def _rows(check: str, f: pd.DataFrame, mask, params: list[dict]) -> pd.DataFrame:
    sel = f[mask]
    return pd.DataFrame({"check": check, "severity": CHECKS[check][0], "kind": CHECKS[check][1],
                         "row": sel["row"].to_numpy(), "column": sel["col_value"].to_numpy(),
                         "value": sel["value_raw"].to_numpy(), "params": params})


def _jumps(f, values, fi, fj, is_rate) -> pd.DataFrame:
    n_s, n_m = values.shape
    med = np.full(len(f), np.nan)
    mad = np.full(len(f), np.nan)
    cnt = np.zeros(len(f))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for j in np.unique(fj):
            lo = max(0, j - WINDOW)
            if j - lo < MIN_HISTORY:
                continue
            window = values[:, lo:j]
            sel = fj == j
            w = window[fi[sel]]
            m = np.nanmedian(w, axis=1)
            med[sel] = m
            mad[sel] = np.nanmedian(np.abs(w - m[:, None]), axis=1)
            cnt[sel] = np.sum(~np.isnan(w), axis=1)
    v = f["value"].to_numpy()
    scale = np.maximum(1.4826 * np.nan_to_num(mad), np.where(is_rate, RATE_FLOOR, 0.1 * np.abs(np.nan_to_num(med)) + 1))
    # a rate over 3 cases moves by 33 points with one case: allow its binomial spread
    den = f["denominator"].to_numpy(dtype="float64")
    p = np.clip(np.nan_to_num(med) / 100.0, 0.05, 0.95)
    with np.errstate(invalid="ignore", divide="ignore"):
        binomial = np.where(is_rate & (den > 0), 100.0 * np.sqrt(p * (1 - p) / den), 0.0)
    scale = np.maximum(scale, np.nan_to_num(binomial))
    flag = (cnt >= MIN_HISTORY) & (np.abs(v - med) > JUMP_Z * scale)
    if not flag.any():
        return pd.DataFrame()
    params = [{"n": int(c), **p} for c, p in zip(cnt[flag], _usual(f, flag, med[flag], scale[flag]), strict=True)]
    return _rows("val.jump", f, flag, params)


def _streaks(f, values, fi, fj, is_rate) -> pd.DataFrame:
    """For each rate series in the file: its run of exact 100s ending at the file's last month for it."""
    hundred = values == 100.0
    flag = np.zeros(len(f), dtype=bool)
    runs = np.zeros(len(f), dtype=int)
    last = pd.Series(fj).groupby(fi).transform("max").to_numpy()
    den = f["denominator"].to_numpy(dtype="float64")
    big_enough = np.isnan(den) | (den >= STREAK_MIN_CASES)
    cand = np.flatnonzero(is_rate & big_enough & (fj == last) & (f["value"].to_numpy() == 100.0))
    for k in cand:
        row = hundred[fi[k], : fj[k] + 1][::-1]
        n = int(np.argmin(row)) if not row.all() else len(row)
        if n >= STREAK:
            flag[k], runs[k] = True, n
    if not flag.any():
        return pd.DataFrame()
    sel = f[flag]
    return _rows("val.perfect_streak", f, flag, [
        {"n": int(n), "unit_zh": uz, "unit_en": ue, "indicator_zh": iz, "indicator_en": ie}
        for n, uz, ue, iz, ie in zip(runs[flag], sel["unit_zh"], sel["unit_en"], sel["indicator_zh"],
                                     sel["indicator_en"], strict=True)])


def _peers(f, combined, units, indicators) -> pd.DataFrame:
    kinds = indicators.set_index("code")["kind"]
    group = units.set_index("code")["peer_group"]
    c = combined[combined["month"].isin(f["month"].unique())
                 & combined["indicator_code"].map(kinds).isin(["rate", "score"])].copy()
    if c.empty:
        return pd.DataFrame()
    c["peer"] = c["unit_code"].map(group)
    g = c.groupby(["indicator_code", "month", "peer"])["value"]
    stats = pd.DataFrame({"med": g.median(), "n": g.size()})
    c = c.join(stats, on=["indicator_code", "month", "peer"])
    c["dev"] = (c["value"] - c["med"]).abs()
    stats["mad"] = c.groupby(["indicator_code", "month", "peer"])["dev"].median()
    ff = f.copy()
    ff["peer"] = ff["unit_code"].map(group)
    ff = ff.join(stats, on=["indicator_code", "month", "peer"])
    scale = np.maximum(1.4826 * ff["mad"].fillna(0), RATE_FLOOR)
    p = (ff["med"].fillna(50) / 100.0).clip(0.05, 0.95)
    binomial = (100.0 * np.sqrt(p * (1 - p) / ff["denominator"].where(ff["denominator"] > 0))).fillna(0)
    scale = np.maximum(scale, binomial)  # a rate over few cases strays from its peers by chance
    flag = (ff["n"] >= MIN_PEERS) & ((ff["value"] - ff["med"]).abs() > PEER_Z * scale)
    flag = flag.fillna(False).to_numpy(dtype=bool)
    if not flag.any():
        return pd.DataFrame()
    sel = ff[flag]
    return _rows("val.peer_outlier", ff, flag, _usual(ff, flag, sel["med"].to_numpy(), np.asarray(scale)[flag]))
