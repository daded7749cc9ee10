"""Scoring schemes stored in the warehouse, per year and versioned (table `schemes`, schema 8): the one
owner of their SQL. Every statement binds its values.

A (year, version) is written once and never changed; its status moves draft -> active -> superseded.
At most one version of a year is active. Every write is audited (who, when, what, before and after) and
raises the input sequence (`tick`), so dashboard caches and publications see it.

The shipped schemes (kaohe/metrics/schemes/default-<year>.json) are only a source to copy from; a new
sample warehouse, and an older warehouse that was being scored with them, get them stored as active.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from kaohe.base import access
from kaohe.data.scheme_rows import (  # noqa: F401  (the write primitives, shared with migration 8)
    SHIPPED_DIR,
    SYSTEM_ACTOR,
    _supersede,
    fingerprint,
    put_con,
    shipped,
    shipped_years,
    store_shipped_con,
    target,
)
from kaohe.data.warehouse import Refusal, Warehouse, _audit, _now, tick

STATUSES = ("draft", "active", "superseded")


class VersionExists(Refusal, ValueError):
    """(year, version) is stored already: a version is written once and never changed."""


COLUMNS = ["year", "version", "status", "fingerprint", "source_name", "note", "created_at", "created_by",
           "activated_at", "activated_by"]


def _has_table(con) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schemes'").fetchone()[0])


def _row(rec) -> dict:
    row = dict(zip(["year", "version", "status", "data", *COLUMNS[3:]], rec, strict=True))
    row["data"] = json.loads(row["data"])
    return row


_SELECT = ("SELECT year, version, status, data, fingerprint, source_name, note, created_at, created_by, "
           "activated_at, activated_by FROM schemes")


# -- reading ------------------------------------------------------------------------------------------
def versions(wh: Warehouse) -> pd.DataFrame:
    """Every stored version (without its content), by year then when it was stored."""
    with wh.connect() as con:
        if not _has_table(con):
            return pd.DataFrame(columns=COLUMNS)
        return con.execute(f"SELECT {', '.join(COLUMNS)} FROM schemes ORDER BY year, created_at, version").df()


def get(wh: Warehouse, year: str, version: str) -> dict | None:
    """A stored version (its row, `data` the scheme as a dict), None when there is none."""
    with wh.connect() as con:
        return get_con(con, year, version)


def get_con(con, year: str, version: str) -> dict | None:
    if not _has_table(con):
        return None
    rec = con.execute(f"{_SELECT} WHERE year = ? AND version = ?", [str(year), str(version)]).fetchone()
    return _row(rec) if rec else None


def active(wh: Warehouse, year: str) -> dict | None:
    """The active version of a year (its row with `data`), None when the year has none."""
    with wh.connect() as con:
        if not _has_table(con):
            return None
        rec = con.execute(f"{_SELECT} WHERE year = ? AND status = 'active'", [str(year)]).fetchone()
        return _row(rec) if rec else None


def active_years(wh: Warehouse) -> list[str]:
    """The years that have an active version, in order."""
    with wh.connect() as con:
        if not _has_table(con):
            return []
        return [r[0] for r in con.execute(
            "SELECT year FROM schemes WHERE status = 'active' ORDER BY year").fetchall()]


def in_force(wh: Warehouse, year: str | None) -> dict | None:
    """In one query: the active version of `year`; else the active one of the latest earlier year; else
    (a year before every stored one) the earliest active year's; None when no year has one. `year`
    None: the latest active year's."""
    with wh.connect() as con:
        if not _has_table(con):
            return None
        rec = con.execute(
            f"""{_SELECT} WHERE status = 'active'
                ORDER BY CASE WHEN ? IS NULL THEN 0 WHEN year <= ? THEN 0 ELSE 1 END,
                         CASE WHEN ? IS NULL OR year <= ? THEN year END DESC NULLS LAST, year
                LIMIT 1""", [year, year, year, year]).fetchone()
        return _row(rec) if rec else None


# -- writing ------------------------------------------------------------------------------------------
def put(wh: Warehouse, year: str, version: str, data: dict, *, actor: str, status: str = "draft",
        source_name: str | None = None, note: str | None = None) -> None:
    """Store a new version; an active one supersedes the year's previous active version in the same
    transaction. VersionExists (nothing written) when (year, version) is stored already, as when another
    writer stored it between a caller's check and this write."""
    access.require(actor, "scheme")
    try:
        with wh.transaction() as con:
            if con.execute("SELECT count(*) FROM schemes WHERE year = ? AND version = ?",
                           [str(year), str(version)]).fetchone()[0]:
                raise VersionExists("scheme.version_exists", year=str(year), version=str(version))
            put_con(con, year, version, data, actor=actor, status=status, source_name=source_name, note=note)
    except duckdb.ConstraintException:
        raise VersionExists("scheme.version_exists", year=str(year), version=str(version)) from None


def activate(wh: Warehouse, year: str, version: str, *, actor: str) -> str | None:
    """Make a stored version the year's active one; the previous active becomes superseded. Returns the
    version that was active before (None). Nothing is written when it is active already."""
    access.require(actor, "scheme")
    year, version = str(year), str(version)
    with wh.transaction() as con:
        rec = con.execute("SELECT status FROM schemes WHERE year = ? AND version = ?", [year, version]).fetchone()
        if rec is None:
            raise KeyError(f"{year}:{version}")
        if rec[0] == "active":
            return version
        now = _now()
        tick(con)
        before = _supersede(con, year, actor, now)
        con.execute("UPDATE schemes SET status = 'active', activated_at = ?, activated_by = ? "
                    "WHERE year = ? AND version = ?", [now, access.login(actor), year, version])
        detail = {"version": version, "before": before, "after": version}
        _audit(con, actor, "scheme.activate", target(year, version), None,
               {k: v for k, v in detail.items() if v is not None})
        return before


# -- the shipped schemes ------------------------------------------------------------------------------
def store_shipped(wh: Warehouse, actor: str = SYSTEM_ACTOR) -> list[str]:
    access.require(actor, "scheme")
    with wh.transaction() as con:
        return store_shipped_con(con, actor)


