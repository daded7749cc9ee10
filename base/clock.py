"""The one clock: what day it is, what time it is where the office sits, and which months have ended.

Everything that asks "today" or "now" asks here. `KAOHE_TODAY` (YYYY-MM-DD) pins the date, so tests and
demonstrations do not depend on the day they run; `KAOHE_TZ` names the office's time zone (Asia/Shanghai
by default). Timestamps are stored in UTC and shown in local time through `local()`.
"""

from __future__ import annotations

import datetime as _dt
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Asia/Shanghai"


class ClockError(ValueError):
    """A clock setting that cannot be read (KAOHE_TODAY or KAOHE_TZ)."""


def tz() -> _dt.tzinfo:
    name = os.environ.get("KAOHE_TZ") or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockError(f"KAOHE_TZ={name!r} is not a time zone name such as Asia/Shanghai") from exc


def _pinned() -> _dt.date | None:
    text = (os.environ.get("KAOHE_TODAY") or "").strip()
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise ClockError(f"KAOHE_TODAY={text!r} is not a date (YYYY-MM-DD)") from exc


def utcnow() -> _dt.datetime:
    """Now in UTC, naive, to the second: the form every stored timestamp takes.

    With the date pinned, the time of day still runs, so records made one after another keep their order."""
    real = _dt.datetime.now(_dt.UTC)
    pinned = _pinned()
    if pinned is not None:
        local_real = real.astimezone(tz())
        real = _dt.datetime.combine(pinned, local_real.timetz()).astimezone(_dt.UTC)
    return real.replace(tzinfo=None, microsecond=0)


def now() -> _dt.datetime:
    """Now in the office's time zone (aware)."""
    return local(utcnow())


def today() -> _dt.date:
    """The office's date: KAOHE_TODAY when set, else the date in KAOHE_TZ."""
    return _pinned() or _dt.datetime.now(tz()).date()


def local(ts) -> _dt.datetime | None:
    """A stored UTC timestamp (naive or aware, datetime or pandas Timestamp) in local time; None stays None."""
    if ts is None:
        return None
    try:
        import pandas as pd

        if pd.isna(ts):
            return None
        ts = pd.Timestamp(ts).to_pydatetime()
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=_dt.UTC)
    return ts.astimezone(tz())


def local_text(ts, seconds: bool = False) -> str:
    """A stored UTC timestamp as the office reads it: '2026-11-03 14:05'."""
    value = local(ts)
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def current_month(day: _dt.date | None = None) -> str:
    """The running month, which has not ended and so is never complete: on 2026-12-01 that is 2026-12."""
    day = day or today()
    return f"{day.year:04d}-{day.month:02d}"
