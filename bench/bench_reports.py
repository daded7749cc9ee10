"""Report timings: one scorecard (target < 0.5 s) and every scorecard of a city-scale month
(343 units, 60 months; target < 90 s on 2 cores). Prints the figures.

    python bench/bench_reports.py [--units 343] [--months 60] [--processes N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaohe.data import catalogue, sample  # noqa: E402
from kaohe.data.setup import SYSTEM_ACTOR  # noqa: E402
from kaohe.data.warehouse import Warehouse  # noqa: E402

END = "2026-10"


def make_warehouse(path: Path, n_units: int, n_months: int) -> Warehouse:
    wh = Warehouse(path)
    wh.migrate()
    units = sample.scaled_units(n_units)
    wh.upsert_indicators(catalogue.read_indicators(), actor=SYSTEM_ACTOR)
    wh.upsert_units(units, actor=SYSTEM_ACTOR)
    obs = sample.generate(units, catalogue.read_indicators(), end=END, n_months=n_months)
    wh.write_observations(obs, actor=SYSTEM_ACTOR, kind="sample", source_name=f"bench ({n_units} units)")
    return wh


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - t, out


def cpu_timed(fn, *args, **kw) -> tuple[float, float]:
    """Wall and CPU seconds: on a shared machine the CPU time shows the cost without the queueing."""
    t, c = time.perf_counter(), time.process_time()
    fn(*args, **kw)
    return time.perf_counter() - t, time.process_time() - c


def main(argv: list[str] | None = None) -> int:
    """`argv` as `bench.run` passes it ([] for the defaults); None reads the command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=343)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--processes", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", default=None, help="write the ZIP and one scorecard here")
    args, _others = ap.parse_known_args(argv)  # bench.run hands every benchmark all its flags

    from kaohe.metrics import service
    from kaohe.reports import batch
    from kaohe.reports.scorecard import scorecard_pdf

    with tempfile.TemporaryDirectory() as tmp:
        t_setup, wh = timed(make_warehouse, Path(tmp) / "bench.duckdb", args.units, args.months)
        print(f"warehouse: {args.units} units x {args.months} months loaded in {t_setup:.1f} s")
        unit = "S01"
        scorecard_pdf(wh, unit, END, actor="bench")  # warm-up: imports, font prototype
        cold = [cpu_timed(scorecard_pdf, wh, unit, END, actor="bench") for _ in range(args.repeat)]
        t_build, b = timed(service.build, wh, END, n_history=12)
        warm = [cpu_timed(scorecard_pdf, wh, unit, END, build=b, actor="bench") for _ in range(args.repeat)]
        for label, runs in (("from the warehouse (engine build included)", cold),
                            ("with the month's build passed in         ", warm)):
            wall = [w for w, _ in runs]
            print(f"one scorecard, {label}: median {statistics.median(wall):.3f} s wall "
                  f"(min {min(wall):.3f}, max {max(wall):.3f}), "
                  f"median {statistics.median(c for _, c in runs):.3f} s CPU  target < 0.5 s")
        print(f"engine build of the month (with 12 months of history) alone: {t_build:.3f} s")

        last = [0.0]

        def progress(done: int, total: int) -> None:
            last[0] = time.perf_counter()

        t_zip, data = timed(batch.scorecards_zip, wh, END, progress=progress, processes=args.processes, actor="bench")
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        procs = args.processes or batch.workers()
        print(f"all scorecards as ZIP: {len(names)} PDFs, {len(data) / 1e6:.1f} MB in {t_zip:.1f} s "
              f"with {procs} process(es) ({t_zip / max(len(names), 1) * 1000:.0f} ms per unit)  target < 90 s")
        t_merged, merged = timed(batch.scorecards_merged_pdf, wh, END, actor="bench")
        print(f"all scorecards as one merged PDF: {len(merged) / 1e6:.1f} MB in {t_merged:.1f} s (one process)")
        if args.keep:
            out = Path(args.keep)
            out.mkdir(parents=True, exist_ok=True)
            (out / "scorecards.zip").write_bytes(data)
            (out / "scorecards.pdf").write_bytes(merged)
    return 0


if __name__ == "__main__":
    sys.exit(main())
