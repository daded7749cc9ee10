"""Where the warehouse lives: --db, then KAOHE_DB, then data/kaohe.duckdb."""

from __future__ import annotations

import os
from pathlib import Path

import data

DEFAULT_DB = Path(data.__file__).resolve().parent / "kaohe.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("KAOHE_DB")
    return Path(env) if env else DEFAULT_DB


def actor() -> str:
    """Who is acting, for the audit log: KAOHE_USER, else the login name (USER, LOGNAME, the
    account of the process), else the numeric account ('uid 1000'). Never 'unknown': an audit
    entry always names someone a person can find."""
    for var in ("KAOHE_USER", "USER", "LOGNAME", "USERNAME"):
        name = (os.environ.get(var) or "").strip()
        if name:
            return name
    try:
        import getpass

        name = getpass.getuser().strip()
        if name:
            return name
    except Exception:  # noqa: BLE001 - no account name for this uid (a container): the number names it
        pass
    uid = getattr(os, "getuid", None)
    return f"uid {uid()}" if uid else "system"
