"""Scoring benchmark: prints figures, asserts nothing about time.

    /tmp/venv/bin/python bench/bench_scoring.py [--runs 7] [--skip-l]

M: 343 units x 38 indicators x 60 months (data.sample), loaded into a temporary
DuckDB file: the real service path (read the month from DuckDB, score, rank,
grade, explainable frames) and the engine alone from frames. L: 5,000 units,
scored from the generated frame (not loaded into DuckDB). Monte Carlo: 1,000
replicates at M. A plain pandas implementation of the same month (merge,
per-rule expressions, groupby) is written below; the benchmark checks that it
gives the same totals and prints the ratio.

Times are the median of several runs; peak memory is tracemalloc's peak for one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaohe.base import months as mo  # noqa: E402
from kaohe.data import catalogue, sample  # noqa: E402
from kaohe.data.warehouse import Warehouse  # noqa: E402
from kaohe.metrics import build as build_mod  # noqa: E402
from kaohe.metrics import robustness, service  # noqa: E402
from kaohe.metrics import scheme as scheme_mod  # noqa: E402

END = "2026-10"


CPU: list[tuple[str, float]] = []


def timed(fn, runs: int, label: str = "") -> tuple[float, object]:
    """Median wall time; the median CPU time of the process is kept beside it (other
    processes on a shared machine inflate wall time, not CPU time)."""
    times, cpu, out = [], [], None
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU.append((label, statistics.median(cpu)))
    return statistics.median(times), out


def cpu_ms() -> str:
    return f"cpu {CPU[-1][1] * 1000:7.1f} ms"


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def window(obs: pd.DataFrame, month: str, n: int = 3) -> pd.DataFrame:
    """What the service reads for a month: that month and the two before it (rank change, alerts)."""
    return obs[obs["month"].between(mo.add(month, -(n - 1)), month)].reset_index(drop=True)


# -- a plain pandas implementation of one month, for comparison ------------------------------------
def plain_pandas(sch: scheme_mod.Scheme, units: pd.DataFrame, cat: pd.DataFrame, obs: pd.DataFrame,
                 month: str) -> pd.DataFrame:
    """The same month scored the ordinary way: merges, per-rule expressions and groupby transforms."""
    spec = sch.spec(units)
    u = units[["code", "peer_group"]].rename(columns={"code": "unit_code"})
    df = u.merge(spec, on="peer_group").merge(
        obs[obs["month"] == month], on=["unit_code", "indicator_code"], how="left")
    df["status"] = df["status"].fillna("missing")
    df.loc[df["status"].eq("ok") & df["value"].isna(), "status"] = "missing"
    ratio = df["ratio"] & df["numerator"].notna() & (df["denominator"] > 0)
    df["x"] = np.where(ratio, 100 * df["numerator"] / df["denominator"], df["value"])
    df["x"] = np.where(df["cap"].notna() & (df["x"] > df["cap"]), df["cap"], df["x"])
    df.loc[~df["status"].eq("ok"), "x"] = np.nan
    low = df["direction"].eq("lower")
    sign = np.where(low, -1.0, 1.0)
    x = df["x"] * sign
    raw = pd.Series(np.nan, index=df.index)
    r = df["rule"]
    m = r.eq("target_deduct")
    earned = (df["p_full"] - df["p_per_point"] * np.maximum(df["p_target"] * sign - x, 0)).clip(
        lower=df["p_floor"], upper=df["p_full"])
    raw[m] = (100 * earned / df["p_full"])[m]
    m = r.eq("linear")
    raw[m] = (100 * ((x - df["p_floor"] * sign) / (df["p_target"] * sign - df["p_floor"] * sign)).clip(0, 1))[m]
    m = r.eq("ratio_to_target")
    ratio_v = np.where(low, df["p_target"] / df["x"].where(df["x"] > 0), df["x"] / df["p_target"])
    raw[m] = (100 * pd.Series(ratio_v, index=df.index).fillna(1.0).clip(0, 1))[m]
    m = r.eq("pass_fail")
    raw[m] = np.where(x >= df["p_threshold"] * sign, df["p_pass_score"], df["p_fail_score"])[m]
    g = df.assign(sx=x).groupby(["peer_group", "indicator_code"])["sx"]
    m = r.eq("minmax")
    lo, hi = g.transform("min"), g.transform("max")
    raw[m] = np.where(hi > lo, 100 * (x - lo) / (hi - lo), 100.0)[m]
    m = r.eq("zscore")
    sd = g.transform("std", ddof=0)
    z = np.where(sd > 0, (x - g.transform("mean")) / sd, 0.0)
    raw[m] = np.clip(df["p_center"] + df["p_scale"] * z, 0, 100)[m]
    m = r.eq("percentile")
    rk, cnt = g.rank(method="average"), g.transform("count")
    raw[m] = np.where(cnt > 1, 100 * (rk - 1) / (cnt - 1), 100.0)[m]
    raw[df["x"].isna()] = np.nan
    raw[df["status"].eq("missing")] = 0.0  # the default scheme scores missing items zero
    df["raw"] = raw
    df["w"] = df["ind_weight"] * df["raw"].notna()
    df["dsum"] = df.groupby(["unit_code", "dimension"])["w"].transform("sum")
    dims = df.groupby(["unit_code", "dimension"]).agg(dw=("dim_weight", "first"), dsum=("dsum", "first"))
    dims["dw"] = dims["dw"].where(dims["dsum"] > 0, 0.0)
    dims["dw"] = dims["dw"] / dims.groupby("unit_code")["dw"].transform("sum")
    df = df.merge(dims["dw"].rename("dw_eff").reset_index(), on=["unit_code", "dimension"])
    df["points"] = np.rint(df["raw"].fillna(0) * df["dw_eff"] * df["w"] / df["dsum"].where(df["dsum"] > 0)
                           * 10_000).fillna(0)
    tot = df.groupby(["unit_code", "peer_group"], as_index=False)["points"].sum()
    tot["total"] = ((tot["points"].astype(np.int64) + 50) // 100) / 100
    tot["rank"] = tot.groupby("peer_group")["total"].rank(method="min", ascending=False).astype(int)
    return tot


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--skip-l", action="store_true")
    args, _others = ap.parse_known_args(argv)  # bench.run hands every benchmark all its flags
    runs = args.runs
    cat = catalogue.read_indicators()
    sch = scheme_mod.load_year(END[:4], cat)
    print(f"scheme {sch.id} {sch.version}; {runs} runs per figure (median)")
    # the plain pandas comparison leaves out the scheme's automatic bonus and deduction items
    bare = scheme_mod.load_dict({**sch.data, "adjustments": {k: v for k, v in sch.data["adjustments"].items()
                                                             if k != "rules"}}, cat)

    # -- M ----------------------------------------------------------------------------------------
    t = time.perf_counter()
    units_m = sample.scaled_units(343)
    obs_m = sample.generate(units_m, cat, end=END, n_months=60)
    print(f"\nM: {len(units_m)} units x {cat.shape[0]} indicators x 60 months = {len(obs_m):,} rows "
          f"(generated in {time.perf_counter() - t:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        wh = Warehouse(Path(tmp) / "m.duckdb")
        t = time.perf_counter()
        wh.migrate()
        wh.upsert_indicators(cat, actor="bench")
        wh.upsert_units(units_m, actor="bench")
        wh.write_observations(obs_m, actor="bench", kind="sample")
        print(f"   loaded into DuckDB in {time.perf_counter() - t:.1f} s")
        service.build(wh, END)  # warm: scheme file, plan cache
        t_service, b = timed(lambda: service.build(wh, END), runs)
        cpu_service = cpu_ms()
        mem_service = peak_mb(lambda: service.build(wh, END))
        print(f"   service.build (read month from DuckDB, score, rank, grade, explain frames): "
              f"{t_service * 1000:7.1f} ms ({cpu_service})   peak {mem_service:6.1f} MB   target < 100 ms")

        with wh.connect():  # as the dashboard and the reports do: one open file for many reads
            t_held, _ = timed(lambda: service.build(wh, END), runs)
            cpu_held = cpu_ms()
        print(f"   service.build with the file already open (dashboard, reports):        "
              f"{t_held * 1000:7.1f} ms ({cpu_held})")

        win = window(obs_m, END)
        def engine_m():
            return build_mod.compute(sch, units_m, cat, win, None, END)
        t_engine, b2 = timed(engine_m, runs)
        cpu_engine = cpu_ms()
        mem_engine = peak_mb(engine_m)
        print(f"   engine from frames (same month, 3 months for change/alerts):          "
              f"{t_engine * 1000:7.1f} ms ({cpu_engine})   peak {mem_engine:6.1f} MB")

        month_only = obs_m[obs_m["month"] == END]
        def engine_one():
            return build_mod.compute(bare, units_m, cat, month_only, None, END, n_history=1)
        t_one, b1 = timed(engine_one, runs)
        cpu_one = CPU[-1][1]
        def plain():
            return plain_pandas(bare, units_m, cat, obs_m, END)
        t_plain, p = timed(plain, runs)
        cpu_plain = CPU[-1][1]
        mine = b1.totals.set_index("unit_code")
        p = p.set_index("unit_code")
        agree = (np.abs(mine.loc[p.index, "base_score"].round(2) - p["total"]).max() < 0.011
                 and (mine.loc[p.index, "rank"] == p["rank"]).mean())
        print(f"   engine, this month only (no history):                                 "
              f"{t_one * 1000:7.1f} ms (cpu {cpu_one * 1000:7.1f} ms)")
        print(f"   plain pandas, this month only:                                        "
              f"{t_plain * 1000:7.1f} ms (cpu {cpu_plain * 1000:7.1f} ms)   ratio plain/engine = "
              f"{t_plain / t_one:4.1f}x wall, {cpu_plain / cpu_one:4.1f}x cpu "
              f"(totals agree: {'yes' if agree else 'NO'}; ranks agree on "
              f"{(mine.loc[p.index, 'rank'] == p['rank']).mean():.0%})")

        for period in ("quarter", "ytd"):
            tp, _ = timed(lambda period=period: service.build(wh, END, period), max(3, runs // 2))
            print(f"   service.build period={period:<8}                                         "
                  f"{tp * 1000:7.1f} ms ({cpu_ms()})")

        # a year of dimension scores (the trends page): one build of 12 periods against 12 builds
        def year_one_pass():
            return service.build(wh, END, n_history=12).dimension_history
        def year_by_month():
            return [service.build(wh, m).dimensions for m in mo.span(mo.add(END, -11), END)]
        t_hist, dh = timed(year_one_pass, max(3, runs // 2))
        cpu_hist = CPU[-1][1]
        t_months, _ = timed(year_by_month, 3)
        print(f"   12 months of dimension scores, one build (dimension_history):          "
              f"{t_hist * 1000:7.1f} ms (cpu {cpu_hist * 1000:7.1f} ms)   12 builds: {t_months * 1000:7.1f} ms "
              f"({t_months / t_hist:4.1f}x; {len(dh):,} rows)")

        # exact replay: publish, correct a published value, rebuild the revision from its inputs as of then
        service.publish(wh, END, "bench")
        fix = wh.observations(units=[units_m["code"].iloc[0]], month_from=END, month_to=END)
        wh.write_observations(fix.assign(value=fix["value"] * 0.5, numerator=fix["numerator"] * 0.5),
                              actor="bench", reason="bench correction")
        t_replay, rb = timed(lambda: service.replay_publication(wh, END), max(3, runs // 2))
        print(f"   replay of a published revision after a correction (exact, checked):  "
              f"{t_replay * 1000:7.1f} ms ({cpu_ms()})   {len(rb.totals)} units equal to the frozen figures")

        t_mc, res = timed(lambda: robustness.monte_carlo(b, replicates=1000, seed=0), max(3, runs // 2))
        cpu_mc = cpu_ms()
        mem_mc = peak_mb(lambda: robustness.monte_carlo(b, replicates=1000, seed=0))
        width = (res["rank_p95"] - res["rank_p05"]).median()
        print(f"   Monte Carlo 1,000 replicates (weights +-25%, 4 normalisations, entropy): "
              f"{t_mc * 1000:7.1f} ms ({cpu_mc})   peak {mem_mc:6.1f} MB   target < 5 s "
              f"(median 90% interval width {width:.0f} places)")

    # -- L ----------------------------------------------------------------------------------------
    if not args.skip_l:
        t = time.perf_counter()
        units_l = sample.scaled_units(5000)
        obs_l = sample.generate(units_l, cat, end=END, n_months=60)
        print(f"\nL: {len(units_l)} units x 60 months = {len(obs_l):,} rows "
              f"(generated in {time.perf_counter() - t:.1f} s; scored from the frame)")
        win_l = window(obs_l, END)
        def engine_l():
            return build_mod.compute(sch, units_l, cat, win_l, None, END)
        engine_l()
        t_l, _ = timed(engine_l, max(3, runs // 2))
        cpu_l = cpu_ms()
        mem_l = peak_mb(engine_l)
        print(f"   engine, all groups, with change and alerts:                           "
              f"{t_l * 1000:7.1f} ms ({cpu_l})   peak {mem_l:6.1f} MB   target < 1 s")
        month_l = obs_l[obs_l["month"] == END]
        t_l1, b_l1 = timed(lambda: build_mod.compute(bare, units_l, cat, month_l, None, END, n_history=1),
                           max(3, runs // 2))
        cpu_l1 = CPU[-1][1]
        t_lp, p_l = timed(lambda: plain_pandas(bare, units_l, cat, obs_l, END), max(3, runs // 2))
        cpu_lp = CPU[-1][1]
        same = (b_l1.totals.set_index("unit_code").loc[p_l["unit_code"], "base_score"].round(2).to_numpy()
                - p_l["total"].to_numpy())
        print(f"   engine, this month only:                                              {t_l1 * 1000:7.1f} ms "
              f"(cpu {cpu_l1 * 1000:7.1f} ms)")
        print(f"   plain pandas, this month only:                                        {t_lp * 1000:7.1f} ms "
              f"(cpu {cpu_lp * 1000:7.1f} ms)   ratio plain/engine = {t_lp / t_l1:4.1f}x wall, "
              f"{cpu_lp / cpu_l1:4.1f}x cpu (totals agree: "
              f"{'yes' if np.abs(same).max() < 0.011 else 'NO'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
