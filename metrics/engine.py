"""The scoring steps from monthly values to base scores, on arrays.

The scheme is laid out once as arrays over (peer group, indicator) — a `Plan`.
Observations become a cube (month x unit x indicator), periods are sums over
months of that cube, and every step works on the cells (period, unit,
indicator) the scheme expects: rules, re-weighting, dimension and base scores
are array operations and integer-keyed group sums, never a loop over units.
Several periods (this one and those before it, for rank changes and alerts)
are scored in the same pass.

Points are kept in fixed point (1/10,000 of a point, int64) so that a total is
exactly the sum of its parts in any order: the explanation reproduces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.metrics import periods, rules

FIXED = 10_000  # fixed-point scale of points
STATUS = np.array(["ok", "na", "missing", "carried"], dtype=object)
OK, NA, MISSING, CARRIED = 0, 1, 2, 3



@dataclass
class Plan:
    """A scheme's spec as arrays over (peer group g, indicator i) and dimensions d."""

    spec: pd.DataFrame
    groups: pd.Index
    codes: pd.Index
    dims: pd.DataFrame  # one row per (kind, dimension code): dimension, name_zh, name_en, order
    in_scheme: np.ndarray  # G x I
    ind_weight: np.ndarray
    dim_of: np.ndarray  # G x I, index into dims (-1 outside the scheme)
    dim_weight: np.ndarray  # G x D, fractions of the total
    rule: np.ndarray  # G x I, object
    rule_id: np.ndarray  # G x I, position in rule_names (-1: none)
    rule_names: list[str]
    params: dict[str, np.ndarray]
    cap: np.ndarray
    order: np.ndarray  # G x I, position in the scheme (for listing)
    text_zh: np.ndarray
    text_en: np.ndarray
    lower: np.ndarray  # I
    is_count: np.ndarray
    is_ratio: np.ndarray
    direction: np.ndarray
    unit: np.ndarray
    name_zh: np.ndarray
    name_en: np.ndarray


def make_plan(spec: pd.DataFrame, catalogue: pd.DataFrame, extra_codes=()) -> Plan:
    """`extra_codes`: indicators read but not scored (veto triggers outside the weighted set)."""
    groups = pd.Index(pd.unique(spec["peer_group"]))
    codes = pd.Index(list(dict.fromkeys([*spec["indicator_code"], *extra_codes])))
    dkeys = spec[["kind", "dimension", "dim_name_zh", "dim_name_en", "dim_order"]].drop_duplicates(["kind", "dimension"])
    dkeys = dkeys.reset_index(drop=True).rename(columns={"dim_name_zh": "name_zh", "dim_name_en": "name_en",
                                                         "dim_order": "order"})
    n_g, n_i, n_d = len(groups), len(codes), len(dkeys)
    gi = groups.get_indexer(spec["peer_group"])
    ii = codes.get_indexer(spec["indicator_code"])
    di = pd.MultiIndex.from_frame(dkeys[["kind", "dimension"]]).get_indexer(
        pd.MultiIndex.from_frame(spec[["kind", "dimension"]]))

    def grid(values, fill, dtype=float):
        a = np.full((n_g, n_i), fill, dtype=dtype)
        a[gi, ii] = values
        return a

    in_scheme = grid(True, False, bool)
    dim_weight = np.zeros((n_g, n_d))
    dim_weight[gi, di] = spec["dim_weight"].to_numpy(dtype=float)
    params = {k: grid(spec[f"p_{k}"].to_numpy(dtype=float), np.nan) for k in rules.PARAM_NAMES}
    first = catalogue.drop_duplicates("code").set_index("code").reindex(codes)
    texts = rule_texts(spec)
    rule_grid = grid(spec["rule"].to_numpy(dtype=object), None, object)
    rule_names = sorted(set(spec["rule"]))
    rule_id = grid(np.array([rule_names.index(r) for r in spec["rule"]]), -1, np.int64)
    return Plan(
        spec=spec, groups=groups, codes=codes, dims=dkeys, in_scheme=in_scheme,
        ind_weight=grid(spec["ind_weight"].to_numpy(dtype=float), 0.0),
        dim_of=grid(di, -1, np.int64), dim_weight=dim_weight,
        rule=rule_grid, rule_id=rule_id, rule_names=rule_names, params=params,
        cap=grid(spec["cap"].to_numpy(dtype=float), np.nan),
        order=grid(spec["dim_order"].to_numpy() * 1000 + spec["ind_order"].to_numpy(), 10**9, np.int64),
        text_zh=grid(texts[0], None, object), text_en=grid(texts[1], None, object),
        lower=(first["direction"] == "lower").to_numpy(), is_count=(first["kind"] == "count").to_numpy(),
        is_ratio=first["ratio"].fillna(False).astype(bool).to_numpy(), direction=first["direction"].to_numpy(dtype=object),
        unit=first["unit"].fillna("").to_numpy(dtype=object), name_zh=first["name_zh"].to_numpy(dtype=object),
        name_en=first["name_en"].fillna("").to_numpy(dtype=object),
    )


def rule_texts(spec: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The rule in words per spec row (once per peer group and indicator, not per unit)."""
    texts = [rules.describe(r, p, u, d) for r, p, u, d in
             zip(spec["rule"], spec["params"], spec["unit"], spec["direction"], strict=True)]
    zh, en = [a for a, _ in texts], [b for _, b in texts]
    # a count's targets and caps are per month: a quarter is held to three months' worth
    for k, (kind, rule) in enumerate(zip(spec["ind_kind"], spec["rule"], strict=True)):
        if kind == "count" and (rules.get(rule).value_params or not pd.isna(spec["cap"].iat[k])):
            zh[k] += i18n.t("scoring.rule.per_month", "zh")
            en[k] += i18n.t("scoring.rule.per_month", "en")
    return zh, en


@dataclass
class Units:
    codes: pd.Index
    group: np.ndarray  # index into plan.groups (-1: the scheme has no section for it)
    frame: pd.DataFrame  # code, name_zh, name_en, kind, peer_group, peer_group_zh, peer_group_en


def index_units(units: pd.DataFrame, plan: Plan) -> Units:
    u = units.reindex(columns=["code", "name_zh", "name_en", "kind", "peer_group", "peer_group_zh",
                               "peer_group_en", "active_from", "active_to"]).reset_index(drop=True)
    return Units(codes=pd.Index(u["code"]), group=plan.groups.get_indexer(u["peer_group"]), frame=u)


# -- the cube and its periods --------------------------------------------------------------------
@dataclass
class Cube:
    months: list[str]
    value: np.ndarray  # M x U x I
    numerator: np.ndarray
    denominator: np.ndarray
    status: np.ndarray  # int8, absent rows are MISSING


def cube(obs: pd.DataFrame, months: list[str], units: Units, plan: Plan,
         catalogue_codes: pd.Series | None = None, retired_from: dict[str, str] | None = None) -> Cube:
    """Monthly values as arrays (month x unit x indicator).

    `obs` is either the long layout with codes (unit_code, indicator_code, month,
    value, numerator, denominator, status) or the warehouse's positional layout
    (ui, ci, mi, ..., st; see data.scoring_store.read_inputs) with the
    catalogue's codes in `catalogue_codes`.

    `retired_from`: indicator code -> the month it is retired from. From that month an indicator
    nobody reports is not applicable (its weight goes to the rest of its dimension), not missing: a
    retirement in the middle of a scheme's year must not cost every unit the item's points.
    """
    shape = (len(months), len(units.codes), len(plan.codes))
    value = np.full(shape, np.nan)
    num = np.full(shape, np.nan)
    den = np.full(shape, np.nan)
    status = np.full(shape, MISSING, dtype=np.int8)
    if not obs.empty:
        if "ui" in obs.columns:
            u = obs["ui"].to_numpy(dtype=np.int64)
            i = plan.codes.get_indexer(pd.Index(catalogue_codes))[obs["ci"].to_numpy(dtype=np.int64)]
            m = obs["mi"].to_numpy(dtype=np.int64) - mo.to_index(months[0])
            st = obs["st"].to_numpy(dtype=np.int8)
        else:
            u, i, m = (_positions(obs[c], index) for c, index in (
                ("unit_code", units.codes), ("indicator_code", plan.codes), ("month", pd.Index(months))))
            text = obs["status"]
            st = np.where(text.eq("ok"), OK, np.where(text.eq("na"), NA, MISSING)).astype(np.int8)
        keep = (m >= 0) & (m < len(months)) & (u >= 0) & (i >= 0)
        flat = ((m * shape[1] + u) * shape[2] + i)[keep]  # one flat position: a 1-d scatter is cheapest
        for a, col in ((value, "value"), (num, "numerator"), (den, "denominator")):
            a.reshape(-1)[flat] = obs[col].to_numpy(dtype=float)[keep]
        status.reshape(-1)[flat] = st[keep]
    # a reported row without a value cannot be scored: it is missing, whatever it claims
    status[(status == OK) & np.isnan(value)] = MISSING
    for code, first in (retired_from or {}).items():
        i = plan.codes.get_loc(code) if code in plan.codes else -1
        gone = [k for k, m in enumerate(months) if m >= first]
        if i >= 0 and gone:
            part = status[gone[0]:, :, i]
            part[part == MISSING] = NA
    return Cube(months, value, num, den, status)


def _positions(column: pd.Series, index: pd.Index) -> np.ndarray:
    """Positions of a long column's codes in `index` (-1 if absent): factorise, then look up the few uniques."""
    codes, uniques = pd.factorize(column)
    return np.where(codes >= 0, index.get_indexer(uniques)[codes], -1)


def aggregate(c: Cube, period: str, ends: list[str], plan: Plan) -> dict[str, np.ndarray]:
    """Per (period, unit, indicator): rates as summed numerators over summed denominators,
    counts summed, anything else averaged over reported months."""
    w = np.zeros((len(ends), len(c.months)))
    midx = {m: k for k, m in enumerate(c.months)}
    n_months = np.zeros(len(ends))
    for p, end in enumerate(ends):
        ms = periods.months_of(period, end)
        n_months[p] = len(ms)
        for m in ms:
            if m in midx:
                w[p, midx[m]] = 1.0
    single = (w.sum(axis=1) == 1).all()
    pick = w.argmax(axis=1)
    if single:  # periods of one month each: that month's arrays, no sums
        return _one_month_each(c, pick, n_months, plan)
    ok = c.status == OK
    nd = ok & ~np.isnan(c.numerator) & ~np.isnan(c.denominator)

    def tsum(a):
        return np.tensordot(w, a, axes=(1, 0))

    cnt_ok = tsum(ok.astype(float))
    cnt_na = tsum((c.status == NA).astype(float))
    s_val = tsum(np.where(ok, c.value, 0.0))
    s_num = tsum(np.where(nd, c.numerator, 0.0))
    s_den = tsum(np.where(nd, c.denominator, 0.0))
    n_nd = tsum(nd.astype(float))
    use_rate = plan.is_ratio[None, None, :] & (n_nd > 0) & (s_den > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 100.0 * s_num / s_den
        mean = s_val / cnt_ok
    value = np.where(use_rate, rate, np.where(plan.is_count[None, None, :], s_val, mean))
    value = np.where(cnt_ok > 0, value, np.nan)
    status = np.where(cnt_ok > 0, OK, np.where(cnt_na > 0, NA, MISSING)).astype(np.int8)
    return {"value": value, "numerator": np.where(use_rate, s_num, np.nan),
            "denominator": np.where(use_rate, s_den, np.nan), "status": status, "months_ok": cnt_ok,
            "n_months": n_months, "carried_from": np.full(value.shape, -1, dtype=np.int16)}


def _one_month_each(c: Cube, pick: np.ndarray, n_months: np.ndarray, plan: Plan) -> dict[str, np.ndarray]:
    """aggregate's arithmetic when each period is the month `pick`: the same values, without sums."""
    # periods that are the cube's months in order (a year of months) are views, not copies
    at = slice(int(pick[0]), int(pick[-1]) + 1) if (np.diff(pick) == 1).all() else pick
    st = c.status[at]
    ok = st == OK
    val, num, den = c.value[at], c.numerator[at], c.denominator[at]
    use_rate = plan.is_ratio[None, None, :] & ok & ~np.isnan(num) & ~np.isnan(den) & (den > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(use_rate, 100.0 * num / den, val)
    return {"value": np.where(ok, value, np.nan), "numerator": np.where(use_rate, num, np.nan),
            "denominator": np.where(use_rate, den, np.nan),
            "status": np.where(ok, OK, np.where(st == NA, NA, MISSING)).astype(np.int8),
            "months_ok": ok, "n_months": n_months,  # a count of 0 or 1 (made float when shown)
            "carried_from": np.full(value.shape, -1, dtype=np.int16)}


def carry(agg: dict, c: Cube, period: str, ends: list[str], carry_months: int, plan: Plan) -> dict:
    """The 'carry the last value' policy: a missing item takes its last reported month (within limits)."""
    midx = {m: k for k, m in enumerate(c.months)}
    for p, end in enumerate(ends):
        first = midx.get(periods.months_of(period, end)[0])
        if first is None:
            continue
        for back in range(1, carry_months + 1):
            m = first - back
            if m < 0:
                break
            take = (agg["status"][p] == MISSING) & (c.status[m] == OK)
            if not take.any():
                continue
            scale = np.where(plan.is_count[None, :], agg["n_months"][p], 1.0)
            agg["value"][p] = np.where(take, c.value[m] * scale, agg["value"][p])
            agg["numerator"][p] = np.where(take, c.numerator[m], agg["numerator"][p])
            agg["denominator"][p] = np.where(take, c.denominator[m], agg["denominator"][p])
            agg["status"][p] = np.where(take, CARRIED, agg["status"][p])
            agg["carried_from"][p] = np.where(take, m, agg["carried_from"][p])
    return agg


# -- cells: every (period, unit, indicator) the scheme expects --------------------------------------
def alive(units: Units, ends: list[str]) -> np.ndarray:
    """P x U: a unit is scored only in periods it exists (splits, merges, new units)."""
    af = units.frame["active_from"].fillna("").astype(str).to_numpy()
    at = units.frame["active_to"].fillna("").astype(str).to_numpy()
    e = np.array(ends, dtype=object)[:, None]
    ok = ((af == "") | (e >= af)) & ((at == "") | (e <= at))
    return ok & (units.group >= 0)[None, :]


def cells(agg: dict, plan: Plan, units: Units, live: np.ndarray, missing_policy: str) -> dict[str, np.ndarray]:
    """Values, capped values and raw scores of every expected cell."""
    grp = np.where(units.group >= 0, units.group, 0)
    expected = live[:, :, None] & plan.in_scheme[grp][None, :, :] & (units.group >= 0)[None, :, None]
    n_u, n_i = expected.shape[1], expected.shape[2]
    # one flat position per cell: 1-d takes from the period arrays, cheaper than 3-d fancy indexing
    flat = np.flatnonzero(expected)
    pu, i = np.divmod(flat, n_i)
    p, u = np.divmod(pu, n_u)
    g = grp[u]
    gi = g * len(plan.codes) + i
    n_months = agg["n_months"][p]
    value = agg["value"].reshape(-1)[flat]
    status = agg["status"].reshape(-1)[flat]
    limit = plan.cap.reshape(-1)[gi] * n_months
    capped = ~np.isnan(limit) & (value > limit)
    scored_value = np.where(capped, limit, value)
    # thresholds in the indicator's units are per month: a quarter's count is held to three months' worth
    scale = np.where(plan.is_count[i], n_months, 1.0)
    usable = (status == OK) | (status == CARRIED)
    key = (p * len(plan.groups) + g) * len(plan.codes) + i
    # parameters are gathered per rule, only for the cells that use it (from one flat position)
    params = {k: (lambda idx, v=v: v.reshape(-1)[gi[idx]]) for k, v in plan.params.items()}
    raw = rules.apply(np.where(usable, scored_value, np.nan), plan.rule_id.reshape(-1)[gi], plan.lower[i], scale,
                      params, key, plan.rule_names)
    if missing_policy in ("zero", "carry"):
        raw = np.where(status == MISSING, 0.0, raw)
    return Cells({"p": p, "u": u, "i": i, "g": g, "d": plan.dim_of.reshape(-1)[gi], "value": value,
                  "value_scored": scored_value, "status": status, "n_months": n_months, "capped": capped,
                  "raw_score": raw, "key": key}, agg)


class Cells(dict):
    """The cells' arrays by name. What only an explanation shows (numerator, denominator, months_ok,
    carried_from) is gathered from the period arrays for the cells asked for (`take`), not for every
    cell of every period."""

    LAZY = ("numerator", "denominator", "months_ok", "carried_from")

    def __init__(self, arrays: dict, agg: dict):
        super().__init__(arrays)
        self.agg = agg

    def take(self, name: str, sel: np.ndarray) -> np.ndarray:
        """`self[name][sel]`, gathered from the period arrays for a column only explanations show."""
        if name in self or name not in self.LAZY:
            return self[name][sel]
        out = self.agg[name][self["p"][sel], self["u"][sel], self["i"][sel]]
        return out.astype(np.int64) if name == "carried_from" else out.astype(float)

    def of_period(self, p: int) -> Cells:
        """The cells of period `p` alone, with only that period's arrays (what a build keeps for its
        explanation: the periods before it were scored for ranks and alerts, and are let go)."""
        sel = np.flatnonzero(self["p"] == p)
        arrays = {k: (np.zeros(len(sel), dtype=v.dtype) if k == "p" else v[sel]) for k, v in self.items()}
        return Cells(arrays, {k: self.agg[k][p:p + 1].copy() for k in self.LAZY})  # a copy: the rest is let go


def weigh(cl: dict, plan: Plan, n_p: int, n_u: int) -> dict:
    """Effective weight of each cell in the total and its points; dimension and base points.

    Inside a dimension the items left share its weight in proportion to their
    scheme weights; a dimension with nothing left passes its weight on to the
    unit's other dimensions.
    """
    n_d = len(plan.dims)
    included = ~np.isnan(cl["raw_score"])
    w = plan.ind_weight.reshape(-1)[cl["g"] * len(plan.codes) + cl["i"]] * included
    kud = (cl["p"] * n_u + cl["u"]) * n_d + cl["d"]
    dim_sum = np.bincount(kud, weights=w, minlength=n_p * n_u * n_d)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(dim_sum[kud] > 0, w / dim_sum[kud], 0.0)
    present = (dim_sum > 0).reshape(n_p, n_u, n_d)
    gw = np.zeros((n_u, n_d))
    gw[cl["u"], cl["d"]] = plan.dim_weight[cl["g"], cl["d"]]
    dw = gw[None, :, :] * present
    with np.errstate(divide="ignore", invalid="ignore"):
        dim_eff = np.nan_to_num(dw / dw.sum(axis=2, keepdims=True))
    weight = dim_eff.reshape(-1)[kud] * share
    points4 = np.rint(np.nan_to_num(cl["raw_score"]) * weight * FIXED).astype(np.int64)
    dim_points4 = np.bincount(kud, weights=points4, minlength=n_p * n_u * n_d).round().astype(np.int64)
    base4 = np.bincount(cl["p"] * n_u + cl["u"], weights=points4, minlength=n_p * n_u).round().astype(np.int64)
    cl.update(weight=weight, points4=points4)
    return {"dim_eff": dim_eff, "dim_points4": dim_points4.reshape(n_p, n_u, n_d),
            "base4": base4.reshape(n_p, n_u), "dim_in_scheme": gw > 0}


def treatments(status: np.ndarray, capped: np.ndarray, carried_month: np.ndarray, cap_value: np.ndarray,
               missing_policy: str) -> tuple[np.ndarray, np.ndarray]:
    """Words for how each item was treated, in both languages, for scorecards and the explanation."""
    miss_key = "scoring.treat.missing_reweight" if missing_policy == "reweight" else "scoring.treat.missing_zero"
    zh = np.empty(len(status), dtype=object)
    en = np.empty(len(status), dtype=object)
    for st, key in ((OK, "scoring.treat.ok"), (NA, "scoring.treat.na"), (MISSING, miss_key)):
        sel = status == st
        zh[sel], en[sel] = i18n.t(key, "zh"), i18n.t(key, "en")
    for k in np.flatnonzero(status == CARRIED):  # rare: only items that were carried
        m = carried_month[k]
        zh[k], en[k] = i18n.t("scoring.treat.carried", "zh", month=m), i18n.t("scoring.treat.carried", "en", month=m)
    for cap in np.unique(cap_value[capped]):  # one text per cap value, not per cell
        sel = capped & (cap_value == cap)
        c = rules._fmt(cap)
        zh[sel] = zh[sel] + "；" + i18n.t("scoring.treat.capped", "zh", cap=c)
        en[sel] = en[sel] + "; " + i18n.t("scoring.treat.capped", "en", cap=c)
    return zh, en
