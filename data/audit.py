"""Reading the audit log: the entries a person filters on the audit page, and what the log alone
knows about batches (why one was rolled back). Every statement binds its values as parameters.

Which entries concern a month or a unit:
- a month: the entry's own `month` (adjustments, unit lineage), a publication's target
  ('month 2026-10'), or, for a batch entry (target 'batch 7'), a month the batch holds;
- a unit: an adjustment's target (the unit's code), either side of a lineage target ('S01->S13'),
  or a unit the batch holds values for.
"""

from __future__ import annotations

import pandas as pd

from kaohe.data.warehouse import Warehouse, published_months

AUDIT_COLUMNS = ["seq", "logged_at", "actor", "action", "target", "file_hash", "detail"]

_BATCH_REF = r"^batch (\d+)$"

_ENTRIES = f"""
    WITH a AS (
        SELECT *, TRY_CAST(regexp_extract(target, '{_BATCH_REF}', 1) AS BIGINT) AS batch_ref
        FROM audit_log)
    SELECT seq, logged_at, actor, action, target, file_hash, detail FROM a
    WHERE (? IS NULL OR a.actor = ?)
      AND (? IS NULL OR a.action = ?)
      AND (? IS NULL
           OR json_extract_string(a.detail, '$.month') = ?
           OR regexp_extract(a.target, '(\\d{{4}}-\\d{{2}})$', 1) = ?
           OR EXISTS (SELECT 1 FROM observations o WHERE o.batch_id = a.batch_ref AND o.month = ?))
      AND (? IS NULL
           OR (a.action NOT LIKE 'batch.%' AND list_contains(string_split(a.target, '->'), ?))
           OR EXISTS (SELECT 1 FROM observations o WHERE o.batch_id = a.batch_ref AND o.unit_code = ?))
    ORDER BY a.seq DESC
    LIMIT ?
"""
# the month and unit parameters appear once per alternative above; bound, never formatted in


def entries(wh: Warehouse, *, actor: str | None = None, action: str | None = None, month: str | None = None,
            unit: str | None = None, limit: int = 5000) -> pd.DataFrame:
    """Audit entries, newest first, filtered by who, what, which month and which unit (None: any)."""
    params = [actor, actor, action, action, month, month, month, month, unit, unit, unit, int(limit)]
    return wh.query(_ENTRIES, params)


def actors(wh: Warehouse) -> list[str]:
    """Everyone who appears in the log, for a filter."""
    return wh.query("SELECT DISTINCT actor FROM audit_log ORDER BY actor")["actor"].tolist()


def actions(wh: Warehouse) -> list[str]:
    """Every action that appears in the log, for a filter."""
    return wh.query("SELECT DISTINCT action FROM audit_log ORDER BY action")["action"].tolist()


def rollback_reasons(wh: Warehouse) -> dict[int, str | None]:
    """batch id -> the reason given when it was rolled back (the latest rollback entry of each batch)."""
    df = wh.query(
        f"""SELECT TRY_CAST(regexp_extract(target, '{_BATCH_REF}', 1) AS BIGINT) AS batch_id,
                   arg_max(json_extract_string(detail, '$.reason'), seq) AS reason
            FROM audit_log WHERE action = ? GROUP BY 1""", ["batch.rollback"])
    return {int(b): (None if pd.isna(r) else r) for b, r in zip(df["batch_id"], df["reason"], strict=True)
            if pd.notna(b)}


def batch_months(wh: Warehouse, batch_id: int) -> list[str]:
    """The months a batch holds values for (what a rollback would touch)."""
    return wh.query("SELECT DISTINCT month FROM observations WHERE batch_id = ? ORDER BY month",
                    [int(batch_id)])["month"].tolist()


def frozen_months(wh: Warehouse) -> set[str]:
    """Months frozen by a publication (the rule the warehouse applies to imports and rollbacks)."""
    with wh.connect() as con:
        return published_months(con)
