"""Descriptive statistics behind the dashboard's charts and tables: no Streamlit, no SQL, no words.

Scores, ranks, significance and intervals come from the scoring engine (metrics.service); what is here
describes the raw observations and the engine's results (funnel limits, medians, changes over time,
correlations, completeness, spine charts, the what-if diff), each a small DataFrame-in, DataFrame-out step.
The periods are `metrics.periods.PERIODS`, the 95% quantile `metrics.intervals.Z95`: one of each in the
core. The pages' words for these frames are in kaohe.ui.views.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from kaohe.base import months as mo
from kaohe.metrics.intervals import Z95

# Two-sided normal quantiles of the usual funnel-plot control limits: 95% (the engine's, metrics.intervals)
# and 99.8%.
Z998 = NormalDist().inv_cdf(1 - 0.002 / 2)

NEUTRAL = "neutral"

def period_rates(series: pd.DataFrame) -> pd.DataFrame:
    """Per unit over the months in `series`: summed numerator over summed denominator.

    A rate over several months is never the mean of the monthly rates; a unit with
    no reported month (or a zero denominator) gets no rate.
    """
    ok = series[(series["status"] == "ok") & series["denominator"].notna()]
    keys = ["unit_code", "peer_group"]
    agg = ok.groupby(keys, as_index=False)[["numerator", "denominator"]].sum()
    agg["months"] = ok.groupby(keys)["month"].nunique().to_numpy()
    agg = agg[agg["denominator"] > 0].copy()
    agg["value"] = 100.0 * agg["numerator"] / agg["denominator"]
    return agg.reset_index(drop=True)


def period_values(series: pd.DataFrame, ratio: bool) -> pd.DataFrame:
    """One value per unit over the months in `series` (unit_code, peer_group, value): a rate indicator's
    summed numerator over summed denominator (`period_rates`), any other indicator's mean of its reported
    months."""
    if ratio:
        return period_rates(series)[["unit_code", "peer_group", "value"]]
    ok = series[series["status"] == "ok"]
    return ok.groupby(["unit_code", "peer_group"], as_index=False)["value"].mean()


def funnel(rates: pd.DataFrame, direction: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnel plot data: each unit against its peer group's pooled rate.

    Returns (points, limits). points adds group_rate (%), z and `band`:
    'in' / 'high95' / 'low95' / 'high998' / 'low998'; `judgement` reads the band
    through the indicator's direction ('better' / 'worse' / 'in'), and is None for
    a neutral indicator. limits holds, per group, a denominator grid with the
    95% and 99.8% limits (normal approximation to the binomial, clipped to 0-100%).
    """
    pts = rates.copy()
    pooled = pts.groupby("peer_group")[["numerator", "denominator"]].sum()
    group_rate = (pooled["numerator"] / pooled["denominator"]).rename("p")
    pts = pts.join(group_rate, on="peer_group")
    se = np.sqrt(pts["p"] * (1.0 - pts["p"]) / pts["denominator"])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (pts["value"] / 100.0 - pts["p"]) / se
    z = z.where(se > 0, 0.0)
    pts["z"] = z
    pts["group_rate"] = 100.0 * pts["p"]
    band = np.select([z > Z998, z < -Z998, z > Z95, z < -Z95],
                     ["high998", "low998", "high95", "low95"], default="in")
    pts["band"] = band
    if direction == NEUTRAL:
        pts["judgement"] = None
    else:
        high_is_better = direction != "lower"
        up = np.isin(band, ["high95", "high998"])
        down = np.isin(band, ["low95", "low998"])
        pts["judgement"] = np.where(up, "better" if high_is_better else "worse",
                                    np.where(down, "worse" if high_is_better else "better", "in"))
    pts = pts.drop(columns="p")

    rows = []
    for group, p in group_rate.items():
        dens = pts.loc[pts["peer_group"] == group, "denominator"]
        hi = max(float(dens.max()) * 1.1, 10.0)
        grid = np.unique(np.round(np.geomspace(max(1.0, float(dens.min()) * 0.5), hi, 80), 2))
        s = np.sqrt(p * (1.0 - p) / grid)
        for name, zq in (("95", Z95), ("998", Z998)):
            rows.append(pd.DataFrame({
                "peer_group": group, "denominator": grid, "level": name, "group_rate": 100.0 * p,
                "lower": 100.0 * np.clip(p - zq * s, 0.0, 1.0), "upper": 100.0 * np.clip(p + zq * s, 0.0, 1.0),
            }))
    limits = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["peer_group", "denominator", "level", "group_rate", "lower", "upper"])
    return pts.reset_index(drop=True), limits


def peer_median(series: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """Median of `value` per peer group and month, over units that reported."""
    ok = series[series[value].notna()]
    if "status" in ok:
        ok = ok[ok["status"] == "ok"]
    return ok.groupby(["peer_group", "month"], as_index=False)[value].median()


def changes(series: pd.DataFrame, month: str, value: str = "value") -> pd.DataFrame:
    """Per unit: the value in `month`, the month before and twelve months before, and the changes.

    Month-on-month compares with the previous month, year-on-year with the same month
    a year earlier; a change is missing when either side is.
    """
    prev, last_year = mo.add(month, -1), mo.add(month, -12)
    wide = series.pivot_table(index="unit_code", columns="month", values=value, aggfunc="first")
    out = pd.DataFrame(index=wide.index)
    for col, m in (("value", month), ("prev", prev), ("last_year", last_year)):
        out[col] = wide[m] if m in wide.columns else np.nan
    out["mom"] = out["value"] - out["prev"]
    out["yoy"] = out["value"] - out["last_year"]
    return out.reset_index()


def correlations(obs: pd.DataFrame, codes: list[str], min_units: int = 5) -> pd.DataFrame:
    """Spearman rank correlation between indicators across units (one month or a period's means).

    Indicators with fewer than `min_units` reporting units or no variation are left out.
    """
    ok = obs[(obs["status"] == "ok") & obs["indicator_code"].isin(codes)]
    wide = ok.pivot_table(index="unit_code", columns="indicator_code", values="value", aggfunc="mean")
    keep = [c for c in codes if c in wide.columns and wide[c].notna().sum() >= min_units
            and wide[c].nunique() > 1]
    if len(keep) < 2:
        return pd.DataFrame()
    return wide[keep].rank().corr(method="pearson", min_periods=min_units)


def indicator_completeness(obs: pd.DataFrame, units: pd.DataFrame, inds: pd.DataFrame,
                           months: list[str]) -> pd.DataFrame:
    """Per unit and indicator over `months`: share of expected months reported.

    Expected = months in which the indicator applies to the unit and was not marked
    not-applicable, before the indicator's retirement month (`retired_from`); an indicator that does
    not apply to the unit's kind has no cell (NaN).
    """
    n = len(months)
    codes = inds["code"].tolist()
    sub = obs[obs["month"].isin(months)]
    ok = sub[sub["status"] == "ok"].groupby(["unit_code", "indicator_code"]).size()
    na = sub[sub["status"] == "na"].groupby(["unit_code", "indicator_code"]).size()
    idx = pd.MultiIndex.from_product([units["code"], codes], names=["unit_code", "indicator_code"])
    frame = pd.DataFrame(index=idx).reset_index()
    frame["ok"] = ok.reindex(idx, fill_value=0).to_numpy()
    frame["na"] = na.reindex(idx, fill_value=0).to_numpy()
    kind = units.set_index("code")["kind"]
    applies = inds.set_index("code")["applies_to"]
    fits = (applies.reindex(frame["indicator_code"]).to_numpy() == "both") | (
        applies.reindex(frame["indicator_code"]).to_numpy() == kind.reindex(frame["unit_code"]).to_numpy())
    retired = (inds.set_index("code")["retired_from"] if "retired_from" in inds.columns
               else pd.Series(None, index=inds["code"], dtype=object))
    live = {c: (sum(m < r for m in months) if isinstance(r, str) and r else n) for c, r in retired.items()}
    expected = frame["indicator_code"].map(live).fillna(n).astype(int) - frame["na"]
    frame["expected"] = np.where(fits, expected, 0)
    frame["share"] = np.where(fits & (expected > 0), frame["ok"] / expected.where(expected > 0, 1), np.nan)
    return frame


def distribution(values: pd.DataFrame) -> pd.DataFrame:
    """Summary per peer group of one indicator's values: n, min, quartiles, max."""
    ok = values[values["value"].notna()]
    if "status" in ok:
        ok = ok[ok["status"] == "ok"]
    g = ok.groupby("peer_group")["value"]
    return pd.DataFrame({
        "n": g.size(), "min": g.min(), "p25": g.quantile(0.25), "median": g.median(),
        "p75": g.quantile(0.75), "max": g.max(),
    }).reset_index()


def spine(values: pd.DataFrame, unit: str, inds: pd.DataFrame) -> pd.DataFrame:
    """Spine-chart rows for one unit: its value against the range of its peers, per indicator.

    Each indicator is scaled so the peer median sits at 0 and the farthest peer at -1 or 1,
    with the better side to the right (lower-is-better indicators are mirrored). Neutral
    indicators are left out: they are context, not better or worse.
    values: unit_code, peer_group, indicator_code, value for one period.
    """
    me = values[values["unit_code"] == unit]
    if me.empty:
        return pd.DataFrame()
    group = me["peer_group"].iloc[0]
    peers = values[(values["peer_group"] == group) & values["value"].notna()]
    direction = inds.set_index("code")["direction"]
    rows = []
    for code, vals in peers.groupby("indicator_code", sort=False):
        d = direction.get(code, NEUTRAL)
        if d == NEUTRAL:
            continue
        v = vals["value"].astype(float)
        med = float(v.median())
        span = float(max(v.max() - med, med - v.min()))
        sign = -1.0 if d == "lower" else 1.0
        own = me.loc[me["indicator_code"] == code, "value"]
        own_v = float(own.iloc[0]) if len(own) and pd.notna(own.iloc[0]) else np.nan

        def pos(x, _med=med, _span=span, _sign=sign):
            return 0.0 if _span == 0 else _sign * (x - _med) / _span

        lo, hi = sorted((pos(float(v.min())), pos(float(v.max()))))
        q_lo, q_hi = sorted((pos(float(v.quantile(0.25))), pos(float(v.quantile(0.75)))))
        rows.append({"indicator_code": code, "direction": d, "value": own_v, "median": med,
                     "min": float(v.min()), "max": float(v.max()), "n": len(v),
                     "worst": lo, "best": hi, "q_low": q_lo, "q_high": q_hi,
                     "position": pos(own_v) if pd.notna(own_v) else np.nan})
    return pd.DataFrame(rows)


TARGET_PARAMS = ("target", "threshold")


def scheme_table(data: dict, kind: str) -> pd.DataFrame:
    """One row per scored indicator of a scheme (the plain dict) for a unit kind.

    Columns: dimension, dimension_zh, dimension_en, dim_weight, indicator_code, ind_weight
    (within its dimension), weight (share of the total, %), rule, params (dict), cap, target.
    Weights are read as proportions, so a scheme whose weights do not sum to 100 still shows shares.
    """
    section = (data.get("kinds") or {}).get(kind) or {}
    dims = section.get("dimensions") or []
    total_dim = sum(float(d.get("weight", 0)) for d in dims) or 1.0
    rows = []
    for d in dims:
        inds = d.get("indicators") or []
        total_ind = sum(float(i.get("weight", 0)) for i in inds) or 1.0
        for i in inds:
            params = dict(i.get("params") or {})
            target = next((params[k] for k in TARGET_PARAMS if k in params), None)
            rows.append({
                "dimension": d["code"], "dimension_zh": d.get("name_zh"), "dimension_en": d.get("name_en"),
                "dim_weight": float(d.get("weight", 0)), "indicator_code": i["code"],
                "ind_weight": float(i.get("weight", 0)),
                "weight": 100.0 * float(d.get("weight", 0)) / total_dim * float(i.get("weight", 0)) / total_ind,
                "rule": i.get("rule"), "params": params, "cap": i.get("cap"),
                "target": None if target is None else float(target),
            })
    return pd.DataFrame(rows, columns=["dimension", "dimension_zh", "dimension_en", "dim_weight",
                                       "indicator_code", "ind_weight", "weight", "rule", "params", "cap",
                                       "target"])


# An indicator counts as a strength when it lost at most this share of its points (and was not among the
# indicators that lost the most).
STRENGTH_MAX_LOST_SHARE = 0.1


def strengths_weaknesses(ind: pd.DataFrame, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A unit's scored indicators, split so that none is on both lists.

    Losses: the most points lost (weight x 100 - points), then significantly worse; only indicators that lost
    points. Strengths: the best relative performance among the indicators that lost no points or little
    (at most STRENGTH_MAX_LOST_SHARE of their points) and are not among the losses and not significantly worse:
    significantly better than peers first, then the best indicator scores.

    ind: the engine's indicator rows of one unit. Neutral and not-applicable indicators never appear.
    """
    scored = ind[(ind["direction"] != NEUTRAL) & ind["weight"].fillna(0).gt(0)].copy()
    if "status" in scored:
        scored = scored[scored["status"] != "na"]
    full = scored["weight"] * 100.0
    scored["lost"] = (full - scored["points"].fillna(0)).clip(lower=0)
    sig_rank = {"better": 0, "similar": 1, None: 1, "worse": 2}
    scored["_sig"] = scored["significance"].map(lambda s: sig_rank.get(s, 1))
    weak = scored[scored["lost"] > 1e-9].sort_values(["lost", "_sig"], ascending=[False, False]).head(n)
    small_loss = scored["lost"] <= STRENGTH_MAX_LOST_SHARE * full + 1e-9
    strong = scored[small_loss & ~scored["significance"].eq("worse")
                    & ~scored["indicator_code"].isin(weak["indicator_code"])]
    strong = strong.sort_values(["_sig", "raw_score", "weight"], ascending=[True, False, False]).head(n)
    return strong.drop(columns="_sig"), weak.drop(columns="_sig")


def whatif_changes(official: pd.DataFrame, dim_weights: dict[str, float],
                   indicator_changes: dict[str, dict]) -> dict:
    """The engine's what-if `changes` from edited values, keeping only what differs from the scheme.

    official: `scheme_table` of the kind; dim_weights: dimension -> weight as edited;
    indicator_changes: code -> {"weight": w, "rule": name, "params": {...}} as edited.
    """
    changes: dict = {}
    dw = official.drop_duplicates("dimension").set_index("dimension")["dim_weight"]
    dims = {d: float(w) for d, w in dim_weights.items() if d in dw.index and abs(float(w) - dw[d]) > 1e-9}
    if dims:
        changes["dimension_weights"] = dims
    by_code = official.set_index("indicator_code")
    iw, rules_ = {}, {}
    for code, ch in indicator_changes.items():
        if code not in by_code.index:
            continue
        row = by_code.loc[code]
        if "weight" in ch and abs(float(ch["weight"]) - float(row["ind_weight"])) > 1e-9:
            iw[code] = float(ch["weight"])
        rule = ch.get("rule", row["rule"])
        params = ch.get("params", row["params"])
        if rule != row["rule"] or params != row["params"]:
            rules_[code] = {"rule": rule, "params": params}
    if iw:
        changes["indicator_weights"] = iw
    if rules_:
        changes["rules"] = rules_
    return changes


def headline(totals: pd.DataFrame, history: pd.DataFrame, month: str) -> dict:
    """The month's headline for one unit kind: units scored, mean total and its change on the
    previous month (the same units' engine totals), vetoes and alert count."""
    prev = mo.add(month, -1)
    now = history.loc[history["month"] == month, ["unit_code", "total"]]
    before = history.loc[history["month"] == prev, ["unit_code", "total"]]
    mean_now = float(totals["total"].mean()) if len(totals) else float("nan")
    same = now.merge(before, on="unit_code", suffixes=("", "_prev"))
    change = float(same["total"].mean() - same["total_prev"].mean()) if len(same) else float("nan")
    alerts = int(sum(len(a) for a in totals["alerts"] if a is not None))
    return {"units": len(totals), "mean": mean_now, "change": change, "vetoes": int(totals["veto"].sum()),
            "alerts": alerts}


def plausibility_flags(reports: list[tuple[int, str | None, dict | None]]) -> pd.DataFrame:
    """Plausibility warnings that evaluators accepted at import, one row per batch and check.

    reports: (batch_id, source_name, stored report record) for the batches behind a month.
    """
    rows = []
    for batch_id, source, record in reports:
        for line in (record or {}).get("lines", []):
            if line.get("kind") == "plausibility":
                rows.append({"batch_id": batch_id, "source": source, "check": line.get("check"),
                             "row": line.get("row"), "value": line.get("value"),
                             "params": line.get("params") or {}})
    return pd.DataFrame(rows, columns=["batch_id", "source", "check", "row", "value", "params"])


def unchecked_plausibility(obs: pd.DataFrame, history: pd.DataFrame, units: pd.DataFrame,
                           indicators: pd.DataFrame) -> pd.DataFrame:
    """The import's plausibility checks run on data that came in without them (the sample district,
    a direct load): one row per flagged value with unit_code, indicator_code, month, check and params.

    obs: the month's current observations of those batches; history: the plausibility.WINDOW months before.
    """
    from kaohe.validation import plausibility

    cols = ["unit_code", "indicator_code", "month", "value", "check", "params"]
    if obs.empty:
        return pd.DataFrame(columns=cols)
    frame = obs.reset_index(drop=True)
    frame = frame.assign(row=range(len(frame)), value_raw=frame["value"], col_value="value")
    found = plausibility.run(frame, history, units, indicators)
    if found.empty:
        return pd.DataFrame(columns=cols)
    at = frame.set_index("row")
    rows = found["row"].astype(int)
    return pd.DataFrame({"unit_code": at.loc[rows, "unit_code"].to_numpy(),
                         "indicator_code": at.loc[rows, "indicator_code"].to_numpy(),
                         "month": at.loc[rows, "month"].to_numpy(), "value": at.loc[rows, "value"].to_numpy(),
                         "check": found["check"].to_numpy(), "params": found["params"].to_numpy()})


def lists_shown(group_totals: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The red list (best first) and black list (worst first) of one group as shown: a unit on the red
    list is never shown on the black list, whatever the data say."""
    red = group_totals[group_totals["list"] == "red"].sort_values("rank")
    black = group_totals[(group_totals["list"] == "black") & ~group_totals["unit_code"].isin(red["unit_code"])]
    return red, black.sort_values("rank", ascending=False)


def ranking_table(totals: pd.DataFrame, dims: pd.DataFrame, robust: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rankings of one peer group: totals joined with dimension scores (wide, dim_<code>) and, when
    computed, the robustness rank interval, plus the net adjustment (bonus minus deductions). No number
    is recomputed here."""
    out = totals.copy()
    if not dims.empty:
        wide = dims.pivot_table(index="unit_code", columns="dimension", values="score", aggfunc="first")
        order = [d for d in dims["dimension"].drop_duplicates() if d in wide.columns]
        wide = wide[order].add_prefix("dim_")
        out = out.merge(wide, left_on="unit_code", right_index=True, how="left")
    if robust is not None and not robust.empty:
        r = robust[["unit_code", "median_rank", "rank_p05", "rank_p95"]]
        out = out.merge(r, on="unit_code", how="left")
    out["net_adjustment"] = out["bonus"].fillna(0) - out["deduction"].fillna(0)
    return out.reset_index(drop=True)
