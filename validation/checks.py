"""The facts the expectation suites read, and the checks GX cannot express.

`facts()` puts the unit register's and the catalogue's facts beside every row of the
normalised frame (empty where the unit or indicator is unknown), plus the derived
columns the suite compares; the rules themselves (indicator applies to the unit's kind,
unit active in the month, ranges, whole counts, value vs numerator/denominator, future
months, duplicates) live in `validation/expectations/observations.json` and run in GX.
What stays here needs a whole column at once (rates written as fractions), and `expected()`
builds the frame the completeness suite (`expectations/completeness.json`) runs on.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from validation.problems import many

FACT_COLUMNS = ["u_kind", "u_from", "u_to", "i_applies", "i_kind", "i_min", "i_max", "i_ratio",
                "month_start", "value_fraction", "ratio_gap"]


def facts(frame: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the register's and catalogue's facts beside each row, for the suite."""
    f = frame.copy()
    u = units.set_index("code")
    ind = indicators.set_index("code")
    f["u_kind"] = f["unit_code"].map(u["kind"])
    f["u_from"] = f["unit_code"].map(u["active_from"]).replace("", None)
    f["u_to"] = f["unit_code"].map(u["active_to"]).replace("", None)
    f["i_applies"] = f["indicator_code"].map(ind["applies_to"])
    f["i_kind"] = f["indicator_code"].map(ind["kind"])
    f["i_min"] = f["indicator_code"].map(ind["min"]).astype("float64")
    f["i_max"] = f["indicator_code"].map(ind["max"]).astype("float64")
    f["i_ratio"] = f["indicator_code"].map(ind["ratio"]).fillna(False).astype(bool)
    months = pd.unique(f["month"].dropna())
    f["month_start"] = f["month"].map({m: _dt.date(int(m[:4]), int(m[5:7]), 1) for m in months})
    value = f["value"].astype("float64")
    f["value_fraction"] = value - np.floor(value)
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = 100.0 * f["numerator"].astype("float64") / f["denominator"].astype("float64")
    f["ratio_gap"] = (value - computed).where(f["denominator"].astype("float64") > 0)
    return f


def known(f: pd.DataFrame) -> pd.DataFrame:
    """The rows of `facts()` whose unit, indicator and month are known."""
    return f.loc[f["u_kind"].notna() & f["i_kind"].notna() & f["month"].notna()]


def run(f: pd.DataFrame) -> pd.DataFrame:
    """Rates written as fractions (0.953 for 95.3%): in range, so only the whole column gives it away."""
    out: list[pd.DataFrame] = []
    has_value = f["status"].eq("ok") & f["value"].notna()
    rates = f[has_value & f["i_kind"].eq("rate")]
    if not rates.empty:
        g = rates.groupby(["col_value", "indicator_code"])["value"].agg(["max", "size"])
        suspect = g[(g["max"] <= 1.0) & (g["max"] > 0) & (g["size"] >= 3)]
        for col, ind in suspect.index:
            rows = rates[(rates["col_value"] == col) & (rates["indicator_code"] == ind)].head(1)
            out.append(many("val.rate_fraction", rows, rows["col_value"], rows["value_raw"]))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def expected(f: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """What a complete file would hold, for the completeness suite: one line per unit of the file,
    month and indicator the file reports for that unit's kind (`present`: the file has it), and one
    line per active unit of a kind the file covers but leaves out altogether (`unit_reported` false)
    when the file meant to cover them all (60% of them or more).

    `f`: the known rows of `facts()`. Set arithmetic with merges, so a 1M-row backfill costs a
    few joins, not a loop per unit.
    """
    cols = ["month", "unit_code", "indicator_code", "row", "present", "unit_reported"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    keys = ["month", "u_kind"]
    present = f[["month", "u_kind", "unit_code", "indicator_code"]].drop_duplicates()
    fits = f["i_applies"].eq("both") | f["i_applies"].eq(f["u_kind"])
    reported = f.loc[fits, ["month", "u_kind", "indicator_code"]].drop_duplicates()
    in_file = present[["month", "u_kind", "unit_code"]].drop_duplicates()
    cross = in_file.merge(reported, on=keys).merge(present.assign(present=True), how="left")
    cross["present"] = cross["present"].fillna(False).astype(bool)
    first_row = f.groupby(["month", "unit_code"])["row"].min().rename("row")
    cross = cross.join(first_row, on=["month", "unit_code"]).assign(unit_reported=True)
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
    absent = pd.DataFrame({"month": absent["month"], "unit_code": absent["code"], "indicator_code": None,
                           "row": np.nan, "present": False, "unit_reported": False})
    out = pd.concat([cross, absent], ignore_index=True) if not absent.empty else cross
    return out.reindex(columns=cols).reset_index(drop=True)
