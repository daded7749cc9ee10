"""Accounts, sign-in attempts and sessions in the warehouse (migration 9): the only SQL of signing in.

Every statement binds its values as parameters. Every change to an account, every sign-in (kept or
refused) and every session opened or ended is written to the audit log with the actor's login, in the
same transaction. A session's `seen_at` heartbeat is the one write not audited: it says only that the
person is still there (auth.accounts touches it at most every few minutes).
Hashes never leave this module's `get` (auth.accounts verifies them); `list_rows` leaves them out.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from kaohe.data.warehouse import Warehouse, _audit

COLUMNS = ("login", "name", "role", "sources", "offices", "unit_code", "disabled",
           "created_at", "created_by", "updated_at", "updated_by")


def _row(names, values) -> dict:
    row = dict(zip(names, values, strict=True))
    for key in ("sources", "offices"):
        if key in row:
            row[key] = sorted(json.loads(row[key] or "[]"))
    return row


def get(wh: Warehouse, login: str) -> dict | None:
    """One account with its password hash, or None."""
    with wh.connect() as con:
        cur = con.execute(f"SELECT {', '.join(COLUMNS)}, password_hash FROM accounts WHERE login = ?", [login])
        found = cur.fetchone()
    return None if found is None else _row((*COLUMNS, "password_hash"), found)


def find(wh: Warehouse, login: str) -> dict | None:
    """The account for `login` without its hash: the exact login, else the one differing only in case (an
    identity provider's e-mail claim); None, also while the warehouse has no accounts table (not migrated)."""
    with wh.connect() as con:
        present = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", ["accounts"]).fetchone()[0]
        if not present:
            return None
        found = con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM accounts WHERE login = ? OR lower(login) = lower(?) "
            "ORDER BY login = ? DESC, login LIMIT 1", [login, login, login]).fetchone()
    return None if found is None else _row(COLUMNS, found)


def list_rows(wh: Warehouse) -> pd.DataFrame:
    """Every account, by login, without the hashes."""
    with wh.connect() as con:
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM accounts ORDER BY login").fetchall()
    return pd.DataFrame([_row(COLUMNS, r) for r in rows], columns=list(COLUMNS), dtype=object)


def count(wh: Warehouse) -> int:
    with wh.connect() as con:
        return int(con.execute("SELECT count(*) FROM accounts").fetchone()[0])


def insert(wh: Warehouse, *, login: str, name: str, role: str, sources: list[str], offices: list[str],
           unit_code: str | None, password_hash: str, actor: str, now: dt.datetime) -> bool:
    """Add an account; False (nothing written) when the login is taken."""
    with wh.transaction() as con:
        if con.execute("SELECT count(*) FROM accounts WHERE login = ?", [login]).fetchone()[0]:
            return False
        con.execute(
            "INSERT INTO accounts (login, name, role, sources, offices, unit_code, password_hash, disabled, "
            "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?)",
            [login, name, role, json.dumps(sorted(sources), ensure_ascii=False),
             json.dumps(sorted(offices), ensure_ascii=False), unit_code, password_hash, now, actor])
        _audit(con, actor, "account.add", login, None,
               {"role": role, "sources": sorted(sources), "offices": sorted(offices), "unit_code": unit_code})
    return True


def set_disabled(wh: Warehouse, login: str, disabled: bool, *, actor: str, now: dt.datetime) -> bool:
    """Disable or enable; a disabled account's open sessions end with it. False when there is no such login."""
    with wh.transaction() as con:
        if not con.execute("SELECT count(*) FROM accounts WHERE login = ?", [login]).fetchone()[0]:
            return False
        con.execute("UPDATE accounts SET disabled = ?, updated_at = ?, updated_by = ? WHERE login = ?",
                    [disabled, now, actor, login])
        if disabled:
            con.execute("UPDATE sessions SET ended_at = ? WHERE login = ? AND ended_at IS NULL", [now, login])
        _audit(con, actor, "account.disable" if disabled else "account.enable", login, None, None)
    return True


def set_password(wh: Warehouse, login: str, password_hash: str, *, actor: str, now: dt.datetime,
                 rehash: bool = False) -> bool:
    """A new hash. A reset (not a rehash of the same password) ends the account's open sessions."""
    with wh.transaction() as con:
        if not con.execute("SELECT count(*) FROM accounts WHERE login = ?", [login]).fetchone()[0]:
            return False
        con.execute("UPDATE accounts SET password_hash = ?, updated_at = ?, updated_by = ? WHERE login = ?",
                    [password_hash, now, actor, login])
        if not rehash:
            con.execute("UPDATE sessions SET ended_at = ? WHERE login = ? AND ended_at IS NULL", [now, login])
        _audit(con, actor, "account.rehash" if rehash else "account.reset_password", login, None, None)
    return True


# -- sign-in attempts ----------------------------------------------------------------------------------------
def record_attempt(wh: Warehouse, login: str, *, ok: bool, at: dt.datetime, address: str | None) -> None:
    with wh.transaction() as con:
        con.execute("INSERT INTO signin_attempts VALUES (?, ?, ?, ?)", [login, at, ok, address])
        _audit(con, login, "signin.ok" if ok else "signin.refused", login, None,
               {"address": address} if address else None)


def failures_since(wh: Warehouse, login: str, since: dt.datetime) -> list[dt.datetime]:
    """The times of the login's failed attempts since `since` and after its last success, oldest first."""
    with wh.connect() as con:
        rows = con.execute(
            """SELECT "at" FROM signin_attempts
               WHERE login = ? AND NOT ok AND "at" >= ?
                 AND "at" > coalesce((SELECT max("at") FROM signin_attempts WHERE login = ? AND ok),
                                   TIMESTAMP '1970-01-01')
               ORDER BY "at" """, [login, since, login]).fetchall()
    return [r[0] for r in rows]


# -- sessions ------------------------------------------------------------------------------------------------
def open_session(wh: Warehouse, token_hash: str, login: str, *, now: dt.datetime, expires_at: dt.datetime) -> None:
    with wh.transaction() as con:
        con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, NULL)", [token_hash, login, now, now, expires_at])
        _audit(con, login, "session.open", login, None, None)


def session(wh: Warehouse, token_hash: str) -> dict | None:
    with wh.connect() as con:
        cur = con.execute("SELECT token_hash, login, created_at, seen_at, expires_at, ended_at FROM sessions "
                          "WHERE token_hash = ?", [token_hash])
        found = cur.fetchone()
    names = ("token_hash", "login", "created_at", "seen_at", "expires_at", "ended_at")
    return None if found is None else dict(zip(names, found, strict=True))


def touch_session(wh: Warehouse, token_hash: str, now: dt.datetime) -> None:
    """The heartbeat (not audited: see the module's text)."""
    with wh.transaction() as con:
        con.execute("UPDATE sessions SET seen_at = ? WHERE token_hash = ? AND ended_at IS NULL", [now, token_hash])


def end_session(wh: Warehouse, token_hash: str, *, now: dt.datetime, reason: str = "signed_out") -> bool:
    """End an open session; False when it was not open."""
    with wh.transaction() as con:
        found = con.execute("SELECT login FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
                            [token_hash]).fetchone()
        if found is None:
            return False
        con.execute("UPDATE sessions SET ended_at = ? WHERE token_hash = ?", [now, token_hash])
        _audit(con, found[0], "session.end", found[0], None, {"reason": reason})
    return True


# -- what the catalogue and the register name ------------------------------------------------------------
def known_sources(wh: Warehouse) -> list[str]:
    with wh.connect() as con:
        rows = con.execute("SELECT DISTINCT source_system FROM indicators WHERE source_system IS NOT NULL "
                           "AND source_system <> '' ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def known_offices(wh: Warehouse) -> list[str]:
    with wh.connect() as con:
        rows = con.execute("SELECT DISTINCT owner_office FROM indicators WHERE owner_office IS NOT NULL "
                           "AND owner_office <> '' ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def unit_exists(wh: Warehouse, code: str) -> bool:
    with wh.connect() as con:
        return bool(con.execute("SELECT count(*) FROM units WHERE code = ?", [code]).fetchone()[0])
