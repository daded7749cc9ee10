"""Bring a warehouse file to a usable state: migrate, load the catalogue, load the sample district."""

from __future__ import annotations

from dataclasses import dataclass, field

from data import catalogue, sample
from data.warehouse import Warehouse

SYSTEM_ACTOR = "system"


@dataclass
class SetupReport:
    migrated: tuple[int, int]
    loaded: list[str] = field(default_factory=list)


def ensure_ready(wh: Warehouse, *, with_sample: bool = True, end: str | None = None,
                 n_months: int = sample.DEFAULT_MONTHS, seed: int = sample.DEFAULT_SEED) -> SetupReport:
    """Idempotent: a warehouse that already holds data is only migrated."""
    report = SetupReport(migrated=wh.migrate())
    counts = wh.query(
        "SELECT (SELECT count(*) FROM indicators) AS i, (SELECT count(*) FROM units) AS u, "
        "(SELECT count(*) FROM observations) AS o").iloc[0]
    if counts["i"] == 0:
        wh.upsert_indicators(catalogue.read_indicators(), actor=SYSTEM_ACTOR)
        report.loaded.append("indicators")
    if with_sample and counts["u"] == 0:
        wh.upsert_units(catalogue.read_units(), actor=SYSTEM_ACTOR)
        report.loaded.append("units")
    if with_sample and counts["o"] == 0:
        obs = sample.generate(wh.units(), wh.indicators(), end=end, n_months=n_months, seed=seed)
        wh.write_observations(obs, actor=SYSTEM_ACTOR, kind="sample",
                              source_name=f"sample district (seed {seed})")
        report.loaded.append("observations")
    return report
