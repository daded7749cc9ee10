"""Cells as evaluators type them: numbers, missing and not-applicable markers, months, headers."""

import datetime as dt
import math

import pytest

from ingest.lookup import key
from ingest.values import month_in_text, parse_month, parse_value


@pytest.mark.parametrize(("cell", "value", "state"), [
    ("95.3%", 95.3, "ok"), ("95.3", 95.3, "ok"), ("1,234", 1234.0, "ok"), ("９５．３", 95.3, "ok"),
    ("９５．３％", 95.3, "ok"), (" 88 ", 88.0, "ok"), (12, 12.0, "ok"), (0.5, 0.5, "ok"), ("-3", -3.0, "ok"),
    ("—", None, "missing"), ("-", None, "missing"), ("", None, "missing"), (None, None, "missing"),
    ("不适用", None, "na"), ("N/A", None, "na"), ("n/a", None, "na"),
    ("abc", None, "bad"), ("1,2", None, "bad"), ('=HYPERLINK("x")', None, "bad"), ("95..3", None, "bad"),
])
def test_parse_value(cell, value, state):
    got, got_state = parse_value(cell)
    assert got_state == state
    if value is None:
        assert math.isnan(got)
    else:
        assert got == pytest.approx(value)


@pytest.mark.parametrize(("cell", "month"), [
    ("2026-10", "2026-10"), ("2026/10", "2026-10"), ("202610", "2026-10"), ("2026年10月", "2026-10"),
    ("2026年10月份", "2026-10"), ("2026.10", "2026-10"), ("2026.1", "2026-01"), ("2026-10-01", "2026-10"),
    ("2026/1/15", "2026-01"), ("２０２６年１０月", "2026-10"), (dt.datetime(2026, 10, 1), "2026-10"),
    (dt.date(2026, 3, 31), "2026-03"), (46296, "2026-10"), (46296.0, "2026-10"), (202610, "2026-10"),
    ("2026-13", None), ("10/2026", None), ("", None), (None, None), ("上月", None),
])
def test_parse_month(cell, month):
    assert parse_month(cell) == month


@pytest.mark.parametrize(("title", "month"), [
    ("2026年10月12345热线考核数据", "2026-10"), ("网格事件处置情况统计表(2026年9月)", "2026-09"),
    ("统计期间:2026-08", "2026-08"), ("12345热线考核数据", None),
])
def test_month_in_title(title, month):
    assert month_in_text(title) == month


@pytest.mark.parametrize(("header", "expected"), [
    ("满意率(%)", "满意率"), ("诉求满意率（%）", "诉求满意率"), ("受理量(件)", "受理量"), ("响应率%", "响应率"),
    ("Unit Code", "unitcode"), ("unit_code", "unitcode"), (" 街道（乡镇） ", "街道"),
])
def test_header_key(header, expected):
    assert key(header) == expected
