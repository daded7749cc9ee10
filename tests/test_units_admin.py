"""The unit register a district keeps itself (issue 14, item 1): `kaohe units import/list/rename/split/merge`,
read as forgivingly as data files, shown before it is committed, audited, and refused row by row with the
warehouse byte for byte unchanged (the corpus of bad units files below)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

from kaohe.cli import main
from kaohe.data import units as store
from kaohe.ingest import units_file
from kaohe.ingest.admin_table import FileRefused
from kaohe.metrics import service

HEADER_ZH = "单位代码,单位名称,英文名称,单位类型,同类组,常住人口,上级,起始月份,终止月份\n"
GOOD = (HEADER_ZH + "A01,甲街道,Jia Street,街道,城区,52000,,2026-01,\n"
        "A02,乙镇,Yi Town,乡镇,涉农,18000,,2026/01,\n"
        "A03,丙街道,Bing Street,街道,城区,40000,A01,2026年3月,\n"
        "D01,区财政局,Finance Bureau,部门,综合部门,,,,\n")


def gbk_with_title(text: str) -> bytes:
    """As an office exports it: GBK, a title row and a blank row above the header."""
    return ("某区基层治理考核单位名录（2026年）\n\n" + text).encode("gbk")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        con.close()


def land(wh, data: bytes = None, name="units.csv"):
    preview = units_file.prepare(gbk_with_title(GOOD) if data is None else data, name, wh)
    units_file.commit(preview, wh, actor="考核办")
    return preview


def test_a_new_district_registers_its_units_from_a_gbk_file_with_a_title_row(empty_wh):
    preview = units_file.prepare(gbk_with_title(GOOD), "单位名录.csv", empty_wh)
    assert [c["action"] for c in preview.changes] == ["add"] * 4
    assert preview.summary("zh") == "新增 4 个，修改 0 个，未变 0 个；文件中没有的 0 个保留不变"
    assert empty_wh.units().empty  # a preview writes nothing
    assert units_file.commit(preview, empty_wh, actor="考核办") == 4
    u = empty_wh.units().set_index("code")
    assert u.loc["A02", "kind"] == "street"  # 乡镇 are assessed as streets are
    assert u.loc["D01", "kind"] == "department"
    assert u.loc["A02", "active_from"] == "2026-01" and u.loc["A03", "active_from"] == "2026-03"
    assert u.loc["A03", "parent_code"] == "A01" and int(u.loc["A01", "population"]) == 52000
    assert u.loc["A01", "peer_group_zh"] == "城区"
    log = empty_wh.audit_log()
    adds = log[log["action"] == "units.add"]
    assert set(adds["target"]) == {"A01", "A02", "A03", "D01"} and set(adds["actor"]) == {"考核办"}
    assert json.loads(adds[adds["target"] == "A01"].iloc[0]["detail"])["after"]["name_zh"] == "甲街道"


def test_a_second_file_shows_added_changed_and_unchanged_and_keeps_units_it_leaves_out(empty_wh):
    land(empty_wh)
    second = ("code,name,name_en,kind,peer group,population\n"
              "A01,甲街道,Jia Street,street,城区,53000\n"  # population changed
              "A02,乙镇,Yi Town,township,涉农,18000\n"  # unchanged
              "A04,丁街道,Ding Street,street,城区,30000\n")  # added
    preview = units_file.prepare(second.encode(), "second.csv", empty_wh)
    by = {c["code"]: c for c in preview.changes}
    assert by["A01"]["action"] == "change" and by["A01"]["fields"] == ["population"]
    assert by["A02"]["action"] == "same" and by["A04"]["action"] == "add"
    assert sorted(preview.kept) == ["A03", "D01"]
    labels = {"population": "常住人口"}
    assert "修改 A01 的常住人口：52000 → 53000" in preview.lines("zh", labels)
    assert "change A01 Population: 52000 -> 53000" in preview.lines("en", {"population": "Population"})
    before = dump(empty_wh.path)
    assert units_file.commit(preview, empty_wh, actor="王五") == 2
    u = empty_wh.units().set_index("code")
    assert len(u) == 5  # nothing deleted
    assert u.loc["A03", "parent_code"] == "A01" and u.loc["A03", "active_from"] == "2026-03"  # columns left out kept
    assert u.loc["A01", "active_from"] == "2026-01"
    change = empty_wh.audit_log().query("action == 'units.change'").iloc[0]
    assert json.loads(change["detail"])["before"] == {"population": 52000}
    assert json.loads(change["detail"])["after"] == {"population": 53000}
    assert dump(empty_wh.path) != before
    # the same file again: nothing to write, nothing written
    again = units_file.prepare(second.encode(), "second.csv", empty_wh)
    assert not again.writes
    checksum = sha256(empty_wh.path)
    assert units_file.commit(again, empty_wh, actor="王五") == 0
    assert sha256(empty_wh.path) == checksum


def test_an_xlsx_units_file_with_english_headers(empty_wh):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Unit register 2026"])
    ws.append(["Code", "Name", "Kind", "Peer group", "Population", "Active from"])
    ws.append(["X1", "新街道", "street", "城区", 1000, "2026-02"])
    ws.append(["X2", "新部门", "department", "部门组", None, None])
    buf = io.BytesIO()
    wb.save(buf)
    preview = units_file.prepare(buf.getvalue(), "units.xlsx", empty_wh)
    assert [c["code"] for c in preview.of("add")] == ["X1", "X2"]
    assert preview.of("add")[0]["after"]["population"] == 1000


# name -> (file text, [(row, column as the file names it, words in zh, words in en)])
BAD_FILES = {
    "unknown kind": (HEADER_ZH + "A01,甲街道,,村,城区,,,,\n", [(2, "单位类型", "「村」无法识别", "Unknown unit kind")]),
    "duplicate code": (HEADER_ZH + "A01,甲街道,,街道,城区,,,,\nA01,乙街道,,街道,城区,,,,\n",
                       [(3, "单位代码", "第 2 行已有", "already on row 2")]),
    "bad month": (HEADER_ZH + "A01,甲街道,,街道,城区,,,2026-13,\n", [(2, "起始月份", "不是月份", "is not a month")]),
    "ends before it starts": (HEADER_ZH + "A01,甲街道,,街道,城区,,,2026-05,2026-02\n",
                              [(2, "终止月份", "早于起始月份 2026-05", "before active from 2026-05")]),
    "missing name": (HEADER_ZH + "A01,,,街道,城区,,,,\n", [(2, "单位名称", "单位名称为空", "name is empty")]),
    "population not a number": (HEADER_ZH + "A01,甲街道,,街道,城区,五万,,,\n",
                                [(2, "常住人口", "「五万」不是非负整数", "is not a whole number")]),
    "negative population": (HEADER_ZH + "A01,甲街道,,街道,城区,-5,,,\n", [(2, "常住人口", "非负整数", "zero or more")]),
    "parent unknown": (HEADER_ZH + "A01,甲街道,,街道,城区,,Z99,,\n", [(2, "上级", "「Z99」", "\"Z99\"")]),
    "a peer group of streets and departments": (
        HEADER_ZH + "A01,甲街道,,街道,混合,,,,\nD01,财政局,,部门,混合,,,,\n",
        [(2, "同类组", "只能有一类单位", "holds one kind"), (3, "同类组", "只能有一类单位", "holds one kind")]),
    "a code with a space": (HEADER_ZH + "A 01,甲街道,,街道,城区,,,,\n", [(2, "单位代码", "不合规", "not valid")]),
    "no name column": ("单位代码,单位类型,同类组\nA01,街道,城区\n", [(None, None, "缺少「单位名称", "\"单位名称 / ")]),
    "an invisible character in a code": (HEADER_ZH + "A\u200b01,甲街道,,街道,城区,,,,\n",
                                         [(2, "A", "不可见字符", "invisible characters")]),
    "a Cyrillic letter that looks Latin": (HEADER_ZH + "\u040501,甲街道,,街道,城区,,,,\n",
                                           [(2, "A", "U+0405", "U+0405")]),
    "no header at all": ("甲,乙\n1,2\n", [(None, None, "找不到表头", "No header row")]),
    "several problems, each on its own line": (
        HEADER_ZH + "A01,,,村,城区,x,,2026-13,\n",
        [(2, "单位名称", "为空", "empty"), (2, "单位类型", "无法识别", "Unknown"), (2, "常住人口", "不是", "not"),
         (2, "起始月份", "不是月份", "not a month")]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_units_file_is_refused_row_by_row_and_changes_nothing(case, empty_wh, tmp_path, capsys):
    land(empty_wh)  # a register to change: A01..D01
    text, expected = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    try:
        path.write_bytes(text.encode("gbk"))
    except UnicodeEncodeError:  # characters GBK has not: as UTF-8
        path.write_bytes(text.encode("utf-8"))
    with pytest.raises(FileRefused) as refused:
        units_file.prepare(path.read_bytes(), path.name, empty_wh)
    got = [(p.row, p.column) for p in refused.value.problems]
    assert got == [(row, col) for row, col, _, _ in expected]
    digest, tables = sha256(empty_wh.path), dump(empty_wh.path)
    for lang, idx in (("zh", 2), ("en", 3)):
        assert main(["--lang", lang, "units", "--db", str(empty_wh.path), "import", str(path), "--yes"]) == 1
        err = capsys.readouterr().err
        for item in expected:
            assert item[idx] in err, (lang, err)
        if expected[0][0] is not None:
            row_words = f"第 {expected[0][0]} 行" if lang == "zh" else f"Row {expected[0][0]}"
            assert row_words in err
        assert ("数据仓库未作任何改动" if lang == "zh" else "was not changed") in err
        assert "Error" not in err and "Traceback" not in err
    assert sha256(empty_wh.path) == digest and dump(empty_wh.path) == tables


def test_the_cli_previews_then_commits_with_yes_and_lists(empty_wh, tmp_path, capsys):
    path = tmp_path / "单位.csv"
    path.write_bytes(gbk_with_title(GOOD))
    db = str(empty_wh.path)
    digest = sha256(empty_wh.path)
    assert main(["units", "--db", db, "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "新增 A01 甲街道" in out and "`--yes`" in out
    assert sha256(empty_wh.path) == digest  # a preview writes nothing
    assert main(["units", "--db", db, "import", str(path), "--yes"]) == 0
    assert "已写入 4 项变更" in capsys.readouterr().out
    assert main(["--lang", "en", "units", "--db", db, "list", "--kind", "department", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("code,name_zh,name_en,kind") and "D01,区财政局,Finance Bureau" in out
    assert "A01" not in out
    assert main(["units", "--db", db, "list"]) == 0
    assert "单位名称" in capsys.readouterr().out


def test_rename_split_and_merge_record_lineage_and_audit(empty_wh, tmp_path):
    land(empty_wh)
    more = HEADER_ZH + "A11,甲东街道,,街道,城区,,,2026-07,\nA12,甲西街道,,街道,城区,,,2026-07,\n"
    land(empty_wh, more.encode())
    db = str(empty_wh.path)
    assert main(["units", "--db", db, "rename", "A02", "--name", "乙街道", "--name-en", "Yi Street",
                 "--from", "2026-05"]) == 0
    assert main(["units", "--db", db, "split", "A01", "--into", "A11,A12", "--from", "2026-07"]) == 0
    assert main(["units", "--db", db, "merge", "A11,A03", "--into", "A11", "--from", "2026-09"]) == 0
    u = empty_wh.units().set_index("code")
    assert u.loc["A02", "name_zh"] == "乙街道" and u.loc["A02", "name_en"] == "Yi Street"
    assert u.loc["A01", "active_to"] == "2026-06"  # ended the month before the split; its row stays
    assert u.loc["A03", "active_to"] == "2026-08" and not isinstance(u.loc["A11", "active_to"], str)
    links = store.lineage(empty_wh, "A01")
    assert [(r["month"], r["event"], r["code"], r["relation"]) for r in links] == [
        ("2026-07", "split", "A11", "successor"), ("2026-07", "split", "A12", "successor")]
    back = store.lineage(empty_wh, "A11")
    assert {(r["event"], r["code"], r["relation"], r["depth"]) for r in back} == {
        ("split", "A01", "predecessor", 1), ("merge", "A03", "predecessor", 1)}
    renamed = store.lineage(empty_wh, "A02")
    assert renamed[0]["relation"] == "renamed" and renamed[0]["note"]["before"]["name_zh"] == "乙镇"
    assert units_file.lineage_line(renamed[0], "zh") == "2026-05 更名：乙镇 → 乙街道"
    log = empty_wh.audit_log()
    assert {"unit.rename", "unit.split", "unit.merge"} <= set(log["action"])
    split = log[log["action"] == "unit.split"].iloc[-1]
    detail = json.loads(split["detail"])
    assert detail["month"] == "2026-07" and {"code": "A01", "field": "active_to", "before": None,
                                              "after": "2026-06"} in detail["changes"]


REORG_REFUSALS = {
    "rename an unknown unit": (["rename", "Z9", "--name", "x", "--from", "2026-05"], "没有单位 Z9", "No unit Z9"),
    "rename to the same name": (["rename", "A01", "--name", "甲街道", "--name-en", "Jia Street", "--from", "2026-05"],
                                "已是这个名称", "already has this name"),
    "a bad month": (["split", "A01", "--into", "A03,A02", "--from", "2026-5"], "不是月份", "is not a month"),
    "split into one unit": (["split", "A01", "--into", "A03", "--from", "2026-05"], "至少两个", "at least two"),
    "split a street into a department": (["split", "A01", "--into", "A03,D01", "--from", "2026-05"],
                                         "不是同一类单位", "not all of one kind"),
    "merge a unit not yet begun": (["merge", "A01,A03", "--into", "A01", "--from", "2026-02"], "不在用",
                                   "is not active"),
    "a published month": (["merge", "S01,S02", "--into", "S01", "--from", "2026-09"], "已发布", "published"),
    "a month before a published one": (["merge", "S01,S02", "--into", "S01", "--from", "2026-08"],
                                       "2026-09 的结果已发布", "Results for 2026-09 are published"),
}


@pytest.mark.parametrize("case", list(REORG_REFUSALS))
def test_a_bad_reorganisation_is_refused_in_words_and_changes_nothing(case, sample_wh, capsys):
    land(sample_wh)
    if "published" in case:
        service.publish(sample_wh, "2026-09", "alice")
    argv, zh, en = REORG_REFUSALS[case]
    digest, tables = sha256(sample_wh.path), dump(sample_wh.path)
    for lang, words in (("zh", zh), ("en", en)):
        assert main(["--lang", lang, "units", "--db", str(sample_wh.path), *argv]) == 1
        err = capsys.readouterr().err
        assert words in err and "Error" not in err
    assert sha256(sample_wh.path) == digest and dump(sample_wh.path) == tables


PUBLISHED_FILES = {
    "ending a unit inside a published month": ("单位代码,单位名称,单位类型,同类组,终止月份\nS01,东湖街道,街道,urban,2026-06\n",
                                             [(2, "终止月份")]),
    "starting a unit after a published month it was in": (
        "单位代码,单位名称,单位类型,同类组,起始月份\nS01,东湖街道,街道,urban,2026-10\n", [(2, "起始月份")]),
    "a new unit with no start while months are published": (
        "单位代码,单位名称,单位类型,同类组\nS40,新街道,街道,urban\n", [(2, "active_from")]),
}


@pytest.mark.parametrize("case", list(PUBLISHED_FILES))
def test_a_units_file_cannot_change_the_units_of_a_published_month(case, sample_wh):
    service.publish(sample_wh, "2026-09", "alice")
    text, expected = PUBLISHED_FILES[case]
    digest = sha256(sample_wh.path)
    with pytest.raises(FileRefused) as refused:
        units_file.prepare(text.encode(), "u.csv", sample_wh)
    assert [(p.row, p.column) for p in refused.value.problems] == expected
    assert "2026-09" in refused.value.text("zh") and "published" in refused.value.text("en")
    assert sha256(sample_wh.path) == digest


def test_a_new_unit_from_after_the_published_months_is_fine(sample_wh):
    service.publish(sample_wh, "2026-09", "alice")
    text = "单位代码,单位名称,单位类型,同类组,起始月份\nS40,新街道,街道,urban,2026-10\nS01,东湖街道,街道,urban,\n"
    preview = units_file.prepare(text.encode(), "u.csv", sample_wh)
    assert [c["action"] for c in preview.changes] == ["add", "same"]
