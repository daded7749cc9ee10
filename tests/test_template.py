"""Import templates (reports.template, `kaohe template`): a template filled in as a person would imports
cleanly through the real import, in Chinese and in English, for all indicators or one source system;
what cannot have a template is refused in words and no file is written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kaohe.cli import main
from kaohe.ingest import pipeline
from kaohe.ingest.lookup import ALIASES_CSV, key
from kaohe.reports import template as tpl

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2026-10"


@pytest.fixture
def district(empty_wh):
    """The shipped catalogue, the sample's units, no observations; the hotline indicators come from
    source system 12345, the grid ones belong to 综治科."""
    units = pd.read_csv(ROOT / "data" / "seed" / "units.csv", dtype=str, keep_default_na=False)
    units["population"] = pd.to_numeric(units["population"])
    units = units.replace({"": None})
    empty_wh.upsert_units(units, actor="test")
    with empty_wh.transaction() as con:
        con.execute("UPDATE indicators SET source_system = ? WHERE code LIKE 'HL_%'", ["12345"])
        con.execute("UPDATE indicators SET owner_office = ? WHERE code LIKE 'GR_%'", ["综治科"])
    return empty_wh


def value_for(ind) -> float:
    """A plausible value: the middle of the indicator's typical range (a whole number for a count)."""
    lo = ind["typical_low"] if pd.notna(ind["typical_low"]) else (ind["min"] if pd.notna(ind["min"]) else 0)
    hi = ind["typical_high"] if pd.notna(ind["typical_high"]) else (ind["max"] if pd.notna(ind["max"]) else lo + 10)
    v = (float(lo) + float(hi)) / 2
    return float(round(v)) if ind["kind"] == "count" else round(v, 1)


def fill(data: bytes, wh, *, ratios_as_parts: bool = False) -> tuple[bytes, dict]:
    """The workbook with every blank value filled in, as a person would in Excel; (bytes, expected values)."""
    cat = wh.indicators().set_index("code")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    heads = [c.value for c in ws[1]]
    ucol, icol, vcol, ncol, dcol = (heads.index(h) for h in
                                    [heads[0], heads[1], heads[3], heads[4], heads[5]])
    expected = {}
    for row in ws.iter_rows(min_row=2):
        ind = cat.loc[row[icol].value]
        v = value_for(ind)
        if ratios_as_parts and bool(ind["ratio"]):
            row[ncol].value, row[dcol].value = int(round(v)), 100
            v = float(int(round(v)))
        else:
            row[vcol].value = v
        expected[(row[ucol].value, row[icol].value)] = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), expected


def landed(wh, month=MONTH) -> dict:
    obs = wh.observations(month_from=month, month_to=month)
    return {(r.unit_code, r.indicator_code): float(r.value) for r in obs.itertuples() if r.status == "ok"}


def aliases() -> dict[str, str]:
    with ALIASES_CSV.open(encoding="utf-8") as fh:
        return {key(r["alias"]): r["field"] for r in csv.DictReader(fh)}


def test_the_headers_are_the_importers_own():
    known = aliases()
    for lang, heads in tpl.HEADERS.items():
        for col, text in heads.items():
            assert known.get(key(text)) == ("ignore" if col == "notes" else col), (lang, col, text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_filled_template_imports_cleanly_and_the_values_land(district, lang):
    data = tpl.template(district.units(), district.indicators(), MONTH, lang=lang)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == (["数据", "说明"] if lang == "zh" else ["Data", "Notes"])
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [tpl.HEADERS[lang][c] for c in tpl.COLUMNS]
    lines = list(ws.iter_rows(min_row=2, values_only=True))
    assert {r[2] for r in lines} == {MONTH} and all(r[3] is None for r in lines)  # the month in, values blank
    units, inds = district.units(), district.indicators()
    kinds = dict(zip(units["code"], units["kind"], strict=True))
    applies = dict(zip(inds["code"], inds["applies_to"], strict=True))
    assert all(applies[i] in ("both", kinds[u]) for u, i, *_ in lines)  # only what applies to the unit's kind
    assert len(lines) == sum(1 for u in units.itertuples() for i in inds.itertuples()
                             if i.applies_to in ("both", u.kind))
    filled, expected = fill(data, district)

    prep = pipeline.prepare(filled, "filled.xlsx", district)
    probs = prep.report.problems
    assert prep.report.errors == 0 and prep.report.warnings == 0, probs[["check", "row", "column"]].head(20)
    assert set(probs["check"]) <= {"val.skipped_ignored_column"}  # the names column, skipped as it should be
    pipeline.commit(prep, district, actor="test")
    assert landed(district) == expected


def test_a_source_template_holds_that_source_only_and_imports_by_the_command(district, tmp_path, capsys):
    path = tmp_path / "hl.xlsx"
    assert main(["template", "--db", str(district.path), "--month", MONTH, "--source", "12345",
                 "-o", str(path)]) == 0
    assert str(path) in capsys.readouterr().out
    ws = openpyxl.load_workbook(path).worksheets[0]
    codes = {r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    hl = set(district.indicators().query("code.str.startswith('HL_')")["code"])
    assert codes == hl
    filled, expected = fill(path.read_bytes(), district, ratios_as_parts=True)  # rates as numerator/denominator
    path.write_bytes(filled)
    assert main(["import", "--db", str(district.path), str(path)]) == 0, capsys.readouterr()
    assert landed(district) == expected


def test_an_office_template_and_the_notes_sheet(district):
    data = tpl.template(district.units(), district.indicators(), MONTH, office="综治科", lang="en")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    codes = {r[1] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert codes and all(c.startswith("GR_") for c in codes)
    text = "\n".join(str(v) for row in wb["Notes"].iter_rows(values_only=True) for v in row if v is not None)
    assert "Owning office: 综治科" in text and "Valid range" in text and "Numerator and denominator" in text
    for col in tpl.COLUMNS:
        assert tpl.HEADERS["en"][col] in text
    checks = wb.worksheets[0].data_validations.dataValidation  # Excel's own range check while typing
    assert checks and all(c.error for c in checks)


def test_a_template_leaves_out_units_not_active_and_retired_indicators(district):
    from kaohe.data import catalogue_admin

    units = district.units()
    first = units["code"].iloc[0]
    units.loc[units["code"] == first, "active_to"] = "2026-09"
    catalogue_admin.retire(district, "HL_ONTIME", month="2026-10", actor="t")
    data = tpl.template(units, district.indicators(), MONTH)
    lines = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert first not in {r[0] for r in lines} and "HL_ONTIME" not in {r[1] for r in lines}
    earlier = tpl.template(units, district.indicators(), "2026-09")  # before its retirement it is still there
    lines = list(openpyxl.load_workbook(io.BytesIO(earlier)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert "HL_ONTIME" in {r[1] for r in lines} and first in {r[0] for r in lines}


def test_text_cells_are_safe_from_formulas(district):
    units = district.units()
    units.loc[units.index[0], "name_zh"] = "=HYPERLINK(\"http://x\",\"y\")"
    data = tpl.template(units, district.indicators(), MONTH)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    notes = [r[6] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert not any(isinstance(n, str) and n.startswith("=") for n in notes)


@pytest.mark.parametrize(("argv", "zh", "en"), [
    (["--source", "nosuch"], "没有来源系统「nosuch」", 'No source system "nosuch"'),
    (["--office", "无此科"], "没有责任科室「无此科」", 'No owning office "无此科"'),
    (["--month", "2019-01"], "没有在册的单位", "No unit is active in 2019-01"),
])
def test_refusals_are_in_words_and_write_nothing(district, tmp_path, capsys, argv, zh, en):
    units = district.units().assign(active_from="2020-01")
    district.upsert_units(units, actor="t")
    for lang, words in (("zh", zh), ("en", en)):
        path = tmp_path / f"t-{lang}.xlsx"
        args = ["--lang", lang, "template", "--db", str(district.path), "-o", str(path)]
        args += argv if "--month" in argv else ["--month", MONTH, *argv]
        assert main(args) == 1
        err = capsys.readouterr().err
        assert words in err, err
        assert "12345" in err if "--source" in argv else True  # the sources there are are named
        assert not path.exists()


def test_a_template_with_no_indicator_in_use_is_refused(district):
    from kaohe.data import catalogue_admin

    for code in district.indicators().query("code.str.startswith('HL_')")["code"]:
        catalogue_admin.retire(district, code, month="2026-07", actor="t")
    with pytest.raises(tpl.TemplateRefused) as exc:
        tpl.template(district.units(), district.indicators(), MONTH, source="12345")
    assert "2026-10" in exc.value.text("zh") and "retired" in exc.value.text("en")
    assert tpl.template(district.units(), district.indicators(), "2026-06", source="12345")  # before: a template


def test_the_output_must_be_xlsx(district, tmp_path, capsys):
    path = tmp_path / "t.csv"
    assert main(["template", "--db", str(district.path), "--month", MONTH, "-o", str(path)]) == 2
    assert ".xlsx" in capsys.readouterr().err and not path.exists()
