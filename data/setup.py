"""Bring a warehouse file to a usable state: migrate, load the catalogue, load the sample district."""

from __future__ import annotations

from dataclasses import dataclass, field

from kaohe.base import access
from kaohe.data import catalogue, sample, schemes
from kaohe.data.warehouse import Warehouse

SYSTEM_ACTOR = "system"


@dataclass
class SetupReport:
    migrated: tuple[int, int]
    loaded: list[str] = field(default_factory=list)


def ensure_ready(wh: Warehouse, *, with_sample: bool = True, new_only: bool = False, end: str | None = None,
                 n_months: int = sample.DEFAULT_MONTHS, seed: int = sample.DEFAULT_SEED,
                 actor: access.Principal | str = SYSTEM_ACTOR) -> SetupReport:
    """Idempotent: a warehouse that already holds data is only migrated. Loading the sample stores the
    shipped schemes as active; without the sample no scheme is stored (scoring refuses until one is
    imported or copied: kaohe.metrics.scheme_admin).

    The sample goes only where it can hurt nothing: a warehouse with no observations whose units are
    none or the sample's own (made-up figures never land on a real district's units). `new_only`: only
    into a file created just now (the dashboard's default), so that a warehouse set up with
    `kaohe init --no-sample` opens on its first screen instead of being filled. `actor`: who asks (the
    start page passes the signed-in person: loading the sample needs the right "settings"); the batch and
    the audit log record the system."""
    access.require(actor, "settings")
    report = SetupReport(migrated=wh.migrate())
    counts = wh.query(
        "SELECT (SELECT count(*) FROM indicators) AS i, (SELECT count(*) FROM units) AS u, "
        "(SELECT count(*) FROM observations) AS o").iloc[0]
    if with_sample and (counts["o"] > 0 or (new_only and report.migrated[0] != 0)
                        or (counts["u"] > 0 and set(wh.units()["code"]) != set(catalogue.read_units()["code"]))):
        with_sample = False
    indicators = catalogue.read_indicators() if counts["i"] == 0 else None
    units = catalogue.read_units() if with_sample and counts["u"] == 0 else None
    if with_sample:
        obs = sample.generate(units if units is not None else wh.units(),
                              indicators if indicators is not None else wh.indicators(),
                              end=end, n_months=n_months, seed=seed)
        # catalogue, units and observations land in one transaction, or none of them does
        wh.write_observations(obs, actor=SYSTEM_ACTOR, kind="sample", source_name=None,
                              source_detail=sample_record(len(units if units is not None else wh.units()), seed),
                              units=units, indicators=indicators)
        report.loaded += [w for w, f in (("indicators", indicators), ("units", units)) if f is not None]
        report.loaded.append("observations")
        # the sample district is scored with the shipped schemes: stored as the active ones of their years
        if schemes.store_shipped(wh, SYSTEM_ACTOR):
            report.loaded.append("schemes")
        return report
    if indicators is not None:
        wh.upsert_indicators(indicators, actor=SYSTEM_ACTOR)
        report.loaded.append("indicators")
    if units is not None:
        wh.upsert_units(units, actor=SYSTEM_ACTOR)
        report.loaded.append("units")
    return report


def sample_record(n_units: int, seed: int) -> dict:
    """What a sample batch stores about itself. Its name is not stored as text: batches.kind =
    'sample' is shown in the reader's words (示例数据 / sample data)."""
    return {"generator": "kaohe.data.sample", "units": int(n_units), "seed": int(seed)}
