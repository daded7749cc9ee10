"""Row-level checks that GX cannot express (they need the unit register and the catalogue
together), vectorised over the whole normalised frame."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe import i18n
from validation.problems import many

# a value may differ from 100*numerator/denominator by rounding to one decimal, plus a little
CONSISTENCY_TOLERANCE = 0.51


def known(frame, units, indicators) -> pd.DataFrame:
    """The rows whose unit, indicator and month are known, with the register's and catalogue's facts."""
    return _known(frame, units, indicators)


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
        known: pd.DataFrame | None = None) -> pd.DataFrame:
    f = _known(frame, units, indicators) if known is None else known
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

    # rates written as fractions (0.953 for 95.3%): in range, so only the whole column gives it away
    rates = f[has_value & f["i_kind"].eq("rate")]
    if not rates.empty:
        g = rates.groupby(["col_value", "indicator_code"])["value"].agg(["max", "size"])
        suspect = g[(g["max"] <= 1.0) & (g["max"] > 0) & (g["size"] >= 3)]
        for col, ind in suspect.index:
            rows = rates[(rates["col_value"] == col) & (rates["indicator_code"] == ind)].head(1)
            out.append(many("val.rate_fraction", rows, rows["col_value"], rows["value_raw"]))

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
                 known: pd.DataFrame | None = None) -> pd.DataFrame:
    """Warnings: a unit of the file lacks an indicator the file reports for its kind; a unit is absent.

    Set arithmetic with merges, so a 1M-row backfill costs a few joins, not a loop per unit.
    """
    f = _known(frame, units, indicators) if known is None else known
    if f.empty:
        return pd.DataFrame()
    keys = ["month", "u_kind"]
    present = f[["month", "u_kind", "unit_code", "indicator_code"]].drop_duplicates()
    fits = f["i_applies"].eq("both") | f["i_applies"].eq(f["u_kind"])
    expected = f.loc[fits, ["month", "u_kind", "indicator_code"]].drop_duplicates()
    in_file = present[["month", "u_kind", "unit_code"]].drop_duplicates()
    cross = in_file.merge(expected, on=keys)
    missing = cross.merge(present, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].sort_values("indicator_code")
    first_row = f.groupby(["month", "unit_code"])["row"].min()
    parts = []
    if not missing.empty:
        g = missing.groupby(["month", "unit_code"])["indicator_code"].agg(list).reset_index()
        params = [{"unit": u, "month": m, "n": len(codes), "missing": "、".join(codes[:8]) + ("…" if len(codes) > 8 else "")}
                  for m, u, codes in zip(g["month"], g["unit_code"], g["indicator_code"], strict=True)]
        rows = pd.DataFrame({"row": [int(first_row[(m, u)]) for m, u in zip(g["month"], g["unit_code"], strict=True)]})
        parts.append(many("val.incomplete", rows, None, g["unit_code"], pd.Series(params)))
    # a unit of a kind the file covers that is missing altogether, when the file meant to cover them all
    months = in_file[keys].drop_duplicates()
    reg = units.assign(u_kind=units["kind"], a_from=units["active_from"].fillna("").replace("", "0000"),
                       a_to=units["active_to"].fillna("").replace("", "9999"))
    active = months.merge(reg[["u_kind", "code", "a_from", "a_to"]], on="u_kind")
    active = active[(active["a_from"] <= active["month"]) & (active["a_to"] >= active["month"])]
    n_active = active.groupby(keys).size().rename("n_active")
    n_in = in_file.groupby(keys).size().rename("n_in")
    covered = pd.concat([n_active, n_in], axis=1).fillna(0)
    meant_all = covered[covered["n_in"] >= 0.6 * covered["n_active"]].index
    active = active.set_index(keys).loc[lambda d: d.index.isin(meant_all)].reset_index()
    absent = active.merge(in_file, left_on=[*keys, "code"], right_on=[*keys, "unit_code"], how="left", indicator=True)
    absent = absent[absent["_merge"] == "left_only"]
    if not absent.empty:
        params = [{"unit": u, "month": m} for u, m in zip(absent["code"], absent["month"], strict=True)]
        rows = pd.DataFrame({"row": [None] * len(absent)})
        parts.append(many("val.unit_absent", rows, None, absent["code"].reset_index(drop=True), pd.Series(params)))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _fmt(x) -> str:
    return "∞" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:g}"
