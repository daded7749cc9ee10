"""The district's unit boundaries (GeoJSON geometries keyed by unit code): stored in a table of their own,
created here, replaced whole on each upload, every replacement in the audit log. Every statement binds its
values as parameters. The checks that decide what may be stored are kaohe.metrics.geo's."""

from __future__ import annotations

import json
from pathlib import Path

from kaohe.base import access
from kaohe.data.warehouse import Warehouse, _audit

SEED = Path(__file__).resolve().parent / "seed" / "boundaries.geojson"  # the sample district's (synthetic)

_CREATE = """
    CREATE TABLE IF NOT EXISTS unit_boundaries (
        unit_code VARCHAR PRIMARY KEY,
        geometry VARCHAR NOT NULL,
        source VARCHAR,
        stored_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL)
"""


def _ensure(con) -> None:
    con.execute(_CREATE)


def save(wh: Warehouse, geometries: dict[str, dict], *, actor: str, source: str | None = None,
         file_hash: str | None = None) -> int:
    """Replace the stored boundaries with `geometries` (unit code -> GeoJSON geometry, already checked),
    in one transaction with its audit entry. Returns how many were stored."""
    access.require(actor, "settings")
    from kaohe.base import clock

    now = clock.utcnow()
    with wh.transaction() as con:
        _ensure(con)
        before = con.execute("SELECT count(*) FROM unit_boundaries").fetchone()[0]
        con.execute("DELETE FROM unit_boundaries")
        for code, geom in sorted(geometries.items()):
            con.execute("INSERT INTO unit_boundaries VALUES (?, ?, ?, ?, ?)",
                        [code, json.dumps(geom, ensure_ascii=False), source, now, access.login(actor)])
        _audit(con, actor, "boundaries.replace", "boundaries", file_hash,
               {"units": sorted(geometries), "replaced": int(before), "source": source})
    return len(geometries)


def stored(wh: Warehouse) -> dict[str, dict]:
    """Unit code -> geometry of the stored boundaries ({} when none were uploaded)."""
    with wh.connect() as con:
        exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                             ["unit_boundaries"]).fetchone()[0]
        if not exists:
            return {}
        rows = con.execute("SELECT unit_code, geometry FROM unit_boundaries ORDER BY unit_code").fetchall()
    return {code: json.loads(geom) for code, geom in rows}


def seed() -> dict:
    """The sample district's synthetic boundaries as a FeatureCollection."""
    return json.loads(SEED.read_text(encoding="utf-8"))
