"""The scoring steps from values to the base score. Each is a pure DataFrame -> DataFrame function.

Every frame is keyed by (period, unit_code), where `period` is the period's
last month, so several periods (this month and the ones before it, for rank
changes and alerts) are scored in one pass with group-wise operations instead
of a loop over units.

Points are kept in fixed point (1/10,000 of a point, int64) so that a total is
exactly the sum of its parts in any order: the explanation reproduces it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe import i18n
from kaohe import months as mo
from metrics import intervals, periods, rules

FIXED = 10_000  # fixed-point scale of points

i18n.register({
    "scoring.treat.ok": ("按实际值计分", "scored on the reported value"),
    "scoring.treat.na": ("不适用:不计分,权重分配给本一级指标内其他指标",
                         "not applicable: left out, its weight spread over the rest of its dimension"),
    "scoring.treat.missing_zero": ("缺报:按方案计0分", "missing: scores zero under the scheme"),
    "scoring.treat.missing_reweight": ("缺报:按方案不计分并重新分配权重",
                                       "missing: left out and re-weighted under the scheme"),
    "scoring.treat.carried": ("缺报:沿用{month}的数值", "missing: carries the value of {month}"),
    "scoring.treat.capped": ("超过封顶值{cap},按{cap}计", "above the cap of {cap}: counted as {cap}"),
})


def grid(units: pd.DataFrame, spec: pd.DataFrame, ends: list[str]) -> pd.DataFrame:
    """Every (period, unit, indicator) the scheme expects, whether reported or not."""
    u = units.reindex(columns=["code", "name_zh", "name_en", "kind", "peer_group", "peer_group_zh",
                               "peer_group_en", "active_from", "active_to"]).rename(
        columns={"code": "unit_code", "name_zh": "unit_name_zh", "name_en": "unit_name_en"})
    p = pd.DataFrame({"period": ends})
    up = u.merge(p, how="cross")
    # a unit is scored only in the periods it exists (splits, merges and new units)
    af, at = up["active_from"].fillna(""), up["active_to"].fillna("")
    alive = ((af == "") | (up["period"] >= af)) & ((at == "") | (up["period"] <= at))
    up = up.loc[alive.to_numpy()].drop(columns=["active_from", "active_to", "kind"])
    return up.merge(spec, on="peer_group", how="inner")


def attach(frame: pd.DataFrame, agg: pd.DataFrame) -> pd.DataFrame:
    """Values onto the grid; an expected row that was never reported is missing."""
    out = frame.merge(agg, on=["period", "unit_code", "indicator_code"], how="left")
    out["status"] = out["status"].fillna("missing")
    out["n_months"] = out["n_months"].fillna(1)
    out["months_ok"] = out["months_ok"].fillna(0)
    out["carried_from"] = None
    return out


def carry(frame: pd.DataFrame, obs: pd.DataFrame, period: str, carry_months: int) -> pd.DataFrame:
    """The 'carry the last value' policy: a missing item takes its last reported month."""
    miss = frame["status"].eq("missing").to_numpy()
    if not miss.any() or obs.empty:
        return frame
    ok = obs.loc[obs["status"].eq("ok"), ["unit_code", "indicator_code", "month", "value",
                                          "numerator", "denominator"]]
    found = []
    for end in pd.unique(frame["period"]):
        first = periods.months_of(period, end)[0]
        lo = mo.add(first, -carry_months)
        win = ok.loc[(ok["month"] >= lo) & (ok["month"] < first)].sort_values("month")
        last = win.drop_duplicates(["unit_code", "indicator_code"], keep="last").assign(period=end)
        found.append(last)
    if not found:
        return frame
    last = pd.concat(found, ignore_index=True).rename(columns={
        "value": "c_value", "numerator": "c_num", "denominator": "c_den", "month": "c_month"})
    out = frame.merge(last, on=["period", "unit_code", "indicator_code"], how="left")
    take = miss & out["c_value"].notna().to_numpy()
    # a count is carried month for month, so a quarter carries it for each of its months
    scale = np.where(out["ind_kind"].eq("count"), out["n_months"], 1.0)
    out.loc[take, "value"] = (out["c_value"] * scale)[take]
    out.loc[take, "numerator"] = out["c_num"][take]
    out.loc[take, "denominator"] = out["c_den"][take]
    out.loc[take, "status"] = "carried"
    out.loc[take, "carried_from"] = out["c_month"][take]
    return out.drop(columns=["c_value", "c_num", "c_den", "c_month"])


def cap(frame: pd.DataFrame) -> pd.DataFrame:
    """Activity counts above their cap count as the cap (padding is not rewarded); per month of the period."""
    limit = frame["cap"].to_numpy(dtype=float) * frame["n_months"].to_numpy(dtype=float)
    value = frame["value"].to_numpy(dtype=float)
    capped = ~np.isnan(limit) & (value > limit)
    return frame.assign(value_scored=np.where(capped, limit, value), capped=capped)


def score(frame: pd.DataFrame, missing_policy: str) -> pd.DataFrame:
    """Raw score 0-100 per row by its rule; a missing item scores 0 under the 'zero' policy."""
    # thresholds in the indicator's units are per month: a quarter's count is held to three months' worth
    scale = np.where(frame["ind_kind"].eq("count"), frame["n_months"].to_numpy(dtype=float), 1.0)
    scored = frame["status"].isin(["ok", "carried"]).to_numpy()
    f = frame.assign(scale=scale, _x=np.where(scored, frame["value_scored"], np.nan))
    raw = rules.apply(f, value_col="_x")
    missing = frame["status"].eq("missing").to_numpy()
    raw = np.where(missing & (missing_policy in ("zero", "carry")), 0.0, raw)
    return frame.assign(raw_score=raw)


def weigh(frame: pd.DataFrame) -> pd.DataFrame:
    """Effective weight of each row in the total, after dropping not-applicable (and re-weighted) items.

    Inside a dimension the remaining items share the dimension's weight in
    proportion to their scheme weights; a dimension with nothing left passes its
    weight on to the unit's other dimensions.
    """
    included = ~np.isnan(frame["raw_score"].to_numpy(dtype=float))
    w = frame["ind_weight"].to_numpy(dtype=float) * included
    keys_dim = [frame["period"], frame["unit_code"], frame["dimension"]]
    dim_sum = pd.Series(w).groupby(keys_dim, sort=False).transform("sum").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(dim_sum > 0, w / dim_sum, 0.0)
    # one row per (unit, dimension) carries the dimension weight, so its sum over dims is exact
    first = ~pd.DataFrame({"p": frame["period"], "u": frame["unit_code"], "d": frame["dimension"]}).duplicated()
    dw = np.where(first.to_numpy() & (dim_sum > 0), frame["dim_weight"].to_numpy(dtype=float), 0.0)
    unit_sum = pd.Series(dw).groupby([frame["period"], frame["unit_code"]], sort=False).transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        dim_eff = np.where((dim_sum > 0) & (unit_sum.to_numpy() > 0),
                           frame["dim_weight"].to_numpy(dtype=float) / unit_sum.to_numpy(), 0.0)
    weight = dim_eff * share
    raw = np.nan_to_num(frame["raw_score"].to_numpy(dtype=float))
    points4 = np.rint(raw * weight * FIXED).astype(np.int64)
    return frame.assign(weight=weight, dim_weight_eff=dim_eff, points4=points4, points=points4 / FIXED)


def treatments(frame: pd.DataFrame, missing_policy: str) -> pd.DataFrame:
    """Words for how each item was treated, in both languages, for scorecards and the explanation."""
    status = frame["status"].to_numpy()
    zh = np.empty(len(frame), dtype=object)
    en = np.empty(len(frame), dtype=object)
    miss_key = "scoring.treat.missing_reweight" if missing_policy == "reweight" else "scoring.treat.missing_zero"
    for st, key in (("ok", "scoring.treat.ok"), ("na", "scoring.treat.na"), ("missing", miss_key)):
        sel = status == st
        zh[sel], en[sel] = i18n.t(key, "zh"), i18n.t(key, "en")
    for i in np.flatnonzero(status == "carried"):  # rare: only items that were carried
        m = frame["carried_from"].iat[i]
        zh[i], en[i] = i18n.t("scoring.treat.carried", "zh", month=m), i18n.t("scoring.treat.carried", "en", month=m)
    for i in np.flatnonzero(frame["capped"].to_numpy()):
        c = rules._fmt(frame["cap"].iat[i] * frame["n_months"].iat[i])
        zh[i] = f"{zh[i]};{i18n.t('scoring.treat.capped', 'zh', cap=c)}"
        en[i] = f"{en[i]}; {i18n.t('scoring.treat.capped', 'en', cap=c)}"
    return frame.assign(treatment_zh=zh, treatment_en=en)


def rule_texts(spec: pd.DataFrame) -> pd.DataFrame:
    """Rule in words per spec row (once per peer group and indicator, not per unit)."""
    texts = [rules.describe(r, p, u, d) for r, p, u, d in
             zip(spec["rule"], spec["params"], spec["unit"], spec["direction"], strict=True)]
    return spec.assign(rule_text_zh=[a for a, _ in texts], rule_text_en=[b for _, b in texts])


def indicators(frame: pd.DataFrame, missing_policy: str) -> pd.DataFrame:
    """Intervals, significance and treatment words: the indicator table of a build."""
    out = intervals.annotate(frame)
    out = treatments(out, missing_policy)
    return out


def dimensions(frame: pd.DataFrame) -> pd.DataFrame:
    g = frame.groupby(["period", "unit_code", "dimension"], sort=False)
    d = g.agg(peer_group=("peer_group", "first"), name_zh=("dim_name_zh", "first"),
              name_en=("dim_name_en", "first"), weight=("dim_weight_eff", "first"),
              scheme_weight=("dim_weight", "first"), points4=("points4", "sum"),
              order=("dim_order", "first")).reset_index()
    d["points"] = d["points4"] / FIXED
    with np.errstate(divide="ignore", invalid="ignore"):
        d["score"] = np.where(d["weight"] > 0, d["points"] / d["weight"], np.nan)
    d["peer_median"] = d.groupby(["period", "peer_group", "dimension"], sort=False)["score"].transform("median")
    return d


def base_totals(frame: pd.DataFrame) -> pd.DataFrame:
    g = frame.groupby(["period", "unit_code"], sort=False)
    t = g.agg(name_zh=("unit_name_zh", "first"), name_en=("unit_name_en", "first"),
              kind=("kind", "first"), peer_group=("peer_group", "first"),
              peer_group_zh=("peer_group_zh", "first"), peer_group_en=("peer_group_en", "first"),
              base4=("points4", "sum")).reset_index()
    t["base_score"] = t["base4"] / FIXED
    return t
