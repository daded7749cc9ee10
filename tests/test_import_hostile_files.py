"""Hostile or misleading files: what is read is what the evaluator sees, every refusal is in words (zh, en)
that say what is really wrong, and nothing reaches the warehouse. The corpus cases themselves run in
tests/test_import_corpus.py (corpus.malformed() includes corpus.hostile())."""

from __future__ import annotations

import io
import random
import zipfile

import import_corpus as corpus
import openpyxl
import pytest

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.ingest import limits, pipeline
from kaohe.ingest.errors import FileProblem
from kaohe.ingest.read import read

CURRENT = "2026-11"


def prepare_as_the_page_does(data: bytes, name: str, wh, **kw):
    """pipeline.prepare with the upload page's arguments (its default byte limit, month and sheet)."""
    return pipeline.prepare(data, name, wh, month=kw.get("month"), sheet=kw.get("sheet"), correction=False,
                            current_month=CURRENT)


def checks(prep, severity=None) -> set:
    p = prep.report.problems
    return set(p["check"] if severity is None else p.loc[p["severity"] == severity, "check"])


def words(prep, lang: str) -> str:
    return "\n".join(prep.report.lines(lang, limit=500))


# -- what is read is what the evaluator sees ------------------------------------------------------------

def test_a_hidden_first_sheet_is_skipped_and_said(sample_wh):
    prep = prepare_as_the_page_does(corpus.hidden_sheet_first(), "hidden.xlsx", sample_wh)
    assert prep.understanding.sheet == "数据"
    assert prep.frame.loc[prep.frame["unit_code"] == "S01", "value"].tolist() == [95]  # not the hidden 12
    assert "val.sheet_hidden_skipped" in checks(prep, "info") and not prep.blocked
    assert "已跳过隐藏的工作表 旧数据" in words(prep, "zh") and "Hidden sheets skipped (旧数据" in words(prep, "en")


def test_a_hidden_sheet_named_explicitly_is_read_with_a_warning(sample_wh):
    before = sample_wh.checksum()
    prep = prepare_as_the_page_does(corpus.hidden_sheet_first(), "hidden.xlsx", sample_wh, sheet="旧数据")
    assert prep.understanding.sheet == "旧数据" and prep.frame["value"].tolist() == [12]
    assert "val.sheet_hidden_named" in checks(prep, "warning")
    with pytest.raises(pipeline.ImportRefused):  # a warning needs confirming
        pipeline.commit(prep, sample_wh, actor="t")
    assert sample_wh.checksum() == before


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_very_hidden_is_hidden_too(state):
    wb = openpyxl.load_workbook(io.BytesIO(corpus.hidden_sheet_first()))
    wb["旧数据"].sheet_state = state
    buf = io.BytesIO()
    wb.save(buf)
    assert read(buf.getvalue(), "x.xlsx").sheet == "数据"


def test_hidden_rows_with_data_are_refused_row_by_row_and_empty_hidden_rows_are_not(sample_wh):
    data = corpus._workbook(("数据", corpus._DATA + [[None], [None]]), hidden_rows=(2, 4, 6))
    before = sample_wh.checksum()
    prep = prepare_as_the_page_does(data, "rows.xlsx", sample_wh)
    p = prep.report.problems
    assert sorted(p.loc[p["check"] == "val.row_hidden", "row"].tolist()) == [2, 4]  # row 6 is empty
    assert prep.blocked
    assert "取消隐藏并核对，或删除这些行" in words(prep, "zh") and "Unhide and check these rows" in words(prep, "en")
    assert sample_wh.checksum() == before


def test_rows_hidden_by_a_zero_height_are_hidden():
    data = corpus._rezip(corpus.xlsx(corpus._DATA), {corpus.SHEET1: lambda x: x.replace(b'<row r="3"',
                                                                                      b'<row r="3" ht="0" customHeight="1"')})
    raw = read(data, "x.xlsx")
    assert [p["row"] for p in raw.problems if p["check"] == "val.row_hidden"] == [3]


def test_excels_unicode_text_export_imports(sample_wh):
    rows = ["单位代码\t指标代码\t统计月份\t数值", "S01\tHL_SATISFY\t2026-10\t95", "S02\tHL_SATISFY\t2026-10\t93"]
    for name in ("unicode.txt", "unicode.csv"):
        prep = prepare_as_the_page_does(corpus.unicode_text(rows), name, sample_wh)
        assert prep.report.errors == 0, words(prep, "en")
        assert (prep.understanding.fmt, prep.understanding.encoding) == ("tsv", "utf-16")
        assert prep.frame["value"].tolist() == [95, 93]
    big_endian = "\ufeff".encode("utf-16-be") + "\n".join(rows).encode("utf-16-be")
    assert read(big_endian, "u.txt").rows[1][0] == "S01"


def test_big5_is_named_and_gbk_still_reads(sample_wh):
    prep = prepare_as_the_page_does(corpus.big5_csv(), "big5.csv", sample_wh)
    assert checks(prep) == {"val.file_encoding_unsupported"}
    assert "Big5" in words(prep, "zh") and "另存为 UTF-8" in words(prep, "zh") and "GBK" in words(prep, "zh")
    assert "Big5" in words(prep, "en")
    ok = read(corpus.hotline_gbk(), "hl.csv")  # the 12345 platform's GBK export is not mistaken for Big5
    assert ok.encoding == "gb18030"
    rare = read("单位名称,满意率(%)\n堃玥犇街道,95\n东湖街道,96\n".encode("gbk"), "x.csv")  # GBK-only characters
    assert rare.rows[1][0] == "堃玥犇街道"


def test_an_encrypted_workbook_is_called_encrypted_not_damaged(sample_wh):
    prep = prepare_as_the_page_does(corpus.compound_file("EncryptionInfo", "EncryptedPackage"), "pw.xlsx", sample_wh)
    assert checks(prep) == {"val.file_encrypted"}
    zh, en = words(prep, "zh"), words(prep, "en")
    assert "加密的工作簿" in zh and "取消密码" in zh and "另存为 .xlsx" in zh and "损坏" not in zh.replace("并非文件损坏", "")
    assert "encrypted" in en and "password" in en


def test_a_nul_byte_deep_in_a_text_file_is_named_with_its_row(sample_wh):
    prep = prepare_as_the_page_does(corpus.nul_deep_csv(), "nul.csv", sample_wh)
    p = prep.report.problems
    assert p["check"].tolist() == ["val.file_nul"] and p["row"].tolist() == [42]
    assert "文件第 42 行含 NUL 字节（二进制内容）" in words(prep, "zh")
    assert "Row 42 of the file contains a NUL byte" in words(prep, "en")
    assert "val.value_bad" not in checks(prep)


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u3164"])
def test_an_invisible_character_in_a_unit_name_is_shown_and_never_matched(sample_wh, char):
    data = (corpus.LONG_HEADER + f"东湖{char}街道,HL_SATISFY,2026-10,95,,\n").encode()
    prep = prepare_as_the_page_does(data, "zw.csv", sample_wh)
    code = f"U+{ord(char):04X}"
    p = prep.report.problems
    shown = f"东湖[{code}]街道"
    assert p.loc[p["check"] == "val.cell_invisible", "value"].tolist() == [shown]
    assert "val.unit_unknown" in checks(prep, "error")  # not silently matched to 东湖街道 (S01)
    assert prep.understanding.units_unmatched == [shown]  # the preview shows it marked too
    assert f"单元格含不可见字符（{code}）" in words(prep, "zh") and f"invisible characters ({code})" in words(prep, "en")
    assert "S01" not in prep.frame["unit_code"].tolist()


def test_invisible_characters_in_a_big_csv_are_found_by_the_fast_reader(sample_wh):
    body = "S01,HL_SATISFY,2026-10,95,,\n" * 90_000
    data = (corpus.LONG_HEADER + body + "西山\u200b街道,HL_SATISFY,2026-10,95,,\n").encode()
    assert len(data) > 2 * 2**20
    raw = read(data, "big.csv")
    assert raw.frame is not None  # the pandas path
    found = [(p["row"], p["column"], p["value"]) for p in raw.problems]
    assert found == [(90_002, "A", "西山[U+200B]街道")]


# -- limits, before parsing ------------------------------------------------------------------------------

def test_the_limits_are_named_constants_and_the_page_uses_them():
    assert pipeline.MAX_UPLOAD_BYTES == limits.MAX_UPLOAD_BYTES == 20 * 2**20
    assert limits.MAX_ROWS >= 1_000_000 and limits.MAX_COLUMNS == 500 and limits.MAX_CELL_CHARS == 10_000
    assert limits.MAX_XLSX_UNCOMPRESSED == 200 * 2**20 and limits.MAX_XLSX_RATIO == 100
    assert limits.max_cells_for(limits.MAX_UPLOAD_BYTES) == limits.MAX_UPLOAD_CELLS
    assert limits.max_cells_for(limits.MAX_CLI_BYTES) == limits.MAX_CELLS


def test_a_zip_declaring_a_huge_part_is_refused_without_unzipping_it(monkeypatch):
    data = corpus.xlsx(corpus._DATA)
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or 1 / 0)
    monkeypatch.setattr(limits, "MAX_XLSX_UNCOMPRESSED", 1000)
    with pytest.raises(FileProblem) as exc:
        read(data, "x.xlsx")
    assert exc.value.key == "val.file_unzipped_too_large" and not opened


def test_too_many_cells_for_the_page_go_to_the_command_line(sample_wh):
    row = "S01,2026-10," + ",".join(["95"] * 38) + "\n"
    data = ("单位,月份," + ",".join(f"c{i}" for i in range(38)) + "\n" + row * 16_000).encode()
    prep = prepare_as_the_page_does(data, "cells.csv", sample_wh)
    assert checks(prep) == {"val.file_too_many_cells"}
    assert f"上限 {limits.MAX_UPLOAD_CELLS} 个" in words(prep, "zh") and "kaohe import" in words(prep, "en")
    raw = read(data, "cells.csv", max_cells=limits.MAX_CELLS)  # the command line's limit takes it
    assert raw.frame is not None or len(raw.rows) == 16_001


def test_the_declared_sheet_range_is_refused_before_a_cell_is_read(monkeypatch):
    from openpyxl.worksheet import _reader

    def never(*a, **k):
        raise AssertionError("a cell was parsed")

    monkeypatch.setattr(_reader.WorkSheetParser, "parse_cell", never)
    with pytest.raises(FileProblem) as exc:
        read(corpus._declared("A1:Z2000000"), "x.xlsx")
    assert exc.value.key == "val.sheet_too_large" and exc.value.params["rows"] == 2_000_000


# -- every failure is a registered message, on the page's path too -----------------------------------

def _variants(seed: int = 5, n: int = 2):
    """Each hostile file, and some truncated and bit-flipped copies of it."""
    rnd = random.Random(seed)
    for case in corpus.hostile():
        yield case.name, case.data
        for i in range(n):
            data = bytearray(case.data)
            if i % 2 == 0:
                data = data[: rnd.randrange(1, len(data))]
            else:
                for _ in range(8):
                    data[rnd.randrange(len(data))] = rnd.randrange(256)
            yield f"{case.name}#{i}", bytes(data)


def test_no_hostile_file_or_damaged_copy_escapes_as_an_exception(sample_wh):
    before = sample_wh.checksum()
    for name, data in _variants():
        prep = prepare_as_the_page_does(data, name.split("#")[0], sample_wh)
        for check, params in zip(prep.report.problems["check"], prep.report.problems["params"], strict=True):
            assert i18n.has(check), (name, check)
            for lang in ("zh", "en"):
                t(check, lang, **params)  # every placeholder is filled: no "…" in the words
        if prep.blocked:
            with pytest.raises(pipeline.ImportRefused):
                pipeline.commit(prep, sample_wh, actor="t", accept_warnings=True)
    assert sample_wh.checksum() == before


def test_an_unexpected_failure_while_reading_is_said_in_words(sample_wh, monkeypatch):
    def boom(*a, **k):
        raise RecursionError("deep")

    monkeypatch.setattr(pipeline, "read", boom)
    prep = prepare_as_the_page_does(corpus.utf8(corpus.LONG_HEADER), "x.csv", sample_wh)
    assert checks(prep) == {"val.file_unreadable"} and "RecursionError" in words(prep, "en")


def test_the_command_line_says_the_same_words(sample_wh, tmp_path, capsys):
    from kaohe.cli import main

    path = tmp_path / "cell.csv"
    path.write_bytes(corpus.utf8(corpus.LONG_HEADER + 'S01,HL_SATISFY,2026-10,"' + "9" * 200_000 + '",,\n'))
    before = sample_wh.checksum()
    assert main(["import", "--db", str(sample_wh.path), str(path)]) == 1
    err = capsys.readouterr().err
    assert "第 2 行 [D]" in err and "超过上限 10000 个" in err and "field larger" not in err
    assert sample_wh.checksum() == before


def test_a_cyrillic_letter_in_a_unit_code_is_shown_and_never_matched(sample_wh):
    data = (corpus.LONG_HEADER + "\u040501,HL_SATISFY,2026-10,95,,\n").encode()  # Ѕ (U+0405) looks like S
    prep = prepare_as_the_page_does(data, "cy.csv", sample_wh)
    p = prep.report.problems
    assert p.loc[p["check"] == "val.cell_lookalike", "value"].tolist() == ["[U+0405]01"]
    assert prep.understanding.units_unmatched == ["[U+0405]01"] and "val.unit_unknown" in checks(prep, "error")
    assert "形似拉丁字母的希腊/西里尔字母（Ѕ，U+0405）" in words(prep, "zh")
    ok = read("单位,α系数\nS01,1\n".encode(), "x.csv")  # Greek beside Chinese is no look-alike
    assert not ok.problems


def test_a_value_hidden_by_its_number_format_is_refused(sample_wh):
    prep = prepare_as_the_page_does(corpus._format_hidden(), "fmt.xlsx", sample_wh)
    p = prep.report.problems
    assert p.loc[p["check"] == "val.cell_format_hidden", ["row", "column"]].values.tolist() == [[3, "C"]]
    assert prep.blocked


def test_a_gbk_line_that_happens_to_be_valid_utf8_is_not_a_mixed_encoding():
    data = "单位,月份,指标,值\nS01,2026-10,HL_SATISFY,95\n值\n东湖街道,2026-10,HL_SATISFY,95\n".encode("gbk")
    assert "值".encode("gbk").decode("utf-8")  # D6 B5: a Hebrew point in UTF-8
    assert read(data, "x.csv").encoding == "gb18030"
