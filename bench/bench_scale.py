"""Scale benchmark (issue 13): 20,000 units x 38 indicators x 12 months.

    .venv/bin/python -m bench.run scale [--runs 3] [--scale-units 20000]

Targets, each printed with `bench.common.target`:
  * one build under 2 s: `service.build(wh, month)` on a warehouse file holding the workload, and
    the engine from frames (`build.compute` on the months the service reads for it, the same
    three periods);
  * under 1 GB peak: each build is run once in a FRESH subprocess (the same interpreter); the
    figure is the growth of its resident set during the build, VmHWM (the high-water mark of its
    resident set) after minus VmRSS just before (imports done, inputs in memory: for the engine
    the frames read from a parquet file), so it counts numpy, pandas and DuckDB memory alike. tracemalloc's peak of one call in this
    process (Python and numpy allocations only) is printed beside it;
  * a year of trends under 5 s: `service.build(wh, month, "month", n_history=12)` and its
    `.dimension_history`.
Times are medians of several runs (wall, with CPU beside: the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402
from kaohe.data import catalogue, sample  # noqa: E402
from kaohe.metrics import build as build_mod  # noqa: E402
from kaohe.metrics import scheme as scheme_mod  # noqa: E402
from kaohe.metrics import service  # noqa: E402

END = common.END
ROOT = Path(__file__).resolve().parents[1]

# one build in a fresh process: VmRSS just before, VmHWM (the resident high-water mark) after. Not
# ru_maxrss: Linux carries it over from the parent through fork and exec, so a child of a large
# bench process would report the parent's size.
_CHILD = r"""
import json, sys, time
from pathlib import Path

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

mode, path, month = sys.argv[1], sys.argv[2], sys.argv[3]
from kaohe.metrics import build, scheme, service
from kaohe.data.warehouse import Warehouse
import pandas as pd
if mode == "service":
    wh = Warehouse(Path(path))
    run = lambda: service.build(wh, month)
else:
    obs = pd.read_parquet(path + ".obs.parquet")
    units = pd.read_parquet(path + ".units.parquet")
    cat = pd.read_parquet(path + ".cat.parquet")
    sch = scheme.load_year(month[:4], cat)
    run = lambda: build.compute(sch, units, cat, obs, None, month)
before = status("VmRSS")
t, c = time.perf_counter(), time.process_time()
b = run()
wall, cpu = time.perf_counter() - t, time.process_time() - c
peak = status("VmHWM")
print(json.dumps({"before_mb": before, "peak_mb": peak, "growth_mb": peak - before, "wall_s": wall,
                  "cpu_s": cpu, "units": int(len(b.totals))}))
"""


def timed(fn, runs: int) -> tuple[float, float, object]:
    """(median wall s, median CPU s, last result), after one warm-up call."""
    out = fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu), out


def child(mode: str, path: Path, month: str) -> dict:
    res = subprocess.run([sys.executable, "-c", _CHILD, mode, str(path), month], cwd=ROOT, capture_output=True,
                         text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"the {mode} subprocess failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def py_peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale-units", type=int, default=20_000)
    args, _others = ap.parse_known_args(argv)
    runs = max(1, min(args.runs, 5))
    cat = catalogue.read_indicators()
    sch = scheme_mod.load_year(END[:4], cat)
    tag = f"scale {args.scale_units // 1000}k units" if args.scale_units % 1000 == 0 else f"scale {args.scale_units} units"
    t = time.perf_counter()
    units = sample.scaled_units(args.scale_units)
    obs = sample.generate(units, cat, end=END, n_months=12)
    print(f"scale: {len(units):,} units x {cat.shape[0]} indicators x 12 months = {len(obs):,} rows "
          f"(generated in {time.perf_counter() - t:.1f} s); {runs} runs per figure (median)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scale.duckdb"
        t = time.perf_counter()
        wh = common.load(common.Workload("scale", units, obs), path)
        print(f"   loaded into a warehouse file in {time.perf_counter() - t:.1f} s", flush=True)

        # the engine from frames: the months the service reads for one build (its three periods)
        month_from, month_to = build_mod.read_window(build_mod.write_log(sch, END))
        window = obs.loc[obs["month"].between(month_from, month_to)].reset_index(drop=True)
        del obs

        def engine():
            return build_mod.compute(sch, units, cat, window, None, END)

        t_e, c_e, b = timed(engine, runs)
        print(f"   engine from frames ({month_from}..{month_to}, {len(window):,} rows, 3 periods): "
              f"{t_e:.2f} s (cpu {c_e:.2f} s), {len(b.totals):,} units", flush=True)
        common.target(f"{tag}: one build, engine from frames", t_e, limit=2.0, unit="s",
                      note=f"cpu {c_e:.2f} s")

        t_s, c_s, b = timed(lambda: service.build(wh, END), runs)
        print(f"   service.build on the file: {t_s:.2f} s (cpu {c_s:.2f} s)", flush=True)
        common.target(f"{tag}: one build, service.build", t_s, limit=2.0, unit="s", note=f"cpu {c_s:.2f} s")

        # memory: one build in a fresh process each
        window.to_parquet(str(path) + ".obs.parquet")
        units.to_parquet(str(path) + ".units.parquet")
        cat.to_parquet(str(path) + ".cat.parquet")
        for mode, label in (("engine", "engine from frames"), ("service", "service.build")):
            r = child(mode, path, END)
            py = py_peak_mb(engine if mode == "engine" else (lambda: service.build(wh, END)))
            print(f"   {label} in a fresh process: RSS {r['before_mb']:,.0f} MB before, peak {r['peak_mb']:,.0f} MB "
                  f"(+{r['growth_mb']:,.0f} MB; {r['wall_s']:.2f} s cold); tracemalloc peak here {py:,.0f} MB",
                  flush=True)
            common.target(f"{tag}: one build peak memory, {label}", r["growth_mb"], limit=1024.0,
                          unit="MB", note=f"RSS growth in a fresh process; tracemalloc {py:,.0f} MB")

        def year():
            bb = service.build(wh, END, "month", n_history=12)
            return bb, bb.dimension_history

        t_y, c_y, (_, dh) = timed(year, runs)
        print(f"   a year of trends (service.build n_history=12 + dimension_history): {t_y:.2f} s "
              f"(cpu {c_y:.2f} s), {len(dh):,} rows", flush=True)
        common.target(f"{tag}: a year of trends", t_y, limit=5.0, unit="s", note=f"cpu {c_y:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
