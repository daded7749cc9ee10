"""The indicator catalogue a district keeps itself (issue 14, item 2): `kaohe catalogue import/list/export/retire`,
with source system and owning office (schema 7), retirement that keeps history, an export -> import round trip
that changes nothing, and bad catalogue files refused row by row with the warehouse unchanged."""

from __future__ import annotations

import json

import pytest
from test_units_admin import dump, sha256

from kaohe.cli import main
from kaohe.data import catalogue_admin, schema
from kaohe.data.warehouse import Warehouse
from kaohe.ingest import catalogue_file
from kaohe.ingest.admin_table import FileRefused
from kaohe.metrics import service

HEADER = "指标代码,指标名称,英文名称,维度,适用对象,计量单位,方向,指标类型,比率,下限,上限,来源系统,责任科室\n"
OWN = HEADER + "GRID_VISIT,网格员走访率,Grid visits,网格治理,街道,%,正向,比率,是,0,100,网格化平台,综治科\n"


def test_schema_7_adds_the_columns_and_an_older_file_migrates(tmp_path):
    wh = Warehouse(tmp_path / "old.duckdb")
    wh.migrate(target=6)
    wh.migrate()
    assert wh.schema_version() == schema.LATEST >= 7
    cols = set(wh.query("SELECT * FROM indicators LIMIT 0").columns)
    assert {"source_system", "owner_office", "retired_from"} <= cols


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_changes_nothing(suffix, sample_wh, tmp_path, capsys):
    db = str(sample_wh.path)
    path = tmp_path / f"catalogue{suffix}"
    assert main(["catalogue", "--db", db, "export", "-o", str(path)]) == 0
    digest, tables = sha256(sample_wh.path), dump(sample_wh.path)
    preview = catalogue_file.prepare(path.read_bytes(), path.name, sample_wh)
    assert not preview.writes and len(preview.of("same")) == len(sample_wh.indicators())
    assert main(["catalogue", "--db", db, "import", str(path), "--yes"]) == 0
    assert "无需写入" in capsys.readouterr().out
    assert sha256(sample_wh.path) == digest and dump(sample_wh.path) == tables


def test_a_district_adds_its_own_indicator_and_owners_then_round_trips(sample_wh, tmp_path, capsys):
    db = str(sample_wh.path)
    path = tmp_path / "own.csv"
    path.write_bytes(("区指标目录\n" + OWN + "HL_RESPONSE,诉求响应率,Hotline response rate,接诉即办,全部,%,正向,比率,是,0,100,"
                      "12345热线,督查科\n").encode("gbk"))
    assert main(["catalogue", "--db", db, "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "新增 GRID_VISIT 网格员走访率" in out and "修改 HL_RESPONSE 的来源系统：12345 → 12345热线" in out
    assert catalogue_file.prepare(path.read_bytes(), path.name, sample_wh).writes  # not written without --yes
    assert main(["catalogue", "--db", db, "import", str(path), "--yes"]) == 0
    rows = catalogue_admin.catalogue_rows(sample_wh)
    assert rows["GRID_VISIT"]["applies_to"] == "street" and rows["GRID_VISIT"]["ratio"] is True
    assert rows["GRID_VISIT"]["owner_office"] == "综治科" and rows["HL_RESPONSE"]["source_system"] == "12345热线"
    assert rows["HL_RESPONSE"]["typical_low"] == 90.0  # a column the file leaves out keeps its value
    assert list(rows)[0] == "HL_RESPONSE"  # a changed indicator keeps its place in the catalogue
    log = sample_wh.audit_log()
    change = json.loads(log[log["action"] == "catalogue.change"].iloc[0]["detail"])
    assert change["before"] == {"source_system": "12345", "owner_office": "12345热线办"}
    assert change["after"] == {"source_system": "12345热线", "owner_office": "督查科"}
    out_path = tmp_path / "again.xlsx"
    assert main(["catalogue", "--db", db, "export", "-o", str(out_path)]) == 0
    assert not catalogue_file.prepare(out_path.read_bytes(), out_path.name, sample_wh).writes
    assert main(["--lang", "en", "catalogue", "--db", db, "list", "--format", "csv"]) == 0
    listed = capsys.readouterr().out
    assert "GRID_VISIT,网格员走访率,Grid visits" in listed


def test_retiring_keeps_the_row_and_its_history(sample_wh, capsys):
    db = str(sample_wh.path)
    before = len(sample_wh.observations(indicators=["HL_ONTIME"]))
    assert before > 0
    assert main(["catalogue", "--db", db, "retire", "HL_ONTIME", "--from", "2026-11"]) == 0
    assert "历史数据保留" in capsys.readouterr().out
    # the row stays, and stays active: the months before 2026-11 (its history) are still scored with it
    assert "HL_ONTIME" in set(sample_wh.indicators()["code"])
    assert main(["rank", "--db", db, "--month", "2026-10"]) == 0
    capsys.readouterr()
    assert catalogue_admin.retired_in(catalogue_admin.frame(sample_wh), "2026-11") == {"HL_ONTIME"}
    assert catalogue_admin.retired_in(catalogue_admin.frame(sample_wh), "2026-10") == set()
    assert len(sample_wh.observations(indicators=["HL_ONTIME"])) == before  # and its history
    assert catalogue_admin.catalogue_rows(sample_wh)["HL_ONTIME"]["retired_from"] == "2026-11"
    entry = sample_wh.audit_log().iloc[0]
    assert entry["action"] == "catalogue.retire" and json.loads(entry["detail"])["before"] == {"retired_from": None}
    assert main(["catalogue", "--db", db, "list"]) == 0
    assert "HL_ONTIME" not in capsys.readouterr().out
    assert main(["catalogue", "--db", db, "list", "--all"]) == 0
    assert "HL_ONTIME" in capsys.readouterr().out


BAD_FILES = {
    "bad code": (HEADER + "grid visit,走访率,,网格治理,街道,%,正向,比率,是,0,100,,\n", [(2, "指标代码", "不合规", "not valid")]),
    "duplicate code": (OWN + "GRID_VISIT,又一个,,网格治理,街道,%,正向,比率,是,0,100,,\n",
                       [(3, "指标代码", "第 2 行已有", "already on row 2")]),
    "missing name": (HEADER + "G1,,,网格治理,街道,%,正向,比率,是,,,,\n", [(2, "指标名称", "必填", "Required")]),
    "unknown applies-to": (HEADER + "G1,名,,维,村,%,正向,比率,是,,,,\n", [(2, "适用对象", "「村」无法识别", "\"村\"")]),
    "unknown direction": (HEADER + "G1,名,,维,街道,%,向上,比率,是,,,,\n", [(2, "方向", "「向上」", "direction")]),
    "unknown kind": (HEADER + "G1,名,,维,街道,%,正向,百分,是,,,,\n", [(2, "指标类型", "「百分」", "kind")]),
    "unknown ratio": (HEADER + "G1,名,,维,街道,%,正向,比率,也许,,,,\n", [(2, "比率", "是或否", "yes or no")]),
    "min not a number": (HEADER + "G1,名,,维,街道,%,正向,比率,是,零,100,,\n", [(2, "下限", "「零」不是数字", "not a number")]),
    "min above max": (HEADER + "G1,名,,维,街道,%,正向,比率,是,100,0,,\n", [(2, "上限", "下限 100 大于上限 0", "above")]),
    "no direction column": ("指标代码,指标名称,维度,适用对象,指标类型,比率\nG1,名,维,街道,比率,是\n",
                            [(None, None, "缺少「方向", "\"方向 / direction\"")]),
    "an empty file": ("", [(None, None, "空", "empty")]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_catalogue_file_is_refused_row_by_row_and_changes_nothing(case, empty_wh, tmp_path, capsys):
    text, expected = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(FileRefused) as refused:
        catalogue_file.prepare(path.read_bytes(), path.name, empty_wh)
    assert [(p.row, p.column) for p in refused.value.problems] == [(r, c) for r, c, _, _ in expected]
    digest, tables = sha256(empty_wh.path), dump(empty_wh.path)
    for lang, idx in (("zh", 2), ("en", 3)):
        assert main(["--lang", lang, "catalogue", "--db", str(empty_wh.path), "import", str(path), "--yes"]) == 1
        err = capsys.readouterr().err
        for item in expected:
            assert item[idx] in err, (lang, err)
        assert ("数据仓库未作任何改动" if lang == "zh" else "was not changed") in err
        assert "Error" not in err and "Traceback" not in err
    assert sha256(empty_wh.path) == digest and dump(empty_wh.path) == tables


RETIRE_REFUSALS = {
    "an unknown indicator": (["retire", "NOPE", "--from", "2026-11"], "没有指标 NOPE", "No indicator NOPE"),
    "a bad month": (["retire", "HL_ONTIME", "--from", "11/2026"], "不是月份", "is not a month"),
    "a published month": (["retire", "HL_ONTIME", "--from", "2026-09"], "已发布", "published"),
    "a month before a published one": (["retire", "HL_ONTIME", "--from", "2026-07"], "2026-09 的结果已发布",
                                       "Results for 2026-09 are published"),
    "an export to a bad suffix": (["export", "-o", "x.pdf"], ".csv 或 .xlsx", ".csv or .xlsx"),
}


@pytest.mark.parametrize("case", list(RETIRE_REFUSALS))
def test_a_bad_retirement_is_refused_and_changes_nothing(case, sample_wh, capsys):
    service.publish(sample_wh, "2026-09", "alice")
    argv, zh, en = RETIRE_REFUSALS[case]
    digest, tables = sha256(sample_wh.path), dump(sample_wh.path)
    for lang, words in (("zh", zh), ("en", en)):
        assert main(["--lang", lang, "catalogue", "--db", str(sample_wh.path), *argv]) in (1, 2)
        err = capsys.readouterr().err
        assert words in err and "Error" not in err
    assert sha256(sample_wh.path) == digest and dump(sample_wh.path) == tables


def test_retiring_twice_is_refused(sample_wh, capsys):
    assert catalogue_admin.retire(sample_wh, "HL_ONTIME", month="2026-11", actor="a")["retired_from"] == "2026-11"
    with pytest.raises(catalogue_admin.CatalogueRefused) as exc:
        catalogue_admin.retire(sample_wh, "HL_ONTIME", month="2026-12", actor="a")
    assert exc.value.text("en") == "HL_ONTIME is already retired from 2026-11"


def test_a_catalogue_file_cannot_retire_into_a_published_month(sample_wh, tmp_path):
    service.publish(sample_wh, "2026-09", "alice")
    path = tmp_path / "c.csv"
    assert main(["catalogue", "--db", str(sample_wh.path), "export", "-o", str(path)]) == 0
    text = path.read_text(encoding="utf-8-sig").splitlines()
    text = [line + "2026-08" if line.startswith("HL_ONTIME,") else line for line in text]
    digest = sha256(sample_wh.path)
    with pytest.raises(FileRefused) as refused:
        catalogue_file.prepare("\n".join(text).encode(), "c.csv", sample_wh)
    [problem] = refused.value.problems
    assert problem.column == "retired_from" and "2026-09" in problem.text("en")
    assert sha256(sample_wh.path) == digest
    later = [line + "2026-11" if line.startswith("HL_ONTIME,") else line for line in path.read_text(
        encoding="utf-8-sig").splitlines()]
    preview = catalogue_file.prepare("\n".join(later).encode(), "c.csv", sample_wh)
    assert [c["code"] for c in preview.of("change")] == ["HL_ONTIME"]
