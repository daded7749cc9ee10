"""Row-level checks that GX cannot express (they need the unit register and the catalogue
together), vectorised over the whole normalised frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe import i18n
from validation.problems import many

# a value may differ from 100*numerator/denominator by rounding to one decimal, plus a little
CONSISTENCY_TOLERANCE = 0.51


def _known(frame, units, indicators) -> pd.DataFrame:
    ok = frame["unit_code"].isin(units["code"]) & frame["indicator_code"].isin(indicators["code"]) \
        & frame["month"].notna()
    f = frame.loc[ok].copy()
    u = units.set_index("code")
    ind = indicators.set_index("code")
    f["u_kind"] = f["unit_code"].map(u["kind"])
    f["u_from"] = f["unit_code"].map(u["active_from"]).replace("", None)
    f["u_to"] = f["unit_code"].map(u["active_to"]).replace("", None)
    f["u_name"] = f["unit_code"].map(u["name_zh"])
    f["i_applies"] = f["indicator_code"].map(ind["applies_to"])
    f["i_kind"] = f["indicator_code"].map(ind["kind"])
    f["i_min"] = f["indicator_code"].map(ind["min"]).astype("float64")
    f["i_max"] = f["indicator_code"].map(ind["max"]).astype("float64")
    f["i_ratio"] = f["indicator_code"].map(ind["ratio"]).astype(bool)
    return f


def run(frame: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame, current_month: str,
        lang: str | None = None) -> pd.DataFrame:
    f = _known(frame, units, indicators)
    out: list[pd.DataFrame] = []
    has_value = f["status"].eq("ok") & f["value"].notna()

    # references: the indicator applies to the unit's kind; the unit exists in that month
    wrong_kind = has_value & (f["i_applies"] != "both") & (f["i_applies"] != f["u_kind"])
    if wrong_kind.any():
        rows = f[wrong_kind]
        params = pd.Series([{"indicator": ic, "kind_zh": i18n.t(f"kind.{k}", "zh"), "kind_en": i18n.t(f"kind.{k}", "en")}
                            for ic, k in zip(rows["indicator_code"], rows["u_kind"], strict=True)])
        out.append(many("val.not_applicable_kind", rows, rows["col_value"], rows["value_raw"], params))
    before = f["u_from"].notna() & (f["month"] < f["u_from"].fillna(""))
    if before.any():
        rows = f[before]
        params = pd.Series([{"unit": u, "month": m, "active_from": a}
                            for u, m, a in zip(rows["unit_code"], rows["month"], rows["u_from"], strict=True)])
        out.append(many("val.before_unit", rows, rows["col_unit"], rows["unit_raw"], params))
    after = f["u_to"].notna() & (f["month"] > f["u_to"].fillna("9999"))
    if after.any():
        rows = f[after]
        params = pd.Series([{"unit": u, "month": m, "active_to": a}
                            for u, m, a in zip(rows["unit_code"], rows["month"], rows["u_to"], strict=True)])
        out.append(many("val.unit_inactive", rows, rows["col_unit"], rows["unit_raw"], params))

    # domain: the catalogue's range, whole counts, value consistent with numerator/denominator
    low = f["i_min"].fillna(-np.inf)
    high = f["i_max"].fillna(np.inf)
    out_of_range = has_value & ((f["value"] < low) | (f["value"] > high))
    if out_of_range.any():
        rows = f[out_of_range]
        params = pd.Series([{"low": _fmt(lo), "high": _fmt(hi)} for lo, hi in zip(rows["i_min"], rows["i_max"],
                                                                                  strict=True)])
        out.append(many("val.value_range", rows, rows["col_value"], rows["value_raw"], params))
    not_whole = has_value & ~out_of_range & f["i_kind"].eq("count") & (f["value"] != np.floor(f["value"]))
    if not_whole.any():
        rows = f[not_whole]
        out.append(many("val.count_integer", rows, rows["col_value"], rows["value_raw"]))
    both = has_value & f["numerator"].notna() & (f["denominator"] > 0) & (f["numerator"] <= f["denominator"])
    computed = 100.0 * f["numerator"] / f["denominator"]
    mismatch = both & f["i_ratio"] & ((f["value"] - computed).abs() > CONSISTENCY_TOLERANCE)
    if mismatch.any():
        rows = f[mismatch]
        params = pd.Series([{"computed": c} for c in computed[mismatch]])
        out.append(many("val.value_mismatch", rows, rows["col_value"], rows["value_raw"], params))

    # periods: nothing from months that have not come yet; the running month only as a warning
    future = frame["month"].notna() & (frame["month"] > current_month)
    if future.any():
        rows = frame[future]
        params = pd.Series([{"month": m, "current": current_month} for m in rows["month"]])
        out.append(many("val.month_future", rows, rows["col_month"], rows["month_raw"], params))
    running = frame["month"].eq(current_month)
    if running.any():
        rows = frame[running].drop_duplicates("month")
        out.append(many("val.month_open", rows, rows["col_month"], rows["month_raw"], {"month": current_month}))

    # duplicates within the file: every repeat points at the first occurrence
    keys = frame[["unit_code", "indicator_code", "month"]]
    dup = keys.notna().all(axis=1) & keys.duplicated(keep=False)
    if dup.any():
        d = frame[dup]
        first = d.groupby(["unit_code", "indicator_code", "month"])["row"].transform("min")
        repeat = d["row"] != first
        rows = d[repeat]
        params = pd.Series([{"first": int(x)} for x in first[repeat]])
        out.append(many("val.duplicate_row", rows, rows["col_value"], rows["value_raw"], params))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def completeness(frame: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame,
                 lang: str | None = None) -> pd.DataFrame:
    """Warnings: a unit of the file lacks an indicator the file reports for its kind; a unit is absent."""
    f = _known(frame, units, indicators)
    if f.empty:
        return pd.DataFrame()
    out = []
    probs = []
    for (month, kind), grp in f.groupby(["month", "u_kind"]):
        expected = {c for c, a in zip(grp["indicator_code"], grp["i_applies"], strict=True)
                    if a in ("both", kind)}
        have = grp.groupby("unit_code")["indicator_code"].agg(set)
        first_row = grp.groupby("unit_code")["row"].min()
        for unit, codes in have.items():
            missing = sorted(expected - codes)
            if missing:
                probs.append({"check": "val.incomplete", "row": int(first_row[unit]), "column": None,
                              "value": unit, "params": {"unit": unit, "month": month, "n": len(missing),
                                                        "missing": "、".join(missing[:8])
                                                        + ("…" if len(missing) > 8 else "")}})
        active = units[(units["kind"] == kind)
                       & (units["active_from"].fillna("").replace("", "0000") <= month)
                       & (units["active_to"].fillna("").replace("", "9999") >= month)]
        # only when the file clearly meant to cover the whole kind (most units present)
        absent = sorted(set(active["code"]) - set(have.index))
        if absent and len(have) >= 0.6 * len(active):
            for unit in absent:
                probs.append({"check": "val.unit_absent", "row": None, "column": None, "value": unit,
                              "params": {"unit": unit, "month": month}})
    from validation.problems import CHECKS

    for p in probs:
        p["severity"], p["kind"] = CHECKS[p["check"]][0], CHECKS[p["check"]][1]
    out.append(pd.DataFrame(probs))
    return pd.concat(out, ignore_index=True)


def _fmt(x) -> str:
    return "∞" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:g}"
