"""Run the reviewed expectation suites (validation/expectations/*.json) through Great Expectations 1.x.

One ephemeral context per process, one GX call per import over the whole frame (the
normalised rows with the register's and catalogue's facts from `checks.facts`); the row
indices GX reports are mapped back to the file's own rows and columns, and each message
gets its parameters (the range, the unit's dates, the first of a repeated row...).
"""

from __future__ import annotations

import json
import logging
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.validation import checks
from kaohe.validation.checks import FACT_COLUMNS
from kaohe.validation.problems import CHECKS, many, problem

SUITES = Path(__file__).resolve().parent / "expectations"
GX_COLUMNS = ["row", "unit_code", "indicator_code", "month", "value", "numerator", "denominator", "status",
              *FACT_COLUMNS]
FIELD_COLUMNS = {  # meta.field -> (column name in the file, raw cell) in the normalised frame
    "unit": ("col_unit", "unit_raw"),
    "indicator": ("col_indicator", "indicator_raw"),
    "month": ("col_month", "month_raw"),
    "value": ("col_value", "value_raw"),
    "numerator": ("col_numerator", "numerator_raw"),
    "denominator": ("col_denominator", "denominator_raw"),
}
_lock = threading.Lock()  # a GX context is not meant to validate from two threads at once
_build = threading.Lock()  # the server's warm-up thread and a first upload must not build a suite twice


def suite_spec(name: str = "observations") -> dict:
    return json.loads((SUITES / f"{name}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _runner(name: str):
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    try:  # no progress bars on the terminal or in server logs
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 - cosmetic only
        pass
    spec = suite_spec(name)
    suite = gx.ExpectationSuite(
        name=spec["name"],
        expectations=[ExpectationConfiguration(type=e["type"], kwargs=e["kwargs"], meta=e.get("meta", {}))
                      .to_domain_obj() for e in spec["expectations"]])
    suite = ctx.suites.add(suite)
    batch_def = (ctx.data_sources.add_pandas(f"import_{name}").add_dataframe_asset("normalised")
                 .add_batch_definition_whole_dataframe("whole"))
    return batch_def, suite


def warm_up() -> None:
    """Import GX and build the suites ahead of the first upload (it takes a couple of seconds)."""
    _suite("observations")
    _suite("completeness")


def _suite(name: str):
    with _build:
        return _runner(name)


def _validate(name: str, frame: pd.DataFrame, params: dict | None = None):
    batch_def, suite = _suite(name)
    with _lock:
        batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
        return batch.validate(suite, result_format="COMPLETE", expectation_parameters=params or {})


def _raised(res) -> bool:
    info = res.exception_info or {}
    return bool(info.get("raised_exception")) or any(isinstance(v, dict) and v.get("raised_exception")
                                                     for v in info.values())


def completeness(expected: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """(warnings, raw GX result) of the completeness suite over `checks.expected()`."""
    frame = expected.reset_index(drop=True)
    result = _validate("completeness", frame)
    out = []
    for res in result.results:
        check = (res.expectation_config.meta or {}).get("check")
        if res.success or check not in CHECKS:
            continue
        if _raised(res):
            out.append(pd.DataFrame([problem("val.gx_error", expectation=check)]))
            continue
        idx = [i["index"] if isinstance(i, dict) else i for i in (res.result or {}).get("unexpected_index_list") or []]
        rows = frame.iloc[idx]
        if check == "val.incomplete":  # one line per unit and month, naming what it lacks
            rows = rows.sort_values("indicator_code")
            for lang in ("zh", "en"):  # a name missing from the catalogue shows as its code
                rows[f"i_name_{lang}"] = rows[f"i_name_{lang}"].where(rows[f"i_name_{lang}"].notna(),
                                                                      rows["indicator_code"])
            g = rows.groupby(["month", "unit_code"], sort=True) \
                .agg(codes=("indicator_code", list), zh=("i_name_zh", list), en=("i_name_en", list),
                     u_zh=("u_name_zh", "first"), u_en=("u_name_en", "first"), row=("row", "min")).reset_index()
            params = [{"unit": u, "month": m, "n": len(c), "missing": "、".join(c[:8]) + ("…" if len(c) > 8 else ""),
                       **_join("missing", zh, en), **checks.pair("unit", _name(uz, u), _name(ue, u))}
                      for m, u, c, zh, en, uz, ue in zip(g["month"], g["unit_code"], g["codes"], g["zh"], g["en"],
                                                         g["u_zh"], g["u_en"], strict=True)]
            g["row"] = g["row"].astype("Int64")
            out.append(many(check, g, None, g["unit_code"], pd.Series(params, dtype=object)))
        else:
            params = [{"unit": u, "month": m, **checks.pair("unit", _name(uz, u), _name(ue, u))}
                      for u, m, uz, ue in zip(rows["unit_code"], rows["month"], rows["u_name_zh"], rows["u_name_en"],
                                              strict=True)]
            out.append(many(check, rows.assign(row=None), None, rows["unit_code"], pd.Series(params, dtype=object)))
    problems = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return problems, _compact(result.to_json_dict())


def _name(name, code) -> str:
    return name if isinstance(name, str) and name else str(code)


def _join(name: str, zh: list, en: list, limit: int = 8) -> dict:
    """{name_zh, name_en}: a list of names as each language writes one, cut after `limit`."""
    return checks.pair(name, *(i18n.sep(lang).join(str(x) for x in words[:limit]) + ("…" if len(words) > limit else "")
                               for lang, words in (("zh", zh), ("en", en))))


def parameters(units: pd.DataFrame, indicators: pd.DataFrame, current_month: str) -> dict:
    """The suite's $PARAMETER values: the register, the catalogue, the running month (refused, as are
    the months after it) and the earliest month an import may hold (`checks.earliest_month`).
    Keys starting with _ are for the messages only (names, suggestions) and never reach GX."""
    earliest, bad_setting = checks.earliest_month()
    return {"known_units": units["code"].tolist(), "known_indicators": indicators["code"].tolist(),
            "current_month_start": f"{current_month}-01", "open_months": [current_month],
            "earliest_month_start": f"{earliest}-01", "_earliest": earliest, "_earliest_setting_bad": bad_setting,
            "_units": units, "_indicators": indicators}


def run(frame: pd.DataFrame, params: dict, name: str = "observations") -> tuple[pd.DataFrame, dict]:
    """(problems, raw GX result as JSON-able dict). `frame`: `checks.facts()` of the normalised frame."""
    frame = frame.reset_index(drop=True)
    slim = _coded(frame.reindex(columns=GX_COLUMNS))
    params = {"current_month_start": "2999-12-01", "open_months": [], "earliest_month_start": "1900-01-01", **params}
    result = _validate(name, slim, {k: v for k, v in params.items() if not k.startswith("_")})
    out = []
    if params.get("_earliest_setting_bad"):  # the setting is wrong: no import until it is put right
        out.append(pd.DataFrame([problem("val.earliest_setting_bad", setting=params["_earliest_setting_bad"],
                                         default=checks.default_earliest_month())]))
    for res in result.results:
        if res.success:
            continue
        meta = res.expectation_config.meta or {}
        check = meta.get("check")
        if check not in CHECKS:
            continue
        if _raised(res):
            out.append(pd.DataFrame([problem("val.gx_error", expectation=check)]))  # a bug, never the evaluator's
            continue
        idx = (res.result or {}).get("unexpected_index_list")
        if not idx:  # a table-level expectation: one line for the whole file
            table = {"columns": ", ".join(res.expectation_config.kwargs.get("column_set", []))} \
                if check == "val.gx_column_missing" else {}
            out.append(pd.DataFrame([problem(check, **table)]))
            continue
        idx = [i["index"] if isinstance(i, dict) else i for i in idx]
        rows = frame.iloc[idx]
        col_name, raw_name = FIELD_COLUMNS.get(meta.get("field"), ("col_value", "value_raw"))
        blank_check = meta.get("check_if_blank")
        if blank_check:
            blank = rows[raw_name].isna() | (rows[raw_name].astype(str).str.strip() == "")
            out.append(many(blank_check, rows[blank], rows.loc[blank, col_name], rows.loc[blank, raw_name]))
            rows = rows[~blank]
        by_status = meta.get("check_by_status") or {}  # one expectation, a message for each way to fail it
        keys = rows["status"].map(by_status).fillna(check) if by_status else pd.Series(check, index=rows.index)
        for key in pd.unique(keys):
            part = _focus(key, rows[keys == key])
            extra = MESSAGE_PARAMS.get(key)
            shown = VALUE_SHOWN[key](part) if key in VALUE_SHOWN else part[raw_name]
            out.append(many(key, part, part[col_name], shown,
                            pd.Series(extra(part, params), dtype=object) if extra else None))
    problems = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return _one_line_per_fault(problems), _compact(result.to_json_dict())


# Text columns the suite reads, handed to GX as categoricals: GX takes the rows of its domain (the whole
# frame, filtered by a row condition) for every metric, and a categorical's rows are small integer codes,
# not a Python string each; its blanks are code -1. Columns compared with each other share one ordered
# set of categories, so `month >= u_from` and `u_kind == i_applies` compare as the texts do.
CODED = ["unit_code", "indicator_code", "status", "i_kind", "numerator_state", "denominator_state"]
CODED_TOGETHER = [("month", "u_from", "u_to", "i_retired"), ("u_kind", "i_applies")]


def _coded(slim: pd.DataFrame) -> pd.DataFrame:
    for col in CODED:
        slim[col] = pd.Categorical(slim[col].astype(object).where(slim[col].notna(), None))
    for cols in CODED_TOGETHER:
        values = [slim[c].astype(object).where(slim[c].notna(), None) for c in cols]
        distinct = set().union(*(pd.unique(v.dropna()) for v in values))
        if not all(isinstance(x, str) for x in distinct):  # not texts (a bug upstream): GX says so, as before
            for c, v in zip(cols, values, strict=True):
                slim[c] = v
            continue
        cats = sorted(distinct)
        for c, v in zip(cols, values, strict=True):
            slim[c] = pd.Categorical(v, categories=cats, ordered=True)
    return slim


def _one_line_per_fault(problems: pd.DataFrame) -> pd.DataFrame:
    """A value out of range needs no second line about its fraction; a rate computed from a numerator
    over its denominator (or from a negative count) needs no range line beside the line about the ratio."""
    if problems.empty:
        return problems
    check = problems["check"]
    cell = list(zip(problems["row"], problems["column"].astype(str), strict=True))
    in_range = {c for c, k in zip(cell, check, strict=True) if k == "val.value_range"}
    ratio_rows = set(problems.loc[check.isin(["val.num_gt_den", "val.ratio_negative"]), "row"])
    moot = (check.eq("val.count_integer") & pd.Series([c in in_range for c in cell], index=problems.index)) \
        | (check.eq("val.value_range") & problems["row"].isin(ratio_rows))
    return problems[~moot].reset_index(drop=True)


def _focus(check: str, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows a message is about, of those GX found."""
    if check == "val.duplicate_row":  # GX flags every copy; the first is the one to keep
        first = rows.groupby(["unit_code", "indicator_code", "month"])["row"].transform("min")
        return rows[rows["row"] != first].assign(_first=first)
    if check in ("val.month_open", "val.month_too_early"):  # the whole month is the fault: said once per month
        return rows.drop_duplicates("month")
    return rows


def _text(x) -> str:
    """A catalogue word, "" when the catalogue has none (a categorical gives NaN for it)."""
    return x if isinstance(x, str) else ""


def _bound(x) -> str:
    return "∞" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:g}"


def _distinct(rows: pd.DataFrame, columns: list[str], make) -> list[dict]:
    """make(*values) for each row, computed once per distinct combination of `columns` and shared by its
    rows: a fault that hits every cell of a wide file (an indicator a unit's kind does not report, a
    whole column out of range) costs one dict per indicator or unit, not one per cell. Nothing edits a
    problem's params in place."""
    memo: dict = {}
    out = []
    for values in zip(*(rows[c] for c in columns), strict=True):
        k = tuple("\0nan" if isinstance(v, float) and np.isnan(v) else v for v in values)
        if k not in memo:
            memo[k] = make(*values)
        out.append(memo[k])
    return out


def _kind(rows, _params):
    return _distinct(rows, ["indicator_code", "i_name_zh", "i_name_en", "u_kind"], lambda ic, nz, ne, k: {
        "indicator": ic, **checks.pair("indicator", _name(nz, ic), _name(ne, ic)),
        "kind_zh": i18n.t(f"kind.{k}", "zh"), "kind_en": i18n.t(f"kind.{k}", "en")})


def _unit_words(rows) -> list[dict]:
    return _distinct(rows, ["unit_code", "u_name_zh", "u_name_en"],
                     lambda u, nz, ne: checks.pair("unit", _name(nz, u), _name(ne, u)))


def _range(rows, _params):
    return _distinct(rows, ["indicator_code", "i_name_zh", "i_name_en", "i_kind", "i_unit", "i_min", "i_max"],
                     lambda ic, nz, ne, k, un, lo, hi: {
                         "low": _bound(lo), "high": _bound(hi), **checks.pair("indicator", _name(nz, ic), _name(ne, ic)),
                         **checks.range_words(k, nz, ne, un, lo, hi)})


def _suggest(raw_col: str, table_key: str, candidates):
    """Message parameters {hint_zh, hint_en}: the registered names closest to what the file says."""
    def params(rows, p):
        table = p.get(table_key)
        if table is None or rows.empty:
            return [checks.pair("hint", "", "")] * len(rows)
        cands = candidates(table)
        memo = {}
        out = []
        for raw in rows[raw_col]:
            k = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
            if k not in memo:  # a file of another district's units: guess for the first ones only
                memo[k] = checks.suggestion(k, cands, table) if len(memo) < SUGGEST_AT_MOST else checks.pair("hint", "", "")
            out.append(memo[k])
        return out
    return params


SUGGEST_AT_MOST = 200  # distinct unknown names to look for close registered names for


def _units_table(t):
    from kaohe.ingest.lookup import unit_candidates

    return unit_candidates(t)


def _indicators_table(t):
    from kaohe.ingest.lookup import indicator_candidates

    return indicator_candidates(t)


def _limit(rows, _p):
    from kaohe.ingest.values import MAX_MAGNITUDE

    return [{"limit": f"{MAX_MAGNITUDE:,.0f}"}] * len(rows)


def _rate(n, d) -> str:
    return f"{round(100.0 * n / d, 1):g}%" if d else ""


# check -> (rows GX found, the run's parameters) -> the message's parameters, one dict per row
MESSAGE_PARAMS = {
    "val.num_gt_den": lambda rows, _p: [{"numerator": n, "denominator": d, "rate": _rate(n, d)}
                                        for n, d in zip(rows["numerator"], rows["denominator"], strict=True)],
    "val.not_applicable_kind": _kind,
    "val.before_unit": lambda rows, _p: _distinct(
        rows, ["unit_code", "month", "u_from", "u_name_zh", "u_name_en"], lambda u, m, a, nz, ne: {
            "unit": u, "month": m, "active_from": a, **checks.pair("unit", _name(nz, u), _name(ne, u))}),
    "val.unit_inactive": lambda rows, _p: _distinct(
        rows, ["unit_code", "month", "u_to", "u_name_zh", "u_name_en"], lambda u, m, a, nz, ne: {
            "unit": u, "month": m, "active_to": a, **checks.pair("unit", _name(nz, u), _name(ne, u))}),
    "val.indicator_retired": lambda rows, _p: _distinct(
        rows, ["indicator_code", "month", "i_retired", "i_name_zh", "i_name_en"], lambda ic, m, r, nz, ne: {
            "indicator": ic, "month": m, "retired_from": r, **checks.pair("indicator", _name(nz, ic), _name(ne, ic))}),
    "val.value_range": _range,
    "val.count_integer": lambda rows, _p: _distinct(rows, ["indicator_code", "i_name_zh", "i_name_en"],
                                                    lambda ic, nz, ne: checks.pair("indicator", _name(nz, ic),
                                                                                   _name(ne, ic))),
    "val.value_too_large": _limit,
    "val.value_percent_unit": lambda rows, _p: _distinct(
        rows, ["indicator_code", "i_name_zh", "i_name_en", "i_unit"], lambda ic, nz, ne, un: {
            **checks.pair("indicator", _name(nz, ic), _name(ne, ic)), "unit_zh": _text(un),
            "unit_en": i18n.unit_en(_text(un)) or _text(un)}),
    "val.numerator_bad": _limit,
    "val.denominator_bad": _limit,
    "val.value_mismatch": lambda rows, _p: [{"computed": v - g}
                                            for v, g in zip(rows["value"], rows["ratio_gap"], strict=True)],
    "val.month_future": lambda rows, p: _distinct(rows, ["month"], lambda m: {
        "month": m, "current": mo.add(p["open_months"][0], -1) if p["open_months"] else ""}),
    "val.month_open": lambda rows, _p: [{"month": m, "last": mo.add(m, -1), "next": mo.add(m, 1)}
                                        for m in rows["month"]],
    "val.month_too_early": lambda rows, p: [{"month": m, "earliest": p.get("_earliest") or
                                             str(p.get("earliest_month_start", ""))[:7]} for m in rows["month"]],
    "val.duplicate_row": lambda rows, _p: [{"first": int(x)} for x in rows["_first"]],
    "val.unit_unknown": _suggest("unit_raw", "_units", _units_table),
    "val.indicator_unknown": _suggest("indicator_raw", "_indicators", _indicators_table),
}

# check -> (rows GX found) -> what the report's value column shows, when not the cell itself
VALUE_SHOWN = {
    # a rate from its numerator and denominator has no cell of its own: show the rate they give
    "val.num_gt_den": lambda rows: pd.Series([_rate(n, d) for n, d in zip(rows["numerator"], rows["denominator"],
                                                                         strict=True)], index=rows.index),
}


def _compact(raw: dict, keep: int = 50) -> dict:
    """The raw result to store with the batch, with row lists cut to their first entries."""
    for res in raw.get("results", []):
        r = res.get("result") or {}
        for k in ("unexpected_list", "unexpected_index_list", "partial_unexpected_list",
                  "partial_unexpected_index_list", "partial_unexpected_counts"):
            if isinstance(r.get(k), list) and len(r[k]) > keep:
                r[k] = r[k][:keep]
                r[k + "_truncated"] = True
    return raw
