"""Retirement applied month by month (catalogue `retired_from`): a value for a retired indicator from its
retirement month on is refused row by row in words, earlier months still import; completeness (of an
import and of the warehouse) does not expect it from that month; nothing changes on a refusal."""

from __future__ import annotations

import hashlib

import pytest
from test_template import district, fill  # noqa: F401 - the fixture and the filling of a template

from kaohe.base import i18n
from kaohe.cli import main
from kaohe.data import catalogue_admin
from kaohe.ingest import pipeline
from kaohe.reports import template as tpl

RETIRED, FROM = "HL_ONTIME", "2026-07"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_file(rows: list[tuple[str, str, str, float]]) -> bytes:
    lines = ["单位代码,指标代码,统计月份,数值"] + [f"{u},{i},{m},{v}" for u, i, m, v in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def unit_codes(wh) -> list[str]:
    return wh.units()["code"].tolist()


@pytest.fixture
def retired(district):  # noqa: F811 - the fixture imported above
    catalogue_admin.retire(district, RETIRED, month=FROM, actor="t")
    return district


def problems_of(prep, check):
    p = prep.report.problems
    return p[p["check"] == check]


def test_a_value_from_the_retirement_month_on_is_refused_row_by_row(retired, tmp_path, capsys):
    units = unit_codes(retired)
    rows = [(u, RETIRED, m, 95) for m in ("2026-06", "2026-07", "2026-08") for u in units]
    data = csv_file(rows)
    prep = pipeline.prepare(data, "ontime.csv", retired)
    found = problems_of(prep, "val.indicator_retired")
    # the file's rows of 2026-07 and 2026-08 (one line each), not those of 2026-06
    assert sorted(found["row"]) == list(range(2 + len(units), 2 + 3 * len(units)))
    params = found.iloc[0]["params"]
    zh, en = i18n.t("val.indicator_retired", "zh", **params), i18n.t("val.indicator_retired", "en", **params)
    assert "自 2026-07 起停用" in zh and "办结率" in zh, zh
    assert "retired from 2026-07" in en and "On-time closure rate" in en, en
    assert prep.blocked
    path = tmp_path / "ontime.csv"
    path.write_bytes(data)
    digest = sha256(retired.path)
    for lang, words in (("zh", "自 2026-07 起停用"), ("en", "retired from 2026-07")):
        assert main(["--lang", lang, "import", "--db", str(retired.path), str(path), "--accept-warnings"]) == 1
        said = capsys.readouterr()
        assert words in said.out + said.err, said
    with pytest.raises(pipeline.ImportRefused):
        pipeline.commit(prep, retired, actor="t", accept_warnings=True)
    assert sha256(retired.path) == digest
    assert retired.observations().empty


def test_the_months_before_the_retirement_still_import(retired):
    units = unit_codes(retired)
    prep = pipeline.prepare(csv_file([(u, RETIRED, "2026-06", 95) for u in units]), "june.csv", retired)
    assert prep.report.errors == 0, prep.report.problems
    pipeline.commit(prep, retired, actor="t", accept_warnings=True)
    obs = retired.observations()
    assert set(obs["month"]) == {"2026-06"} and set(obs["indicator_code"]) == {RETIRED} and len(obs) == len(units)


def test_an_import_does_not_expect_a_retired_indicator(retired):
    units = unit_codes(retired)
    # every unit reports the response rate; one of them also sends the retired indicator (refused on its
    # row): the others are not told that they left it out
    rows = [(u, "HL_RESPONSE", "2026-08", 95) for u in units] + [(units[0], RETIRED, "2026-08", 95)]
    prep = pipeline.prepare(csv_file(rows), "aug.csv", retired)
    assert len(problems_of(prep, "val.indicator_retired")) == 1
    incomplete = problems_of(prep, "val.incomplete")
    assert incomplete.empty, incomplete


def test_a_retired_indicator_is_not_expected_in_the_warehouses_completeness(district):  # noqa: F811
    for month in ("2026-09", "2026-10"):
        data, _ = fill(tpl.template(district.units(), district.indicators(), month), district)
        pipeline.commit(pipeline.prepare(data, f"{month}.xlsx", district), district, actor="t")
    catalogue_admin.retire(district, RETIRED, month="2026-10", actor="t")
    comp = district.completeness(month_from="2026-09", month_to="2026-10")
    sep, octo = (comp[comp["month"] == m].set_index("unit_code") for m in ("2026-09", "2026-10"))
    assert ((sep["expected"] - octo["expected"]) == 1).all()  # one indicator fewer from October
    assert (octo["share"] == 1.0).all() and (sep["share"] == 1.0).all()  # the old value counts for nothing
