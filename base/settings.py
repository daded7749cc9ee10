"""Where the warehouse lives: --db, then KAOHE_DB, then kaohe/kaohe.duckdb in the user's data folder
($XDG_DATA_HOME, by default ~/.local/share): an installed wheel has no checkout to write into."""

from __future__ import annotations

import os
from pathlib import Path


def default_db() -> Path:
    home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(home) / "kaohe" / "kaohe.duckdb"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("KAOHE_DB")
    return Path(env) if env else default_db()


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


CACHE_MB_DEFAULT = 256


def cache_bytes() -> int:
    """The dashboard's bound on the score builds it keeps for all sessions, in bytes: KAOHE_CACHE_MB
    (megabytes, default 256). A value that is not a positive number falls back to the default."""
    raw = (os.environ.get("KAOHE_CACHE_MB") or "").strip()
    try:
        mb = float(raw) if raw else CACHE_MB_DEFAULT
    except ValueError:
        mb = CACHE_MB_DEFAULT
    if not mb > 0:
        mb = CACHE_MB_DEFAULT
    return int(mb * 2**20)


SESSION_IDLE_MIN_DEFAULT = 30
SESSION_MAX_HOURS_DEFAULT = 12


def _positive(var: str, default: float) -> float:
    raw = (os.environ.get(var) or "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


def session_idle_minutes() -> float:
    """A signed-in session ends after this many minutes without a visit: KAOHE_SESSION_IDLE_MIN (30)."""
    return _positive("KAOHE_SESSION_IDLE_MIN", SESSION_IDLE_MIN_DEFAULT)


def session_max_hours() -> float:
    """A signed-in session ends this many hours after signing in, however busy: KAOHE_SESSION_MAX_HOURS (12)."""
    return _positive("KAOHE_SESSION_MAX_HOURS", SESSION_MAX_HOURS_DEFAULT)


def dashboard_url() -> str:
    """The dashboard's address as people open it, for the sign-in hint `kaohe init` prints: KAOHE_URL,
    else http://localhost:8501 (`kaohe serve`'s default; `make run` sets it from HOST and PORT)."""
    return (os.environ.get("KAOHE_URL") or "").strip() or "http://localhost:8501"
