"""The warehouse: the DuckDB file, its connection, and the SQL for units, the
catalogue, observations, batches and the audit log.

Every statement binds its values as parameters; identifiers are never built
from input. A connection is opened per operation and closed after it, because
DuckDB locks the file per process: a dashboard that held the file open would
stop `kaohe import` from writing. Opening waits and retries while another
process holds the lock, and gives up with `WarehouseBusy` after a timeout.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kaohe.base import access, clock, i18n
from kaohe.base import months as mo
from kaohe.data import schema


class Refusal(i18n.Refusal):
    """A request refused before anything was written, as a message id and its parameters (kaohe.base.i18n):
    every refusal the warehouse, the scoring core or the import raises is one of these, so a command or a
    page can say it in its user's language (`text(lang)`, never a class name) and know nothing changed."""


OBS_COLUMNS = ["unit_code", "indicator_code", "month", "value", "numerator", "denominator", "status"]
# Observations are written in this order, so a table loaded month after month (or in one backfill, in any
# order) is clustered by month: a row group's min/max month statistics let a month's read skip the others.
STORAGE_ORDER = ("month", "unit_code", "indicator_code")


class WarehouseBusy(RuntimeError):
    """Another process holds the file lock for longer than we wait."""


class PublishedMonthError(Refusal, RuntimeError):
    """A write touches a month whose results are published, without a correction reason."""

    def __init__(self, months: list[str]):
        super().__init__("data.published_months", months=list(months))
        self.months = months


class DuplicateFileError(Refusal, RuntimeError):
    """The same file (same hash) is already in a committed batch; raised inside the write transaction."""

    def __init__(self, batch_id: int):
        super().__init__("data.duplicate_file", batch_id=batch_id)
        self.batch_id = batch_id


class SchemaTooNew(Refusal, RuntimeError):
    """The file was made by a newer release; it is left as it is."""

    def __init__(self, current: int, latest: int):
        super().__init__("data.schema_newer", current=current, latest=latest)
        self.current, self.latest = current, latest


class UnknownBatch(Refusal, KeyError):
    def __init__(self, batch_id: int):
        super().__init__("data.rollback.unknown", batch_id=batch_id)
        self.batch_id = batch_id


class BatchNotCommitted(Refusal, ValueError):
    def __init__(self, batch_id: int):
        super().__init__("data.rollback.not_committed", batch_id=batch_id)
        self.batch_id = batch_id


class RollbackPublishedError(PublishedMonthError):
    """A rollback touching a published month, without a reason."""

    def __init__(self, batch_id: int, months: list[str]):
        Refusal.__init__(self, "data.rollback.published", batch_id=batch_id, months=list(months))
        self.months, self.batch_id = months, batch_id


class RollbackNeedsReason(Refusal, RuntimeError):
    """A rollback of a batch holding more than one month of data, without a reason."""

    def __init__(self, batch_id: int, months: list[str]):
        super().__init__("data.rollback.need_reason", batch_id=batch_id, n=len(months), first=months[0],
                         last=months[-1])
        self.months, self.batch_id = months, batch_id


INDICATOR_COLUMNS = [
    "code", "name_zh", "name_en", "dimension_zh", "dimension_en", "applies_to", "unit",
    "direction", "kind", "ratio", "min", "max", "typical_low", "typical_high", "basis", "active",
    "source_system", "owner_office", "retired_from",  # schema 7 (data.catalogue_admin)
]
UNIT_COLUMNS = [
    "code", "name_zh", "name_en", "kind", "peer_group", "peer_group_zh", "peer_group_en",
    "population", "parent_code", "active_from", "active_to",
]


@dataclass(frozen=True)
class BatchResult:
    batch_id: int
    rows_written: int
    revised: int
    months: list[str]


# One open DuckDB connection per file per process, shared by threads through cursors:
# DuckDB allows a single read-write handle per file and process. [connection, users]
_SHARED: dict[str, list] = {}
_SHARED_LOCK = threading.Lock()
_WRITE_LOCKS: dict[str, threading.RLock] = {}


def _now() -> _dt.datetime:
    return clock.utcnow()  # stored in UTC; shown in local time by kaohe.clock.local


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used" in text


class Warehouse:
    """One DuckDB file. Safe to share between threads: each operation has its own connection."""

    def __init__(self, path: str | os.PathLike, *, lock_timeout: float = 30.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._build_memo: tuple | None = None  # (version(), build_version()) of the last call
        # Serialises writers to this file inside one process; DuckDB's file lock serialises processes.
        with _SHARED_LOCK:
            self._write_lock = _WRITE_LOCKS.setdefault(str(self.path.resolve()), threading.RLock())

    # -- connection -----------------------------------------------------------------
    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the process's shared connection to the file, opened on first use and
        closed when the last user is done, so that other processes can take the lock in between."""
        key = str(self.path.resolve())
        with _SHARED_LOCK:
            shared = _SHARED.get(key)
            if shared is None:
                shared = _SHARED[key] = [self._open(), 0]
            shared[1] += 1
            cursor = shared[0].cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with _SHARED_LOCK:
                shared[1] -= 1
                if shared[1] == 0:
                    shared[0].close()
                    del _SHARED[key]

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise
                if time.monotonic() > deadline:
                    raise WarehouseBusy(str(exc)) from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write transaction: all of it lands, or none of it does."""
        with self._write_lock, self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def query(self, sql: str, params: Iterable | None = None) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(sql, list(params or [])).df()

    def version(self) -> tuple:
        """Changes whenever the file is written: a cache key that needs no connection."""
        parts = []
        for p in (self.path, Path(str(self.path) + ".wal")):
            try:
                st = p.stat()
                parts.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                parts.append(None)
        return (str(self.path), *parts)

    def build_version(self) -> tuple:
        """Changes whenever something a score build reads changes: the input sequence (every import,
        unit, catalogue, scheme and adjustment write ticks it) and the publications; not when somebody
        signs in, a session is kept alive or an audit entry alone is written, which `version()` counts.
        The cache key of the builds, so signing in does not make every cached build be recomputed. The
        file is opened only when `version()` moved since the last call."""
        now = self.version()
        memo = self._build_memo
        if memo is not None and memo[0] == now:
            return memo[1]
        try:
            with self.connect() as con:
                seq = input_seq(con)
                pubs = con.execute("SELECT count(*) FROM publications").fetchone()[0] if seq is not None else None
        except duckdb.Error:  # no file yet, or one being created: the file's own version
            seq = pubs = None
        out = now if seq is None else (str(self.path), "inputs", seq, pubs)
        self._build_memo = (now, out)
        return out

    def exists(self) -> bool:
        return self.path.exists()

    # -- schema ---------------------------------------------------------------------
    def schema_version(self) -> int:
        with self.connect() as con:
            return _schema_version(con)

    def migrate(self, target: int | None = None) -> tuple[int, int]:
        """Apply every migration after the file's version (up to `target`). Returns (from, to)."""
        target = schema.LATEST if target is None else target
        if self.exists():  # nothing to do is a read: an up-to-date file is not written at all
            with self.connect() as con:
                current = _schema_version(con)
            if current > schema.LATEST:
                raise SchemaTooNew(current, schema.LATEST)
            if current >= target:
                return current, current
        with self.transaction() as con:
            current = _schema_version(con)
            if current > schema.LATEST:
                raise SchemaTooNew(current, schema.LATEST)
            for version, _title, statements in schema.MIGRATIONS:
                if current < version <= target:
                    for stmt in statements:
                        if callable(stmt):  # a Python step (data.schema), inside the same transaction
                            stmt(con)
                        else:
                            con.execute(stmt)
                    con.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)]
                    )
            return current, max(current, min(target, schema.LATEST))

    # -- catalogue and units ----------------------------------------------------------
    def upsert_indicators(self, frame: pd.DataFrame, *, actor: str) -> int:
        access.require(actor, "catalogue")
        with self.transaction() as con:
            return _replace_by_code(con, "indicators", frame, actor)

    def upsert_units(self, frame: pd.DataFrame, *, actor: str) -> int:
        access.require(actor, "units")
        with self.transaction() as con:
            return _replace_by_code(con, "units", frame, actor)

    def record_lineage(self, month: str, event: str, from_code: str | None, to_code: str | None,
                       note: str = "", *, actor: str) -> None:
        access.require(actor, "units")
        with self.transaction() as con:
            con.execute(
                "INSERT INTO unit_lineage VALUES (?, ?, ?, ?, ?)", [month, event, from_code, to_code, note]
            )
            _audit(con, actor, f"unit.{event}", f"{from_code}->{to_code}", None, {"month": month})

    def indicators(self, active_only: bool = True) -> pd.DataFrame:
        sql = "SELECT * FROM indicators"
        if active_only:
            sql += " WHERE active"
        return self.query(sql + " ORDER BY rowid")

    def units(self, kind: str | None = None) -> pd.DataFrame:
        if kind:
            return self.query("SELECT * FROM units WHERE kind = ? ORDER BY code", [kind])
        return self.query("SELECT * FROM units ORDER BY kind DESC, code")

    def lineage(self) -> pd.DataFrame:
        return self.query("SELECT * FROM unit_lineage ORDER BY month")

    # -- observations -----------------------------------------------------------------
    def write_observations(
        self,
        frame: pd.DataFrame,
        *,
        actor: str,
        kind: str = "import",
        source_name: str | None = None,
        file_hash: str | None = None,
        reason: str | None = None,
        report: dict | list | None = None,
        gx_result: dict | None = None,
        warnings_accepted: bool = False,
        unique_hash: bool = False,
        units: pd.DataFrame | None = None,
        indicators: pd.DataFrame | None = None,
        source_detail: dict | None = None,
    ) -> BatchResult:
        """Land a whole frame as one batch in one transaction.

        A value for a unit+indicator+month that exists already becomes a new
        revision; the old row is kept, no longer current. Months that are
        published are refused unless a correction `reason` is given.
        `units` and `indicators` (e.g. a generated sample's) are upserted in the same
        transaction, after every check: a refused batch registers no unit either.
        """
        access.require(actor, "import")
        if indicators is not None:
            access.require(actor, "catalogue")
        if units is not None:
            access.require(actor, "units")
        foreign = self.import_scope(frame, actor)
        if foreign is not None:
            raise foreign
        frame = frame.reindex(columns=OBS_COLUMNS).copy()
        for col in ("value", "numerator", "denominator"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        months = sorted(frame["month"].dropna().unique().tolist())
        with self.transaction() as con:
            if unique_hash and file_hash:  # checked under the write lock: two uploads of one file race
                dup = con.execute("SELECT batch_id FROM batches WHERE file_hash = ? AND status = 'committed' "
                                  "LIMIT 1", [file_hash]).fetchone()
                if dup:
                    raise DuplicateFileError(int(dup[0]))
            published = sorted(set(months) & published_months(con))
            if published and not reason:
                raise PublishedMonthError(published)
            # checks done: from here on everything lands together or not at all
            if indicators is not None:
                _replace_by_code(con, "indicators", indicators, actor)
            if units is not None:
                _replace_by_code(con, "units", units, actor)
            batch_id = _next_id(con, "batches", "batch_id")
            now = _now()
            seq = tick(con)  # the write's place in the sequence of inputs (None below schema 6)
            con.execute(
                """INSERT INTO batches (batch_id, created_at, actor, kind, source_name, file_hash,
                       rows_written, status, warnings_accepted, reason, report, gx_result)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'committed', ?, ?, ?, ?)""",
                [batch_id, now, access.login(actor), kind, source_name, file_hash, len(frame), warnings_accepted,
                 reason, _json(report), _json(gx_result)],
            )
            if source_detail is not None:  # a column of schema 4 (a file kept at an older schema has none)
                con.execute("UPDATE batches SET source_detail = ? WHERE batch_id = ?",
                            [_json(source_detail), batch_id])
            if seq is not None:
                con.execute("UPDATE batches SET created_seq = ? WHERE batch_id = ?", [seq, batch_id])
            con.register("incoming_obs", frame)
            revised = con.execute(
                """SELECT count(*) FROM incoming_obs i SEMI JOIN observations o
                   ON o.unit_code = i.unit_code AND o.indicator_code = i.indicator_code
                   AND o.month = i.month AND o.is_current""",
            ).fetchone()[0]
            # recorded_seq is a column of schema 6 (a file kept at an older schema has none)
            seq_col, seq_val = (", recorded_seq", ", ?") if seq is not None else ("", "")
            con.execute(
                f"""INSERT INTO observations (unit_code, indicator_code, month, value, numerator,
                       denominator, status, batch_id, revision, is_current, recorded_at{seq_col})
                   SELECT i.unit_code, i.indicator_code, i.month, i.value, i.numerator, i.denominator,
                          i.status, ?, coalesce(p.rev, 0) + 1, TRUE, ?{seq_val}
                   FROM incoming_obs i LEFT JOIN (
                       SELECT o.unit_code, o.indicator_code, o.month, max(o.revision) AS rev
                       FROM observations o SEMI JOIN incoming_obs k
                         ON o.unit_code = k.unit_code AND o.indicator_code = k.indicator_code
                         AND o.month = k.month
                       GROUP BY ALL) p
                   ON p.unit_code = i.unit_code AND p.indicator_code = i.indicator_code
                      AND p.month = i.month
                   ORDER BY i.month, i.unit_code, i.indicator_code""",  # stored clustered by month: STORAGE_ORDER
                [batch_id, now] + ([seq] if seq is not None else []),
            )
            if revised:
                con.execute("CREATE TEMP TABLE touched AS SELECT DISTINCT unit_code, indicator_code, month "
                            "FROM incoming_obs")
                _refresh_current(con, now, seq)
            _audit(con, actor, f"batch.{kind}", f"batch {batch_id}", file_hash,
                   {"source": source_name, "rows": len(frame), "revised": int(revised),
                    "months": months, "reason": reason, "warnings_accepted": warnings_accepted})
        return BatchResult(batch_id, len(frame), int(revised), months)

    def rollback_batch(self, batch_id: int, *, actor: str, reason: str | None = None) -> int:
        """Withdraw a whole batch: its rows stop being current and the previous revisions return.

        A batch holding more than one month of data, or touching a published month, is rolled
        back only with a reason (RollbackNeedsReason, RollbackPublishedError otherwise); the
        reason is kept with the batch (batches.rollback_reason) and in the audit log.
        Unknown batches raise UnknownBatch (a KeyError), rolled-back ones BatchNotCommitted
        (a ValueError); every refusal is checked before anything is written."""
        access.require(actor, "rollback")
        reason = (reason or "").strip() or None
        with self.transaction() as con:
            row = con.execute("SELECT status FROM batches WHERE batch_id = ?", [batch_id]).fetchone()
            if row is None:
                raise UnknownBatch(batch_id)
            if row[0] != "committed":
                raise BatchNotCommitted(batch_id)
            foreign = self._rollback_scope(con, batch_id, actor)
            if foreign is not None:
                raise foreign
            months = [r[0] for r in con.execute(
                "SELECT DISTINCT month FROM observations WHERE batch_id = ? ORDER BY month", [batch_id]).fetchall()]
            published = sorted(set(months) & published_months(con))
            if published and not reason:
                raise RollbackPublishedError(batch_id, published)
            if len(months) > 1 and not reason:
                raise RollbackNeedsReason(batch_id, months)
            now = _now()
            seq = tick(con)
            con.execute(
                "UPDATE batches SET status = 'rolled_back', rolled_back_at = ?, rolled_back_by = ?, "
                "rollback_reason = ? WHERE batch_id = ?", [now, access.login(actor), reason, batch_id])
            if seq is not None:  # the rows stay, marked: a build as of before this point still reads them
                con.execute("UPDATE batches SET rolled_back_seq = ? WHERE batch_id = ?", [seq, batch_id])
            con.execute("CREATE TEMP TABLE touched AS SELECT DISTINCT unit_code, indicator_code, month "
                        "FROM observations WHERE batch_id = ?", [batch_id])
            n = con.execute("SELECT count(*) FROM touched").fetchone()[0]
            _refresh_current(con, now, seq)
            _audit(con, actor, "batch.rollback", f"batch {batch_id}", None,
                   {"keys": int(n), "reason": reason, "months": months})
        return int(n)

    def import_scope(self, frame: pd.DataFrame, actor) -> access.Forbidden | None:
        """The refusal of an import by an evaluator of rows whose indicators are outside their scope
        (access.scope: each foreign indicator with its source, office and the file's rows), else None."""
        if actor is None or access.principal(actor).role == "admin" or frame is None or frame.empty:
            return None
        codes = frame["indicator_code"].dropna().astype(str)
        rows: dict[str, list[int]] = {c: [] for c in codes.unique()}
        if "row" in frame.columns:
            for code, row in zip(frame["indicator_code"], frame["row"], strict=True):
                if code is not None and code == code:
                    rows[str(code)].append(row)
        return access.scope_refusal(actor, rows, access.owners_of(self.indicators(active_only=False)))

    @staticmethod
    def _rollback_scope(con, batch_id: int, actor) -> access.Forbidden | None:
        """The refusal of a rollback by an evaluator of a batch holding indicators outside their scope
        (naming each, with its source and office), else None. An admin's scope is every indicator."""
        if access.principal(actor).role == "admin":
            return None
        codes = [r[0] for r in con.execute(
            "SELECT DISTINCT indicator_code FROM observations WHERE batch_id = ? ORDER BY 1", [batch_id]).fetchall()]
        catalogue = con.execute("SELECT * FROM indicators").df()
        return access.scope_refusal(actor, codes, access.owners_of(catalogue), key="access.scope.rollback",
                                    batch_id=int(batch_id))

    def observations(
        self,
        *,
        units: list[str] | None = None,
        indicators: list[str] | None = None,
        month_from: str | None = None,
        month_to: str | None = None,
        history: bool = False,
    ) -> pd.DataFrame:
        """Current observations (or every revision with `history`), filtered."""
        where, params = [], []
        if not history:
            where.append("o.is_current")
        if units:
            where.append("list_contains(?, o.unit_code)")
            params.append(list(units))
        if indicators:
            where.append("list_contains(?, o.indicator_code)")
            params.append(list(indicators))
        if month_from:
            where.append("o.month >= ?")
            params.append(month_from)
        if month_to:
            where.append("o.month <= ?")
            params.append(month_to)
        sql = ("SELECT o.unit_code, o.indicator_code, o.month, o.value, o.numerator, o.denominator, "
               "o.status, o.batch_id, o.revision, o.is_current, o.recorded_at FROM observations o")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY o.unit_code, o.indicator_code, o.month, o.revision"
        return self.query(sql, params)

    def months(self) -> list[str]:
        df = self.query("SELECT DISTINCT month FROM observations WHERE is_current ORDER BY month")
        return df["month"].tolist()

    def indicators_in_use(self) -> list[str]:
        """The indicators a district uses: reported at least once, or scored by a scheme in force. One of the
        default catalogue that a district with its own never took up is expected of nobody."""
        with self.connect() as con:
            codes = {r[0] for r in con.execute("SELECT DISTINCT indicator_code FROM observations").fetchall()}
            for (text,) in con.execute("SELECT data FROM schemes WHERE status = 'active'").fetchall():
                for section in (json.loads(text).get("kinds") or {}).values():
                    for dim in (section or {}).get("dimensions") or []:
                        codes.update(str(i.get("code")) for i in dim.get("indicators") or [])
        return sorted(codes)

    def completeness(self, *, kind: str | None = None, month_from: str | None = None,
                     month_to: str | None = None) -> pd.DataFrame:
        """Per unit and month: indicators expected (in use, applicable, not retired, not marked n/a),
        reported, share."""
        in_use = self.indicators_in_use()
        return self.query(
            """
            WITH u AS (
                SELECT code, kind, peer_group, active_from, active_to FROM units
                WHERE (? IS NULL OR kind = ?)),
            months AS (
                SELECT DISTINCT month FROM observations
                WHERE is_current AND (? IS NULL OR month >= ?) AND (? IS NULL OR month <= ?)),
            applicable AS (  -- a retired indicator is not expected from its retired_from month on
                SELECT u.code AS unit_code, m.month, count(*) AS n FROM u CROSS JOIN months m JOIN indicators i
                  ON i.active AND (i.applies_to = 'both' OR i.applies_to = u.kind)
                 AND (i.retired_from IS NULL OR i.retired_from = '' OR m.month < i.retired_from)
                 AND list_contains(?::VARCHAR[], i.code)
                GROUP BY ALL),
            reported AS (
                SELECT unit_code, month,
                       count(*) FILTER (WHERE status = 'ok') AS ok,
                       count(*) FILTER (WHERE status = 'na') AS na
                FROM observations o JOIN indicators i ON i.code = o.indicator_code AND i.active
                 AND (i.retired_from IS NULL OR i.retired_from = '' OR o.month < i.retired_from)
                WHERE is_current GROUP BY ALL)
            SELECT u.code AS unit_code, u.kind, u.peer_group, m.month,
                   a.n - coalesce(r.na, 0) AS expected, coalesce(r.ok, 0) AS reported,
                   coalesce(r.ok, 0) / nullif(a.n - coalesce(r.na, 0), 0) AS share
            FROM u CROSS JOIN months m
            JOIN applicable a ON a.unit_code = u.code AND a.month = m.month
            LEFT JOIN reported r ON r.unit_code = u.code AND r.month = m.month
            WHERE (u.active_from IS NULL OR u.active_from = '' OR m.month >= u.active_from)
              AND (u.active_to IS NULL OR u.active_to = '' OR m.month <= u.active_to)
            ORDER BY u.code, m.month
            """,
            [kind, kind, month_from, month_from, month_to, month_to, in_use],
        )

    def indicator_series(self, indicator: str, *, peer_group: str | None = None,
                         month_from: str | None = None, month_to: str | None = None) -> pd.DataFrame:
        """One indicator for every unit (of a peer group) over time, with names and groups."""
        return self.query(
            """
            SELECT o.unit_code, u.name_zh, u.name_en, u.peer_group, o.month,
                   o.value, o.numerator, o.denominator, o.status
            FROM observations o JOIN units u ON u.code = o.unit_code
            WHERE o.is_current AND o.indicator_code = ?
              AND (? IS NULL OR u.peer_group = ?)
              AND (? IS NULL OR o.month >= ?) AND (? IS NULL OR o.month <= ?)
            ORDER BY o.unit_code, o.month
            """,
            [indicator, peer_group, peer_group, month_from, month_from, month_to, month_to],
        )

    def info(self) -> dict:
        with self.connect() as con:
            one = lambda sql, p=None: con.execute(sql, p or []).fetchone()  # noqa: E731
            units = con.execute(
                "SELECT kind, count(*) FROM units GROUP BY kind ORDER BY kind").fetchall()
            groups = con.execute(
                "SELECT peer_group, any_value(peer_group_zh), any_value(peer_group_en), count(*) "
                "FROM units GROUP BY peer_group ORDER BY min(kind) DESC, min(code)").fetchall()
            n_ind, n_neutral = one(
                "SELECT count(*), count(*) FILTER (WHERE direction = 'neutral') FROM indicators WHERE active")
            first, last, n_months = one(
                "SELECT min(month), max(month), count(DISTINCT month) FROM observations WHERE is_current")
            rows_current, rows_all = one(
                "SELECT count(*) FILTER (WHERE is_current), count(*) FROM observations")
            by_status = dict(con.execute(
                "SELECT status, count(*) FROM observations WHERE is_current GROUP BY status").fetchall())
            n_batches = one("SELECT count(*) FROM batches WHERE status = 'committed'")[0]
            return {
                "path": str(self.path),
                "schema_version": _schema_version(con),
                "units": dict(units),
                "peer_groups": {g: n for g, _, _, n in groups},
                "peer_group_names": {g: {"zh": zh, "en": en} for g, zh, en, _ in groups},
                "indicators": n_ind,
                "neutral_indicators": n_neutral,
                "first_month": first,
                "last_month": last,
                "months": n_months,
                "rows_current": rows_current,
                "rows_all": rows_all,
                "rows_by_status": by_status,
                "batches": n_batches,
            }

    # -- batches and audit -------------------------------------------------------------
    def batches(self) -> pd.DataFrame:
        return self.query(
            """SELECT batch_id, created_at, actor, kind, source_name, file_hash, rows_written, status,
                      warnings_accepted, reason, rolled_back_at, rolled_back_by, rollback_reason, source_detail
               FROM batches ORDER BY batch_id DESC""")

    def batch(self, batch_id: int) -> dict | None:
        df = self.query("SELECT * FROM batches WHERE batch_id = ?", [batch_id])
        return None if df.empty else df.iloc[0].to_dict()

    def batch_by_hash(self, file_hash: str) -> dict | None:
        df = self.query(
            "SELECT * FROM batches WHERE file_hash = ? AND status = 'committed' ORDER BY batch_id DESC LIMIT 1",
            [file_hash])
        return None if df.empty else df.iloc[0].to_dict()

    def audit_log(self, limit: int = 500) -> pd.DataFrame:
        return self.query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?", [limit])

    def audit(self, actor: str, action: str, target: str | None = None,
              file_hash: str | None = None, detail: dict | None = None) -> None:
        with self.transaction() as con:
            _audit(con, actor, action, target, file_hash, detail)

    def checksum(self) -> tuple[int, str]:
        """Row count and an order-independent hash of every observation row: proves 'unchanged'."""
        with self.connect() as con:
            n, h = con.execute(
                """SELECT count(*), coalesce(bit_xor(hash(unit_code, indicator_code, month, value,
                       numerator, denominator, status, batch_id, revision, is_current)), 0)::VARCHAR
                   FROM observations""").fetchone()
            nb = con.execute("SELECT count(*) FROM batches").fetchone()[0]
        return int(n), f"{h}/{nb}"


# -- helpers used inside transactions ---------------------------------------------------
def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def tick(con: duckdb.DuckDBPyConnection) -> int | None:
    """The next point of the input sequence (meta 'input_seq', schema 6), taken inside the caller's
    write transaction: every write a build can read gets its own number, however close in time two
    writes land. None for a file at an older schema (it has no sequence yet)."""
    row = con.execute("UPDATE meta SET value = (CAST(value AS BIGINT) + 1)::VARCHAR WHERE key = 'input_seq' "
                      "RETURNING value").fetchone()
    return int(row[0]) if row else None


def input_seq(con: duckdb.DuckDBPyConnection) -> int | None:
    """The latest point of the input sequence (None before schema 6)."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'input_seq'").fetchone()
    except duckdb.Error:  # no meta table: an empty file
        return None
    return int(row[0]) if row else None


def _next_id(con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
    # table and column are literals from this module, never input
    return int(con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0])


def _replace_by_code(con, table: str, frame: pd.DataFrame, actor: str) -> int:
    """Rows replace the ones with the same code, inside the caller's transaction, audited.
    `table` is "indicators" or "units", never user input."""
    assert table in ("indicators", "units")
    if table == "indicators":
        frame = frame.reindex(columns=INDICATOR_COLUMNS)
        frame["active"] = frame["active"].fillna(True).astype(bool)
        action = "catalogue.upsert"
    else:
        frame = frame.reindex(columns=UNIT_COLUMNS)
        action = "units.upsert"
    # a warehouse not yet migrated to the latest schema lacks the newest columns: write the ones it has
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = current_schema()",
        [table]).fetchall()}
    frame = frame[[c for c in frame.columns if c in have]]
    tick(con)  # units and the catalogue a build reads are kept with each publication (its `inputs`)
    con.register("incoming", frame)
    con.execute(f"DELETE FROM {table} WHERE code IN (SELECT code FROM incoming)")
    con.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM incoming")
    con.unregister("incoming")
    _audit(con, actor, action, table, None, {"rows": len(frame)})
    return len(frame)


def _json(obj) -> str | None:
    return None if obj is None else json.dumps(obj, ensure_ascii=False, default=str)


def _audit(con, actor, action, target, file_hash, detail) -> None:
    """One audit entry; the actor (a Principal or a plain name) is recorded as its login."""
    seq = _next_id(con, "audit_log", "seq")
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                [seq, _now(), access.login(actor), action, target, file_hash, _json(detail)])


def _refresh_current(con, now, seq: int | None = None) -> None:
    """For the keys in temp table `touched`: the current row is the latest revision of a committed batch.

    A row that stops being current gets the time and the sequence point it did (superseded_at,
    superseded_seq: the latest time, when a rollback made it current again in between; that
    rollback is its batch's rolled_back_at / rolled_back_seq); nothing is deleted. Which row was current at any earlier point is what this
    rule gives with the batches committed then (batches.created_seq, rolled_back_seq):
    data.scoring_store.read_inputs_as_of."""
    seq_set = ("superseded_seq = CASE WHEN o.is_current AND o.revision <> c.maxrev THEN ? "
               "ELSE o.superseded_seq END," if seq is not None else "")
    con.execute(
        f"""UPDATE observations o
           SET is_current = (o.revision = c.maxrev), {seq_set}
               superseded_at = CASE WHEN o.is_current AND o.revision <> c.maxrev THEN ?
                                    ELSE o.superseded_at END
           FROM (SELECT o2.unit_code, o2.indicator_code, o2.month,
                        coalesce(max(o2.revision) FILTER (WHERE b.status = 'committed'), -1) AS maxrev
                 FROM observations o2 JOIN batches b ON b.batch_id = o2.batch_id
                 SEMI JOIN touched t ON t.unit_code = o2.unit_code
                   AND t.indicator_code = o2.indicator_code AND t.month = o2.month
                 GROUP BY ALL) c
           WHERE o.unit_code = c.unit_code AND o.indicator_code = c.indicator_code AND o.month = c.month""",
        [seq, now] if seq is not None else [now],
    )
    con.execute("DROP TABLE touched")


def published_months(con) -> set[str]:
    """Months frozen by published results (the scoring engine's `publications` table, once it exists).

    A quarter, year or year-to-date publication freezes every month it covers up to its own month,
    not only that month."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'publications'").fetchone()[0]
    if not exists:
        return set()
    frozen: set[str] = set()
    for period, month in con.execute("SELECT DISTINCT period, month FROM publications").fetchall():
        frozen.update(mo.period_months(period, month))
    return frozen


def month_row_groups(con) -> pd.DataFrame:
    """The observations table's row groups with the min and max month their statistics hold
    (row_group_id, month_min, month_max, rows), from DuckDB's storage info: how well the table is
    clustered by month. Data not yet checkpointed has no row group statistics and is not listed."""
    return con.execute(
        """SELECT row_group_id, min(stats['min']) AS month_min, max(stats['max']) AS month_max,
                  sum(count)::BIGINT AS rows
           FROM pragma_storage_info('observations')
           WHERE column_name = 'month' AND segment_type = 'VARCHAR'
           GROUP BY row_group_id ORDER BY row_group_id""").df()
