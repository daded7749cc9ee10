"""Periods (month, quarter, year, year to date) and aggregating monthly observations over them.

Rates over several months are the sum of numerators over the sum of
denominators, never the mean of monthly percentages; counts are summed;
durations, per-10k figures and survey scores are averaged over reported months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe.base import i18n
from kaohe.base import months as mo

PERIODS = ("month", "quarter", "year", "ytd")


class UnknownPeriod(i18n.Refusal, ValueError):
    """A period kind that is not month, quarter, year or ytd."""


def check(period: str) -> str:
    if period not in PERIODS:
        raise UnknownPeriod("scoring.period.bad", period=period, known=list(PERIODS))
    return period


def months_of(period: str, month: str) -> list[str]:
    """The months a period ending in (or containing) `month` covers, up to `month`."""
    check(period)
    mo.check(month)
    return mo.period_months(period, month)


def label(period: str, month: str, lang: str | None = None) -> str:
    check(period)
    if period == "month":
        return month
    if period == "quarter":
        return mo.quarter_of(month)
    if period == "year":
        return month[:4]
    m = int(month[5:7])
    if lang == "en":
        return f"{month[:4]} YTD (Jan-{month[5:7]})"
    return f"{month[:4]}年1-{m}月"


def previous_end(period: str, month: str) -> str | None:
    """The last month of the previous period of the same kind (None when there is none)."""
    check(period)
    if period == "month":
        return mo.add(month, -1)
    if period == "quarter":
        first = months_of("quarter", month)[0]
        return mo.add(first, -1)
    if period == "year":
        return f"{int(month[:4]) - 1:04d}-12"
    prev = mo.add(month, -1)  # year to date: up to the month before, within the same year
    return prev if prev[:4] == month[:4] else None


def history(period: str, month: str, n: int) -> list[str]:
    """End months of the last `n` periods, oldest first, ending with `month`."""
    out = [month]
    while len(out) < n:
        prev = previous_end(period, out[0])
        if prev is None:
            break
        out.insert(0, prev)
    return out


def period_map(period: str, ends: list[str]) -> pd.DataFrame:
    """(period, month) pairs: which months feed the period that ends at each of `ends`."""
    rows = [(end, m) for end in ends for m in months_of(period, end)]
    return pd.DataFrame(rows, columns=["period", "month"])


def aggregate(obs: pd.DataFrame, period: str, ends: list[str], catalogue: pd.DataFrame) -> pd.DataFrame:
    """Monthly observations -> one row per (period, unit, indicator).

    `period` in the result is the period's last month. Columns: value, numerator,
    denominator, status ('ok' if any month is reported, else 'na' if any is
    not applicable, else 'missing'), months_ok, n_months (months in the period).
    """
    cols = ["period", "unit_code", "indicator_code", "value", "numerator", "denominator", "status",
            "months_ok", "n_months"]
    if obs.empty:
        return pd.DataFrame(columns=cols)
    if period == "month":
        out = obs.loc[obs["month"].isin(ends), ["unit_code", "indicator_code", "month", "value",
                                                 "numerator", "denominator", "status"]]
        out = out.rename(columns={"month": "period"})
        ok = (out["status"] == "ok").to_numpy()
        out = out.assign(months_ok=ok.astype(np.int64), n_months=1)
        return out[cols].reset_index(drop=True)
    pm = period_map(period, ends)
    df = obs.merge(pm, on="month", how="inner")
    kinds = catalogue.set_index("code")["kind"]
    ratio = catalogue.set_index("code")["ratio"].astype(bool)
    ok = (df["status"] == "ok").to_numpy()
    has_den = ok & df["denominator"].notna().to_numpy() & df["numerator"].notna().to_numpy()
    df = df.assign(
        _v=np.where(ok, df["value"], np.nan),
        _num=np.where(has_den, df["numerator"], np.nan),
        _den=np.where(has_den, df["denominator"], np.nan),
        _ok=ok.astype(np.int64),
        _na=(df["status"] == "na").to_numpy().astype(np.int64),
    )
    g = df.groupby(["period", "unit_code", "indicator_code"], sort=False, observed=True)
    agg = g.agg(v_sum=("_v", "sum"), v_mean=("_v", "mean"), num=("_num", "sum"), den=("_den", "sum"),
                n_den=("_den", "count"), months_ok=("_ok", "sum"), n_na=("_na", "sum")).reset_index()
    code = agg["indicator_code"]
    is_count = code.map(kinds).eq("count").to_numpy()
    is_ratio = code.map(ratio).fillna(False).astype(bool).to_numpy()
    use_rate = is_ratio & (agg["n_den"].to_numpy() > 0) & (agg["den"].to_numpy() > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = 100.0 * agg["num"].to_numpy() / agg["den"].to_numpy()
    value = np.where(use_rate, rate, np.where(is_count, agg["v_sum"], agg["v_mean"]))
    months_ok = agg["months_ok"].to_numpy()
    value = np.where(months_ok > 0, value, np.nan)
    status = np.where(months_ok > 0, "ok", np.where(agg["n_na"].to_numpy() > 0, "na", "missing"))
    n_months = agg["period"].map(pm.groupby("period").size()).to_numpy()
    return pd.DataFrame({
        "period": agg["period"], "unit_code": agg["unit_code"], "indicator_code": code,
        "value": value,
        "numerator": np.where(use_rate, agg["num"], np.nan),
        "denominator": np.where(use_rate, agg["den"], np.nan),
        "status": status, "months_ok": months_ok, "n_months": n_months,
    })[cols]
