"""The facts the expectation suites read, and the checks GX cannot express.

`facts()` puts the unit register's and the catalogue's facts beside every row of the
normalised frame (empty where the unit or indicator is unknown), plus the derived
columns the suite compares; the rules themselves (indicator applies to the unit's kind,
unit active in the month, ranges, whole counts, value vs numerator/denominator, future
months, duplicates) live in `validation/expectations/observations.json` and run in GX.
What stays here needs a whole column at once (rates written as fractions), and `expected()`
builds the frame the completeness suite (`expectations/completeness.json`) runs on.

Also here: the earliest month an import may hold (`earliest_month()`, setting KAOHE_EARLIEST_MONTH),
and the words messages quote in both languages (names, did-you-mean suggestions, range hints by
the indicator's kind and unit), so a stored problem reads in either language.
"""

from __future__ import annotations

import datetime as _dt
import os

import numpy as np
import pandas as pd

from kaohe.base import i18n
from kaohe.validation.problems import many

# what the suite reads beside the normalised columns (numerator_state and denominator_state come from
# ingest.values: a numerator that is no number is refused on its row, never dropped)
FACT_COLUMNS = ["u_kind", "u_from", "u_to", "i_retired", "i_applies", "i_kind", "i_min", "i_max", "i_ratio",
                "month_start", "value_fraction", "ratio_gap", "numerator_state", "denominator_state",
                "percent_unit_mismatch"]
# the register's and catalogue's words beside each row, for the messages (not read by the suites)
NAME_COLUMNS = ["u_name_zh", "u_name_en", "i_name_zh", "i_name_en", "i_unit"]

EARLIEST_SETTING = "KAOHE_EARLIEST_MONTH"
# Years of history before the first scheme year that may be imported: a scheme year's rules score the
# years before it too (metrics.scheme falls back to the earliest scheme), and three years of history
# give the trends, the unit's own history (plausibility) and year-on-year comparisons their base.
HISTORY_YEARS = 3


def default_earliest_month() -> str:
    """January of (the first year with a scheme file - HISTORY_YEARS): 2022-01 with schemes from 2025."""
    from kaohe.metrics.scheme import available_years

    years = [int(y) for y in available_years() if str(y).isdigit()]
    first = min(years) if years else 2025
    return f"{first - HISTORY_YEARS:04d}-01"


def earliest_month() -> tuple[str, str | None]:
    """(the earliest month an import may hold, the setting's text when it is not a month).

    KAOHE_EARLIEST_MONTH (YYYY-MM; 2022/01 and 202201 are read too) overrides the default. Read here
    only; it belongs with the other settings in kaohe/settings.py.
    """
    from kaohe.ingest.values import parse_month

    default = default_earliest_month()
    text = os.environ.get(EARLIEST_SETTING, "").strip()
    if not text:
        return default, None
    month = parse_month(text)
    return (month, None) if month else (default, text)


def both(key: str, **params) -> tuple[str, str]:
    """A message in Chinese and in English, for a parameter pair {x_zh, x_en}."""
    return i18n.t(key, "zh", **params), i18n.t(key, "en", **params)


def pair(name: str, zh: str, en: str) -> dict:
    return {f"{name}_zh": zh, f"{name}_en": en}


def suggestion(text, candidates: dict, table: pd.DataFrame) -> dict:
    """{hint_zh, hint_en}: "；是否为：「东湖街道」（S01）？" when a registered name is close, else empty."""
    from kaohe.ingest.lookup import suggest

    codes = suggest(text, candidates)
    if not codes:
        return pair("hint", "", "")
    t = table.set_index("code")
    words = {}
    for lang in ("zh", "en"):
        one = [i18n.t("val.hint.suggest_name", lang, name=i18n.pick(t.at[c, "name_zh"], t.at[c, "name_en"], lang),
                      code=c) for c in codes]
        listed = one[0] if len(one) == 1 else i18n.sep(lang).join(one[:-1]) + i18n.t("val.hint.or", lang) + one[-1]
        words[lang] = i18n.t("val.hint.suggest", lang, names=listed)
    return pair("hint", words["zh"], words["en"])


DURATIONS = {"minutes", "hours", "days"}


def range_words(kind, name_zh, name_en, unit, low, high) -> dict:
    """{range_zh, range_en, fix_zh, fix_en}: the valid range of an indicator and how to fix a value
    outside it, in its own terms (a count: whole numbers of its unit; a percentage: 0-100; a duration:
    its unit, never negative)."""
    def num(x):
        return None if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:g}"

    lo, hi = num(low) or "0", num(high)
    unit = unit if isinstance(unit, str) else ""
    unit_en = i18n.unit_en(unit) or unit
    p = {"low": lo, "high": hi or "∞", "unit_zh": unit, "unit_en": unit_en,
         "name_zh": name_zh or name_en or "", "name_en": name_en or name_zh or ""}
    if kind == "rate":
        rng, fix = "val.hint.range.rate", "val.hint.fix.rate"
    elif kind == "count":
        rng, fix = ("val.hint.range.count_max" if hi else "val.hint.range.count"), "val.hint.fix.count"
    else:
        rng = "val.hint.range.measure_max" if hi else "val.hint.range.measure"
        fix = {"per_10k": "val.hint.fix.per_10k", "score": "val.hint.fix.score"}.get(
            kind, "val.hint.fix.duration" if kind in DURATIONS else "val.hint.fix.other")
    return {**pair("range", *both(rng, **p)), **pair("fix", *both(fix, **p))}


class _Beside:
    """A register's (or catalogue's) columns beside each row of a key column: the key is factorised
    once and each fact is looked up per distinct key and taken by code, never a hash lookup per row.
    Texts come out as object columns (the same few Python strings shared by every row), numbers as
    numbers; an unknown or blank key gives NA."""

    def __init__(self, keys: pd.Series, table: pd.DataFrame):
        self.index = keys.index
        self.codes, uniq = pd.factorize(keys, use_na_sentinel=True)
        self.rows = table.reindex(pd.Index(uniq, dtype=object))  # one line per distinct key

    def __call__(self, column: str, *, blank_is_na: bool = False) -> pd.Series:
        vals = self.rows[column]
        if pd.api.types.is_numeric_dtype(vals.dtype) and not pd.api.types.is_bool_dtype(vals.dtype):
            arr = np.append(vals.to_numpy(dtype="float64", na_value=np.nan), np.nan)
            return pd.Series(arr[self.codes], index=self.index, dtype="float64")
        arr = np.empty(len(vals) + 1, dtype=object)
        for i, v in enumerate(vals.to_numpy(dtype=object)):
            arr[i] = None if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
                              or (blank_is_na and v == "")) else v
        arr[-1] = None
        return pd.Series(arr[self.codes], index=self.index, dtype=object)

    def category(self, column: str, *, or_key: bool = False) -> pd.Series:
        """The column as a categorical; with `or_key`, a key without a value (or unknown) shows the key."""
        col = self.rows[column].astype(object)
        if or_key:
            col = col.where(col.notna(), pd.Series(self.rows.index, index=self.rows.index, dtype=object))
        cat = pd.Categorical(col.where(col.notna(), None).tolist())
        return pd.Series(cat.take(self.codes, allow_fill=True), index=self.index)

    def flag(self, column: str, fn) -> np.ndarray:
        """fn(value) per distinct key, as a bool per row (False for an unknown key)."""
        table = np.append(np.fromiter((bool(fn(v)) for v in self.rows[column].to_numpy(dtype=object)),
                                      dtype=bool, count=len(self.rows)), False)
        return table[self.codes]


def facts(frame: pd.DataFrame, units: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the register's and catalogue's facts beside each row, for the suite."""
    from kaohe.ingest.values import map_distinct

    f = frame.copy(deep=False)  # new columns only: the normalised frame is never written to (copy-on-write)
    u = _Beside(f["unit_code"], units.drop_duplicates("code").set_index("code"))
    ind = _Beside(f["indicator_code"], indicators.drop_duplicates("code").set_index("code"))
    f["u_kind"] = u("kind")
    f["u_from"] = u("active_from", blank_is_na=True)
    f["u_to"] = u("active_to", blank_is_na=True)
    f["i_applies"] = ind("applies_to")
    # the month the indicator is retired from (catalogue retired_from): a value for it from then on is refused
    f["i_retired"] = ind("retired_from", blank_is_na=True) if "retired_from" in indicators.columns else None
    f["i_kind"] = ind("kind")
    f["i_min"] = pd.to_numeric(ind("min"), errors="coerce").astype("float64")
    f["i_max"] = pd.to_numeric(ind("max"), errors="coerce").astype("float64")
    f["i_ratio"] = ind("ratio").fillna(False).astype(bool)
    # the words are a few dozen distinct texts repeated on every row: categoricals, not a Python str per row
    for lang in ("zh", "en"):
        f[f"u_name_{lang}"] = u.category(f"name_{lang}")
        f[f"i_name_{lang}"] = ind.category(f"name_{lang}")
    f["i_unit"] = ind.category("unit")
    for part in ("numerator", "denominator"):
        f[f"{part}_state"] = f[f"{part}_state"].fillna("missing") if f"{part}_state" in f.columns else "missing"
    f["month_start"] = map_distinct(f["month"], lambda m: _dt.date(int(m[:4]), int(m[5:7]), 1))
    value = f["value"].astype("float64")
    f["value_fraction"] = value - np.floor(value)
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = 100.0 * f["numerator"].astype("float64") / f["denominator"].astype("float64")
    f["ratio_gap"] = (value - computed).where(f["denominator"].astype("float64") > 0)
    # "5%" for a count (or an Excel cell formatted as percent, read as 500%): the value's unit is wrong
    from kaohe.ingest.values import fold

    raw = f["value_raw"] if "value_raw" in f.columns else pd.Series(None, index=f.index, dtype=object)
    has_pct = map_distinct(raw, lambda v: isinstance(v, str) and fold(v).endswith("%"), na=False).astype(bool)
    f["percent_unit_mismatch"] = (has_pct & f["i_unit"].notna() & f["i_unit"].ne("%")).astype(bool)
    return f


# what `run()` and `expected()` read of the known rows
KNOWN_COLUMNS = ["row", "unit_code", "indicator_code", "month", "value", "value_raw", "status", "col_value",
                 "u_kind", "i_kind", "i_applies", "i_retired", *NAME_COLUMNS[:4]]


def known(f: pd.DataFrame) -> pd.DataFrame:
    """The rows of `facts()` whose unit, indicator and month are known (the columns `run()` and
    `expected()` read: a backfill's frame is not copied whole)."""
    mask = f["u_kind"].notna() & f["i_kind"].notna() & f["month"].notna()
    return f.loc[mask, [c for c in KNOWN_COLUMNS if c in f.columns]]


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
    cols = ["month", "unit_code", "indicator_code", "row", "present", "unit_reported", *NAME_COLUMNS[:4]]
    if f.empty:
        return pd.DataFrame(columns=cols)
    keys = ["month", "u_kind"]
    present = f[["month", "u_kind", "unit_code", "indicator_code"]].drop_duplicates()
    fits = f["i_applies"].eq("both") | f["i_applies"].eq(f["u_kind"])
    if "i_retired" in f.columns:  # a retired indicator is not expected from its retirement month on
        retired = f["i_retired"].astype(object)
        fits &= ~(retired.notna() & (retired.fillna("").astype(str) <= f["month"].astype(str)))
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
    reg = units.set_index("code")
    inds = f.drop_duplicates("indicator_code").set_index("indicator_code")
    for lang in ("zh", "en"):  # the words of the messages: people read names, not codes
        out[f"u_name_{lang}"] = out["unit_code"].map(reg[f"name_{lang}"]).astype(object)
        out[f"i_name_{lang}"] = out["indicator_code"].map(inds[f"i_name_{lang}"]).astype(object) \
            if f"i_name_{lang}" in inds.columns else None
    return out.reindex(columns=cols).reset_index(drop=True)
