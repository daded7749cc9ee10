"""A district of its own from nothing, by the commands alone (issue 14, "done when"): 青山区 shares nothing
with the sample. Its units, catalogue (with an indicator the default lacks) and scheme go in from the files
its office writes; a month comes in through the import template; the ranks, the explanation, the
publication and the scorecard carry figures worked out by hand. The scheme then goes out to Excel, is
edited there as a person would, comes back as a new version, and the figures follow the edit."""

from __future__ import annotations

import io
import json
import subprocess

import district_files as qs
import openpyxl
import pytest

from kaohe.cli import main
from kaohe.data import scoring_store
from kaohe.data.warehouse import Warehouse

pytestmark = pytest.mark.usefixtures("capsys")


def run(capsys, db, *argv, lang="zh") -> str:
    capsys.readouterr()
    assert main(["--lang", lang, *argv[:1], "--db", str(db), *argv[1:]]) == 0, capsys.readouterr()
    out = capsys.readouterr()
    return out.out + out.err


def totals(capsys, db) -> dict[str, float]:
    capsys.readouterr()
    assert main(["rank", "--db", str(db), "--month", qs.MONTH, "--format", "json"]) == 0
    return {r["unit_code"]: r["total"] for r in json.loads(capsys.readouterr().out)}


def fill_template(path, values: dict[str, dict[str, float]]) -> None:
    """Type each value into the template's blank value cell, as an evaluator would."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    u, i, v = head.index("单位代码"), head.index("指标代码"), head.index("数值")
    filled = 0
    for row in ws.iter_rows(min_row=2):
        unit, ind = row[u].value, row[i].value
        if unit in values and ind in values[unit]:
            row[v].value = values[unit][ind]
            filled += 1
    assert filled == sum(len(x) for x in values.values())
    wb.save(path)


def edit_workbook(path, *, version: str, tree_target: int) -> None:
    """In Office: a new version number on the scheme sheet, and the trees' target lowered."""
    wb = openpyxl.load_workbook(path)
    settings = wb["方案"]
    for row in settings.iter_rows(min_row=2):
        if row[1].value == "version":
            row[2].value = version
    inds = wb["指标与规则"]
    head = [c.value for c in inds[1]]
    code, params = head.index("编码"), head.index("规则参数（key=value）")
    for row in inds.iter_rows(min_row=2):
        if row[code].value == "QS_TREE":
            row[params].value = f"target={tree_target}"
    wb.save(path)


def test_a_new_district_from_nothing_to_its_first_published_month(tmp_path, capsys):
    db = tmp_path / "qingshan.duckdb"
    (tmp_path / "单位名录.csv").write_bytes(qs.units_csv())
    (tmp_path / "指标目录.xlsx").write_bytes(qs.catalogue_xlsx())
    (tmp_path / "考核办法.json").write_text(json.dumps(qs.SCHEME, ensure_ascii=False), encoding="utf-8")

    run(capsys, db, "init", "--no-sample")
    assert "未完成" in run(capsys, db, "status") or "缺" in run(capsys, db, "status")
    # nothing scores without a scheme of the district's own
    assert main(["rank", "--db", str(db), "--month", qs.MONTH]) == 1

    run(capsys, db, "units", "import", str(tmp_path / "单位名录.csv"), "--yes")
    run(capsys, db, "catalogue", "import", str(tmp_path / "指标目录.xlsx"), "--yes")
    run(capsys, db, "scheme", "validate", str(tmp_path / "考核办法.json"))
    run(capsys, db, "scheme", "import", str(tmp_path / "考核办法.json"), "--activate")

    template = tmp_path / "填报模板.xlsx"
    run(capsys, db, "template", "--month", qs.MONTH, "-o", str(template))
    fill_template(template, qs.VALUES)
    run(capsys, db, "import", str(template))

    assert totals(capsys, db) == qs.by_hand()
    shown = run(capsys, db, "rank", "--month", qs.MONTH)
    assert "青山区基层治理绩效考核办法（2026年度）" in shown and "2026.1" in shown

    capsys.readouterr()
    assert main(["explain", "--db", str(db), "--unit", "QS01", "--month", qs.MONTH, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sum(r["points"] for r in rows if r["level"] == "indicator") == pytest.approx(qs.by_hand()["QS01"])

    # out to Excel, edited there, back in as version 2026.2
    book = tmp_path / "考核办法-2026.xlsx"
    run(capsys, db, "scheme", "export", "--year", "2026", "-o", str(book))
    edit_workbook(book, version="2026.2", tree_target=800)
    run(capsys, db, "scheme", "import", str(book), "--activate")
    diff = run(capsys, db, "scheme", "diff", "2026:2026.1", "2026:2026.2")
    assert "QS_TREE" in diff and "1000" in diff and "800" in diff
    assert totals(capsys, db) == qs.by_hand(tree_target=800)
    assert qs.by_hand(tree_target=800)["QS01"] == 90.25

    run(capsys, db, "publish", "--month", qs.MONTH)
    wh = Warehouse(db)
    pub = scoring_store.publication(wh, qs.MONTH, "month", None)
    assert (pub["scheme_id"], pub["scheme_version"]) == ("qingshan", "2026.2")

    pdf = tmp_path / "QS01.pdf"
    run(capsys, db, "scorecard", "--unit", "QS01", "--month", qs.MONTH, "-o", str(pdf))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "青山街道" in text and "90.25" in text
    status = run(capsys, db, "status")
    assert qs.MONTH in status


def test_the_scheme_round_trips_through_excel_to_the_same_ranks(tmp_path, capsys):
    db = tmp_path / "qingshan.duckdb"
    (tmp_path / "u.csv").write_bytes(qs.units_csv())
    (tmp_path / "c.xlsx").write_bytes(qs.catalogue_xlsx())
    (tmp_path / "s.json").write_text(json.dumps(qs.SCHEME, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "d.csv").write_bytes(qs.data_csv())
    run(capsys, db, "init", "--no-sample")
    run(capsys, db, "units", "import", str(tmp_path / "u.csv"), "--yes")
    run(capsys, db, "catalogue", "import", str(tmp_path / "c.xlsx"), "--yes")
    run(capsys, db, "scheme", "import", str(tmp_path / "s.json"), "--activate")
    run(capsys, db, "import", str(tmp_path / "d.csv"))
    before = totals(capsys, db)
    book = tmp_path / "s.xlsx"
    run(capsys, db, "scheme", "export", "--year", "2026", "-o", str(book), lang="en")
    wb = openpyxl.load_workbook(book)
    for row in wb.worksheets[0].iter_rows(min_row=2):  # a new version number, nothing else
        if row[1].value == "version":
            row[2].value = "2026.9"
    buf = io.BytesIO()
    wb.save(buf)
    book.write_bytes(buf.getvalue())
    run(capsys, db, "scheme", "import", str(book), "--activate")
    assert totals(capsys, db) == before
    assert "2026.9" in run(capsys, db, "scheme", "list")
