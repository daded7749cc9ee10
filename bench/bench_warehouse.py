"""Warehouse figures: loading S and M, and the completeness and trend queries at S, M and L.

    python -m bench.bench_warehouse [--skip-l]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import load, max_rss_mb, measure, report, workload
from kaohe.data.warehouse import Warehouse


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
        del wl
    print(f"process max RSS {max_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
