"""`kaohe scorecard | scorecards | summary | export`: files written, progress lines, one-line errors."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from kaohe.cli import build_parser, main
from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Warehouse

MONTH = "2026-10"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "w.duckdb"
    ensure_ready(Warehouse(path), end=MONTH)
    return str(path)


@pytest.fixture(autouse=True)
def chinese(monkeypatch):
    monkeypatch.setenv("KAOHE_LANG", "zh")


def test_scorecard_and_summary(db, tmp_path, capsys):
    out = tmp_path / "s01.pdf"
    assert main(["scorecard", "--db", db, "--unit", "S01", "--month", MONTH, "-o", str(out)]) == 0
    assert len(PdfReader(out).pages) <= 2
    assert "s01.pdf" in capsys.readouterr().out
    out = tmp_path / "summary.pdf"
    assert main(["--lang", "en", "summary", "--db", db, "--month", MONTH, "-o", str(out)]) == 0
    assert "Monthly assessment summary" in PdfReader(out).pages[0].extract_text()


def test_scorecards_print_progress(db, tmp_path, capsys):
    # the merged PDF (the ZIP path is covered in test_reports_pdf; both share the progress callback)
    out = tmp_path / "all.pdf"
    assert main(["scorecards", "--db", db, "--month", MONTH, "-o", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "已完成 30/30" and len(err) >= 5
    assert len(PdfReader(io.BytesIO(out.read_bytes())).outline) == 30


def test_export_xlsx_and_csv(db, tmp_path):
    out = tmp_path / "m.xlsx"
    assert main(["export", "--db", db, "--month", MONTH, "-o", str(out)]) == 0
    assert "指标矩阵" in load_workbook(out).sheetnames
    out = tmp_path / "m.csv"
    assert main(["export", "--db", db, "-o", str(out)]) == 0  # month defaults to the last with data
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("argv,code,needle", [
    (["scorecard", "--unit", "NOPE", "--month", MONTH], 2, "未知单位"),
    (["scorecard", "--unit", "S01", "--month", "2026-13"], 2, "YYYY-MM"),
    (["summary", "--month", "2019-01"], 1, "2019-01没有观测数据"),
])
def test_errors_are_one_line(db, tmp_path, capsys, argv, code, needle):
    assert main([*argv, "--db", db, "-o", str(tmp_path / "x.pdf")]) == code
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_an_empty_warehouse_is_said_in_the_users_language(empty_wh, tmp_path, capsys, monkeypatch):
    out = tmp_path / "x.csv"
    assert main(["export", "--db", str(empty_wh.path), "-o", str(out)]) == 1
    assert "仓库中还没有观测数据" in capsys.readouterr().err and not out.exists()
    monkeypatch.setenv("KAOHE_LANG", "en")
    assert main(["export", "--db", str(empty_wh.path), "-o", str(out)]) == 1
    assert "the warehouse holds no observations" in capsys.readouterr().err


def test_help_is_bilingual():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("scorecard", "scorecards", "summary", "export"):
        text = sub.choices[name].format_help()
        assert "/" in text and "单位" in text or "月份" in text
        assert "output file" in text and "输出文件" in text



def test_zip_format_from_suffix(db, tmp_path, monkeypatch):
    from kaohe.reports import batch

    seen = {}
    monkeypatch.setattr(batch, "scorecards_zip", lambda wh, month, lang, progress, period="month", processes=None, build=None, actor=None:
                        seen.update(month=month, period=period, processes=processes) or b"PK")
    assert main(["scorecards", "--db", db, "--processes", "2", "-o", str(tmp_path / "a.zip")]) == 0
    assert seen == {"month": MONTH, "period": "month", "processes": 2}
    assert (tmp_path / "a.zip").read_bytes() == b"PK"


def test_quarter_scorecards(db, tmp_path):
    import zipfile

    out = tmp_path / "q.zip"
    assert main(["scorecards", "--db", db, "--month", MONTH, "--period", "quarter", "--processes", "1",
                 "-o", str(out)]) == 0
    names = zipfile.ZipFile(out).namelist()
    assert len(names) == 30 and all(n.startswith("2026-Q4_") for n in names)
    assert "2026-Q4" in PdfReader(io.BytesIO(zipfile.ZipFile(out).read(names[0]))).pages[0].extract_text()


def _s01_total(path) -> float:
    rows = pd.read_csv(path, encoding="utf-8-sig")
    return float(rows.loc[rows.iloc[:, 0].eq("S01")].iloc[0]["总分"])


def test_an_export_of_drifted_figures_says_they_are_not_the_published_ones(db, tmp_path, capsys):
    from kaohe.data import scoring_store as store
    from kaohe.data.warehouse import Warehouse
    from kaohe.metrics import service

    wh = Warehouse(db)
    service.publish(wh, MONTH, "alice")
    published = store.published_results(wh, MONTH).set_index("unit_code").loc["S01", "total"]
    out = tmp_path / "m.csv"
    assert main(["export", "--db", db, "--month", MONTH, "-o", str(out)]) == 0
    assert "已发布·第 1 版" in capsys.readouterr().out
    service.add_adjustment(wh, "S01", MONTH, "deduction", 9, "迟报", None, "carol", correction_reason="补录")
    # by default a published month's export holds its published figures, and says the data moved on
    assert main(["export", "--db", db, "--month", MONTH, "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "第 1 版结果（按其记录重现）" in said and "此后数据已有变动" in said
    assert _s01_total(out) == pytest.approx(published, abs=0.005)
    # the current figures are a choice away, and say they are not the published ones
    assert main(["export", "--db", db, "--month", MONTH, "--current", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "注意" in said and "第 1 版不同" in said
    assert _s01_total(out) == pytest.approx(published - 9, abs=0.005)


def test_a_published_scorecard_shows_the_published_figures_unless_current(db, tmp_path, capsys):
    from kaohe.data import scoring_store as store
    from kaohe.metrics import service

    wh = Warehouse(tmp_path / "own.duckdb")  # a warehouse of its own: nothing published in it yet
    ensure_ready(wh, end=MONTH)
    db = str(wh.path)
    service.publish(wh, MONTH, "alice")
    published = store.published_results(wh, MONTH).set_index("unit_code").loc["S01", "total"]
    service.add_adjustment(wh, "S01", MONTH, "deduction", 9, "迟报", None, "carol", correction_reason="补录")
    out = tmp_path / "s.pdf"
    assert main(["scorecard", "--db", db, "--month", MONTH, "--unit", "S01", "-o", str(out)]) == 0
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert f"{published:.2f}" in text and "已发布·第 1 版" in text
    assert main(["scorecard", "--db", db, "--month", MONTH, "--unit", "S01", "--current", "-o", str(out)]) == 0
    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    assert f"{published - 9:.2f}" in text and "第 1 版不同" in text
    capsys.readouterr()
    with wh.transaction() as con:  # the inputs of the revision altered: refused, with the way to current figures
        con.execute("UPDATE observations SET value = value + 5 WHERE unit_code = 'S02' AND month = ?", [MONTH])
    assert main(["scorecard", "--db", db, "--month", MONTH, "--unit", "S01", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "校验和不符" in err and "--current" in err
