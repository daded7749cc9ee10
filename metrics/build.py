"""A score build: the ordered steps (with their parameters) and the frames they produced.

`compute` runs the chain of steps on plain frames (no warehouse), so the service, the
what-if, the robustness analysis and the benchmark share one code path. The log
(`ScoreBuild.steps`, `write_log`) is exactly the parameters the steps were called with:
`run(log, inputs)` rebuilds it, and a what-if is `run(change(log, step, ...), inputs)`.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field, replace

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
    dimensions: pd.DataFrame
    totals: pd.DataFrame
    adjustments: pd.DataFrame
    history: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    scheme: Scheme | None = field(repr=False, default=None)
    fixed: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)  # fixed-point parts of totals
    # the explanation frame of every cell (made on first use, or per unit by indicators_of) and the
    # dimension scores of every period (made on first use): the arrays are there, most callers never ask
    _indicators: object = field(repr=False, default=None)
    _dim_history: object = field(repr=False, default=None)
    # which scheme scored it: its year, content fingerprint, and whether that is the month's own year
    scheme_year: str = ""
    scheme_fingerprint: str = ""
    scheme_is_own_year: bool = True
    # the revision these figures are, when the build is a publication rebuilt (service.replay_publication)
    published_revision: int | None = None
    # the language of the one-language fields (in_lang gives the same build in the other)
    lang: str = "zh"

    def scheme_note(self, lang: str | None = None) -> str | None:
        """'2024-06 无 2024 年考核方案，按 2025 年方案计分' when the month's year has no scheme of
        its own (None when it has): pages, the PDF head and the CLI show it beside the figures."""
        if self.scheme_is_own_year or not self.scheme_year:
            return None
        return i18n.t("scoring.scheme.used_for_other_year", lang, month=periods.label(self.period, self.month, lang),
                      year=self.month[:4], scheme_year=self.scheme_year)

    @property
    def indicators(self) -> pd.DataFrame:
        """One row per scored item of the period (INDICATOR_COLUMNS): value, rule, raw score, weight,
        points, treatment, interval. Made on first use and kept; `indicators_of` makes a few units' rows."""
        if isinstance(self._indicators, pd.DataFrame):
            return self._indicators
        return self._indicators()

    def indicators_of(self, unit_codes) -> pd.DataFrame:
        """The `indicators` rows of some units only, made for them (an explanation, a scorecard), the
        same rows `indicators` has for them."""
        codes = [unit_codes] if isinstance(unit_codes, str) else list(unit_codes)
        if isinstance(self._indicators, pd.DataFrame):
            f = self._indicators
            return f.loc[f["unit_code"].isin(codes)].reset_index(drop=True)
        return self._indicators(codes)

    def indicator_names(self) -> pd.DataFrame:
        """indicator_code, name_zh, name_en, unit of every indicator the build scored, as the catalogue
        it read had them (without making the explanation frame)."""
        cols = ["indicator_code", "name_zh", "name_en", "unit"]
        if isinstance(self._indicators, pd.DataFrame):
            return self._indicators.reindex(columns=cols).drop_duplicates("indicator_code").reset_index(drop=True)
        plan, cl = self._indicators.plan, self._indicators.cl
        used = np.unique(cl["i"])
        return pd.DataFrame({"indicator_code": pd.Series(plan.codes.to_numpy(dtype=object)[used], dtype=object),
                             "name_zh": pd.Series(plan.name_zh[used], dtype=object),
                             "name_en": pd.Series(plan.name_en[used], dtype=object),
                             "unit": pd.Series(plan.unit[used], dtype=object)})

    def in_lang(self, lang: str | None) -> ScoreBuild:
        """The same build with its one-language fields in `lang` (the period's label, the totals'
        veto_reason, grade_note, the adjustments' reason and evidence); every other field, and the
        lazily made parts, are shared. A build is made once per data version, not per language."""
        lg = "en" if (lang or i18n.DEFAULT_LANG) == "en" else "zh"
        if lg == self.lang:
            return self
        return replace(
            self, lang=lg, period_label=periods.label(self.period, self.month, lg),
            totals=_lang_columns(self.totals, lg, ("veto_reason",)),
            fixed=_lang_columns(self.fixed, lg, ("grade_note",)),
            adjustments=_lang_columns(self.adjustments, lg, ("reason", "evidence")))

    @property
    def nbytes(self) -> int:
        """Bytes the build holds: its frames (text counted by a sample of its strings) and the arrays
        its lazy parts are made from, plus those parts once made."""
        n = sum(_frame_bytes(f) for f in (self.dimensions, self.totals, self.adjustments, self.history, self.fixed))
        for part in (self._indicators, self._dim_history):
            n += _frame_bytes(part) if isinstance(part, pd.DataFrame) else getattr(part, "nbytes", 0)
        return int(n)

    @property
    def dimension_history(self) -> pd.DataFrame:
        """Dimension scores of every period scored in this build (the same periods as `history`):
        period, unit_code, peer_group, dimension, name_zh, name_en, weight, score, points, peer_median.
        Build with n_history=12 to plot a dimension over a year without scoring month by month."""
        if self._dim_history is None:
            return pd.DataFrame(columns=["period", *DIMENSION_COLUMNS])
        if isinstance(self._dim_history, pd.DataFrame):
            return self._dim_history
        return self._dim_history()

    def explain(self, unit_code: str, lang: str | None = None) -> pd.DataFrame:
        from kaohe.metrics.explain import explain

        return explain(self, unit_code, lang)

    def unit(self, unit_code: str) -> dict:
        row = self.totals.loc[self.totals["unit_code"].eq(unit_code)]
        if row.empty:
            raise KeyError(unit_code)
        return row.iloc[0].to_dict()


# -- the chain ---------------------------------------------------------------------------------------
# A build is an ordered list of steps, each a name, a function and its parameters; the log
# (ScoreBuild.steps, stored with a publication) is exactly those parameters, so `run(log, ...)`
# on the same inputs gives the same build, and a what-if is the same log with one parameter
# changed (COINr's write_log / Regen). The scheme's sections are each a step's parameters: the
# scheme a step scores with is the one the log spells, never a file read again.
SECTION_STEPS = {"missing": "missing", "adjust": "adjustments", "veto": "veto", "grade": "grades"}
LIST_SECTIONS = ("lists", "alerts")
_SECTION_KEYS = (*SECTION_STEPS.values(), *LIST_SECTIONS)


def write_log(scheme: Scheme, month: str, period: str = "month", n_history: int | None = None) -> list[dict]:
    """The log of a build of `period` ending at `month` with `scheme`: every parameter the steps take
    (JSON-serialisable), in the order they run."""
    periods.check(period)
    alerts = scheme.data.get("alerts") or {}
    return log_of(scheme.data, month, period, int(n_history or max(2, int(alerts.get("consecutive", 3)))))


def log_of(data: dict, month: str, period: str, n_history: int) -> list[dict]:
    """The log of a build with the scheme `data` (a plain dict, not yet validated): the steps in the
    order `run` calls them, each with the parameters it is called with."""
    own = {k: v for k, v in data.items() if k not in _SECTION_KEYS}
    return [
        {"step": "scheme", "params": own},  # id, version, year, names, kinds (weights, rules, caps), groups
        {"step": "select", "params": {"month": month, "period": period, "n_history": n_history}},
        {"step": "missing", "params": data.get("missing")},
        {"step": "score", "params": {}},  # rules and weights are the scheme step's
        {"step": "adjust", "params": data.get("adjustments")},
        {"step": "veto", "params": data.get("veto")},
        {"step": "rank", "params": {}},  # within peer groups, ties share the better rank, totals to the cent
        {"step": "grade", "params": data.get("grades")},
        {"step": "lists", "params": {k: data.get(k) for k in LIST_SECTIONS}},
    ]


def scheme_data(log: list[dict]) -> dict:
    """The scheme a log scores with: its scheme step and the sections the other steps hold."""
    by = _by_step(log)
    data = dict(by["scheme"])
    for name, key in SECTION_STEPS.items():
        if by.get(name) is not None:
            data[key] = by[name]
    for key, value in (by.get("lists") or {}).items():
        if value is not None:
            data[key] = value
    return data


def selection(log: list[dict]) -> dict:
    """month, period, n_history of a log (a log of an older release is read as it was written)."""
    return dict(_by_step(log)["select"])


def read_window(log: list[dict]) -> tuple[str, str]:
    """The first and last month a run of `log` reads (history periods, months a value may be carried)."""
    sel = selection(log)
    missing = _by_step(log).get("missing") or {}
    carry = int(missing.get("carry_months", 3)) if missing.get("policy") == "carry" else 0
    ends = periods.history(sel["period"], sel["month"], int(sel["n_history"]))
    return mo.add(periods.months_of(sel["period"], ends[0])[0], -carry), sel["month"]


def upgrade_log(steps: list[dict]) -> list[dict]:
    """A log in today's form. A log of an older release (before the chain) recorded the scheme whole
    in its scheme step and the periods it scored in its select step: the same build, spelled again."""
    by = {s["step"]: s["params"] for s in steps}
    if "data" not in (by.get("scheme") or {}):
        return steps
    data = by["scheme"]["data"]
    sel = by["select"]
    n_hist = len(sel.get("periods") or []) or max(2, int((data.get("alerts") or {}).get("consecutive", 3)))
    return log_of(data, sel["month"], sel["period"], n_hist)


def change(log: list[dict], step: str, **params) -> list[dict]:
    """The log with some parameters of one step changed (a what-if): a new list, `log` untouched."""
    out = []
    for s in log:
        if s["step"] == step:
            s = {"step": step, "params": {**(s["params"] or {}), **params}}
        out.append(s)
    if step not in {s["step"] for s in out}:
        raise KeyError(step)
    return out


def _by_step(log: list[dict]) -> dict:
    return {s["step"]: s["params"] for s in log}


@dataclass
class _Run:
    """What the steps hand on to each other (arrays of the engine, frames of the totals)."""

    scheme: Scheme
    units: pd.DataFrame
    catalogue: pd.DataFrame
    obs: pd.DataFrame
    adjustments: pd.DataFrame | None
    lang: str | None
    v: dict = field(default_factory=dict)


def _step_scheme(r: _Run, params: dict) -> None:
    # the scheme itself is the log's (scheme_data): here its kinds and groups become the plan
    r.v["plan"] = r.scheme.plan(r.units)
    r.v["ux"] = engine.index_units(r.units, r.v["plan"])


def _step_select(r: _Run, params: dict) -> None:
    r.v["month"], r.v["period"] = params["month"], params["period"]
    periods.check(params["period"])
    r.v["ends"] = periods.history(params["period"], params["month"], int(params["n_history"]))


def _retired(catalogue: pd.DataFrame) -> dict[str, str]:
    """code -> the month an indicator is retired from (catalogue `retired_from`, schema 7)."""
    if "retired_from" not in catalogue.columns:
        return {}
    col = catalogue["retired_from"]
    keep = col.notna() & col.astype(str).str.fullmatch(r"\d{4}-\d{2}")
    return dict(zip(catalogue.loc[keep, "code"], col[keep].astype(str), strict=True))


def _step_missing(r: _Run, params: dict | None) -> None:
    params = params or {}
    policy = params.get("policy", "zero")
    carry_n = int(params.get("carry_months", 3)) if policy == "carry" else 0
    v = r.v
    plan, ux, ends, period = v["plan"], v["ux"], v["ends"], v["period"]
    months = mo.span(mo.add(periods.months_of(period, ends[0])[0], -carry_n), v["month"])
    # values -> periods -> cells (all periods at once)
    cube = engine.cube(r.obs, months, ux, plan, r.catalogue["code"], _retired(r.catalogue))
    agg = engine.aggregate(cube, period, ends, plan)
    # a period before the data begins has nothing reported: it is not scored, so the first period
    # in the data has no previous rank (new, not a change) and empty periods make no bottom streak
    reported = (agg["status"] != engine.MISSING).any(axis=(1, 2))
    reported[-1] = True  # the period asked for is always scored (all missing, if so)
    if policy == "carry":
        agg = engine.carry(agg, cube, period, ends, carry_n, plan)
    live = engine.alive(ux, ends) & reported[:, None]
    v.update(months=months, agg=agg, live=live, policy=policy, cl=engine.cells(agg, plan, ux, live, policy))


def _step_score(r: _Run, params: dict) -> None:
    # rules -> weights -> points, in fixed point (engine.FIXED)
    v = r.v
    v["wt"] = engine.weigh(v["cl"], v["plan"], len(v["ends"]), len(v["ux"].codes))
    v["tot"] = _totals_frame(v["ux"], v["ends"], v["live"], v["wt"]["base4"])
    v["watched"] = _trigger_cells(v["agg"], v["plan"], v["ux"], v["live"], v["ends"], r.scheme)


def _step_adjust(r: _Run, params: dict | None) -> None:
    caps = params or {}
    v = r.v
    adj = adjust.in_periods(r.adjustments, v["period"], v["ends"])
    auto = adjust.automatic(v["watched"], caps.get("rules", []), r.lang, worded=v["month"])
    if not auto.empty:
        adj = auto if adj.empty else pd.concat([adj, auto], ignore_index=True)
    v["adj"] = adj
    v["tot"] = adjust.apply(v["tot"], adj, caps.get("bonus_cap"), caps.get("deduction_cap"))


def _step_veto(r: _Run, params: dict | None) -> None:
    params = params or {}
    v = r.v
    v["cap_grade"] = params.get("cap_grade", "fail")
    v["tot"] = adjust.veto(v["tot"], v["watched"], v["adj"], params.get("triggers", []), r.lang)


def _step_rank(r: _Run, params: dict) -> None:
    r.v["tot"] = rank.rank(r.v["tot"])


def _step_grade(r: _Run, params: dict | None) -> None:
    g = params or {}
    r.v["tot"] = grades.assign(r.v["tot"], g.get("bands", []), g.get("quota"), r.v["cap_grade"], r.lang)


def _step_lists(r: _Run, params: dict) -> None:
    v = r.v
    ends, month = v["ends"], v["month"]
    cur = rank.changes(v["tot"].loc[v["tot"]["period"].eq(month)], v["tot"], ends[-2] if len(ends) > 1 else None,
                       params.get("lists") or {}, params.get("alerts") or {}, ends)
    # streets before departments, then by group, rank and code: one sort of codes, not of strings
    key = [pd.factorize(cur[c].to_numpy(dtype=object), sort=True)[0] for c in ("kind", "peer_group", "unit_code")]
    order = np.lexsort((key[2], cur["rank"].to_numpy(), key[1], -key[0]))
    v["cur"] = cur.iloc[order]


CHAIN = [("scheme", _step_scheme), ("select", _step_select), ("missing", _step_missing), ("score", _step_score),
         ("adjust", _step_adjust), ("veto", _step_veto), ("rank", _step_rank), ("grade", _step_grade),
         ("lists", _step_lists)]
_FUNCS = dict(CHAIN)


def compute(scheme: Scheme, units: pd.DataFrame, catalogue: pd.DataFrame, obs: pd.DataFrame,
            adjustments: pd.DataFrame | None, month: str, period: str = "month",
            n_history: int | None = None, lang: str | None = None) -> ScoreBuild:
    """Score `period` ending at `month` and the periods before it (for rank changes and alerts):
    the chain of `write_log(scheme, ...)`, run."""
    return run(write_log(scheme, month, period, n_history), units, catalogue, obs, adjustments, lang,
               scheme=scheme)


def run(log: list[dict], units: pd.DataFrame, catalogue: pd.DataFrame, obs: pd.DataFrame,
        adjustments: pd.DataFrame | None, lang: str | None = None, scheme: Scheme | None = None) -> ScoreBuild:
    """Run a log's steps, in its order, each with its logged parameters. `scheme` (the one the log
    was written from) saves validating it again; without it the scheme is the log's, validated."""
    from kaohe.metrics.scheme import load_dict

    log = upgrade_log(log)
    if scheme is None:
        scheme = load_dict(scheme_data(log), catalogue)
    r = _Run(scheme, units, catalogue, obs, adjustments, lang)
    for s in log:
        _FUNCS[s["step"]](r, s["params"])
    return _assemble(r, log)


def _assemble(r: _Run, log: list[dict]) -> ScoreBuild:
    v, scheme = r.v, r.scheme
    month, period, cur = v["month"], v["period"], v["cur"]
    plan, ux, live, wt, ends = v["plan"], v["ux"], v["live"], v["wt"], v["ends"]
    fixed = cur[["unit_code", "base4", "bonus4", "deduction4", "total4", "total_cents",
                 "bonus_claimed", "deduction_claimed", "grade_by_score", "grade_note", "grade_note_zh",
                 "grade_note_en", "rank_from_bottom"]]
    ind = _Indicators(v["cl"].of_period(len(ends) - 1), plan, ux, 0, v["months"], v["policy"])
    dims = _dimension_frame(wt, plan, ux, live, len(ends) - 1)
    adj = v["adj"]
    cur_adj = adj.loc[adj["period"].eq(month)] if not adj.empty else adj
    tot = v["tot"]
    return ScoreBuild(
        scheme_id=scheme.id, scheme_version=scheme.version, period=period,
        period_label=periods.label(period, month, r.lang), month=month,
        steps=log, _indicators=ind, dimensions=dims,
        totals=cur.reindex(columns=TOTAL_COLUMNS).reset_index(drop=True),
        adjustments=adjust.words(cur_adj).reset_index(drop=True),
        history=tot[["period", "unit_code", "peer_group", "total", "rank", "n_in_group", "grade", "veto"]],
        scheme=scheme, fixed=fixed.reset_index(drop=True),
        _dim_history=_DimensionHistory(wt, plan, ux, live, ends),
        scheme_year=scheme.year, scheme_fingerprint=scheme.fingerprint,
        scheme_is_own_year=not scheme.year or scheme.year == month[:4],
        lang="en" if (r.lang or i18n.DEFAULT_LANG) == "en" else "zh",
    )


def _lang_columns(frame: pd.DataFrame, lang: str, names: tuple[str, ...]) -> pd.DataFrame:
    """`frame` with each column of `names` taken from its `_<lang>` twin (where there is one)."""
    have = [c for c in names if f"{c}_{lang}" in frame.columns and c in frame.columns]
    if not have or frame.empty:
        return frame
    out = frame.copy(deep=False)
    for c in have:
        twin = out[f"{c}_{lang}"]
        picked = twin.where(twin.notna() & twin.astype(bool), out[c]) if c in ("reason", "evidence") else twin
        out[c] = picked.astype(frame[c].dtype)  # the column's own kind, as a build in `lang` has it
    return out


def _frame_bytes(frame) -> int:
    """A frame's bytes without reading every string: numbers exactly; text as a pointer per row plus
    the distinct strings of a sample (the text of these frames is names and codes, shared by many rows)."""
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        return 0
    n = int(frame.memory_usage(index=True, deep=False).sum())
    for c in frame.columns:
        col = frame[c]
        if col.dtype == object:
            sample = col.iloc[:: max(1, len(col) // 500)].tolist()
            n += sum(sys.getsizeof(x) for x in {id(x): x for x in sample}.values())
        elif not isinstance(col.dtype, np.dtype):  # strings, categories: pandas counts them itself
            n += int(col.memory_usage(index=False, deep=True)) - int(col.memory_usage(index=False, deep=False))
    return n


def _arrays_bytes(*parts) -> int:
    n = 0
    for part in parts:
        for a in (part.values() if isinstance(part, dict) else [part]):
            n += a.nbytes if isinstance(a, np.ndarray) else 0
    return n


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
    # period, indicator and status as categories: the triggers pick their rows by code, not by string
    return _frame({
        "period": pd.Categorical.from_codes(p, categories=pd.Index(list(ends), dtype=object)),
        "unit_code": ux.frame["code"].to_numpy(dtype=object)[u],
        "indicator_code": pd.Categorical.from_codes(k, categories=pd.Index(list(plan.codes[want]), dtype=object)),
        "name_zh": plan.name_zh[i], "name_en": plan.name_en[i], "unit": plan.unit[i],
        "status": pd.Categorical.from_codes(agg["status"][p, u, i].astype(np.int64),
                                            categories=pd.Index(list(engine.STATUS), dtype=object)),
        "value": agg["value"][p, u, i],
    })


def _indicator_frame(cl, plan, ux, p_cur, months, policy, units=None, peer=None) -> pd.DataFrame:
    """The explanation rows of the period's cells (of the units at positions `units`, or all), unit by
    unit in the scheme's order; `peer` the period's peer values (intervals.peer_values, for all cells)."""
    cur = np.flatnonzero(cl["p"] == p_cur)
    sel = cur if units is None else cur[np.isin(cl["u"][cur], units)]
    u, i, g = cl["u"][sel], cl["i"][sel], cl["g"][sel]
    k = np.lexsort((plan.order[g, i], u))
    sel = sel[k]
    u, i, g, d = cl["u"][sel], cl["i"][sel], cl["g"][sel], cl["d"][sel]
    st = cl["status"][sel]
    usable = (st == engine.OK) | (st == engine.CARRIED)
    val = cl["value"][sel]
    at = np.searchsorted(cur, sel)  # positions among the period's cells, where `peer` is
    iv = intervals.annotate_with({key: a[at] for key, a in peer.items()}, cl.take("numerator", sel),
                                 cl.take("denominator", sel), usable, plan.lower[i])
    carried = cl.take("carried_from", sel)
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
        "numerator": cl.take("numerator", sel), "denominator": cl.take("denominator", sel), **iv,
        "target": plan.params["target"][g, i] * np.where(plan.is_count[i], cl["n_months"][sel], 1.0),
        "rule": plan.rule[g, i], "rule_text_zh": plan.text_zh[g, i], "rule_text_en": plan.text_en[g, i],
        "raw_score": cl["raw_score"][sel], "weight": cl["weight"][sel], "points": cl["points4"][sel] / engine.FIXED,
        "treatment_zh": tzh, "treatment_en": ten, "capped": cl["capped"][sel], "carried_from": carried_m,
        "months_ok": cl.take("months_ok", sel), "n_months": cl["n_months"][sel],
    }, INDICATOR_COLUMNS)


class _Lazy:
    """A part of a build made on first use and kept (shared by the in_lang views of the build; a
    class, not a closure, so a build still pickles). Two sessions asking at once make it once."""

    def __init__(self):
        self._made = None
        self._lock = threading.Lock()

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __call__(self) -> pd.DataFrame:
        if self._made is None:
            with self._lock:
                if self._made is None:
                    self._made = self.make()
        return self._made

    @property
    def nbytes(self) -> int:
        return _frame_bytes(self._made) + self.source_bytes()


class _DimensionHistory(_Lazy):
    """The arrays dimension_history is made from."""

    def __init__(self, wt: dict, plan: engine.Plan, ux: engine.Units, live: np.ndarray, ends: list[str]):
        super().__init__()
        self.wt, self.plan, self.ux, self.live, self.ends = wt, plan, ux, live, ends

    def make(self) -> pd.DataFrame:
        return _dimension_history(self.wt, self.plan, self.ux, self.live, self.ends)

    def source_bytes(self) -> int:
        return _arrays_bytes(self.wt, self.live)


class _Indicators(_Lazy):
    """The cells the explanation frame is made from: all of it on first use of `indicators`, or the
    rows of a few units (`indicators_of`) without making the rest."""

    def __init__(self, cl: dict, plan: engine.Plan, ux: engine.Units, p_cur: int, months: list[str], policy: str):
        super().__init__()
        self.cl, self.plan, self.ux, self.p_cur, self.months, self.policy = cl, plan, ux, p_cur, months, policy
        self._peer = None

    def __call__(self, unit_codes=None) -> pd.DataFrame:
        if unit_codes is None:
            return super().__call__()
        if self._made is not None:
            return self._made.loc[self._made["unit_code"].isin(unit_codes)].reset_index(drop=True)
        pos = self.ux.codes.get_indexer(pd.Index(unit_codes))
        return _indicator_frame(self.cl, self.plan, self.ux, self.p_cur, self.months, self.policy,
                                units=pos[pos >= 0], peer=self.peer())

    def make(self) -> pd.DataFrame:
        return _indicator_frame(self.cl, self.plan, self.ux, self.p_cur, self.months, self.policy, peer=self.peer())

    def peer(self) -> dict:
        """Peer-group values of the period's cells (pooled rates, medians), made once for every unit."""
        if self._peer is None:
            cl, plan = self.cl, self.plan
            sel = np.flatnonzero(cl["p"] == self.p_cur)
            st = cl["status"][sel]
            usable = (st == engine.OK) | (st == engine.CARRIED)
            self._peer = intervals.peer_values(cl.take("numerator", sel), cl.take("denominator", sel), cl["value"][sel],
                                               usable, cl["g"][sel] * len(plan.codes) + cl["i"][sel])
        return self._peer

    def source_bytes(self) -> int:
        return _arrays_bytes(self.cl, self.cl.agg)


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


