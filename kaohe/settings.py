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
    """Who is acting, for the audit log: KAOHE_USER, else the login name."""
    return os.environ.get("KAOHE_USER") or os.environ.get("USER") or "unknown"
