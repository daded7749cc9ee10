"""All SQL of 公示 (publicity) and 申诉 (appeals): bound parameters only, every write audited and
given its point of the input sequence (data.warehouse.tick), so the dashboard's caches see it.

The rules (who may, when, what is refused) are metrics/appeals.py's; this module only stores.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd

from kaohe.base import clock
from kaohe.data.warehouse import Warehouse, _audit, _next_id, tick

PUBLICITY_COLUMNS = "id, month, period, opened_at, opened_by, deadline, channel, closed_at, closed_by, note"
APPEAL_COLUMNS = ("id, publicity_id, month, period, unit_code, indicator_code, item, reason, evidence_name, "
                  "evidence_mime, evidence_sha256, octet_length(evidence) AS evidence_size, filed_at, filed_by, status, "
                  "decision, decided_at, decided_by, adj_id")
STATUSES = ("open", "accepted", "rejected", "withdrawn")


def _now() -> _dt.datetime:
    return clock.utcnow()


# -- publicity --------------------------------------------------------------------------------------------
def open_publicity(wh: Warehouse, month: str, period: str, deadline: _dt.date, channel: str | None,
                   note: str | None, actor: str) -> int | None:
    """Open 公示 for (month, period); None (nothing written) when one is already open for it."""
    with wh.transaction() as con:
        if open_publicity_in(con, month, period) is not None:
            return None
        pid = _next_id(con, "publicity", "id")
        con.execute(f"INSERT INTO publicity ({PUBLICITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
                    [pid, month, period, _now(), actor, deadline, channel, note])
        tick(con)
        _audit(con, actor, "publicity.open", f"{period} {month}", None,
               {"publicity_id": pid, "month": month, "period": period, "deadline": deadline.isoformat(),
                "channel": channel, "note": note})
    return pid


def open_publicity_in(con, month: str, period: str) -> int | None:
    row = con.execute("SELECT id FROM publicity WHERE month = ? AND period = ? AND closed_at IS NULL "
                      "ORDER BY id DESC LIMIT 1", [month, period]).fetchone()
    return None if row is None else int(row[0])


def close_publicity_in(con, month: str, period: str, actor: str, note: str | None = None) -> int | None:
    """Close the open 公示 of (month, period) inside the caller's transaction (a publication's), audited;
    None when none is open."""
    pid = open_publicity_in(con, month, period)
    if pid is None:
        return None
    con.execute("UPDATE publicity SET closed_at = ?, closed_by = ?, note = coalesce(?, note) WHERE id = ?",
                [_now(), actor, note, pid])
    _audit(con, actor, "publicity.close", f"{period} {month}", None, {"publicity_id": pid, "note": note})
    return pid


def publicity(wh: Warehouse, month: str | None = None, period: str | None = None,
              open_only: bool = False) -> pd.DataFrame:
    """Publicity rows, newest first."""
    return wh.query(
        f"""SELECT {PUBLICITY_COLUMNS} FROM publicity
            WHERE (? IS NULL OR month = ?) AND (? IS NULL OR period = ?) AND (NOT ? OR closed_at IS NULL)
            ORDER BY id DESC""",
        [month, month, period, period, open_only])


def current_publicity(wh: Warehouse, month: str, period: str = "month") -> dict | None:
    df = publicity(wh, month, period, open_only=True)
    return None if df.empty else df.iloc[0].to_dict()


# -- appeals ----------------------------------------------------------------------------------------------
def file_appeal(wh: Warehouse, *, publicity_id: int, month: str, period: str, unit_code: str,
                indicator_code: str | None, item: str | None, reason: str, evidence: bytes | None,
                evidence_name: str | None, evidence_mime: str | None, evidence_sha256: str | None,
                actor: str) -> int | None:
    """Store an appeal; None (nothing written) when that 公示 was closed meanwhile (checked under the
    write lock, so a publication cannot slip in between)."""
    with wh.transaction() as con:
        row = con.execute("SELECT closed_at FROM publicity WHERE id = ?", [publicity_id]).fetchone()
        if row is None or row[0] is not None:
            return None
        aid = _next_id(con, "appeals", "id")
        con.execute(
            """INSERT INTO appeals (id, publicity_id, month, period, unit_code, indicator_code, item, reason,
                   evidence_name, evidence_mime, evidence, evidence_sha256, filed_at, filed_by, status)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')""",
            [aid, publicity_id, month, period, unit_code, indicator_code, item, reason, evidence_name,
             evidence_mime, evidence, evidence_sha256, _now(), actor])
        tick(con)
        _audit(con, actor, "appeal.file", unit_code, evidence_sha256,
               {"appeal_id": aid, "month": month, "period": period, "indicator_code": indicator_code,
                "item": item, "reason": reason, "evidence_name": evidence_name,
                "evidence_size": None if evidence is None else len(evidence)})
    return aid


def set_status(wh: Warehouse, appeal_id: int, status: str, decision: str | None, actor: str,
               adj_id: int | None = None, points: float | None = None, kind: str | None = None) -> bool:
    """Move an open appeal to accepted/rejected/withdrawn; False (nothing written) when it is no longer
    open (decided or withdrawn meanwhile)."""
    assert status in STATUSES[1:]
    with wh.transaction() as con:
        row = con.execute("SELECT status, unit_code, month FROM appeals WHERE id = ?", [appeal_id]).fetchone()
        if row is None or row[0] != "open":
            return False
        con.execute("UPDATE appeals SET status = ?, decision = ?, decided_at = ?, decided_by = ?, adj_id = ? "
                    "WHERE id = ?", [status, decision, _now(), actor, adj_id, appeal_id])
        tick(con)
        action = "appeal.withdraw" if status == "withdrawn" else f"appeal.{status}"
        _audit(con, actor, action, row[1], None,
               {"appeal_id": appeal_id, "month": row[2], "decision": decision, "adj_id": adj_id,
                "points": points, "kind": kind})
    return True


def appeals(wh: Warehouse, *, unit_code: str | None = None, status: str | None = None,
            month: str | None = None) -> pd.DataFrame:
    """Appeals (without the evidence bytes; evidence_size says how large), oldest first."""
    return wh.query(
        f"""SELECT {APPEAL_COLUMNS} FROM appeals
            WHERE (? IS NULL OR unit_code = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR month = ?)
            ORDER BY id""",
        [unit_code, unit_code, status, status, month, month])


def appeal(wh: Warehouse, appeal_id: int) -> dict | None:
    df = wh.query(f"SELECT {APPEAL_COLUMNS} FROM appeals WHERE id = ?", [int(appeal_id)])
    return None if df.empty else df.iloc[0].to_dict()


def evidence(wh: Warehouse, appeal_id: int) -> tuple[str | None, str | None, bytes | None]:
    """(name, mime type, bytes) of an appeal's evidence."""
    with wh.connect() as con:
        row = con.execute("SELECT evidence_name, evidence_mime, evidence FROM appeals WHERE id = ?",
                          [int(appeal_id)]).fetchone()
    if row is None:
        return None, None, None
    return row[0], row[1], (bytes(row[2]) if row[2] is not None else None)


def open_count_in(con, months: list[str]) -> int:
    """Open appeals of any of `months` (inside a transaction or on a connection)."""
    if not months:
        return 0
    marks = ", ".join("?" for _ in months)
    return int(con.execute(f"SELECT count(*) FROM appeals WHERE status = 'open' AND month IN ({marks})",
                           list(months)).fetchone()[0])


def changed_figures(wh: Warehouse, months: list[str]) -> pd.DataFrame:
    """The accepted appeals of `months` that made an adjustment still in force: id, unit_code, month,
    decision, adj_id, kind, points."""
    if not months:
        return pd.DataFrame(columns=["id", "unit_code", "month", "decision", "adj_id", "kind", "points"])
    marks = ", ".join("?" for _ in months)
    return wh.query(
        f"""SELECT a.id, a.unit_code, a.month, a.decision, a.adj_id, j.kind, j.points
            FROM appeals a JOIN adjustments j ON j.adj_id = a.adj_id
            WHERE a.status = 'accepted' AND j.revoked_at IS NULL AND a.month IN ({marks})
            ORDER BY a.id""", list(months))
