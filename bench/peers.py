"""Honest peers for the scoring bench: one month of the full scheme, scored three other ways.

Each peer scores ONE month of a scheme (the full default scheme: rules, direction, caps,
re-weighting of not-applicable items, zero for missing ones, the automatic bonus and deduction
items with their caps, the veto triggers, ranks within peer groups, grade bands, the quota and the
veto cap) for every peer group, from exactly what the timed engine call gets:

    kaohe.metrics.build.compute(scheme, units, catalogue, month_obs, None, month, n_history=1)

with `month_obs` the month's observations in the long layout (unit_code, indicator_code, month,
value, numerator, denominator, status). Each returns one row per scored unit: unit_code,
peer_group, base_score, bonus, deduction, total, veto, rank, grade.

What the peers may keep between calls is what the engine keeps: the scheme laid out as a table
(`layout`, cached per scheme and set of peer groups, like `Scheme.plan`). Everything made from the
data (merges, conversions to polars) is inside the call and timed.

Entered adjustments (the office's bonus, deduction and veto items) are not an input of the timed
call (None, as above), so no peer reads them; the 'carry' missing policy is a no-op for one month
handed alone (nothing before it to carry), as it is for the engine.

Fixed point as in metrics/engine.py: an item's points are rint(raw x weight x 10,000) as int64,
base = their sum, bonus and deduction capped in 1/10,000 point, total = max(base + bonus -
deduction, 0) rounded half up to the cent; ranks and grades use the cents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kaohe.metrics.scheme import Scheme

FIXED = 10_000
GRADES = ("excellent", "good", "pass", "fail")  # best first, as metrics/grades.py
RELATIVE = ("minmax", "zscore", "percentile")
PEER_COLUMNS = ["unit_code", "peer_group", "base_score", "bonus", "deduction", "total", "veto", "rank", "grade"]
_OPS = {">=": np.greater_equal, ">": np.greater, "==": np.equal}


# -- the scheme as a table (what the engine caches as its Plan) ----------------------------------------
@dataclass
class Layout:
    """One row per (peer group, indicator) and the scheme's other sections, plainly."""

    spec: pd.DataFrame  # peer_group, dimension, indicator_code, dim_weight, ind_weight, rule, lower, is_ratio,
    #                     cap, p_* (every rule parameter, defaults filled in)
    groups: list[str]
    policy: str  # missing: zero | reweight | carry (carry scores a missing item 0 when nothing is carried)
    auto: list[dict]  # automatic adjustments: indicator, kind, op, value, points4
    bonus_cap4: int | None
    deduction_cap4: int | None
    triggers: list[dict]  # veto triggers: indicator, op, value
    bands: list[tuple[float, int]]  # (min, grade index), lowest min first: the highest band reached wins
    quota: list[tuple[int, float]]  # (grade index, share), best grade first
    cap_grade: int
    ratio_codes: list[str]  # catalogue indicators whose value is 100 x numerator / denominator


_LAYOUTS: dict[tuple, Layout] = {}


def layout(scheme: Scheme, units: pd.DataFrame) -> Layout:
    key = (scheme.fingerprint, id(scheme),
           tuple(sorted(set(zip(units["peer_group"].astype(str), units["kind"].astype(str), strict=True)))))
    if key not in _LAYOUTS:
        _LAYOUTS[key] = _make_layout(scheme, units)
    return _LAYOUTS[key]


def _make_layout(scheme: Scheme, units: pd.DataFrame) -> Layout:
    s = scheme.spec(units)
    pcols = [c for c in s.columns if c.startswith("p_")]
    spec = s[["peer_group", "dimension", "indicator_code", "dim_weight", "ind_weight", "rule", "cap", *pcols]].copy()
    spec["lower"] = s["direction"].eq("lower").to_numpy()
    spec["is_ratio"] = s["ratio"].astype(bool).to_numpy()
    spec["dim_weight"] = spec["dim_weight"].astype(float)
    spec["ind_weight"] = spec["ind_weight"].astype(float)
    data = scheme.data
    adj = data.get("adjustments") or {}
    auto = [{"indicator": r["indicator"], "kind": r["kind"], "op": r["op"], "value": float(r["value"]),
             "points4": int(np.rint(abs(float(r["points"])) * FIXED))} for r in adj.get("rules", [])
            if r["kind"] in ("bonus", "deduction")]
    cap4 = lambda v: None if v is None else int(round(float(v) * FIXED))  # noqa: E731
    veto = data.get("veto") or {}
    g = data.get("grades") or {}
    bands = sorted((float(b["min"]), GRADES.index(b["grade"])) for b in g.get("bands", []))
    quota = sorted(((GRADES.index(k), float(v)) for k, v in (g.get("quota") or {}).items()))
    cat = scheme.catalogue
    return Layout(
        spec=spec.reset_index(drop=True), groups=list(pd.unique(spec["peer_group"])),
        policy=(data.get("missing") or {}).get("policy", "zero"), auto=auto,
        bonus_cap4=cap4(adj.get("bonus_cap")), deduction_cap4=cap4(adj.get("deduction_cap")),
        triggers=[{"indicator": t["indicator"], "op": t["op"], "value": float(t["value"])}
                  for t in veto.get("triggers", [])],
        bands=bands, quota=quota, cap_grade=GRADES.index(veto.get("cap_grade", "fail")),
        ratio_codes=cat.loc[cat["ratio"].fillna(False).astype(bool), "code"].tolist(),
    )


def _alive(units: pd.DataFrame, month: str) -> np.ndarray:
    af = units["active_from"].fillna("").astype(str).to_numpy() if "active_from" in units else ""
    at = units["active_to"].fillna("").astype(str).to_numpy() if "active_to" in units else ""
    return ((af == "") | (month >= af)) & ((at == "") | (month <= at))


def _grade_index(total: np.ndarray, rank: np.ndarray, n: np.ndarray, veto: np.ndarray, lay: Layout) -> np.ndarray:
    idx = np.full(len(total), len(GRADES) - 1)
    for lo, g in lay.bands:
        idx = np.where(total >= lo - 1e-9, g, idx)
    for g, share in lay.quota:
        places = np.floor(share * n.astype(float) + 0.5 + 1e-9)
        idx = np.where((idx == g) & (rank > places), g + 1, idx)
    return np.where(veto, np.maximum(idx, lay.cap_grade), idx)


# -- pandas ---------------------------------------------------------------------------------------
def pandas_peer(scheme: Scheme, units: pd.DataFrame, catalogue: pd.DataFrame, month_obs: pd.DataFrame,
                month: str) -> pd.DataFrame:
    """The month scored the ordinary vectorised pandas way: merge units x scheme x observations, one
    np.where expression per rule, groupby transforms for the peer-group rules (min-max, z-score,
    percentile) and the re-weighting, groupby sums for points, adjustments and vetoes, a groupby rank.

    Receives exactly the engine's input (`month_obs`: the month only, long layout); `catalogue` is
    the scheme's (the layout holds the ratio flags it needs)."""
    lay = layout(scheme, units)
    u = units.loc[_alive(units, month) & units["peer_group"].isin(lay.groups).to_numpy(), ["code", "peer_group"]]
    u = u.rename(columns={"code": "unit_code"})
    o = month_obs[["unit_code", "indicator_code", "value", "numerator", "denominator", "status"]]
    ok = o["status"].eq("ok") & o["value"].notna()
    rate = (o["indicator_code"].isin(lay.ratio_codes) & ok & o["numerator"].notna() & o["denominator"].notna()
            & (o["denominator"] > 0))
    v = np.where(rate, 100.0 * o["numerator"] / o["denominator"], o["value"])
    # 0 ok, 1 not applicable, 2 missing (a reported row without a value is missing)
    st = np.where(ok, 0, np.where(o["status"].eq("na"), 1, 2)).astype(np.int8)
    o = pd.DataFrame({"unit_code": o["unit_code"], "indicator_code": o["indicator_code"], "v": v, "st": st})

    c = u.merge(lay.spec, on="peer_group").merge(o, on=["unit_code", "indicator_code"], how="left")
    st = c["st"].fillna(2).to_numpy()
    use = st == 0
    val = c["v"].to_numpy(dtype=float)
    cap = c["cap"].to_numpy(dtype=float)
    val = np.where(~np.isnan(cap) & (val > cap), cap, val)
    val = np.where(use, val, np.nan)
    low = c["lower"].to_numpy(dtype=bool)
    rule = c["rule"].to_numpy(dtype=object)
    p = {k: c[k].to_numpy(dtype=float) for k in c.columns if k.startswith("p_")}
    neg = lambda a: np.where(low, -a, a)  # noqa: E731
    xs = neg(val)  # lower-is-better negated
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.full(len(c), np.nan)
        m = rule == "target_deduct"
        earned = np.clip(p["p_full"] - p["p_per_point"] * np.maximum(neg(p["p_target"]) - xs, 0.0),
                         p["p_floor"], p["p_full"])
        raw = np.where(m, 100.0 * earned / p["p_full"], raw)
        m = rule == "linear"
        fl, tg = neg(p["p_floor"]), neg(p["p_target"])
        raw = np.where(m, 100.0 * np.clip((xs - fl) / (tg - fl), 0.0, 1.0), raw)
        m = rule == "ratio_to_target"
        xr = np.where(low, np.where(val > 0, 1.0 / np.where(val > 0, val, 1.0), np.inf), val)
        tr = np.where(low, 1.0 / p["p_target"], p["p_target"])
        r = np.where(tr > 0, xr / tr, np.where(xr >= 0, 1.0, 0.0))
        raw = np.where(m, 100.0 * np.clip(r, 0.0, 1.0), raw)
        m = rule == "pass_fail"
        raw = np.where(m, np.where(xs >= neg(p["p_threshold"]), p["p_pass_score"], p["p_fail_score"]), raw)
        rel = np.isin(rule, RELATIVE) & ~np.isnan(xs)
        if rel.any():
            sub = pd.DataFrame({"peer_group": c["peer_group"].to_numpy()[rel],
                                "indicator_code": c["indicator_code"].to_numpy()[rel], "x": xs[rel]})
            g = sub.groupby(["peer_group", "indicator_code"], sort=False)["x"]
            x = sub["x"].to_numpy()
            lo, hi = g.transform("min").to_numpy(), g.transform("max").to_numpy()
            mean, sd = g.transform("mean").to_numpy(), g.transform("std", ddof=0).to_numpy()
            rk, n = g.rank(method="average").to_numpy(), g.transform("count").to_numpy()
            rr = rule[rel]
            out = np.where(rr == "minmax", np.where(hi > lo, 100.0 * (x - lo) / (hi - lo), 100.0), np.nan)
            z = np.where(sd > 0, (x - mean) / sd, 0.0)
            out = np.where(rr == "zscore", np.clip(p["p_center"][rel] + p["p_scale"][rel] * z, 0.0, 100.0), out)
            out = np.where(rr == "percentile", np.where(n > 1, 100.0 * (rk - 1.0) / (n - 1.0), 100.0), out)
            raw[rel] = out
    raw = np.where(np.isnan(xs), np.nan, raw)
    if lay.policy in ("zero", "carry"):
        raw = np.where(st == 2, 0.0, raw)

    # re-weighting: an item left out (not applicable) passes its weight to its dimension's others,
    # an empty dimension to the unit's other dimensions
    w = c["ind_weight"].to_numpy() * ~np.isnan(raw)
    c = c[["unit_code", "peer_group", "dimension", "dim_weight"]].assign(w=w, raw=raw)
    dsum = c.groupby(["unit_code", "dimension"], sort=False)["w"].transform("sum").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(dsum > 0, w / dsum, 0.0)
        dw = c["dim_weight"].to_numpy() * (dsum > 0)
        dims = c.assign(dw=dw).drop_duplicates(["unit_code", "dimension"])
        dtot = dims.groupby("unit_code", sort=False)["dw"].sum()
        tot_of = dtot.reindex(c["unit_code"]).to_numpy()
        dim_eff = np.nan_to_num(dw / tot_of)
    points4 = np.rint(np.nan_to_num(raw) * (dim_eff * share) * FIXED).astype(np.int64)
    t = c.assign(points4=points4).groupby(["unit_code", "peer_group"], sort=False, as_index=False)["points4"].sum()
    t = t.rename(columns={"points4": "base4"})

    # the scheme's automatic bonus and deduction items, and the veto triggers, on the month's values
    watched = {r["indicator"] for r in lay.auto} | {r["indicator"] for r in lay.triggers}
    wv = o.loc[o["indicator_code"].isin(list(watched)) & o["st"].eq(0) & o["unit_code"].isin(t["unit_code"])]
    wcode, wval = wv["indicator_code"].to_numpy(), wv["v"].to_numpy(dtype=float)
    b = np.zeros(len(wv), dtype=np.int64)
    d = np.zeros(len(wv), dtype=np.int64)
    for r in lay.auto:
        hit = (wcode == r["indicator"]) & _OPS[r["op"]](wval, r["value"])
        if r["kind"] == "bonus":
            b += np.where(hit, r["points4"], 0)
        else:
            d += np.where(hit, r["points4"], 0)
    vt = np.zeros(len(wv), dtype=bool)
    for r in lay.triggers:
        vt |= (wcode == r["indicator"]) & _OPS[r["op"]](wval, r["value"])
    a = pd.DataFrame({"unit_code": wv["unit_code"].to_numpy(), "b": b, "d": d, "veto": vt}).groupby(
        "unit_code", sort=False).agg(b=("b", "sum"), d=("d", "sum"), veto=("veto", "any"))
    t = t.merge(a, left_on="unit_code", right_index=True, how="left")
    b = t["b"].fillna(0).to_numpy(dtype=np.int64)
    d = t["d"].fillna(0).to_numpy(dtype=np.int64)
    if lay.bonus_cap4 is not None:
        b = np.minimum(b, lay.bonus_cap4)
    if lay.deduction_cap4 is not None:
        d = np.minimum(d, lay.deduction_cap4)
    total4 = np.maximum(t["base4"].to_numpy(dtype=np.int64) + b - d, 0)
    cents = (total4 + FIXED // 200) // (FIXED // 100)
    t["base_score"] = t["base4"] / FIXED
    t["bonus"], t["deduction"], t["total"] = b / FIXED, d / FIXED, cents / 100.0
    t["veto"] = t["veto"].fillna(False).astype(bool)
    t["cents"] = cents
    grp = t.groupby("peer_group", sort=False)["cents"]
    t["rank"] = grp.rank(method="min", ascending=False).astype(int)
    n = grp.transform("size").to_numpy()
    gi = _grade_index(t["total"].to_numpy(), t["rank"].to_numpy(), n, t["veto"].to_numpy(), lay)
    t["grade"] = np.array(GRADES, dtype=object)[gi]
    return t[PEER_COLUMNS]


# -- polars ---------------------------------------------------------------------------------------
def polars_peer(scheme: Scheme, units: pd.DataFrame, catalogue: pd.DataFrame, month_obs: pd.DataFrame,
                month: str):
    """The same month in polars (a polars DataFrame comes back; `agree` takes either).

    It receives the pandas frames the engine receives: converting units and observations to polars
    (pl.from_pandas) is part of its timed cost, as reading its input is part of the engine's. The
    scheme's layout is converted once and kept (as the engine keeps its Plan). Joins, one
    expression per rule, window expressions (`over`) for the peer-group rules and the re-weighting,
    group_by sums, a rank over the peer group."""
    import polars as pl

    lay = layout(scheme, units)
    spec = _polars_spec(lay)
    alive = _alive(units, month) & units["peer_group"].isin(lay.groups).to_numpy()
    u = pl.DataFrame({"unit_code": units["code"].to_numpy(dtype=object)[alive].astype(str),
                      "peer_group": units["peer_group"].to_numpy(dtype=object)[alive].astype(str)})
    o = pl.from_pandas(month_obs[["unit_code", "indicator_code", "value", "numerator", "denominator", "status"]])
    ok = (pl.col("status") == "ok") & pl.col("value").is_not_null() & pl.col("value").is_not_nan()
    rate = (pl.col("indicator_code").is_in(lay.ratio_codes) & ok & pl.col("numerator").is_not_nan()
            & pl.col("denominator").is_not_nan() & (pl.col("denominator") > 0))
    o = o.with_columns(pl.col("value").fill_nan(None), pl.col("numerator").fill_nan(None),
                       pl.col("denominator").fill_nan(None)).select(
        "unit_code", "indicator_code",
        pl.when(rate).then(100.0 * pl.col("numerator") / pl.col("denominator")).otherwise(pl.col("value")).alias("v"),
        pl.when(ok).then(0).when(pl.col("status") == "na").then(1).otherwise(2).cast(pl.Int8).alias("st"))

    c = u.join(spec, on="peer_group").join(o, on=["unit_code", "indicator_code"], how="left")
    col = pl.col
    low = col("lower")
    neg = lambda e: pl.when(low).then(-e).otherwise(e)  # noqa: E731
    st = col("st").fill_null(2)
    val = (pl.when(st != 0).then(None)
           .when(col("cap").is_not_null() & (col("v") > col("cap"))).then(col("cap")).otherwise(col("v")))
    c = c.with_columns(st.alias("st"), val.alias("val")).with_columns(neg(col("val")).alias("xs"))
    grp = ["peer_group", "indicator_code"]
    xs = col("xs")
    tg, fl = neg(col("p_target")), neg(col("p_floor"))
    earned = (col("p_full") - col("p_per_point") * pl.max_horizontal(tg - xs, pl.lit(0.0))).clip(
        col("p_floor"), col("p_full"))
    xr = pl.when(low).then(pl.when(col("val") > 0).then(1.0 / col("val")).otherwise(float("inf"))).otherwise(
        col("val"))
    tr = pl.when(low).then(1.0 / col("p_target")).otherwise(col("p_target"))
    ratio = pl.when(tr > 0).then(xr / tr).when(xr >= 0).then(1.0).otherwise(0.0)
    lo, hi = xs.min().over(grp), xs.max().over(grp)
    mean, sd = xs.mean().over(grp), xs.std(ddof=0).over(grp)
    n = xs.count().over(grp)
    rk = xs.rank("average").over(grp)
    raw = (pl.when(xs.is_null()).then(None)
           .when(col("rule") == "target_deduct").then(100.0 * earned / col("p_full"))
           .when(col("rule") == "linear").then(100.0 * ((xs - fl) / (tg - fl)).clip(0.0, 1.0))
           .when(col("rule") == "ratio_to_target").then(100.0 * ratio.clip(0.0, 1.0))
           .when(col("rule") == "pass_fail").then(
               pl.when(xs >= neg(col("p_threshold"))).then(col("p_pass_score")).otherwise(col("p_fail_score")))
           .when(col("rule") == "minmax").then(pl.when(hi > lo).then(100.0 * (xs - lo) / (hi - lo)).otherwise(100.0))
           .when(col("rule") == "zscore").then(
               (col("p_center") + col("p_scale") * pl.when(sd > 0).then((xs - mean) / sd).otherwise(0.0)).clip(0.0, 100.0))
           .when(col("rule") == "percentile").then(
               pl.when(n > 1).then(100.0 * (rk - 1.0) / (n - 1.0)).otherwise(100.0)))
    if lay.policy in ("zero", "carry"):
        raw = pl.when(col("st") == 2).then(0.0).otherwise(raw)
    c = c.with_columns(raw.alias("raw")).with_columns(
        (col("ind_weight") * col("raw").is_not_null().cast(pl.Float64)).alias("w"))
    c = c.with_columns(col("w").sum().over(["unit_code", "dimension"]).alias("dsum"))
    c = c.with_columns(
        pl.when(col("dsum") > 0).then(col("w") / col("dsum")).otherwise(0.0).alias("share"),
        (col("dim_weight") * (col("dsum") > 0).cast(pl.Float64)).alias("dw"))
    dims = c.unique(["unit_code", "dimension"], keep="first", maintain_order=True).group_by(
        "unit_code").agg(col("dw").sum().alias("dtot"))
    c = c.join(dims, on="unit_code", how="left").with_columns(
        pl.when(col("dtot") > 0).then(col("dw") / col("dtot")).otherwise(0.0).alias("dim_eff"))
    c = c.with_columns(((col("raw").fill_null(0.0) * (col("dim_eff") * col("share"))) * FIXED).alias("p4f"))
    # np.rint (half to even) on the float, then int64
    p4 = pl.Series(np.rint(c["p4f"].to_numpy()).astype(np.int64))
    c = c.with_columns(p4.alias("points4"))
    t = c.group_by(["unit_code", "peer_group"], maintain_order=True).agg(col("points4").sum().alias("base4"))

    watched = [r["indicator"] for r in lay.auto] + [r["indicator"] for r in lay.triggers]
    wv = o.filter(col("indicator_code").is_in(watched) & (col("st") == 0))
    ops = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "==": lambda a, b: a == b}
    hit = lambda r: (col("indicator_code") == r["indicator"]) & ops[r["op"]](col("v"), r["value"])  # noqa: E731
    b_expr = sum((pl.when(hit(r)).then(r["points4"]).otherwise(0) for r in lay.auto if r["kind"] == "bonus"),
                 pl.lit(0))
    d_expr = sum((pl.when(hit(r)).then(r["points4"]).otherwise(0) for r in lay.auto if r["kind"] == "deduction"),
                 pl.lit(0))
    v_expr = pl.lit(False)
    for r in lay.triggers:
        v_expr = v_expr | hit(r)
    a = wv.group_by("unit_code").agg(b_expr.sum().cast(pl.Int64).alias("b"), d_expr.sum().cast(pl.Int64).alias("d"),
                                     v_expr.any().alias("veto"))
    t = t.join(a, on="unit_code", how="left", maintain_order="left").with_columns(
        col("b").fill_null(0), col("d").fill_null(0), col("veto").fill_null(False))
    if lay.bonus_cap4 is not None:
        t = t.with_columns(pl.min_horizontal(col("b"), pl.lit(lay.bonus_cap4)).alias("b"))
    if lay.deduction_cap4 is not None:
        t = t.with_columns(pl.min_horizontal(col("d"), pl.lit(lay.deduction_cap4)).alias("d"))
    t = t.with_columns(pl.max_horizontal(col("base4") + col("b") - col("d"), pl.lit(0)).alias("total4"))
    t = t.with_columns(((col("total4") + FIXED // 200) // (FIXED // 100)).alias("cents"))
    t = t.with_columns(col("cents").rank("min", descending=True).over("peer_group").cast(pl.Int64).alias("rank"),
                       pl.len().over("peer_group").alias("n"))
    g = pl.lit(len(GRADES) - 1)
    total = col("cents") / 100.0
    for lo_, gi in lay.bands:
        g = pl.when(total >= lo_ - 1e-9).then(gi).otherwise(g)
    for gi, share in lay.quota:
        g = pl.when((g == gi) & (col("rank") > (share * col("n").cast(pl.Float64) + 0.5 + 1e-9).floor())).then(
            gi + 1).otherwise(g)
    g = pl.when(col("veto")).then(pl.max_horizontal(g, pl.lit(lay.cap_grade))).otherwise(g)
    return t.select(
        "unit_code", "peer_group", (col("base4") / FIXED).alias("base_score"), (col("b") / FIXED).alias("bonus"),
        (col("d") / FIXED).alias("deduction"), total.alias("total"), "veto", "rank",
        g.replace_strict(list(range(len(GRADES))), list(GRADES), return_dtype=pl.String).alias("grade"))


_POLARS_SPECS: dict[int, object] = {}


def _polars_spec(lay: Layout):
    import polars as pl

    if id(lay) not in _POLARS_SPECS:
        s = lay.spec.drop(columns=[c for c in lay.spec.columns if c == "params"])
        _POLARS_SPECS[id(lay)] = pl.from_pandas(s).with_columns(pl.col("cap").fill_nan(None))
    return _POLARS_SPECS[id(lay)]


# -- DuckDB ---------------------------------------------------------------------------------------
SPEC_TABLE = "bench_peer_spec"


def _spec_columns(lay: Layout) -> list[str]:
    pcols = sorted(c for c in lay.spec.columns if c.startswith("p_"))
    return ["peer_group", "dimension", "indicator_code", "dim_weight", "ind_weight", "rule", "lower", "cap", *pcols]


def duckdb_prepare(con, scheme: Scheme, units: pd.DataFrame) -> str:
    """Put the scheme's spec into a TEMP table of `con` (the scheme laid out once, as the engine
    caches its Plan) and return the query `duckdb_peer` runs on that connection."""
    lay = layout(scheme, units)
    spec = lay.spec[_spec_columns(lay)].copy()
    spec["cap"] = spec["cap"].astype(float)
    con.register("bench_peer_spec_df", spec)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {SPEC_TABLE} AS SELECT * FROM bench_peer_spec_df")
    finally:
        con.unregister("bench_peer_spec_df")
    return duckdb_sql(scheme, units, inline=False)


def duckdb_sql(scheme: Scheme, units: pd.DataFrame, inline: bool = True) -> str:
    """The query `duckdb_peer` runs (one parameter, the month). With `inline` the scheme's spec is a
    VALUES table written into the text, so the query needs nothing but the warehouse's own tables
    (units, indicators, observations); otherwise it reads the table `duckdb_prepare` made."""
    lay = layout(scheme, units)
    s = lay.spec
    cols = _spec_columns(lay)

    def lit(v):
        if isinstance(v, bool | np.bool_):
            return "TRUE" if v else "FALSE"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "NULL::DOUBLE"
        return f"{float(v)!r}::DOUBLE"

    values = ",\n".join("(" + ", ".join(lit(r[c]) for c in cols) + ")" for r in s[cols].to_dict("records"))
    groups = ", ".join(lit(g) for g in lay.groups)
    ops = {">=": ">=", ">": ">", "==": "="}
    cond = lambda r: f"(indicator_code = {lit(r['indicator'])} AND v {ops[r['op']]} {r['value']!r})"  # noqa: E731
    bonus = " + ".join(f"CASE WHEN {cond(r)} THEN {r['points4']} ELSE 0 END" for r in lay.auto
                       if r["kind"] == "bonus") or "0"
    ded = " + ".join(f"CASE WHEN {cond(r)} THEN {r['points4']} ELSE 0 END" for r in lay.auto
                     if r["kind"] == "deduction") or "0"
    veto = " OR ".join(cond(r) for r in lay.triggers) or "FALSE"
    watched = ", ".join(lit(c) for c in dict.fromkeys([r["indicator"] for r in lay.auto + lay.triggers])) or "NULL"
    b_cap = f"LEAST(b, {lay.bonus_cap4})" if lay.bonus_cap4 is not None else "b"
    d_cap = f"LEAST(d, {lay.deduction_cap4})" if lay.deduction_cap4 is not None else "d"
    grade = str(len(GRADES) - 1)
    for lo, gi in lay.bands:
        grade = f"CASE WHEN cents / 100.0 >= {lo - 1e-9!r} THEN {gi} ELSE {grade} END"
    for gi, share in lay.quota:
        grade = (f"CASE WHEN g0 = {gi} AND rnk > floor({share!r} * n + 0.5 + 1e-9) THEN {gi + 1} ELSE g0 END"
                 .replace("g0", f"({grade})"))
    grade = f"CASE WHEN veto THEN greatest({grade}, {lay.cap_grade}) ELSE {grade} END"
    spec_cte = (f"spec({', '.join(cols)}) AS (VALUES\n{values})," if inline
                else f"spec AS (SELECT * FROM {SPEC_TABLE}),")
    missing = "0.0" if lay.policy in ("zero", "carry") else "NULL"
    return f"""
WITH {spec_cte}
u AS (SELECT code AS unit_code, peer_group FROM units
      WHERE peer_group IN ({groups})
        AND (active_from IS NULL OR active_from = '' OR $1 >= active_from)
        AND (active_to IS NULL OR active_to = '' OR $1 <= active_to)),
o AS (SELECT o.unit_code, o.indicator_code,
             CASE WHEN o.status = 'ok' AND o.value IS NOT NULL AND NOT isnan(o.value) THEN 0
                  WHEN o.status = 'na' THEN 1 ELSE 2 END AS st,
             CASE WHEN i.ratio AND o.numerator IS NOT NULL AND o.denominator > 0
                  THEN 100.0 * o.numerator / o.denominator ELSE o.value END AS v
      FROM observations o JOIN indicators i ON i.code = o.indicator_code
      WHERE o.is_current AND o.month = $1),
c AS (SELECT u.unit_code, s.*, coalesce(o.st, 2) AS st,
             CASE WHEN coalesce(o.st, 2) = 0 THEN
                  CASE WHEN s.cap IS NOT NULL AND o.v > s.cap THEN s.cap ELSE o.v END END AS val
      FROM u JOIN spec s USING (peer_group) LEFT JOIN o USING (unit_code, indicator_code)),
x AS (SELECT *, CASE WHEN lower THEN -val ELSE val END AS xs,
             CASE WHEN lower THEN -p_target ELSE p_target END AS tg,
             CASE WHEN lower THEN -p_floor ELSE p_floor END AS fl,
             CASE WHEN lower THEN (CASE WHEN val > 0 THEN 1.0 / val ELSE 'inf'::DOUBLE END) ELSE val END AS xr,
             CASE WHEN lower THEN 1.0 / p_target ELSE p_target END AS tr
      FROM c),
absolute AS (
  SELECT unit_code, peer_group, dimension, dim_weight, ind_weight, st,
    CASE WHEN xs IS NULL THEN NULL
         WHEN rule = 'target_deduct' THEN
              100.0 * least(greatest(p_full - p_per_point * greatest(tg - xs, 0.0), p_floor), p_full) / p_full
         WHEN rule = 'linear' THEN 100.0 * least(greatest((xs - fl) / (tg - fl), 0.0), 1.0)
         WHEN rule = 'ratio_to_target' THEN
              100.0 * least(greatest(CASE WHEN tr > 0 THEN xr / tr WHEN xr >= 0 THEN 1.0 ELSE 0.0 END, 0.0), 1.0)
         WHEN rule = 'pass_fail' THEN
              CASE WHEN xs >= (CASE WHEN lower THEN -p_threshold ELSE p_threshold END) THEN p_pass_score
                   ELSE p_fail_score END
    END AS raw
  FROM x WHERE rule NOT IN ('minmax', 'zscore', 'percentile')),
rel_in AS (SELECT * FROM x WHERE rule IN ('minmax', 'zscore', 'percentile')),
rel_stats AS (
  SELECT peer_group, indicator_code, min(xs) AS lo, max(xs) AS hi, avg(xs) AS mean,
         stddev_pop(xs) AS sd, count(xs) AS n
  FROM rel_in GROUP BY peer_group, indicator_code),
rel_w AS (
  SELECT r.*, s.lo, s.hi, s.mean, s.sd, s.n,
         CASE WHEN xs IS NOT NULL THEN rank() OVER (g ORDER BY xs) END AS rk_lo,
         count(xs) OVER (g ORDER BY xs RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS rk_hi
  FROM rel_in r JOIN rel_stats s USING (peer_group, indicator_code)
  WINDOW g AS (PARTITION BY peer_group, indicator_code)),
relative AS (
  SELECT unit_code, peer_group, dimension, dim_weight, ind_weight, st,
    CASE WHEN xs IS NULL THEN NULL
         WHEN rule = 'minmax' THEN CASE WHEN hi > lo THEN 100.0 * (xs - lo) / (hi - lo) ELSE 100.0 END
         WHEN rule = 'zscore' THEN
              least(greatest(p_center + p_scale * CASE WHEN sd > 0 THEN (xs - mean) / sd ELSE 0.0 END, 0.0), 100.0)
         WHEN rule = 'percentile' THEN
              CASE WHEN n > 1 THEN 100.0 * ((rk_lo + rk_hi) / 2.0 - 1.0) / (n - 1.0) ELSE 100.0 END
    END AS raw
  FROM rel_w),
scored AS (
  SELECT unit_code, peer_group, dimension, dim_weight, ind_weight,
         CASE WHEN st = 2 THEN {missing} ELSE raw END AS raw
  FROM (SELECT * FROM absolute UNION ALL SELECT * FROM relative)),
weighted AS (SELECT *, CASE WHEN raw IS NOT NULL THEN ind_weight ELSE 0.0 END AS w FROM scored),
dims AS (  -- a GROUP BY joined back: a window over thousands of tiny partitions is several times slower
  SELECT unit_code, dimension, sum(w) AS dsum, any_value(dim_weight) * (CASE WHEN sum(w) > 0 THEN 1.0 ELSE 0.0 END) AS dw
  FROM weighted GROUP BY unit_code, dimension),
wsum AS (SELECT weighted.*, dims.dsum FROM weighted JOIN dims USING (unit_code, dimension)),
dims_tot AS (  -- a few numbers per unit, summed in a fixed order: the same figures on every run
  SELECT unit_code, sum(dw ORDER BY dimension) AS dtot FROM dims GROUP BY unit_code),
dims_eff AS (
  SELECT unit_code, dimension, CASE WHEN dtot > 0 THEN dw / dtot ELSE 0.0 END AS dim_eff
  FROM dims JOIN dims_tot USING (unit_code)),
base AS (
  SELECT unit_code, any_value(peer_group) AS peer_group,
         sum(round_even(coalesce(raw, 0.0) * (e.dim_eff * CASE WHEN dsum > 0 THEN w / dsum ELSE 0.0 END) * {FIXED},
                        0)::BIGINT) AS base4
  FROM wsum JOIN dims_eff e USING (unit_code, dimension)
  GROUP BY unit_code),
adj AS (
  SELECT unit_code, sum({bonus})::BIGINT AS b, sum({ded})::BIGINT AS d, bool_or({veto}) AS veto
  FROM o WHERE st = 0 AND indicator_code IN ({watched}) GROUP BY unit_code),
tot AS (
  SELECT base.unit_code, peer_group, base4, {b_cap} AS b, {d_cap} AS d, veto
  FROM (SELECT base.*, coalesce(adj.b, 0) AS b, coalesce(adj.d, 0) AS d, coalesce(adj.veto, FALSE) AS veto
        FROM base LEFT JOIN adj USING (unit_code)) base),
cents AS (
  SELECT *, (greatest(base4 + b - d, 0) + {FIXED // 200}) // {FIXED // 100} AS cents FROM tot),
ranked AS (
  SELECT *, rank() OVER (PARTITION BY peer_group ORDER BY cents DESC) AS rnk,
         count(*) OVER (PARTITION BY peer_group) AS n
  FROM cents)
SELECT unit_code, peer_group, base4 / {FIXED}.0 AS base_score, b / {FIXED}.0 AS bonus, d / {FIXED}.0 AS deduction,
       cents / 100.0 AS total, veto, rnk AS rank,
       [{", ".join(lit(g) for g in GRADES)}][({grade}) + 1] AS grade
FROM ranked
"""


def duckdb_peer(con, month: str, sql: str | None = None) -> pd.DataFrame:
    """The bare DuckDB query on an open connection to a warehouse holding the data: the WHOLE scheme
    in SQL (`duckdb_sql`: a CASE per rule with direction and caps, window functions for the
    peer-group rules — min-max, z-score, percentile — re-weighting by window sums, points in fixed
    point with round_even, the automatic bonus and deduction items and their caps, the veto
    triggers, `RANK() OVER (PARTITION BY peer_group ORDER BY cents DESC)`, bands, quota and veto
    cap), reading the month's current observations from the observations table. More than the
    issue's "weighted sum + RANK()", so its time is an honest floor for the same work.

    `sql` is the query text: make it once per connection with `duckdb_prepare(con, scheme, units)`
    (the spec in a TEMP table, like a prepared query) or `duckdb_sql(scheme, units)` (the spec inline,
    parsed on every call); without it the units, catalogue and scheme of the month's year are read
    from the connection and the spec is inline."""
    if sql is None:
        from kaohe.metrics import scheme as scheme_mod

        cat = con.execute("SELECT * FROM indicators ORDER BY rowid").df()
        units = con.execute("SELECT * FROM units").df()
        sql = duckdb_sql(scheme_mod.load_year(month[:4], cat), units)
    return con.execute(sql, [month]).df()


# -- agreement ------------------------------------------------------------------------------------
FIELDS = ("total", "rank", "grade", "veto", "base_score", "bonus", "deduction")


def agree(engine_totals, peer_totals) -> dict:
    """Disagreements per field between the engine's totals (ScoreBuild.totals) and a peer's, unit by
    unit: total to the cent, rank, grade and veto exactly; base_score, bonus and deduction to a
    tenth of a cent (more than 0.001 point apart is a disagreement). `gap4` is the largest gap in
    base, bonus or deduction in the engine's fixed-point unit (1/10,000 point): a peer whose float
    sums run in another order (DuckDB's parallel aggregates, polars) may round an item's points
    one unit apart from the engine's, which the cents of the total absorb. `missing` counts units
    one side scored and the other did not. `ok` is True when every count is 0."""
    e = _as_pandas(engine_totals).set_index("unit_code")
    p = _as_pandas(peer_totals).set_index("unit_code")
    both = e.index.intersection(p.index)
    out = {"units": int(len(e)), "missing": int(len(e.index.symmetric_difference(p.index)))}
    e, p = e.loc[both], p.loc[both]
    gap4 = 0
    for f in FIELDS:
        if f == "total":
            a = np.rint(e[f].to_numpy(dtype=float) * 100)
            b = np.rint(p[f].to_numpy(dtype=float) * 100)
        elif f in ("base_score", "bonus", "deduction"):
            gap = np.abs(np.rint(e[f].to_numpy(dtype=float) * FIXED) - np.rint(p[f].to_numpy(dtype=float) * FIXED))
            gap4 = max(gap4, int(gap.max()) if len(gap) else 0)
            a, b = gap > FIXED // 1000, np.zeros(len(gap), dtype=bool)
        elif f == "rank":
            a, b = e[f].to_numpy(dtype=np.int64), p[f].to_numpy(dtype=np.int64)
        elif f == "veto":
            a, b = e[f].to_numpy(dtype=bool), p[f].to_numpy(dtype=bool)
        else:
            a, b = e[f].astype(str).to_numpy(), p[f].astype(str).to_numpy()
        out[f] = int((a != b).sum())
    out["gap4"] = gap4
    out["ok"] = all(out[k] == 0 for k in ("missing", *FIELDS))
    return out


def agreement_line(name: str, result: dict) -> str:
    fields = ", ".join(f"{k} {result[k]}" for k in ("total", "rank", "grade", "veto", "base_score", "bonus",
                                                    "deduction", "missing"))
    fields += f"; largest base/bonus/deduction gap {result.get('gap4', 0)}/10,000 point"
    verdict = "agree on every unit" if result["ok"] else "!!! DISAGREE !!!"
    return f"   agreement engine vs {name:<7} {result['units']:>6} units: {verdict}  (disagreements: {fields})"


def _as_pandas(frame) -> pd.DataFrame:
    return frame if isinstance(frame, pd.DataFrame) else frame.to_pandas()
