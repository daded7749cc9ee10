"""The one clock: KAOHE_TODAY pins the date everywhere that asks for today, across month and year ends."""

from __future__ import annotations

import datetime as dt

import pytest

from kaohe.base import clock
from kaohe.base import months as mo
from kaohe.data import sample


@pytest.mark.parametrize(("today", "running", "last"), [
    ("2026-11-20", "2026-11", "2026-10"),
    ("2026-12-01", "2026-12", "2026-11"),   # the first day of a month: the month has not ended
    ("2027-01-15", "2027-01", "2026-12"),   # across a year boundary
    ("2027-01-01", "2027-01", "2026-12"),
    ("2028-03-01", "2028-03", "2028-02"),
])
def test_the_pinned_day_decides_the_running_and_last_complete_month(monkeypatch, today, running, last):
    monkeypatch.setenv("KAOHE_TODAY", today)
    assert clock.today() == dt.date.fromisoformat(today)
    assert mo.running() == running
    assert mo.last_complete() == last
    assert clock.utcnow().date() in (dt.date.fromisoformat(today), dt.date.fromisoformat(today) - dt.timedelta(1))


def test_the_sample_district_ends_at_the_last_complete_month_of_the_pinned_day(monkeypatch):
    monkeypatch.setenv("KAOHE_TODAY", "2027-01-15")
    units = sample.read_units().iloc[:2]
    obs = sample.generate(units, n_months=3)
    assert sorted(obs["month"].unique()) == ["2026-10", "2026-11", "2026-12"]


def test_stored_times_are_utc_and_shown_in_the_offices_zone(monkeypatch):
    stored = dt.datetime(2026, 10, 31, 17, 30)  # UTC
    assert clock.local_text(stored) == "2026-11-01 01:30"
    monkeypatch.setenv("KAOHE_TZ", "Europe/London")
    assert clock.local_text(stored) == "2026-10-31 17:30"
    assert clock.local_text(None) == ""


def test_a_pinned_day_keeps_the_time_running_in_local_time(monkeypatch):
    monkeypatch.setenv("KAOHE_TODAY", "2027-01-15")
    assert clock.now().date() == dt.date(2027, 1, 15)
    assert clock.now().utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(("name", "value"), [("KAOHE_TODAY", "15/01/2027"), ("KAOHE_TZ", "Mars/Olympus")])
def test_a_clock_setting_that_cannot_be_read_is_refused_in_words(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(clock.ClockError, match=name):
        clock.today() if name == "KAOHE_TODAY" else clock.tz()
