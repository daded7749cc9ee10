"""Run the reviewed expectation suites (validation/expectations/*.json) through Great Expectations 1.x.

One ephemeral context per process, one GX call per import over the whole frame;
the row indices GX reports are mapped back to the file's own rows and columns.
"""

from __future__ import annotations

import json
import logging
import threading
from functools import lru_cache
from pathlib import Path

import pandas as pd

from validation.problems import CHECKS, many, problem

SUITES = Path(__file__).resolve().parent / "expectations"
GX_COLUMNS = ["row", "unit_code", "indicator_code", "month", "value", "numerator", "denominator", "status"]
FIELD_COLUMNS = {  # meta.field -> (column name in the file, raw cell) in the normalised frame
    "unit": ("col_unit", "unit_raw"),
    "indicator": ("col_indicator", "indicator_raw"),
    "month": ("col_month", "month_raw"),
    "value": ("col_value", "value_raw"),
}
_lock = threading.Lock()  # a GX context is not meant to validate from two threads at once


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
    """Import GX and build the suite ahead of the first upload (it takes a couple of seconds)."""
    _runner("observations")


def run(frame: pd.DataFrame, parameters: dict, name: str = "observations") -> tuple[pd.DataFrame, dict]:
    """(problems, raw GX result as JSON-able dict)."""
    batch_def, suite = _runner(name)
    slim = frame.reindex(columns=GX_COLUMNS).reset_index(drop=True)
    with _lock:
        batch = batch_def.get_batch(batch_parameters={"dataframe": slim})
        result = batch.validate(suite, result_format="COMPLETE", expectation_parameters=parameters)
    out = []
    for res in result.results:
        if res.success:
            continue
        meta = res.expectation_config.meta or {}
        check = meta.get("check")
        if check not in CHECKS:
            continue
        idx = (res.result or {}).get("unexpected_index_list")
        if not idx:  # a table-level expectation: one line for the whole file
            params = {"columns": ", ".join(res.expectation_config.kwargs.get("column_set", []))} \
                if check == "val.gx_column_missing" else {}
            out.append(pd.DataFrame([problem(check, **params)]))
            continue
        idx = [i["index"] if isinstance(i, dict) else i for i in idx]
        rows = frame.iloc[idx]
        col_name, raw_name = FIELD_COLUMNS.get(meta.get("field"), ("col_value", "value_raw"))
        blank_check = meta.get("check_if_blank")
        if blank_check:
            blank = rows[raw_name].isna() | (rows[raw_name].astype(str).str.strip() == "")
            out.append(many(blank_check, rows[blank], rows.loc[blank, col_name], rows.loc[blank, raw_name]))
            rows = rows[~blank]
        params = None
        if check == "val.num_gt_den":
            params = pd.Series([{"numerator": n, "denominator": d}
                                for n, d in zip(rows["numerator"], rows["denominator"], strict=True)])
        out.append(many(check, rows, rows[col_name], rows[raw_name], params))
    problems = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return problems, _compact(result.to_json_dict())


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
