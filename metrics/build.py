"""A score build: the ordered steps (with their parameters) and the frames they produced.

`compute` runs the steps on plain frames (no warehouse), so the service, the
what-if, the robustness analysis and the benchmark share one code path. The
steps list records the scheme and every parameter, so a build can be replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.metrics import adjust, engine, grades, intervals, periods, rank
from kaohe.metrics.scheme import Scheme

TOTAL_COLUMNS = [
    "unit_code", "name_zh", "name_en", "kind", "peer_group", "base_score", "bonus", "deduction", "total",
    "veto", "veto_reason", "grade", "grade_zh", "grade_en", "rank", "n_in_group", "prev_rank", "rank_change",
    "list", "alerts", "peer_group_zh", "peer_group_en", "veto_reason_zh", "veto_reason_en",
]
INDICATOR_COLUMNS = [
    "unit_code", "peer_group", "dimension", "indicator_code", "name_zh", "name_en", "unit", "direction",
    "status", "value", "value_scored", "numerator", "denominator", "ci_low", "ci_high", "peer_value", "significance",
    "target", "rule", "rule_text_zh", "rule_text_en", "raw_score", "weight", "points",
    "treatment_zh", "treatment_en", "capped", "carried_from", "months_ok", "n_months",
]
DIMENSION_COLUMNS = ["unit_code", "peer_group", "dimension", "name_zh", "name_en", "weight", "score", "points",
                     "peer_median"]


@dataclass
class ScoreBuild:
    scheme_id: str
    scheme_version: str
    period: str
    period_label: str
    month: str
    steps: list[dict]
    indicators: pd.DataFrame
    dimensions: pd.DataFrame
    totals: pd.DataFrame
    adjustments: pd.DataFrame
    history: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    scheme: Scheme | None = field(repr=False, default=None)
    fixed: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)  # fixed-point parts of totals
    # makes dimension_history on first use: the arrays are there already, most callers never ask
    _dim_history: object = field(repr=False, default=None)
    # which scheme scored it: its year, content fingerprint, and whether that is the month's own year
    scheme_year: str = ""
    scheme_fingerprint: str = ""
    scheme_is_own_year: bool = True

    def scheme_note(self, lang: str | None = None) -> str | None:
        """'2024-06 无 2024 年考核方案，按 2025 年方案计分' when the month's year has no scheme of
        its own (None when it has): pages, the PDF head and the CLI show it beside the figures."""
        if self.scheme_is_own_year or not self.scheme_year:
            return None
        return i18n.t("scoring.scheme.used_for_other_year", lang, month=periods.label(self.period, self.month, lang),
                      year=self.month[:4], scheme_year=self.scheme_year)

    @property
    def dimension_history(self) -> pd.DataFrame:
        """Dimension scores of every period scored in this build (the same periods as `history`):
        period, unit_code, peer_group, dimension, name_zh, name_en, weight, score, points, peer_median.
        Build with n_history=12 to plot a dimension over a year without scoring month by month."""
        if callable(self._dim_history):
            self._dim_history = self._dim_history()
        if self._dim_history is None:
            return pd.DataFrame(columns=["period", *DIMENSION_COLUMNS])
        return self._dim_history

    def explain(self, unit_code: str, lang: str | None = None) -> pd.DataFrame:
        from kaohe.metrics.explain import explain

        return explain(self, unit_code, lang)

    def unit(self, unit_code: str) -> dict:
        row = self.totals.loc[self.totals["unit_code"].eq(unit_code)]
        if row.empty:
            raise KeyError(unit_code)
        return row.iloc[0].to_dict()


def _rules_used(spec: pd.DataFrame) -> tuple[dict, dict]:
    rules_used = {
        f"{g}/{c}": {"rule": r, "params": p, "weight": w, "dimension": d, "dim_weight": round(dw, 6)}
        for g, c, r, p, w, d, dw in zip(spec["peer_group"], spec["indicator_code"], spec["rule"], spec["params"],
                                         spec["ind_weight"], spec["dimension"], spec["dim_weight"], strict=True)
    }
    caps = {c: v for c, v in zip(spec["indicator_code"], spec["cap"], strict=True) if v == v}
    return rules_used, caps


_RULES_USED: dict[int, tuple[pd.DataFrame, tuple[dict, dict]]] = {}


def steps_for(scheme: Scheme, month: str, period: str, ends: list[str], spec: pd.DataFrame,
              adj: pd.DataFrame) -> list[dict]:
    """The replayable record of a build: every parameter that decided a number."""
    cached = _RULES_USED.get(id(spec))
    if cached is None or cached[0] is not spec:  # the spec of a cached plan: describe it once
        _RULES_USED.clear()
        cached = _RULES_USED[id(spec)] = (spec, _rules_used(spec))
    rules_used, caps = cached[1]
    s = scheme.data
    return [
        {"step": "scheme", "params": {"id": scheme.id, "version": scheme.version, "data": s}},
        {"step": "select", "params": {"month": month, "period": period, "months": periods.months_of(period, month),
                                      "periods": ends}},
        {"step": "aggregate", "params": {"rate": "100 * sum(numerator) / sum(denominator)", "count": "sum",
                                         "other": "mean of reported months"}},
        {"step": "missing", "params": {"policy": scheme.missing_policy, "carry_months": scheme.carry_months,
                                       "not_applicable": "drop and re-weight within the dimension"}},
        {"step": "cap", "params": {"per_month": caps}},
        {"step": "score", "params": {"rules": rules_used}},
        {"step": "weigh", "params": {"fixed_point": engine.FIXED}},
        {"step": "adjust", "params": {**s.get("adjustments", {}),
                                      "applied": [int(i) for i in adj.get("adj_id", pd.Series(dtype=int))
                                                  if pd.notna(i)]}},
        {"step": "veto", "params": s.get("veto", {})},
        {"step": "rank", "params": {"within": "peer_group", "ties": "min", "decimals": 2}},
        {"step": "grade", "params": s.get("grades", {})},
        {"step": "lists", "params": {"lists": s.get("lists", {}), "alerts": s.get("alerts", {})}},
    ]


def compute(scheme: Scheme, units: pd.DataFrame, catalogue: pd.DataFrame, obs: pd.DataFrame,
            adjustments: pd.DataFrame | None, month: str, period: str = "month",
            n_history: int | None = None, lang: str | None = None) -> ScoreBuild:
    """Score `period` ending at `month` and the periods before it (for rank changes and alerts)."""
    periods.check(period)
    alerts_cfg = scheme.section("alerts")
    n_hist = n_history or max(2, int(alerts_cfg.get("consecutive", 3)))
    ends = periods.history(period, month, n_hist)
    plan = scheme.plan(units)
    ux = engine.index_units(units, plan)
    policy = scheme.missing_policy
    carry_n = scheme.carry_months if policy == "carry" else 0
    months = mo.span(mo.add(periods.months_of(period, ends[0])[0], -carry_n), month)

    # values -> periods -> cells -> rules -> weights -> points (all periods at once)
    cube = engine.cube(obs, months, ux, plan, catalogue["code"])
    agg = engine.aggregate(cube, period, ends, plan)
    # a period before the data begins has nothing reported: it is not scored, so the first period
    # in the data has no previous rank (new, not a change) and empty periods make no bottom streak
    reported = (agg["status"] != engine.MISSING).any(axis=(1, 2))
    reported[-1] = True  # the period asked for is always scored (all missing, if so)
    if policy == "carry":
        agg = engine.carry(agg, cube, period, ends, carry_n, plan)
    live = engine.alive(ux, ends) & reported[:, None]
    cl = engine.cells(agg, plan, ux, live, policy)
    n_p, n_u = len(ends), len(ux.codes)
    wt = engine.weigh(cl, plan, n_p, n_u)

    tot = _totals_frame(ux, ends, live, wt["base4"])
    caps = scheme.section("adjustments")
    watched = _trigger_cells(agg, plan, ux, live, ends, scheme)
    adj = adjust.in_periods(adjustments, period, ends)
    auto = adjust.automatic(watched, caps.get("rules", []), lang)
    if not auto.empty:
        adj = auto if adj.empty else pd.concat([adj, auto], ignore_index=True)
    tot = adjust.apply(tot, adj, caps.get("bonus_cap"), caps.get("deduction_cap"))
    tot = adjust.veto(tot, watched, adj,
                      scheme.section("veto").get("triggers", []), lang)
    tot = rank.rank(tot)
    g = scheme.section("grades")
    tot = grades.assign(tot, g.get("bands", []), g.get("quota"), scheme.section("veto").get("cap_grade", "fail"),
                        lang)

    cur = rank.changes(tot.loc[tot["period"].eq(month)], tot, ends[-2] if len(ends) > 1 else None,
                       scheme.section("lists"), alerts_cfg, ends)
    cur = cur.sort_values(["kind", "peer_group", "rank", "unit_code"], ascending=[False, True, True, True])
    fixed = cur[["unit_code", "base4", "bonus4", "deduction4", "total4", "total_cents",
                 "bonus_claimed", "deduction_claimed", "grade_by_score", "grade_note", "grade_note_zh",
                 "grade_note_en", "rank_from_bottom"]]
    ind = _indicator_frame(cl, plan, ux, n_p - 1, months, policy)
    dims = _dimension_frame(wt, plan, ux, live, n_p - 1)
    cur_adj = adj.loc[adj["period"].eq(month)] if not adj.empty else adj
    return ScoreBuild(
        scheme_id=scheme.id, scheme_version=scheme.version, period=period,
        period_label=periods.label(period, month, lang), month=month,
        steps=steps_for(scheme, month, period, ends, plan.spec, cur_adj),
        indicators=ind, dimensions=dims,
        totals=cur.reindex(columns=TOTAL_COLUMNS).reset_index(drop=True),
        adjustments=adjust.words(cur_adj).reset_index(drop=True),
        history=tot[["period", "unit_code", "peer_group", "total", "rank", "n_in_group", "grade", "veto"]],
        scheme=scheme, fixed=fixed.reset_index(drop=True),
        _dim_history=_DimensionHistory(wt, plan, ux, live, ends),
        scheme_year=scheme.year, scheme_fingerprint=scheme.fingerprint,
        scheme_is_own_year=not scheme.year or scheme.year == month[:4],
    )


def _frame(columns: dict, columns_order: list[str] | None = None) -> pd.DataFrame:
    """A frame from arrays; text stays as Python objects (converting it to Arrow strings
    would cost more than the whole scoring)."""
    data = {k: pd.Series(v, dtype=object) if isinstance(v, np.ndarray) and v.dtype == object else v
            for k, v in columns.items()}
    out = pd.DataFrame(data, copy=False)
    return out if columns_order is None else out.reindex(columns=columns_order)


def _totals_frame(ux, ends, live, base4) -> pd.DataFrame:
    pp, uu = np.nonzero(live)
    f = ux.frame
    out = _frame({
        "period": np.asarray(ends, dtype=object)[pp], "unit_code": f["code"].to_numpy(dtype=object)[uu],
        "name_zh": f["name_zh"].to_numpy(dtype=object)[uu], "name_en": f["name_en"].to_numpy(dtype=object)[uu],
        "kind": f["kind"].to_numpy(dtype=object)[uu], "peer_group": f["peer_group"].to_numpy(dtype=object)[uu],
        "peer_group_zh": f["peer_group_zh"].to_numpy(dtype=object)[uu],
        "peer_group_en": f["peer_group_en"].to_numpy(dtype=object)[uu],
        "base4": base4[pp, uu],
    })
    out["base_score"] = out["base4"] / engine.FIXED
    return out


def _trigger_cells(agg, plan, ux, live, ends, scheme) -> pd.DataFrame:
    """The values veto triggers and automatic adjustments look at (a few indicators), as a small frame."""
    from kaohe.metrics.scheme import trigger_codes

    codes = trigger_codes(scheme.data)
    want = plan.codes.get_indexer(codes)
    want = want[want >= 0]
    p, u, k = np.nonzero(live[:, :, None] & (agg["status"][:, :, want] == engine.OK))
    i = want[k]
    return _frame({
        "period": np.asarray(ends, dtype=object)[p], "unit_code": ux.frame["code"].to_numpy(dtype=object)[u],
        "indicator_code": plan.codes.to_numpy(dtype=object)[i], "name_zh": plan.name_zh[i],
        "name_en": plan.name_en[i], "unit": plan.unit[i], "status": engine.STATUS[agg["status"][p, u, i]],
        "value": agg["value"][p, u, i],
    })


def _indicator_frame(cl, plan, ux, p_cur, months, policy) -> pd.DataFrame:
    sel = np.flatnonzero(cl["p"] == p_cur)
    u, i, g = cl["u"][sel], cl["i"][sel], cl["g"][sel]
    sel = sel[np.lexsort((plan.order[g, i], u))]
    u, i, g, d = cl["u"][sel], cl["i"][sel], cl["g"][sel], cl["d"][sel]
    st = cl["status"][sel]
    usable = (st == engine.OK) | (st == engine.CARRIED)
    val = cl["value"][sel]
    iv = intervals.annotate(cl["numerator"][sel], cl["denominator"][sel], val, usable, plan.lower[i], g * len(
        plan.codes) + i)
    carried = cl["carried_from"][sel]
    carried_m = np.where(carried >= 0, np.asarray(months, dtype=object)[np.maximum(carried, 0)], None)
    cap_v = plan.cap[g, i] * cl["n_months"][sel]
    tzh, ten = engine.treatments(st, cl["capped"][sel], carried_m, cap_v, policy)
    f = ux.frame
    return _frame({
        "unit_code": f["code"].to_numpy(dtype=object)[u], "peer_group": f["peer_group"].to_numpy(dtype=object)[u],
        "dimension": plan.dims["dimension"].to_numpy(dtype=object)[d],
        "indicator_code": plan.codes.to_numpy(dtype=object)[i], "name_zh": plan.name_zh[i],
        "name_en": plan.name_en[i], "unit": plan.unit[i], "direction": plan.direction[i],
        "status": engine.STATUS[st], "value": val, "value_scored": cl["value_scored"][sel],
        "numerator": cl["numerator"][sel], "denominator": cl["denominator"][sel], **iv,
        "target": plan.params["target"][g, i] * np.where(plan.is_count[i], cl["n_months"][sel], 1.0),
        "rule": plan.rule[g, i], "rule_text_zh": plan.text_zh[g, i], "rule_text_en": plan.text_en[g, i],
        "raw_score": cl["raw_score"][sel], "weight": cl["weight"][sel], "points": cl["points4"][sel] / engine.FIXED,
        "treatment_zh": tzh, "treatment_en": ten, "capped": cl["capped"][sel], "carried_from": carried_m,
        "months_ok": cl["months_ok"][sel], "n_months": cl["n_months"][sel],
    }, INDICATOR_COLUMNS)


@dataclass
class _DimensionHistory:
    """The arrays dimension_history is made from (a class, not a closure, so a build still pickles)."""

    wt: dict
    plan: engine.Plan
    ux: engine.Units
    live: np.ndarray
    ends: list[str]

    def __call__(self) -> pd.DataFrame:
        return _dimension_history(self.wt, self.plan, self.ux, self.live, self.ends)


def _dimension_history(wt, plan, ux, live, ends) -> pd.DataFrame:
    """_dimension_frame for every period of the build, oldest first; periods nobody was scored in are left out."""
    parts = [_dimension_frame(wt, plan, ux, live, p).assign(period=end) for p, end in enumerate(ends) if live[p].any()]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["period", *DIMENSION_COLUMNS])
    return out[["period", *DIMENSION_COLUMNS]]


def _dimension_frame(wt, plan, ux, live, p_cur) -> pd.DataFrame:
    mask = wt["dim_in_scheme"] & live[p_cur][:, None]
    dims = plan.dims
    order = dims["order"].to_numpy()
    u, d = np.nonzero(mask)
    k = np.lexsort((order[d], u))
    u, d = u[k], d[k]
    weight = wt["dim_eff"][p_cur, u, d]
    points = wt["dim_points4"][p_cur, u, d] / engine.FIXED
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(weight > 0, points / weight, np.nan)
    grp = ux.group[u]
    median = pd.Series(score).groupby(grp * len(dims) + d, sort=False).transform("median").to_numpy()
    f = ux.frame
    return _frame({
        "unit_code": f["code"].to_numpy(dtype=object)[u], "peer_group": f["peer_group"].to_numpy(dtype=object)[u],
        "dimension": dims["dimension"].to_numpy(dtype=object)[d], "name_zh": dims["name_zh"].to_numpy(dtype=object)[d],
        "name_en": dims["name_en"].to_numpy(dtype=object)[d], "weight": weight, "score": score, "points": points,
        "peer_median": median,
    }, DIMENSION_COLUMNS)


