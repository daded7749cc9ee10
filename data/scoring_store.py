"""All SQL of the scoring engine: the observations it scores, adjustments, publications,
frozen published results. Every value is a bound parameter; writes are audited."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json

import numpy as np
import pandas as pd

from kaohe.base import clock
from kaohe.base import months as mo
from kaohe.data.schema import LATEST
from kaohe.data.warehouse import PublishedMonthError, Refusal, Warehouse, _audit, _next_id, input_seq, tick

ADJ_COLUMNS = ("adj_id, unit_code, month, kind, points, reason, evidence, actor, created_at, "
               "revoked_at, revoked_by, revoke_reason")
RESULT_COLUMNS = ["unit_code", "name_zh", "peer_group", "base_score", "bonus", "deduction", "total", "veto",
                  "veto_reason", "grade", "rank", "n_in_group", "detail"]


def _now() -> _dt.datetime:
    return clock.utcnow()  # stored in UTC; shown in local time by kaohe.clock.local


def ready(wh: Warehouse) -> None:
    """Bring an older warehouse up to the scoring tables; a read when it is already there."""
    with wh.connect() as con:
        current = _version(con)
    if current < LATEST:
        wh.migrate()


# -- reading what is scored ------------------------------------------------------------------------
def read_observations(wh: Warehouse, month_from: str, month_to: str) -> pd.DataFrame:
    """Current observations of a month range, only the columns scoring needs."""
    return wh.query(
        """SELECT unit_code, indicator_code, month, value, numerator, denominator, status
           FROM observations WHERE is_current AND month >= ? AND month <= ?""",
        [month_from, month_to])


def read_catalogue(wh: Warehouse) -> pd.DataFrame:
    return wh.query("SELECT * FROM indicators ORDER BY rowid")


UNIT_ORDER = "kind DESC, code"


_OBS_POSITIONS = """
    SELECT u.ui, i.ci,
           (CAST(substr(o.month, 1, 4) AS INTEGER) * 12 + CAST(substr(o.month, 6, 2) AS INTEGER) - 1)
               ::INTEGER AS mi,
           o.value, o.numerator, o.denominator,
           (CASE o.status WHEN 'ok' THEN 0 WHEN 'na' THEN 1 ELSE 2 END)::TINYINT AS st
    FROM {rows} o JOIN u ON u.code = o.unit_code JOIN i ON i.code = o.indicator_code"""


def _numbers(con, sql: str, params: list) -> pd.DataFrame:
    """A query of numbers only (positions, values) as a frame, through Arrow: columns of numbers come
    out in blocks, several times cheaper than row by row into pandas; NULL values become NaN."""
    rel = con.sql(sql, params=params)
    table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
    return table.to_pandas()


def read_inputs(wh: Warehouse, month_from: str, month_to: str) -> dict[str, pd.DataFrame]:
    """Units, catalogue, observations and adjustments in one connection (one file open), read in one
    transaction, so they are the inputs of one point of the input sequence: `as_of` (None before
    schema 6; see data.warehouse.tick).

    Observations come as integer positions, which is what the engine needs and
    is several times cheaper to fetch than strings: ui (row of `units` in the
    order returned), ci (row of `catalogue`), mi (months since year 0), st
    (0 ok, 1 not applicable, 2 missing). An older warehouse is migrated first.
    """
    with wh.connect() as con:
        if _version(con) < LATEST:
            wh.migrate()
        con.execute("BEGIN TRANSACTION")  # a snapshot: a write landing meanwhile is not half read
        try:
            as_of = input_seq(con)
            units = con.execute(f"SELECT * FROM units ORDER BY {UNIT_ORDER}").df()
            cat = con.execute("SELECT * FROM indicators ORDER BY rowid").df()
            obs = _numbers(con,
                f"""WITH u AS (SELECT code, (row_number() OVER (ORDER BY {UNIT_ORDER}) - 1)::INTEGER AS ui
                               FROM units),
                         i AS (SELECT code, (row_number() OVER (ORDER BY rowid) - 1)::INTEGER AS ci
                               FROM indicators)
                    {_OBS_POSITIONS.format(rows="observations")}
                    WHERE o.is_current AND o.month >= ? AND o.month <= ?""",
                [month_from, month_to])
            adj = _adjustments(con, month_from, month_to)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    return {"units": units, "catalogue": cat, "observations": obs, "adjustments": adj, "as_of": as_of}


def read_inputs_as_of(wh: Warehouse, month_from: str, month_to: str, as_of: int, units: pd.DataFrame,
                      catalogue: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The inputs of a build as they were at point `as_of` of the input sequence, with the units and
    the catalogue it read then (kept with its publication): the observations current then (the
    latest revision of a batch committed then and not yet rolled back), the adjustments added by
    then, revoked only if revoked by then. The same layout as read_inputs."""
    ready(wh)
    with wh.connect() as con:
        con.register("snap_u", pd.DataFrame({"code": units["code"].astype(object),
                                             "ui": np.arange(len(units), dtype=np.int32)}))
        con.register("snap_i", pd.DataFrame({"code": catalogue["code"].astype(object),
                                             "ci": np.arange(len(catalogue), dtype=np.int32)}))
        try:
            obs = _numbers(con,
                f"""WITH u AS (SELECT code, ui FROM snap_u), i AS (SELECT code, ci FROM snap_i),
                         b AS (SELECT batch_id FROM batches
                               WHERE created_seq <= ? AND (rolled_back_seq IS NULL OR rolled_back_seq > ?)),
                         then_rows AS (
                             SELECT o.* FROM observations o SEMI JOIN b ON b.batch_id = o.batch_id
                             WHERE o.month >= ? AND o.month <= ?
                             QUALIFY o.revision = max(o.revision)
                                 OVER (PARTITION BY o.unit_code, o.indicator_code, o.month))
                    {_OBS_POSITIONS.format(rows="then_rows")}""",
                [as_of, as_of, month_from, month_to])
            cols = ", ".join(c for c in ADJ_COLUMNS.split(", ") if c not in ("revoked_at", "revoked_by",
                                                                               "revoke_reason"))
            adj = con.execute(
                f"""SELECT {cols},
                           CASE WHEN revoked_seq <= ? THEN revoked_at END AS revoked_at,
                           CASE WHEN revoked_seq <= ? THEN revoked_by END AS revoked_by,
                           CASE WHEN revoked_seq <= ? THEN revoke_reason END AS revoke_reason
                    FROM adjustments WHERE created_seq <= ? AND month >= ? AND month <= ? ORDER BY adj_id""",
                [as_of, as_of, as_of, as_of, month_from, month_to]).df()
        finally:
            con.unregister("snap_u")
            con.unregister("snap_i")
    return {"units": units, "catalogue": catalogue, "observations": obs, "adjustments": adj[ADJ_COLUMNS.split(", ")],
            "as_of": as_of}


# -- the units and catalogue a publication read, and the checksum of its inputs ----------------------
def frame_text(frame: pd.DataFrame) -> str:
    """A frame (units, catalogue) as JSON text that frame_from_text gives back: columns, dtypes, rows."""
    rows = frame.astype(object).where(frame.notna(), None).to_numpy().tolist()
    return json.dumps({"columns": list(frame.columns), "dtypes": [str(t) for t in frame.dtypes], "rows": rows},
                      ensure_ascii=False, default=str, sort_keys=True)


def frame_from_text(text: str) -> pd.DataFrame:
    d = json.loads(text)
    out = pd.DataFrame(d["rows"], columns=d["columns"])
    for col, dtype in zip(d["columns"], d["dtypes"], strict=True):
        if dtype.startswith(("int", "Int", "float", "bool", "uint")) and not out[col].isna().any():
            out[col] = out[col].astype(dtype)
        elif dtype.startswith("float"):
            out[col] = out[col].astype("float64")
    return out


def inputs_text(inputs: dict) -> str:
    """The units and the catalogue of a build's inputs as one JSON text (kept with a publication)."""
    return json.dumps({"units": frame_text(inputs["units"]), "catalogue": frame_text(inputs["catalogue"])},
                      ensure_ascii=False, sort_keys=True)


def inputs_from_text(text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    d = json.loads(text)
    return frame_from_text(d["units"]), frame_from_text(d["catalogue"])


def inputs_checksum(inputs: dict, text: str | None = None) -> str:
    """sha256 of a build's exact inputs: the units and catalogue (as `inputs_text` spells them), every
    observation it read (in a fixed order) and every adjustment (what it says, and whether it is
    revoked). Equal checksums: the same inputs, so the same figures."""
    h = hashlib.sha256()
    h.update((text if text is not None else inputs_text(inputs)).encode("utf-8"))
    obs = inputs["observations"]
    order = np.lexsort((obs["mi"].to_numpy(), obs["ci"].to_numpy(), obs["ui"].to_numpy()))
    for col, dtype in (("ui", "<i8"), ("ci", "<i8"), ("mi", "<i8"), ("st", "<i8"),
                       ("value", "<f8"), ("numerator", "<f8"), ("denominator", "<f8")):
        a = obs[col].to_numpy(dtype=dtype)[order]
        if dtype == "<f8":
            a = np.where(np.isnan(a), np.nan, a)  # one NaN, whatever its bits
        h.update(col.encode())
        h.update(np.ascontiguousarray(a).tobytes())
    adj = inputs["adjustments"]
    if adj is not None and not adj.empty:
        rows = sorted([int(i), str(u), str(m), str(k), float(p), str(r), None if _na(e) else str(e), not _na(x)]
                      for i, u, m, k, p, r, e, x in zip(adj["adj_id"], adj["unit_code"], adj["month"], adj["kind"],
                                                        adj["points"], adj["reason"], adj["evidence"],
                                                        adj["revoked_at"], strict=True))
        h.update(json.dumps(rows, ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def _na(v) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _version(con) -> int:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except Exception:  # noqa: BLE001 - no meta table: an empty file, version 0
        return 0
    return int(row[0]) if row else 0


def _has_table(con, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0])


def _adjustments(con, month_from, month_to) -> pd.DataFrame:
    return con.execute(
        f"SELECT {ADJ_COLUMNS} FROM adjustments WHERE month >= ? AND month <= ? ORDER BY adj_id",
        [month_from, month_to]).df()


# -- adjustments -----------------------------------------------------------------------------------
def add_adjustment(wh: Warehouse, unit_code: str, month: str, kind: str, points: float, reason: str,
                   evidence: str | None, actor: str, correction_reason: str | None = None) -> int:
    """Record an item. A month whose results are published is refused unless a correction reason is
    given (as imports are, `PublishedMonthError`); the reason goes into the audit log, where the next
    publication of that month finds it."""
    with wh.transaction() as con:
        if not con.execute("SELECT count(*) FROM units WHERE code = ?", [unit_code]).fetchone()[0]:
            raise KeyError(unit_code)
        # checked under the write lock, so a publication cannot slip in between check and write
        published = published_covering(con, month)
        if published and not correction_reason:
            raise PublishedMonthError([month])
        adj_id = _next_id(con, "adjustments", "adj_id")
        con.execute(
            """INSERT INTO adjustments (adj_id, unit_code, month, kind, points, reason, evidence, actor,
                   created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [adj_id, unit_code, month, kind, float(points), reason, evidence, actor, _now()])
        seq = tick(con)
        if seq is not None:
            con.execute("UPDATE adjustments SET created_seq = ? WHERE adj_id = ?", [seq, adj_id])
        detail = {"adj_id": adj_id, "month": month, "points": points, "reason": reason, "evidence": evidence}
        if published:
            detail.update(correction_reason=correction_reason, published=published)
        _audit(con, actor, f"adjustment.{kind}", unit_code, None, detail)
    return adj_id


def published_covering(con, month: str) -> list[str]:
    """Publications whose period holds `month`, as 'period month' labels (a quarter, year or
    year-to-date publication freezes every month it covers, not only its last one)."""
    if not _has_table(con, "publications"):
        return []
    # the same rule as the import's check (data.warehouse.published_months): kaohe.months.period_months
    rows = con.execute("SELECT DISTINCT period, month FROM publications ORDER BY month, period").fetchall()
    return [f"{p} {m}" for p, m in rows if month in mo.period_months(p, m)]


def list_adjustments(wh: Warehouse, month: str | None = None, unit: str | None = None,
                     include_revoked: bool = True) -> pd.DataFrame:
    """Items with, last, the correction reason of one entered into a published month (from the
    audit log, where add_adjustment records it; the adjustments table has no column for it)."""
    return wh.query(
        f"""SELECT {", ".join("a." + c for c in ADJ_COLUMNS.split(", "))}, c.correction_reason
            FROM adjustments a LEFT JOIN (
                SELECT CAST(json_extract(detail, '$.adj_id') AS BIGINT) AS adj_id,
                       json_extract_string(detail, '$.correction_reason') AS correction_reason
                FROM audit_log WHERE action IN ('adjustment.bonus', 'adjustment.deduction', 'adjustment.veto')
            ) c ON c.adj_id = a.adj_id
            WHERE (? IS NULL OR a.month = ?) AND (? IS NULL OR a.unit_code = ?)
              AND (? OR a.revoked_at IS NULL)
            ORDER BY a.month, a.unit_code, a.adj_id""",
        [month, month, unit, unit, include_revoked])


def get_adjustment(wh: Warehouse, adj_id: int) -> dict | None:
    df = wh.query(f"SELECT {ADJ_COLUMNS} FROM adjustments WHERE adj_id = ?", [adj_id])
    return None if df.empty else df.iloc[0].to_dict()


def revoke_adjustment(wh: Warehouse, adj_id: int, actor: str, reason: str) -> None:
    """Revoke an item (kept on record). The revoke reason is required, so in a published month it is
    also the correction reason the next publication lists."""
    with wh.transaction() as con:
        row = con.execute("SELECT revoked_at, unit_code, month FROM adjustments WHERE adj_id = ?",
                          [adj_id]).fetchone()
        if row is None:
            raise KeyError(adj_id)
        if row[0] is not None:
            raise ValueError(f"adjustment {adj_id} already revoked")
        con.execute("UPDATE adjustments SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE adj_id = ?",
                    [_now(), actor, reason, adj_id])
        seq = tick(con)
        if seq is not None:  # kept on record: a build as of before this point still counts the item
            con.execute("UPDATE adjustments SET revoked_seq = ? WHERE adj_id = ?", [seq, adj_id])
        detail = {"adj_id": adj_id, "month": row[2], "reason": reason}
        published = published_covering(con, row[2])
        if published:
            detail.update(correction_reason=reason, published=published)
        _audit(con, actor, "adjustment.revoke", row[1], None, detail)


# -- publications -----------------------------------------------------------------------------------
def publications(wh: Warehouse, month: str | None = None, period: str = "month") -> pd.DataFrame:
    return wh.query(
        """SELECT month, period, revision, scheme_id, scheme_version, actor, reason, published_at,
                  data_checksum, scheme_fingerprint, scheme_year
           FROM publications WHERE (? IS NULL OR month = ?) AND period = ?
           ORDER BY month, revision""",
        [month, month, period])


class PublishConflict(Refusal, RuntimeError):
    """Another publication of the same (month, period) landed between the check and the write."""

    def __init__(self, expected: int, found: int):
        super().__init__(f"revision {found} exists, {expected} expected")
        self.expected, self.found = expected, found


def latest_revision(con, month: str, period: str) -> int:
    return int(con.execute("SELECT coalesce(max(revision), 0) FROM publications WHERE month = ? AND period = ?",
                           [month, period]).fetchone()[0])


def publish(wh: Warehouse, month: str, period: str, results: pd.DataFrame, *, scheme_id: str,
            scheme_version: str, steps: list[dict], actor: str, reason: str | None,
            data_checksum: str | None, expected_latest: int | None = None,
            scheme_fingerprint: str | None = None, scheme_year: str | None = None,
            checksum_from: str | None = None, as_of: int | None = None, inputs_checksum: str | None = None,
            inputs: str | None = None, notes: str | None = None,
            open_appeals: tuple[list[str], int] | None = None) -> int:
    """Freeze results as the next revision of (month, period). Revision 1 is the first publication.

    The latest revision is read inside the write transaction: when `expected_latest` (the revision
    the caller checked its results and reason against; 0 = none) is no longer the latest, nothing
    is written and PublishConflict is raised, so two publishers can never both make a revision.
    `as_of` is the point of the input sequence the results were built from (read_inputs): when any
    input was written since, the results are not frozen either (PublishConflict: build again).
    `notes` (JSON text: the appeals that changed the figures, an override of the appeals gate) is kept
    with the revision; the open 公示 of (month, period), if any, is closed in the same transaction.
    `open_appeals` (months, n): the open appeals of those months the caller's gate counted; when another
    was filed or decided meanwhile, PublishConflict (check the gate again)."""
    frame = results.reindex(columns=RESULT_COLUMNS).copy()
    with wh.transaction() as con:
        latest = latest_revision(con, month, period)
        if expected_latest is not None and latest != expected_latest:
            raise PublishConflict(expected_latest, latest)
        if data_checksum is not None and checksum_from is not None:
            # the data the results were built from must still be the data: an import that landed
            # between the build and this transaction would be frozen under the wrong figures
            now_sum = checksum_in(con, checksum_from, month)
            if now_sum != data_checksum:
                raise PublishConflict(latest, latest)
        if as_of is not None and input_seq(con) != as_of:
            raise PublishConflict(latest, latest)
        if open_appeals is not None and _has_table(con, "appeals"):
            from kaohe.data import appeals as appeals_store

            if appeals_store.open_count_in(con, open_appeals[0]) != open_appeals[1]:
                raise PublishConflict(latest, latest)
        rev = latest + 1
        con.execute(
            """INSERT INTO publications (month, period, revision, scheme_id, scheme_version, actor, reason,
                   published_at, steps, data_checksum, scheme_fingerprint, scheme_year)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [month, period, rev, scheme_id, scheme_version, actor, reason, _now(),
             json.dumps(steps, ensure_ascii=False, default=str), data_checksum, scheme_fingerprint, scheme_year])
        if as_of is not None:
            con.execute("UPDATE publications SET as_of_seq = ?, inputs_checksum = ?, inputs = ? "
                        "WHERE month = ? AND period = ? AND revision = ?",
                        [as_of, inputs_checksum, inputs, month, period, rev])
        if notes is not None:
            con.execute("UPDATE publications SET notes = ? WHERE month = ? AND period = ? AND revision = ?",
                        [notes, month, period, rev])
        if _has_table(con, "publicity"):
            from kaohe.data import appeals as appeals_store

            appeals_store.close_publicity_in(con, month, period, actor)
        frame.insert(0, "revision", rev)
        frame.insert(0, "period", period)
        frame.insert(0, "month", month)
        con.register("incoming_results", frame)
        con.execute(
            "INSERT INTO published_results (month, period, revision, " + ", ".join(RESULT_COLUMNS) + ") "
            "SELECT month, period, revision, " + ", ".join(RESULT_COLUMNS) + " FROM incoming_results")
        _audit(con, actor, "scoring.publish" if rev == 1 else "scoring.revise", f"{period} {month}", None,
               {"revision": rev, "reason": reason, "scheme": f"{scheme_id} {scheme_version}",
                "scheme_fingerprint": scheme_fingerprint, "units": len(frame),
                **({"notes": json.loads(notes)} if notes else {})})
    return rev


def published_results(wh: Warehouse, month: str, period: str = "month",
                      revision: int | None = None) -> pd.DataFrame:
    """The frozen results of one revision (the latest when not given)."""
    return wh.query(
        """SELECT r.* FROM published_results r
           WHERE r.month = ? AND r.period = ?
             AND r.revision = coalesce(?, (SELECT max(revision) FROM publications
                                           WHERE month = ? AND period = ?))
           ORDER BY r.peer_group, r.rank, r.unit_code""",
        [month, period, revision, month, period])


def publication(wh: Warehouse, month: str, period: str, revision: int | None = None) -> dict | None:
    """One revision (the latest when not given) as stored: its steps (the log), as-of point,
    checksums and the units and catalogue it read (`inputs`, JSON); None when there is none."""
    ready(wh)
    df = wh.query(
        """SELECT month, period, revision, scheme_id, scheme_version, published_at, steps, data_checksum,
                  as_of_seq, inputs_checksum, inputs, scheme_fingerprint, notes
           FROM publications WHERE month = ? AND period = ?
             AND revision = coalesce(?, (SELECT max(revision) FROM publications WHERE month = ? AND period = ?))""",
        [month, period, revision, month, period])
    if df.empty:
        return None
    row = df.iloc[0].to_dict()
    row["steps"] = json.loads(row["steps"]) if isinstance(row["steps"], str) else []
    row["as_of_seq"] = None if pd.isna(row["as_of_seq"]) else int(row["as_of_seq"])
    for k in ("inputs_checksum", "inputs", "data_checksum"):
        row[k] = row[k] if isinstance(row[k], str) else None
    row["notes"] = json.loads(row["notes"]) if isinstance(row.get("notes"), str) else {}
    return row


def get_steps(wh: Warehouse, month: str, period: str, revision: int) -> list[dict]:
    df = wh.query("SELECT steps FROM publications WHERE month = ? AND period = ? AND revision = ?",
                  [month, period, revision])
    return [] if df.empty or df.iloc[0]["steps"] is None else json.loads(df.iloc[0]["steps"])


def corrections_since_publication(wh: Warehouse, period: str, month: str, months: list[str]) -> list[str]:
    """Correction reasons recorded (adjustments, imports) for `months` after the latest publication
    of (period, month), oldest first: the next revision's reason when none is given."""
    with wh.connect() as con:
        last = con.execute(
            "SELECT max(seq) FROM audit_log WHERE action IN ('scoring.publish', 'scoring.revise') AND target = ?",
            [f"{period} {month}"]).fetchone()[0]
        rows = con.execute(
            """SELECT action, detail FROM audit_log
               WHERE seq > ? AND (action LIKE 'adjustment.%' OR action LIKE 'batch.%') ORDER BY seq""",
            [last or 0]).fetchall()
    wanted = set(months)
    out: list[str] = []
    for action, detail in rows:
        d = json.loads(detail) if detail else {}
        if action.startswith("adjustment."):
            hit, why = d.get("month") in wanted, d.get("correction_reason")
        else:  # an import names the months it wrote
            hit, why = bool(wanted & set(d.get("months") or [])), d.get("reason")
        if hit and why and why not in out:
            out.append(str(why))
    return out


def data_checksum(wh: Warehouse, month_from: str, month_to: str) -> str:
    """An order-independent hash of the current observations and adjustments a build read."""
    with wh.connect() as con:
        return checksum_in(con, month_from, month_to)


def checksum_in(con, month_from: str, month_to: str) -> str:
    """data_checksum on an open connection (inside a write transaction)."""
    if True:
        obs = con.execute(
            """SELECT count(*), coalesce(bit_xor(hash(unit_code, indicator_code, month, value, numerator,
                   denominator, status)), 0)::VARCHAR
               FROM observations WHERE is_current AND month >= ? AND month <= ?""",
            [month_from, month_to]).fetchone()
        adj = con.execute(
            """SELECT count(*), coalesce(bit_xor(hash(adj_id, revoked_at)), 0)::VARCHAR
               FROM adjustments WHERE month >= ? AND month <= ?""",
            [month_from, month_to]).fetchone() if _has_table(con, "adjustments") else (0, "0")
    return f"{obs[0]}:{obs[1]}/{adj[0]}:{adj[1]}"
