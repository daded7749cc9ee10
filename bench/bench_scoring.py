"""Scoring benchmark: the issue-13 scoring targets, each beside its peer or limit (never asserted).

    .venv/bin/python -m bench.run scoring [--runs 7] [--skip-l] [--l-months 60]

For M (343 units x 38 indicators x 60 months) and L (5,000 units x 60 months):
  * one month scored and ranked, all peer groups, full default scheme, from the month's frame:
    the engine (`build.compute(scheme, units, catalogue, month_obs, None, month, n_history=1)`)
    against the peers of bench/peers.py given exactly that input — vectorised pandas (target:
    faster, factor 1), polars (factor 1) and the scheme as one DuckDB query on an open connection
    to a warehouse holding the workload (target: within 2x). The peers' agreement with the engine
    on every total, rank, grade and veto is checked and printed BEFORE any timing;
  * `service.build` (what the dashboard calls: opens the file, reads, scores three periods,
    explains) on a warehouse file loaded with the workload: target 300 ms at L, reported at M;
  * at M: the exact replay of a published revision, 12 months of dimension scores in one build
    against 12 builds, and Monte Carlo (1,000 replicates, target 5 s);
  * peak memory: tracemalloc's peak of one call (Python and numpy allocations; DuckDB's own
    memory is not traced) and the process's RSS (now and its peak so far).

Times are the median wall time of several runs, with the median CPU time of the process beside it
(CPU time counts every thread of the process: DuckDB and polars use both cores). The machine is
shared, so wall times carry other people's load; CPU times less so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common, peers  # noqa: E402
from kaohe.base import months as mo  # noqa: E402
from kaohe.data import catalogue  # noqa: E402
from kaohe.metrics import build as build_mod  # noqa: E402
from kaohe.metrics import robustness, service  # noqa: E402
from kaohe.metrics import scheme as scheme_mod  # noqa: E402

END = common.END


def timed(fn, runs: int, warmup: int = 1) -> tuple[float, float, object]:
    """(median wall ms, median CPU ms, last result)."""
    out = None
    for _ in range(warmup):
        out = fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, out


def peak_mb(fn) -> float:
    """tracemalloc's peak over one call (numpy and pandas buffers are traced; DuckDB's are not)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def rss_mb() -> float:
    """The process's resident set now (VmRSS), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"   {label:<66} {wall:9.1f} ms  (cpu {cpu:8.1f} ms){('   ' + extra) if extra else ''}", flush=True)


def one_size(name: str, sch, cat, runs: int, tmp: Path, n_months: int | None = None) -> None:
    t = time.perf_counter()
    wl = common.workload(name)
    n_u, n_m = common.WORKLOADS[name]
    if n_months is not None and n_months < n_m:
        keep = wl.observations["month"] >= mo.add(END, -(n_months - 1))
        wl = common.Workload(name, wl.units, wl.observations.loc[keep].reset_index(drop=True))
        n_m = n_months
    print(f"\n{name}: {len(wl.units):,} units x {cat.shape[0]} indicators x {n_m} months = {wl.rows:,} rows "
          f"(generated in {time.perf_counter() - t:.1f} s)", flush=True)
    month_obs = wl.observations.loc[wl.observations["month"].eq(END)].reset_index(drop=True)
    units = wl.units
    t = time.perf_counter()
    wh = common.load(wl, tmp / f"{name}.duckdb")
    print(f"   loaded into a warehouse file in {time.perf_counter() - t:.1f} s; the month's frame: "
          f"{len(month_obs):,} rows", flush=True)

    def engine():
        return build_mod.compute(sch, units, cat, month_obs, None, END, n_history=1)

    def pandas_peer():
        return peers.pandas_peer(sch, units, cat, month_obs, END)

    def polars_peer():
        return peers.polars_peer(sch, units, cat, month_obs, END)

    with wh.connect() as con:  # one open connection, held, as the bare-SQL peer
        sql = peers.duckdb_prepare(con, sch, units)

        def duckdb_peer():
            return peers.duckdb_peer(con, END, sql)

        # -- agreement first: a peer that computes something else is no peer ---------------------
        totals = engine().totals
        disagree = {}
        for peer_name, fn in (("pandas", pandas_peer), ("polars", polars_peer), ("duckdb", duckdb_peer)):
            result = peers.agree(totals, fn())
            disagree[peer_name] = "" if result["ok"] else "; PEER DISAGREES"
            print(peers.agreement_line(peer_name, result), flush=True)
            if not result["ok"]:
                print(f"   !!! {name}: THE {peer_name.upper()} PEER DISAGREES WITH THE ENGINE: its ratio below "
                      f"compares different work !!!", flush=True)

        # -- timing ------------------------------------------------------------------------------
        t_e, c_e, _ = timed(engine, runs)
        t_p, c_p, _ = timed(pandas_peer, runs)
        t_pl, c_pl, _ = timed(polars_peer, runs)
        t_d, c_d, _ = timed(duckdb_peer, runs)
        line("engine, one month, full scheme, all groups (n_history=1)", t_e, c_e)
        line("pandas peer (same input)", t_p, c_p)
        line("polars peer (same input; converting it to polars included)", t_pl, c_pl)
        line("duckdb peer (the scheme as one query, open connection)", t_d, c_d)
        cpu = lambda peer_cpu, peer: f"cpu {c_e:,.0f} vs {peer_cpu:,.0f} ms{disagree[peer]}"  # noqa: E731
        common.target(f"{name} score+rank one month: engine vs pandas peer", t_e, peer=t_p, peer_name="pandas",
                      note=cpu(c_p, "pandas"))
        common.target(f"{name} score+rank one month: engine vs polars peer", t_e, peer=t_pl, peer_name="polars",
                      note=cpu(c_pl, "polars"))
        common.target(f"{name} score+rank one month: engine vs bare DuckDB", t_e, peer=t_d, peer_name="duckdb",
                      factor=2, note=cpu(c_d, "duckdb"))

    # -- what the dashboard calls ------------------------------------------------------------------
    service.build(wh, END)  # warm: scheme file, plan cache
    t_s, c_s, b = timed(lambda: service.build(wh, END), runs)
    mem_s = peak_mb(lambda: service.build(wh, END))
    line("service.build (open the file, read, score 3 periods, explain)", t_s, c_s,
         f"py-peak {mem_s:6.1f} MB")
    if name == "L":
        common.target("L service.build one month", t_s, limit=300.0, note=f"cpu {c_s:,.0f} ms")
    with wh.connect():
        t_h, c_h, _ = timed(lambda: service.build(wh, END), runs)
    line("service.build with the file already open", t_h, c_h)
    mem_e = peak_mb(engine)
    print(f"   peak memory: engine one month py-peak {mem_e:6.1f} MB; process RSS now {rss_mb():7.0f} MB, "
          f"peak so far {common.max_rss_mb():7.0f} MB", flush=True)

    if name == "M":
        extras(wh, b, runs)


def extras(wh, b, runs: int) -> None:
    """Replay, a year of dimension scores, Monte Carlo (at M)."""
    reps = max(3, runs // 2)
    t_hist, c_hist, dh = timed(lambda: service.build(wh, END, n_history=12).dimension_history, reps)
    t_12, c_12, _ = timed(lambda: [service.build(wh, m).dimensions for m in mo.span(mo.add(END, -11), END)], 3)
    line("12 months of dimension scores, one build (dimension_history)", t_hist, c_hist,
         f"12 builds {t_12:,.0f} ms ({t_12 / t_hist:4.1f}x; {len(dh):,} rows)")
    common.target("M 12 months of dimension scores: one build vs 12 builds", t_hist, peer=t_12,
                  peer_name="12 builds", note=f"cpu {c_hist:,.0f} vs {c_12:,.0f} ms")

    service.publish(wh, END, "bench")
    first = b.totals["unit_code"].iloc[0]
    fix = wh.observations(units=[first], month_from=END, month_to=END)
    wh.write_observations(fix.assign(value=fix["value"] * 0.5, numerator=fix["numerator"] * 0.5),
                          actor="bench", reason="bench correction")
    t_r, c_r, rb = timed(lambda: service.replay_publication(wh, END), reps)
    line("replay of a published revision after a correction (exact)", t_r, c_r,
         f"{len(rb.totals)} units equal to the frozen figures")

    t_mc, c_mc, res = timed(lambda: robustness.monte_carlo(b, replicates=1000, seed=0), reps)
    mem_mc = peak_mb(lambda: robustness.monte_carlo(b, replicates=1000, seed=0))
    width = (res["rank_p95"] - res["rank_p05"]).median()
    line("Monte Carlo 1,000 replicates (weights +-25%, 4 normalisations)", t_mc, c_mc,
         f"py-peak {mem_mc:6.1f} MB; median 90% interval {width:.0f} places")
    common.target("M Monte Carlo 1,000 replicates", t_mc / 1000, limit=5.0, unit="s", note=f"cpu {c_mc / 1000:.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--skip-l", action="store_true")
    ap.add_argument("--l-months", type=int, default=60,
                    help="months of the L workload loaded (60: the whole 5,000 x 60 workload, ~11M rows)")
    args, _others = ap.parse_known_args(argv)  # bench.run hands every benchmark all its flags
    cat = catalogue.read_indicators()
    sch = scheme_mod.load_year(END[:4], cat)
    print(f"scheme {sch.id} {sch.version}; {args.runs} runs per figure (median); month {END}; "
          f"peers: bench/peers.py (full scheme: rules, caps, re-weighting, automatic items, vetoes, "
          f"ranks, bands, quota)")
    with tempfile.TemporaryDirectory() as tmp:
        one_size("M", sch, cat, args.runs, Path(tmp))
        if not args.skip_l:
            one_size("L", sch, cat, max(3, args.runs // 2 + 1), Path(tmp), n_months=args.l_months)
    print(f"\n   process peak RSS {common.max_rss_mb():,.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
