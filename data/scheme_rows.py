"""The rows of table `schemes` (schema 8) as written: one insert, the supersede of a year's active version,
and the shipped schemes stored as active. It imports nothing of kaohe.data, so that migration 8
(kaohe.data.schema) can run it inside its transaction; kaohe.data.schemes is the API everyone else uses.
Every statement binds its values.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kaohe.base import access, clock

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "metrics" / "schemes"
SYSTEM_ACTOR = "system"


def _now():
    return clock.utcnow()  # stored naive UTC, as kaohe.data.warehouse stores every timestamp


def tick(con) -> None:
    """The input sequence raised (as kaohe.data.warehouse.tick): the scheme a build reads is an input."""
    con.execute("UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::VARCHAR WHERE key = 'input_seq'")


def _audit(con, actor: str, action: str, target: str, detail: dict) -> None:
    """An audit entry (as kaohe.data.warehouse._audit writes one): the actor recorded as its login."""
    actor = access.login(actor)
    seq = int(con.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit_log").fetchone()[0])
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                [seq, _now(), actor, action, target, None, json.dumps(detail, ensure_ascii=False, default=str)])


def target(year: str, version: str) -> str:
    """An audit entry's target for a scheme version: '2026:2026.1'."""
    return f"{year}:{version}"


def fingerprint(data: dict) -> str:
    """sha256 (hex) of a scheme's content as canonical JSON (the same as kaohe.metrics.scheme.fingerprint)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def put_con(con, year: str, version: str, data: dict, *, actor: str, status: str = "draft",
            source_name: str | None = None, note: str | None = None) -> None:
    assert status in ("draft", "active")
    actor = access.login(actor)  # the name stored with the version, never a Principal
    year, version = str(year), str(version)
    now = _now()
    tick(con)  # the scheme a build reads is part of what it reads
    before = _supersede(con, year, actor, now) if status == "active" else None
    fp = fingerprint(data)
    con.execute(
        "INSERT INTO schemes (year, version, status, data, fingerprint, source_name, note, created_at, created_by, "
        "activated_at, activated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [year, version, status, json.dumps(data, ensure_ascii=False, sort_keys=True), fp, source_name, note,
         now, actor, now if status == "active" else None, actor if status == "active" else None])
    # what: the version, its file and content fingerprint; before/after: the year's active version
    detail = {"version": version, "source": source_name, "note": note, "fingerprint": fp}
    if status == "active":
        detail.update(before=before, after=version)
    _audit(con, actor, "scheme.put", target(year, version), {k: v for k, v in detail.items() if v is not None})


def _supersede(con, year: str, actor: str, now) -> str | None:
    rec = con.execute("SELECT version FROM schemes WHERE year = ? AND status = 'active'", [year]).fetchone()
    if rec is None:
        return None
    con.execute("UPDATE schemes SET status = 'superseded' WHERE year = ? AND version = ?", [year, rec[0]])
    return rec[0]



# -- the shipped schemes ------------------------------------------------------------------------------
def shipped_years() -> list[str]:
    return sorted(p.stem.split("-", 1)[1] for p in SHIPPED_DIR.glob("default-*.json"))


def shipped(year: str) -> dict:
    return json.loads((SHIPPED_DIR / f"default-{year}.json").read_text(encoding="utf-8"))


def store_shipped_con(con, actor: str = SYSTEM_ACTOR) -> list[str]:
    """Store each shipped scheme as its year's active version, where that year has no version yet."""
    done = []
    for year in shipped_years():
        have = con.execute("SELECT count(*) FROM schemes WHERE year = ?", [year]).fetchone()[0]
        if have:
            continue
        data = shipped(year)
        put_con(con, year, str(data.get("version", f"{year}.1")), data, actor=actor, status="active",
                source_name=f"default-{year}.json")
        done.append(year)
    return done


def after_migration_8(con) -> None:
    """Migration 8's Python step: a warehouse that already holds units or observations was being scored
    with the shipped schemes, so they are stored as active (actor "system"). A new, empty one gets none."""
    n = con.execute("SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM observations)").fetchone()[0]
    if n:
        store_shipped_con(con, SYSTEM_ACTOR)
