"""Observations are stored clustered by month, whatever order a write hands them in: a month's read
can skip every row group whose month statistics (DuckDB's storage info) lie elsewhere.

Not a timing test: it reads the row groups' min/max month from `pragma_storage_info`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe.data.warehouse import month_row_groups

GROUP = 122_880  # DuckDB's row group size


def _frame(months: list[str], units: int, indicators: int, seed: int) -> pd.DataFrame:
    """units x indicators rows for each month, shuffled: no order at all, as a backfill may come."""
    codes = [f"U{i:05d}" for i in range(units)]
    inds = [f"I{j:02d}" for j in range(indicators)]
    idx = pd.MultiIndex.from_product([months, codes, inds], names=["month", "unit_code", "indicator_code"])
    frame = idx.to_frame(index=False)
    rng = np.random.default_rng(seed)
    frame["value"] = rng.uniform(0, 100, len(frame))
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    frame["status"] = "ok"
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _groups(wh) -> pd.DataFrame:
    with wh.connect() as con:
        con.execute("CHECKPOINT")  # row group statistics are those of the file, after a checkpoint
        return month_row_groups(con)


def _assert_clustered(groups: pd.DataFrame, rows_per_month: dict[str, int]) -> None:
    assert len(groups) >= 3, groups  # enough data to have several row groups, or the test proves nothing
    assert groups["rows"].sum() == sum(rows_per_month.values())
    # in row group order the months never go back: each group starts where the one before ended (or later)
    assert (groups["month_min"].iloc[1:].to_numpy() >= groups["month_max"].iloc[:-1].to_numpy()).all(), groups
    for month, n in rows_per_month.items():
        touched = int(((groups["month_min"] <= month) & (groups["month_max"] >= month)).sum())
        assert touched <= -(-n // GROUP) + 1, (month, touched, groups)  # its own groups, and one it straddles


def test_a_backfill_in_no_order_is_stored_month_by_month(empty_wh):
    months = ["2025-03", "2024-11", "2025-01", "2025-04", "2024-12", "2025-02"]  # out of order, rows shuffled
    frame = _frame(months, units=2500, indicators=20, seed=3)  # 50,000 rows a month, 300,000 in all
    empty_wh.write_observations(frame, actor="test", kind="sample", source_name="backfill")
    groups = _groups(empty_wh)
    _assert_clustered(groups, {m: 50_000 for m in months})
    assert groups["month_min"].iloc[0] == "2024-11" and groups["month_max"].iloc[-1] == "2025-04"


def test_monthly_batches_stay_clustered_and_a_month_reads_few_groups(empty_wh):
    rows = {}
    for i, month in enumerate(["2024-01", "2024-02", "2024-03", "2024-04"]):
        frame = _frame([month], units=2500, indicators=25, seed=i)  # 62,500 rows, one import a month
        empty_wh.write_observations(frame, actor="test", kind="import", source_name=f"{month}.csv")
        rows[month] = len(frame)
    groups = _groups(empty_wh)
    _assert_clustered(groups, rows)
    # and what a month's read returns is the month, whole
    got = empty_wh.observations(month_from="2024-03", month_to="2024-03")
    assert len(got) == rows["2024-03"] and set(got["month"]) == {"2024-03"}
