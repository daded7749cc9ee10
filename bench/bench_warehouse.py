"""Warehouse figures: loading S and M, the completeness and trend queries at S, M and L, and how many
row groups a month's read touches at M (observations stored in month order vs in generated order).

    python -m bench.bench_warehouse [--skip-l]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from bench.common import load, max_rss_mb, measure, report, target, workload
from kaohe.data.warehouse import Warehouse, month_row_groups


def _touched(con, month: str) -> tuple[int, int]:
    """(row groups whose month statistics overlap `month`, all row groups) of the observations table."""
    groups = month_row_groups(con)
    hit = (groups["month_min"] <= month) & (groups["month_max"] >= month)
    return int(hit.sum()), len(groups)


def _generated_order_copy(src: Path, dst: Path) -> None:
    """`dst`: the warehouse `src` with its observations stored as the old write path left them (in the
    order the sample is generated: unit by unit), to compare a month's read before and after."""
    import shutil

    shutil.copy(src, dst)
    con = duckdb.connect(str(dst))
    con.execute("CREATE TEMP TABLE t AS SELECT * FROM observations ORDER BY unit_code, indicator_code, month")
    con.execute("DELETE FROM observations")
    con.execute("CHECKPOINT")
    con.execute("INSERT INTO observations SELECT * FROM t")
    con.execute("DROP TABLE t")
    con.execute("CHECKPOINT")
    con.close()


def storage_order(path: Path, month: str, tmp: Path) -> None:
    """Row groups touched by one month's read, and its time, in month order (now) and generated order (before)."""
    before = tmp / "M-generated-order.duckdb"
    _generated_order_copy(path, before)
    figs = {}
    for label, p in (("generated order (before)", before), ("month order (now)", path)):
        con = duckdb.connect(str(p), read_only=True)
        touched, total = _touched(con, month)
        con_rows = con.execute("SELECT count(*) FROM observations WHERE month = ?", [month]).fetchone()[0]
        sql = "SELECT count(*), sum(value) FROM observations WHERE month = ? AND is_current"
        scan = measure(lambda con=con, sql=sql: con.execute(sql, [month]).fetchall(), repeat=7)
        con.close()
        wh = Warehouse(p)
        read = measure(lambda wh=wh: wh.observations(month_from=month, month_to=month), repeat=5)
        figs[label] = (touched, total, scan, read)
        figs["rows"] = con_rows
        print(f"M, month {month}, {label}: row groups touched {touched} of {total}; "
              f"scan {scan['median_s'] * 1000:.1f} ms, wh.observations(month) {read['median_s'] * 1000:.1f} ms")
    (tb, nb, sb, rb), (ta, na, sa, ra) = figs["generated order (before)"], figs["month order (now)"]
    group = 122_880  # DuckDB's row group size
    span = -(-figs["rows"] // group) + 1  # the month's rows fill this many groups, and may straddle a boundary
    target("storage M: row groups a month's read touches", ta, limit=span, unit="groups",
           note=f"of {na} row groups; before (generated order): {tb} of {nb}")
    target("storage M: one month's scan (month = ?), open connection", sa["median_s"] * 1000,
           peer=sb["median_s"] * 1000, peer_name="generated order", unit="ms")
    target("storage M: wh.observations(one month)", ra["median_s"] * 1000, peer=rb["median_s"] * 1000,
           peer_name="generated order", unit="ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-l", action="store_true", help="skip the 5,000-unit workload")
    opts, _others = parser.parse_known_args(argv)  # bench.run hands every benchmark all its flags
    tmp = Path(tempfile.mkdtemp(prefix="kaohe-bench-"))
    print("== warehouse ==")
    for name in ("S", "M", "L") if not opts.skip_l else ("S", "M"):
        t0 = time.perf_counter()
        wl = workload(name)
        gen_s = time.perf_counter() - t0
        print(f"{name}: {wl.units.shape[0]} units, {wl.observations['month'].nunique()} months, "
              f"{wl.rows:,} rows (generated in {gen_s:.1f} s)")
        path = tmp / f"{name}.duckdb"
        if name != "L":
            figs = measure(lambda wl=wl, path=path: load(wl, path), repeat=3, warmup=0)
            report(f"load {name} into a new warehouse", figs, rows=wl.rows)
        else:
            t0 = time.perf_counter()
            load(wl, path)
            print(f"load {name} once: {time.perf_counter() - t0:.1f} s ({wl.rows / (time.perf_counter() - t0):,.0f} rows/s)")
        wh = Warehouse(path)
        last = wl.observations["month"].max()
        report(f"completeness, all units x all months ({name})", measure(lambda wh=wh: wh.completeness()))
        report(f"completeness, streets, one month ({name})",
               measure(lambda wh=wh, m=last: wh.completeness(kind="street", month_from=m, month_to=m)))
        report(f"trend HL_SATISFY, one peer group, all months ({name})",
               measure(lambda wh=wh: wh.indicator_series("HL_SATISFY", peer_group="urban")))
        report(f"trend HL_SATISFY, all units ({name})", measure(lambda wh=wh: wh.indicator_series("HL_SATISFY")))
        report(f"info ({name})", measure(wh.info))
        if name == "M":
            storage_order(path, last, tmp)
        del wl
    print(f"process max RSS {max_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
