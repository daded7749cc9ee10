"""Shared benchmark helpers: the S/M/L workloads and a timer that reports medians and peak memory."""

from __future__ import annotations

import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kaohe.data import catalogue, sample

END = "2026-10"
# name: (units, months) — S is the shipped sample district; M a city; L a province-sized load.
WORKLOADS = {"S": (None, 36), "M": (343, 60), "L": (5000, 60)}


@dataclass
class Workload:
    name: str
    units: pd.DataFrame
    observations: pd.DataFrame

    @property
    def rows(self) -> int:
        return len(self.observations)


def workload(name: str, seed: int = sample.DEFAULT_SEED) -> Workload:
    n_units, n_months = WORKLOADS[name]
    units = sample.scaled_units(n_units, seed=seed)
    obs = sample.generate(units, catalogue.read_indicators(), end=END, n_months=n_months, seed=seed)
    return Workload(name, units, obs)


def load(wl: Workload, path: Path):
    """A fresh warehouse file holding the workload."""
    from kaohe.data.warehouse import Warehouse

    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)
    wh = Warehouse(path)
    wh.migrate()
    wh.upsert_indicators(catalogue.read_indicators(), actor="bench")
    wh.upsert_units(wl.units, actor="bench")
    wh.write_observations(wl.observations, actor="bench", kind="sample", source_name=f"bench {wl.name}")
    return wh


def measure(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> dict:
    """Median and min wall time over `repeat` runs, and the Python heap peak of one run."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"median_s": statistics.median(times), "min_s": min(times), "py_peak_mb": peak / 2**20}


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(title: str, figures: dict, target_s: float | None = None, rows: int | None = None) -> None:
    line = f"{title:<52} median {figures['median_s'] * 1000:9.1f} ms   min {figures['min_s'] * 1000:9.1f} ms"
    if rows:
        line += f"   {rows / figures['median_s']:>12,.0f} rows/s"
    line += f"   py-peak {figures['py_peak_mb']:7.1f} MB"
    if target_s is not None:
        ok = "ok" if figures["median_s"] <= target_s else "OVER"
        line += f"   target {target_s * 1000:.0f} ms: {ok}"
    print(line, flush=True)
