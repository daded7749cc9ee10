"""A deterministic generator for the sample district and for benchmark workloads.

Same units, catalogue, end month and seed give the same rows, bit for bit. The
sample is meant to look like a real district: units that are steadily strong or
weak, gentle trends, seasons (winter heating and summer complaints, the summer
flood season for incidents), rates carried as numerator and denominator sized
by population or workload, a few missing values, some items not applicable,
and planted implausible data that the import checks should flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe.base import months as mo
from kaohe.data.catalogue import read_indicators, read_units

DEFAULT_SEED = 20261
DEFAULT_MONTHS = 36

# Planted implausible data, so tests and the plausibility checks can find them.
PLANTED_PERFECT = ("S06", "HL_SATISFY")  # reports exactly 100% satisfaction every month
PLANTED_JUMP = ("S10", "GR_CLOSE", -4)  # one-month collapse to about 45%, 4 months before the end
PLANTED_CONCEAL = ("S08", "EM_CONCEAL", -2)  # a confirmed concealed incident report: a veto case

# Items that do not apply to particular sample units (no field response, no approvals, ...).
NOT_APPLICABLE = {
    "D07": ["EM_RESPONSE"], "D09": ["EM_RESPONSE"], "D10": ["EM_RESPONSE", "DP_WHISTLE_H"],
    "D11": ["EM_RESPONSE"], "D13": ["DP_DAYS"], "D06": ["DP_DAYS", "PS_ONESTOP"],
    "D17": ["EM_RESPONSE"], "D18": ["EM_RESPONSE"], "S01": ["EM_EXPIRED"], "S07": ["EM_EXPIRED"],
}

# Denominators of ratio indicators: ("pop", residents per case) for streets, ("work", share of
# the unit's monthly workload), or ("range", low, high) of cases per month.
DENOMINATOR = {
    "HL_RESPONSE": ("calls", 1.0), "HL_RESOLVE": ("calls", 1.0), "HL_SATISFY": ("calls", 0.6),
    "HL_ONTIME": ("calls", 1.0), "HL_REPEAT": ("calls", 1.0),
    "DS_MEDIATE": ("pop", 900), "PT_ONTIME": ("pop", 6000), "PT_REPEAT": ("pop", 6000),
    "SF_HAZARD": ("range", 15, 160), "EM_PLAN": ("range", 8, 40), "EM_REPORT": ("range", 2, 18),
    "EM_SUPPLY": ("range", 30, 90), "EM_WARNING": ("pop", 2.6), "EM_EXPIRED": ("range", 30, 90),
    "GR_CLOSE": ("pop", 150), "GR_PROACTIVE": ("pop", 150), "GR_INFO": ("pop", 2.6),
    "PS_ONESTOP": ("pop", 120), "PS_REVIEW": ("pop", 200), "PS_ELDERLY": ("pop", 250),
    "CP_VOLUNTEER": ("pop", 1.0), "DP_WHISTLE": ("range", 8, 60), "DP_RETURN": ("calls", 0.8),
    "DP_SUPERVISE": ("range", 4, 30),
}
# Mean monthly counts for count indicators at an average unit (scaled by the unit's quality).
COUNT_MEAN = {
    "PT_ESCALATE": 0.6, "DS_CRIMINAL": 0.15, "SF_ACCIDENT": 0.12, "EM_DRILL": 1.3,
    "EM_CONCEAL": 0.01, "CP_MEETING": 1.8,
}
# Which indicators follow which season.
SEASON = {
    "HL_VOLUME": "complaints", "EM_RESPONSE": "flood", "SF_ACCIDENT": "flood",
    "EM_REPORT": "flood", "HL_ONTIME": "complaints_load",
}


def last_complete_month() -> str:
    return mo.last_complete()  # kaohe.clock decides what today is


def scaled_units(n_units: int | None = None, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The sample district, extended with synthetic units when more are asked for."""
    base = read_units()
    if n_units is None or n_units <= len(base):
        return base if n_units is None else base.iloc[:n_units].reset_index(drop=True)
    rng = np.random.default_rng(seed + 1)
    groups = base.drop_duplicates("peer_group")[["kind", "peer_group", "peer_group_zh", "peer_group_en"]]
    extra = []
    street_groups = groups[groups["kind"] == "street"].to_dict("records")
    dept_groups = groups[groups["kind"] == "department"].to_dict("records")
    for k in range(len(base), n_units):
        n = k + 1
        if rng.random() < 0.45:
            g = street_groups[n % len(street_groups)]
            code, zh, en = f"S{n:04d}", f"第{n}街道", f"Street {n}"
            pop = int(rng.integers(15000, 150000))
        else:
            g = dept_groups[n % len(dept_groups)]
            code, zh, en = f"D{n:04d}", f"第{n}部门", f"Department {n}"
            pop = None
        extra.append({"code": code, "name_zh": zh, "name_en": en, **g, "population": pop,
                      "parent_code": None, "active_from": None, "active_to": None})
    out = pd.concat([base, pd.DataFrame(extra)], ignore_index=True)
    out["population"] = pd.to_numeric(out["population"], errors="coerce").astype("Int64")
    return out


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def generate(
    units: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    *,
    end: str | None = None,
    n_months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Observations for every applicable (unit, indicator, month), long layout."""
    units = read_units() if units is None else units
    indicators = read_indicators() if indicators is None else indicators
    end = end or last_complete_month()
    month_list = mo.span(mo.add(end, -(n_months - 1)), end)
    rng = np.random.default_rng(seed)
    n_u, n_t = len(units), len(month_list)
    t = np.arange(n_t, dtype=float)
    moy = np.array([int(m[5:7]) for m in month_list])
    winter = np.isin(moy, [12, 1, 2]).astype(float)
    summer = np.isin(moy, [7, 8]).astype(float)
    flood = np.isin(moy, [6, 7, 8, 9]).astype(float)

    codes = units["code"].to_numpy()
    kinds = units["kind"].to_numpy()
    is_street = kinds == "street"
    pop = pd.to_numeric(units["population"], errors="coerce").to_numpy(dtype=float)
    pop = np.where(np.isnan(pop), 0.0, pop)
    quality = rng.normal(0.0, 1.0, n_u)  # steady strength or weakness of a unit
    slope = rng.normal(0.012, 0.012, n_u)  # gentle trend, in quality units per month
    dept_size = rng.lognormal(np.log(250), 0.6, n_u)
    call_base = np.where(is_street, pop / 120.0, dept_size)
    calls = rng.poisson(np.outer(call_base, 1.0 + 0.30 * winter + 0.18 * summer)).astype(float)
    pop_growth = 1.0 + 0.0008 * t

    frames = []
    for ind in indicators.itertuples(index=False):
        applies = np.isin(kinds, ["street", "department"] if ind.applies_to == "both" else [ind.applies_to])
        if not applies.any():
            continue
        rows = np.flatnonzero(applies)
        code = ind.code
        eff = 0.75 * quality + 0.45 * rng.normal(0.0, 1.0, n_u)
        z = (eff[:, None] + slope[:, None] * (t[None, :] - n_t / 2)
             + rng.normal(0.0, 0.35, (n_u, n_t)))[rows]
        sign = -1.0 if ind.direction == "lower" else 1.0
        lo = float(ind.typical_low) if pd.notna(ind.typical_low) else 0.0
        hi = float(ind.typical_high) if pd.notna(ind.typical_high) else lo + 1.0
        season = SEASON.get(code)
        if season == "flood":  # the flood season makes every indicator it touches worse
            z = z - 0.8 * flood[None, :]
        elif season == "complaints_load":
            z = z - 0.5 * winter[None, :]
        num = den = None
        if code == "HL_VOLUME":
            value = calls[rows]
        elif code == "POP":
            value = np.round(np.outer(pop[rows], pop_growth))
        elif code == "DS_FOUND":
            value = rng.poisson(np.outer(pop[rows] / 1500.0, 1.0 + 0.2 * winter)).astype(float)
        elif ind.ratio:
            share = _sigmoid(sign * (1.1 * z + 0.8))
            p = (lo + (hi - lo) * share) / 100.0
            den = _denominators(code, rows, calls, pop, n_t, rng)
            num = rng.binomial(den.astype(np.int64), np.clip(p, 0.0, 1.0)).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(den > 0, np.round(100.0 * num / den, 2), np.nan)
        elif ind.kind == "count":
            # strong units have fewer bad events (lower is better) and hold more activities
            lam = COUNT_MEAN.get(code, 1.0) * np.exp(-0.5 * z if sign < 0 else 0.3 * z)
            if code == "PT_ESCALATE":
                lam = lam * np.clip(pop[rows] / 60000.0, 0.3, 3.0)[:, None]
            value = rng.poisson(lam).astype(float)
        else:  # continuous: minutes, hours, days, per 10k, survey score
            share = _sigmoid(sign * (1.0 * z + 0.6))
            value = np.round(lo + (hi - lo) * share, 1)
            if code == "CP_SURVEY":  # a quarterly survey, carried within the quarter
                q_start = np.array([(i - ((moy[i] - 1) % 3)) for i in range(n_t)])
                q_start = np.clip(q_start, 0, None)
                value = value[:, q_start]
        frames.append(_long(codes[rows], code, month_list, value, num, den))

    out = pd.concat(frames, ignore_index=True)
    out = _plant(out, month_list)
    out = _mark_not_applicable(out)
    out = _drop_some(out, rng)
    return out.reset_index(drop=True)


def _denominators(code, rows, calls, pop, n_t, rng):
    how = DENOMINATOR.get(code, ("range", 10, 100))
    if how[0] == "calls":
        base = np.maximum(np.round(calls[rows] * how[1]), 0)
    elif how[0] == "pop":
        per = how[1]
        base_u = np.where(pop[rows] > 0, pop[rows] / per, rng.integers(20, 200, len(rows)))
        base = rng.poisson(np.repeat(base_u[:, None], n_t, axis=1)).astype(float)
    else:
        lo, hi = how[1], how[2]
        size = rng.integers(lo, hi + 1, len(rows)).astype(float)
        base = np.maximum(rng.poisson(np.repeat(size[:, None], n_t, axis=1)), 1).astype(float)
    return base


def _long(unit_codes, code, month_list, value, num, den) -> pd.DataFrame:
    n_r, n_t = value.shape
    return pd.DataFrame({
        "unit_code": np.repeat(unit_codes, n_t),
        "indicator_code": code,
        "month": np.tile(np.array(month_list, dtype=object), n_r),
        "value": value.ravel().astype(float),
        "numerator": np.full(n_r * n_t, np.nan) if num is None else num.ravel(),
        "denominator": np.full(n_r * n_t, np.nan) if den is None else den.ravel(),
        "status": "ok",
    })


def _plant(out: pd.DataFrame, month_list: list[str]) -> pd.DataFrame:
    unit, ind = PLANTED_PERFECT
    sel = (out["unit_code"] == unit) & (out["indicator_code"] == ind)
    out.loc[sel, "numerator"] = out.loc[sel, "denominator"]
    out.loc[sel, "value"] = 100.0
    unit, ind, offset = PLANTED_JUMP
    if len(month_list) >= -offset:
        month = month_list[offset]
        sel = (out["unit_code"] == unit) & (out["indicator_code"] == ind) & (out["month"] == month)
        if sel.any():
            den = out.loc[sel, "denominator"].to_numpy()
            num = np.floor(den * 0.45)
            out.loc[sel, "numerator"] = num
            out.loc[sel, "value"] = np.round(100.0 * num / den, 2)
    unit, ind, offset = PLANTED_CONCEAL
    if len(month_list) >= -offset:
        sel = (out["unit_code"] == unit) & (out["indicator_code"] == ind) & (out["month"] == month_list[offset])
        out.loc[sel, "value"] = 1.0
    return out


def _mark_not_applicable(out: pd.DataFrame) -> pd.DataFrame:
    pairs = {f"{u}|{i}" for u, items in NOT_APPLICABLE.items() for i in items}
    cand = out.loc[out["unit_code"].isin(list(NOT_APPLICABLE))]
    keys = cand["unit_code"] + "|" + cand["indicator_code"]
    sel = keys.index[keys.isin(pairs)]
    out.loc[sel, ["value", "numerator", "denominator"]] = np.nan
    out.loc[sel, "status"] = "na"
    return out


def _drop_some(out: pd.DataFrame, rng) -> pd.DataFrame:
    """A few values never reported (absent rows) and a few reported as missing ('—')."""
    n = len(out)
    draw = rng.random(n)
    ok = (out["status"] == "ok").to_numpy().copy()
    for unit, ind, *_ in (PLANTED_PERFECT, PLANTED_JUMP, PLANTED_CONCEAL):  # keep planted rows whole
        ok &= ~((out["unit_code"] == unit) & (out["indicator_code"] == ind)).to_numpy()
    absent = ok & (draw < 0.003)
    explicit = ok & (draw >= 0.003) & (draw < 0.004)
    out.loc[explicit, ["value", "numerator", "denominator"]] = np.nan
    out.loc[explicit, "status"] = "missing"
    # a zero denominator cannot give a rate: the month is missing, not 0%
    zero = ok & out["value"].isna().to_numpy()
    out.loc[zero, "status"] = "missing"
    return out.loc[~absent]
