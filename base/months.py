"""Months are the unit of time everywhere: 'YYYY-MM' strings, compared as text."""

from __future__ import annotations

import datetime as _dt
import re

from kaohe.base import clock

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_month(text: object) -> bool:
    return isinstance(text, str) and bool(_MONTH.match(text))


def check(text: str) -> str:
    if not is_month(text):
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return text


def to_index(month: str) -> int:
    """Months since year 0, so that differences and offsets are plain integers."""
    check(month)
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add(month: str, n: int) -> str:
    return from_index(to_index(month) + n)


def span(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive."""
    a, b = to_index(first), to_index(last)
    return [from_index(i) for i in range(a, b + 1)]


def last_complete(today: _dt.date | None = None) -> str:
    """The last month that has ended: on 2026-11-22 that is 2026-10. Today comes from kaohe.clock."""
    return add(clock.current_month(today), -1)


def running(today: _dt.date | None = None) -> str:
    """The month that is running, so not complete: on 2026-12-01 that is 2026-12."""
    return clock.current_month(today)


def period_months(period: str, month: str) -> list[str]:
    """The months a period ('month', 'quarter', 'year', 'ytd') ending in `month` covers, up to `month`:
    the months a publication of that period freezes, and the months a build of it reads."""
    if period == "quarter":
        return span(add(month, -((int(month[5:7]) - 1) % 3)), month)
    if period in ("year", "ytd"):
        return span(f"{month[:4]}-01", month)
    return [month]


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def year_of(month: str) -> str:
    return month[:4]
