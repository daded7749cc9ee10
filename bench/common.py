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


# -- targets: every figure printed beside its peer or limit and the ratio, and gathered for bench.run ----
TARGETS: list[dict] = []


def target(name: str, figure: float, *, limit: float | None = None, peer: float | None = None,
           peer_name: str = "", unit: str = "ms", factor: float = 1.0, note: str = "") -> dict:
    """Print one target line and keep it for the summary table of `bench.run`.

    `figure` is Kaohe's measure; the target is met when figure <= limit (an absolute bound such as
    300 ms or 1 GB) or, with a peer, when figure <= factor * peer (factor 1: faster than the peer;
    factor 2: within 2x of it). Lower is better for every figure. The ratio printed is figure / bound.
    """
    if limit is None and peer is None:
        raise ValueError("a target needs a limit or a peer")
    bound = limit if peer is None else factor * peer
    ratio = figure / bound if bound else float("inf")
    met = figure <= bound
    against = f"limit {_fmt(limit, unit)}" if peer is None else (
        f"{peer_name or 'peer'} {_fmt(peer, unit)}" + (f" x{factor:g}" if factor != 1 else ""))
    row = {"name": name, "figure": figure, "bound": bound, "against": against, "ratio": ratio, "met": met,
           "unit": unit, "note": note}
    TARGETS.append(row)
    print(f"TARGET {name:<58} {_fmt(figure, unit):>11}   vs {against:<34} ratio {ratio:5.2f}  "
          f"{'met' if met else 'MISSED'}{('   ' + note) if note else ''}", flush=True)
    return row


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "ms":
        return f"{v:,.1f} ms"
    if unit == "s":
        return f"{v:,.2f} s"
    if unit == "MB":
        return f"{v:,.0f} MB"
    return f"{v:,.3g} {unit}"


def summary() -> None:
    """The table of every target printed so far (bench.run prints it at the end)."""
    if not TARGETS:
        return
    print("\n| target | Kaohe | peer or limit | ratio | met |\n|---|---|---|---|---|")
    for r in TARGETS:
        print(f"| {r['name']} | {_fmt(r['figure'], r['unit'])} | {r['against']} | {r['ratio']:.2f} | "
              f"{'yes' if r['met'] else '**no**'} |")
