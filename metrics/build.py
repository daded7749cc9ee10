"""A score build: the ordered steps (with their parameters) and the frames they produced.

`compute` runs the steps on plain frames (no warehouse), so the service, the
what-if, the robustness analysis and the benchmark share one code path. The
steps list records the scheme and every parameter, so a build can be replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kaohe import i18n
from metrics import adjust, engine, grades, periods, rank
from metrics.scheme import Scheme

TOTAL_COLUMNS = [
    "unit_code", "name_zh", "name_en", "kind", "peer_group", "base_score", "bonus", "deduction", "total",
    "veto", "veto_reason", "grade", "grade_zh", "grade_en", "rank", "n_in_group", "prev_rank", "rank_change",
    "list", "alerts", "peer_group_zh", "peer_group_en",
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

    def explain(self, unit_code: str, lang: str | None = None) -> pd.DataFrame:
        from metrics.explain import explain

        return explain(self, unit_code, lang)

    def unit(self, unit_code: str) -> dict:
        row = self.totals.loc[self.totals["unit_code"].eq(unit_code)]
        if row.empty:
            raise KeyError(unit_code)
        return row.iloc[0].to_dict()


def steps_for(scheme: Scheme, month: str, period: str, ends: list[str], spec: pd.DataFrame,
              adj: pd.DataFrame) -> list[dict]:
    """The replayable record of a build: every parameter that decided a number."""
    rules_used = {
        f"{g}/{c}": {"rule": r, "params": p, "weight": w, "dimension": d, "dim_weight": round(dw, 6)}
        for g, c, r, p, w, d, dw in zip(spec["peer_group"], spec["indicator_code"], spec["rule"], spec["params"],
                                         spec["ind_weight"], spec["dimension"], spec["dim_weight"], strict=True)
    }
    caps = {c: v for c, v in zip(spec["indicator_code"], spec["cap"], strict=True) if v == v}
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
                                      "applied": [int(i) for i in adj.get("adj_id", pd.Series(dtype=int))]}},
        {"step": "veto", "params": s.get("veto", {})},
        {"step": "rank", "params": {"within": "peer_group", "ties": "min", "decimals": 2}},
        {"step": "grade", "params": s.get("grades", {})},
        {"step": "lists", "params": {"lists": s.get("lists", {}), "alerts": s.get("alerts", {})}},
    ]


def compute(scheme: Scheme, units: pd.DataFrame, catalogue: pd.DataFrame, obs: pd.DataFrame,
            adjustments: pd.DataFrame | None, month: str, period: str = "month",
            n_history: int | None = None, lang: str | None = None, spec: pd.DataFrame | None = None,
            detail: bool = True) -> ScoreBuild:
    """Score `period` ending at `month` and the periods before it (for rank changes and alerts)."""
    periods.check(period)
    alerts_cfg = scheme.section("alerts")
    n_hist = n_history or max(2, int(alerts_cfg.get("consecutive", 3)))
    ends = periods.history(period, month, n_hist)
    if spec is None:
        spec = engine.rule_texts(scheme.spec(units))
    policy = scheme.missing_policy

    agg = periods.aggregate(obs, period, ends, catalogue)
    df = engine.attach(engine.grid(units, spec, ends), agg)
    if policy == "carry":
        df = engine.carry(df, obs, period, scheme.carry_months)
    df = engine.cap(df)
    df = engine.score(df, policy)
    df = engine.weigh(df)

    tot = engine.base_totals(df)
    adj = adjust.in_periods(adjustments, period, ends)
    caps = scheme.section("adjustments")
    tot = adjust.apply(tot, adj, caps.get("bonus_cap"), caps.get("deduction_cap"))
    tot = adjust.veto(tot, df, adj, scheme.section("veto").get("triggers", []), lang)
    tot = rank.rank(tot)
    g = scheme.section("grades")
    tot = grades.assign(tot, g.get("bands", []), g.get("quota"), scheme.section("veto").get("cap_grade", "fail"))

    cur_mask = tot["period"].eq(month)
    cur = rank.changes(tot.loc[cur_mask], tot, ends[-2] if len(ends) > 1 else None,
                       scheme.section("lists"), alerts_cfg, ends)
    cur = cur.sort_values(["kind", "peer_group", "rank", "unit_code"], ascending=[False, True, True, True])
    fixed = cur[["unit_code", "base4", "bonus4", "deduction4", "total4", "total_cents",
                 "bonus_claimed", "deduction_claimed", "grade_by_score", "grade_note", "rank_from_bottom"]]

    rows = df.loc[df["period"].eq(month)]
    if detail:
        ind = engine.indicators(rows, policy)
        ind["target"] = ind["p_target"]
        dims = engine.dimensions(rows).sort_values(["unit_code", "order"])
    else:
        ind, dims = rows, pd.DataFrame(columns=DIMENSION_COLUMNS)
    cur_adj = adj.loc[adj["period"].eq(month)] if not adj.empty else adj
    return ScoreBuild(
        scheme_id=scheme.id, scheme_version=scheme.version, period=period,
        period_label=periods.label(period, month, lang), month=month,
        steps=steps_for(scheme, month, period, ends, spec, cur_adj),
        indicators=ind.reindex(columns=INDICATOR_COLUMNS).reset_index(drop=True) if detail else ind,
        dimensions=dims.reindex(columns=DIMENSION_COLUMNS).reset_index(drop=True),
        totals=cur.reindex(columns=TOTAL_COLUMNS).reset_index(drop=True),
        adjustments=cur_adj.reset_index(drop=True),
        history=tot[["period", "unit_code", "peer_group", "total", "rank", "n_in_group", "grade", "veto"]],
        scheme=scheme, fixed=fixed.reset_index(drop=True),
    )


i18n.register({
    "scoring.build.label": ("{scheme} {version} · {period}", "{scheme} {version} · {period}"),
})
