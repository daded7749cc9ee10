"""Small, hand-computable inputs for the scoring engine, built in Python.

A toy district: four streets in one peer group and one department, a scheme of
two dimensions, and observations whose scores are worked out by hand in the
tests that use them.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from kaohe.data.catalogue import read_indicators
from kaohe.metrics import build as build_mod
from kaohe.metrics import scheme as scheme_mod

CATALOGUE = read_indicators()

UNITS = pd.DataFrame({
    "code": ["S1", "S2", "S3", "S4", "D1"],
    "name_zh": ["一街", "二街", "三街", "四街", "一局"],
    "name_en": ["One", "Two", "Three", "Four", "Bureau"],
    "kind": ["street"] * 4 + ["department"],
    "peer_group": ["g1"] * 4 + ["d1"],
    "peer_group_zh": ["城区"] * 4 + ["部门"],
    "peer_group_en": ["Urban"] * 4 + ["Depts"],
    "population": [50000, 60000, 70000, 80000, None],
    "parent_code": None, "active_from": None, "active_to": None,
})

# A: 60 (on-time 50: "90% or above earns the full 25 points, each point below deducts 1";
#        satisfaction 50: linear 60 -> 100)
# B: 40 (drills 50: ratio to 2 a month, capped at 2; crime per 10k 50: min-max in the group, lower better)
SCHEME = {
    "id": "toy", "version": "1", "year": "2026",
    "missing": {"policy": "zero", "carry_months": 2},
    "adjustments": {"bonus_cap": 5, "deduction_cap": 10},
    "veto": {"cap_grade": "fail", "triggers": [
        {"indicator": "EM_CONCEAL", "op": ">=", "value": 1, "reason_zh": "瞒报", "reason_en": "concealed"}]},
    "grades": {"bands": [{"grade": "excellent", "min": 90}, {"grade": "good", "min": 80},
                         {"grade": "pass", "min": 60}, {"grade": "fail", "min": 0}]},
    "lists": {"red": 5, "black": 5},
    "alerts": {"bottom_n": 3, "consecutive": 3, "fall_places": 1},
    "kinds": {
        "street": {"dimensions": [
            {"code": "A", "name_zh": "甲", "name_en": "A", "weight": 60, "indicators": [
                {"code": "HL_ONTIME", "weight": 50, "rule": "target_deduct",
                 "params": {"target": 90, "full": 25, "per_point": 1}},
                {"code": "HL_SATISFY", "weight": 50, "rule": "linear", "params": {"floor": 60, "target": 100}}]},
            {"code": "B", "name_zh": "乙", "name_en": "B", "weight": 40, "indicators": [
                {"code": "EM_DRILL", "weight": 50, "rule": "ratio_to_target", "params": {"target": 2}, "cap": 2},
                {"code": "SF_CRIME", "weight": 50, "rule": "minmax"}]},
        ]},
        "department": {"dimensions": [
            {"code": "A", "name_zh": "甲", "name_en": "A", "weight": 100, "indicators": [
                {"code": "HL_ONTIME", "weight": 100, "rule": "target_deduct",
                 "params": {"target": 90, "full": 25, "per_point": 1}}]},
        ]},
    },
}

# month -> unit -> (on-time %, satisfaction %, drills, crime per 10k)
BASE_VALUES = {
    "S1": (85.5, 90.0, 5, 2.0),   # A: 82 and 75 -> 78.5 x .6 = 47.1; B: 100 and 100 -> 40; base 87.10
    "S2": (95.0, 80.0, 1, 4.0),   # A: 100 and 50 -> 45; B: 50 and 50 -> 20; base 65.00
    "S3": (70.0, 100.0, 2, 6.0),  # A: 20 and 100 -> 36; B: 100 and 0 -> 20; base 56.00
    "S4": (95.0, 80.0, 1, 4.0),   # same as S2: 65.00, shares rank 2
}
EXPECTED_BASE = {"S1": 87.10, "S2": 65.00, "S3": 56.00, "S4": 65.00, "D1": 100.0}


def scheme(**changes) -> scheme_mod.Scheme:
    data = copy.deepcopy(SCHEME)
    for key, value in changes.items():
        data[key] = value
    return scheme_mod.load_dict(data, CATALOGUE)


def rows_for(month: str, values: dict | None = None, d1_ontime: float = 99.0) -> list[dict]:
    out = []
    for unit, (ontime, sat, drills, crime) in (values or BASE_VALUES).items():
        out += [
            _rate(unit, "HL_ONTIME", month, ontime, 1000),
            _rate(unit, "HL_SATISFY", month, sat, 100),
            {"unit_code": unit, "indicator_code": "EM_DRILL", "month": month, "value": float(drills),
             "numerator": np.nan, "denominator": np.nan, "status": "ok"},
            {"unit_code": unit, "indicator_code": "SF_CRIME", "month": month, "value": float(crime),
             "numerator": np.nan, "denominator": np.nan, "status": "ok"},
        ]
    out.append(_rate("D1", "HL_ONTIME", month, d1_ontime, 1000))
    return out


def _rate(unit, code, month, pct, den) -> dict:
    return {"unit_code": unit, "indicator_code": code, "month": month, "value": pct,
            "numerator": round(pct * den / 100.0), "denominator": float(den), "status": "ok"}


def observations(months=("2026-08", "2026-09", "2026-10"), values: dict | None = None) -> pd.DataFrame:
    rows = []
    for m in months:
        rows += rows_for(m, values)
    return pd.DataFrame(rows)


def set_obs(obs: pd.DataFrame, unit: str, code: str, month: str, **fields) -> pd.DataFrame:
    obs = obs.copy()
    sel = (obs["unit_code"] == unit) & (obs["indicator_code"] == code) & (obs["month"] == month)
    if not sel.any():
        row = {"unit_code": unit, "indicator_code": code, "month": month, "value": np.nan,
               "numerator": np.nan, "denominator": np.nan, "status": "ok", **fields}
        return pd.concat([obs, pd.DataFrame([row])], ignore_index=True)
    for k, v in fields.items():
        obs.loc[sel, k] = v
    return obs


def adjustments(rows: list[dict] | None = None) -> pd.DataFrame:
    cols = ["adj_id", "unit_code", "month", "kind", "points", "reason", "evidence", "actor", "created_at",
            "revoked_at", "revoked_by", "revoke_reason"]
    out = []
    for k, r in enumerate(rows or [], start=1):
        out.append({"adj_id": k, "evidence": "doc", "actor": "tester", "created_at": pd.Timestamp("2026-11-01"),
                    "revoked_at": pd.NaT, "revoked_by": None, "revoke_reason": None, **r})
    return pd.DataFrame(out, columns=cols)


def run(obs: pd.DataFrame | None = None, sch: scheme_mod.Scheme | None = None, adj: pd.DataFrame | None = None,
        month: str = "2026-10", period: str = "month", units: pd.DataFrame | None = None, **kw):
    return build_mod.compute(sch or scheme(), UNITS if units is None else units, CATALOGUE,
                             observations() if obs is None else obs, adj, month, period, **kw)


def totals(b) -> dict[str, float]:
    return dict(zip(b.totals["unit_code"], b.totals["total"], strict=True))


# -- schemes stored in a warehouse (kaohe.metrics.scheme_admin) -----------------------------------------
def store_scheme(wh, data: dict, *, activate: bool = True, actor: str = "tester") -> tuple[str, str]:
    """Store a scheme in a warehouse (active by default): what a test that scores a warehouse without the
    sample needs first."""
    from kaohe.metrics import scheme_admin

    return scheme_admin.import_scheme(wh, copy.deepcopy(data), actor=actor, activate=activate)


def store_default(wh, year: str = "2026", *, actor: str = "tester") -> str:
    """The shipped scheme of `year` copied into the warehouse as the active one of that year."""
    from kaohe.data import schemes

    data = schemes.shipped(year)
    return store_scheme(wh, data, actor=actor)[1]


def edit_active_scheme(wh, change, year: str = "2026", *, actor: str = "tester") -> str:
    """As an office would: the year's active scheme changed by `change(data)`, stored as a new version and
    made active (the old one is superseded). Returns the new version."""
    from kaohe.data import schemes

    row = schemes.active(wh, year)
    data = copy.deepcopy(row["data"])
    change(data)
    n = len(schemes.versions(wh))
    data["version"] = f"{row['version']}-e{n}"
    return store_scheme(wh, data, actor=actor)[1]


def swap_street_weights(data: dict) -> None:
    """Other dimension weights for streets (the scheme's content changes)."""
    dims = data["kinds"]["street"]["dimensions"]
    dims[0]["weight"], dims[1]["weight"] = dims[1]["weight"], dims[0]["weight"]
