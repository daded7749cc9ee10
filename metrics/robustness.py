"""How much do ranks depend on the scheme's choices? Monte Carlo over weights and normalisations.

Each replicate perturbs every dimension and indicator weight (uniformly within
±`spread` around the scheme) and picks a normalisation: the scheme's own rules
(half the replicates) or one of min-max, z-score or percentile rank within the
peer group. A share of replicates replaces the weights by entropy weights, the
data-driven alternative. For each unit: median rank and the 90% rank interval.

All replicates of a chunk are one array computation (replicates x units x
indicators); not-applicable items re-weight inside their dimension exactly as
in the official build.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe.metrics import rules

METHODS = ("scheme", "minmax", "zscore", "percentile")
METHOD_P = (0.5, 1 / 6, 1 / 6, 1 / 6)


def rank_rows(values: np.ndarray) -> np.ndarray:
    """Rank each row descending, ties sharing the lowest rank (1, 2, 2, 4), without a loop over rows."""
    v = np.asarray(values, dtype=float)
    c, n = v.shape
    # offsetting each row by more than its range lets one global sort and search serve every row
    span = float(np.nanmax(np.abs(v))) * 2 + 1.0 if v.size else 1.0
    off = (np.arange(c) * span)[:, None]
    neg = -v + off
    s = np.sort(neg, axis=1).ravel()
    pos = np.searchsorted(s, neg.ravel(), side="left").reshape(c, n)
    return (pos - np.arange(c)[:, None] * n + 1).astype(np.int32)


def entropy_weights(matrix: np.ndarray) -> np.ndarray:
    """Entropy weights of a (units x criteria) matrix of non-negative scores (higher is better).

    Criteria whose values differ more get more weight. p = x / column sum;
    E = -sum(p ln p) / ln(m), with 0 ln 0 = 0; w = (1 - E) / sum(1 - E).
    All-constant columns give equal weights.
    """
    x = np.asarray(matrix, dtype=float)
    m = x.shape[0]
    col = x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(col > 0, x / col, 1.0 / m)
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(m) if m > 1 else np.ones(x.shape[1])
    d = 1.0 - e
    if d.sum() <= 1e-12:
        return np.full(x.shape[1], 1.0 / x.shape[1])
    return d / d.sum()


def _alt_scores(ind: pd.DataFrame, method: str) -> np.ndarray:
    """Raw scores of every row under another normalisation (within peer group, direction applied)."""
    official = ind["raw_score"].to_numpy(dtype=float)
    if method == "scheme":
        return official
    n = len(ind)
    ok = ind["status"].isin(["ok", "carried"]).to_numpy()
    key = pd.MultiIndex.from_frame(ind[["peer_group", "indicator_code"]]).codes
    key = key[0].astype(np.int64) * 10_000 + key[1]
    out = rules.apply(np.where(ok, ind["value_scored"], np.nan), np.full(n, method, dtype=object),
                      (ind["direction"] == "lower").to_numpy(), np.ones(n),
                      {k: np.full(n, v) for k, v in rules.REGISTRY[method].defaults.items()}, key)
    # missing items keep the official treatment (0 under 'zero', dropped under 're-weight')
    return np.where(ok, out, official)


def _kind_arrays(build, kind: str) -> dict | None:
    tot = build.totals.loc[build.totals["kind"].eq(kind)]
    if tot.empty:
        return None
    units = tot["unit_code"].to_numpy()
    ind = build.indicators.loc[build.indicators["unit_code"].isin(units)]
    spec = build.scheme.spec(build.totals[["unit_code", "peer_group", "kind"]].rename(columns={"unit_code": "code"}))
    spec = spec.loc[spec["kind"].eq(kind) & spec["peer_group"].isin(tot["peer_group"])]
    codes = list(dict.fromkeys(spec["indicator_code"]))
    dims = list(dict.fromkeys(spec["dimension"]))
    ui = pd.Index(units)
    ii = pd.Index(codes)
    r_idx = ui.get_indexer(ind["unit_code"])
    c_idx = ii.get_indexer(ind["indicator_code"])
    n_u, n_i, n_d = len(units), len(codes), len(dims)
    raw = {}
    for m in METHODS:
        a = np.full((n_u, n_i), np.nan)
        a[r_idx, c_idx] = _alt_scores(ind, m)
        raw[m] = a
    # scheme weights per unit (a peer group may override them)
    groups = tot["peer_group"].to_numpy()
    w_ind = np.zeros((n_u, n_i))
    w_dim = np.zeros((n_u, n_d))
    G = np.zeros((n_i, n_d))
    for s in spec.itertuples(index=False):
        rows = groups == s.peer_group
        w_ind[rows, ii.get_loc(s.indicator_code)] = s.ind_weight
        w_dim[rows, dims.index(s.dimension)] = s.dim_weight
        G[ii.get_loc(s.indicator_code), dims.index(s.dimension)] = 1.0
    filled = np.where(np.isnan(raw["scheme"]), np.nanmean(raw["scheme"], axis=0), raw["scheme"])
    filled = np.nan_to_num(filled)
    adj = (tot["bonus"].to_numpy(dtype=float) - tot["deduction"].to_numpy(dtype=float))
    return {"tot": tot, "units": units, "groups": groups, "raw": raw, "mask": ~np.isnan(raw["scheme"]),
            "w_ind": w_ind, "w_dim": w_dim, "G": G, "entropy": entropy_weights(filled), "adj": adj}


def _totals(arr: dict, e_ind: np.ndarray, e_dim: np.ndarray, method_idx: np.ndarray,
            use_entropy: np.ndarray) -> np.ndarray:
    """Totals for a chunk of replicates: (C x U)."""
    A = arr["mask"].astype(float)  # U x I
    G = arr["G"]
    C = len(method_idx)
    R = np.stack([np.nan_to_num(arr["raw"][m]) for m in METHODS])[method_idx]  # C x U x I
    # hierarchical scheme weights, perturbed
    N = A[None] * arr["w_ind"][None] * e_ind[:, None, :]  # C x U x I
    dsum = N @ G  # C x U x D
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.nan_to_num(N / (dsum @ G.T))
    dw = arr["w_dim"][None] * e_dim[:, None, :] * (dsum > 0)
    dw = dw / np.maximum(dw.sum(axis=2, keepdims=True), 1e-12)
    eff = share * (dw @ G.T)
    # entropy weights: flat over indicators, re-normalised over the items that apply
    ent = A[None] * arr["entropy"][None, None, :] * e_ind[:, None, :]
    ent = ent / np.maximum(ent.sum(axis=2, keepdims=True), 1e-12)
    eff = np.where(use_entropy[:, None, None], ent, eff)
    base = (eff * R).sum(axis=2)
    return np.maximum(base + arr["adj"][None, :], 0.0)[:C]


def entropy_table(build) -> pd.DataFrame:
    """Per kind and indicator: the scheme's effective weight (average over units) beside the entropy weight."""
    rows = []
    for kind in ("street", "department"):
        arr = _kind_arrays(build, kind)
        if arr is None:
            continue
        codes = list(dict.fromkeys(build.scheme.spec(
            build.totals[["unit_code", "peer_group", "kind"]].rename(columns={"unit_code": "code"})
        ).query("kind == @kind")["indicator_code"]))
        ind = build.indicators[build.indicators["unit_code"].isin(arr["units"])]
        eff = ind.groupby("indicator_code")["weight"].mean().reindex(codes).fillna(0.0)
        rows.append(pd.DataFrame({"kind": kind, "indicator_code": codes, "scheme_weight": eff.to_numpy(),
                                  "entropy_weight": arr["entropy"]}))
    return pd.concat(rows, ignore_index=True)


def monte_carlo(build, replicates: int = 1000, seed: int = 0, spread: float = 0.25,
                entropy_share: float = 0.2, progress=None, chunk: int = 200,
                methods_p: tuple[float, ...] = METHOD_P) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = []
    kinds = [k for k in ("street", "department") if build.totals["kind"].eq(k).any()]
    arrays = {k: _kind_arrays(build, k) for k in kinds}
    ranks = {k: np.empty((replicates, len(arrays[k]["units"])), dtype=np.int32) for k in kinds}
    done = 0
    while done < replicates:
        c = min(chunk, replicates - done)
        method_idx = rng.choice(len(METHODS), size=c, p=methods_p)
        use_entropy = rng.random(c) < entropy_share
        for k in kinds:
            arr = arrays[k]
            n_i, n_d = arr["G"].shape
            e_ind = rng.uniform(1 - spread, 1 + spread, (c, n_i))
            e_dim = rng.uniform(1 - spread, 1 + spread, (c, n_d))
            T = np.round(_totals(arr, e_ind, e_dim, method_idx, use_entropy), 2)
            for g in pd.unique(arr["groups"]):
                cols = np.flatnonzero(arr["groups"] == g)
                ranks[k][done:done + c, cols] = rank_rows(T[:, cols])
        done += c
        if progress is not None:
            progress(done / replicates)
    for k in kinds:
        arr, r = arrays[k], ranks[k]
        tot = arr["tot"]
        out.append(pd.DataFrame({
            "unit_code": arr["units"], "name_zh": tot["name_zh"].to_numpy(), "name_en": tot["name_en"].to_numpy(),
            "peer_group": arr["groups"], "rank": tot["rank"].to_numpy(), "n_in_group": tot["n_in_group"].to_numpy(),
            "median_rank": np.median(r, axis=0),
            "rank_p05": np.percentile(r, 5, axis=0, method="lower").astype(int),
            "rank_p95": np.percentile(r, 95, axis=0, method="higher").astype(int),
        }))
    res = pd.concat(out, ignore_index=True)
    res.attrs.update({"replicates": replicates, "seed": seed, "spread": spread, "methods": METHODS,
                      "method_p": methods_p, "entropy_share": entropy_share})
    return res
