"""`kaohe import`, `kaohe batches`, `kaohe rollback`: exit codes and what they print."""

import import_corpus as corpus
import pytest

from kaohe.cli import build_parser, main


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "12345热线.csv"
    good.write_bytes(corpus.hotline_gbk())
    bad = tmp_path / "bad.csv"
    bad.write_bytes((corpus.LONG_HEADER + "S99,HL_SATISFY,2026-10,95,,\nS01,HL_SATISFY,2026-10,120,,\n").encode())
    return good, bad


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_good_file_lands_and_prints_batch_id_and_counts(sample_wh, files, capsys, monkeypatch):
    monkeypatch.setenv("KAOHE_USER", "考核员乙")
    code, out, _ = run(capsys, "import", "--db", str(sample_wh.path), "--accept-warnings", str(files[0]))
    assert code == 0
    assert "批次 2" in out and "写入 20 行" in out
    assert sample_wh.batch(2)["actor"] == "考核员乙"


def test_bad_file_exits_1_prints_the_report_and_writes_nothing(sample_wh, files, capsys, tmp_path):
    before = sample_wh.checksum()
    report = tmp_path / "report.xlsx"
    code, _, err = run(capsys, "--lang", "en", "import", "--db", str(sample_wh.path), str(files[1]),
                       "--report", str(report))
    assert code == 1
    assert "row 2" in err and "not in the unit register" in err and "row 3" in err and "range" in err
    assert report.exists() and report.read_bytes()[:2] == b"PK"
    assert sample_wh.checksum() == before


def test_the_report_as_csv_is_the_reports_layers_file_in_the_chosen_language(sample_wh, files, capsys, tmp_path):
    """`--report x.csv` writes reports.validation_export's CSV (BOM, words in --lang); several files get one
    report each, named after the file."""
    import csv
    import io

    report = tmp_path / "report.csv"
    code, _, err = run(capsys, "--lang", "en", "import", "--db", str(sample_wh.path), str(files[1]), str(files[1]),
                       "--report", str(report))
    assert code == 1
    written = tmp_path / "report-bad.csv"
    assert written.exists() and str(written) in err
    data = written.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:3] == ["Severity", "Kind", "Row"]


def test_dry_run_writes_nothing(sample_wh, files, capsys):
    before = sample_wh.checksum()
    code, out, _ = run(capsys, "import", "--db", str(sample_wh.path), "--dry-run", str(files[0]))
    assert code == 0 and "未写入" in out
    assert sample_wh.checksum() == before
    # in English the matched units are named in English too (the page passes its language, the CLI none)
    code, out, _ = run(capsys, "--lang", "en", "import", "--db", str(sample_wh.path), "--dry-run", str(files[0]))
    assert code == 0 and "Units matched: 4: S01 Donghu Street, S02 " in out and "东湖街道" not in out


def test_warnings_without_accept_exit_1(sample_wh, tmp_path, capsys):
    f = tmp_path / "s06.csv"
    f.write_bytes((corpus.LONG_HEADER + "S06,HL_SATISFY,2026-10,100,480,480\n").encode())
    before = sample_wh.checksum()
    code, _, err = run(capsys, "import", "--db", str(sample_wh.path), str(f))
    assert code == 1 and "--accept-warnings" in err
    assert sample_wh.checksum() == before


@pytest.mark.parametrize("argv", [
    ["import"], ["import", "--month", "2026-13", "x.csv"], ["import", "/no/such/file.csv"],
])
def test_usage_errors_exit_2(sample_wh, capsys, argv):
    argv = argv[:1] + ["--db", str(sample_wh.path)] + argv[1:]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse itself, for a missing FILE
        code = exc.code
    assert code == 2


def test_usage_errors_are_said_in_the_users_language(sample_wh, capsys, tmp_path):
    code, _, err = run(capsys, "import", "--db", str(sample_wh.path), "--month", "2026/10", "x.csv")
    assert code == 2 and "--month 应为 YYYY-MM" in err
    code, _, err = run(capsys, "--lang", "en", "import", "--db", str(tmp_path / "none.duckdb"), __file__)
    assert code == 2 and "no warehouse at" in err
    code, _, err = run(capsys, "batches", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "找不到数据仓库" in err


def test_same_file_twice_then_batches_and_rollback(sample_wh, files, capsys):
    db = str(sample_wh.path)
    assert run(capsys, "import", "--db", db, "--accept-warnings", str(files[0]))[0] == 0
    code, _, err = run(capsys, "import", "--db", db, "--accept-warnings", str(files[0]))
    assert code == 1 and "已于" in err and "批次 2" in err
    code, out, _ = run(capsys, "batches", "--db", db)
    assert code == 0 and "12345热线.csv" in out and "有效" in out and "操作人" in out
    code, out, _ = run(capsys, "rollback", "2", "--db", db, "--reason", "重传")
    assert code == 0 and "已回滚批次 2" in out
    assert run(capsys, "rollback", "2", "--db", db)[0] == 1
    assert run(capsys, "rollback", "99", "--db", db)[0] == 1
    assert sample_wh.batch(2)["status"] == "rolled_back"


def test_help_is_bilingual():
    sub = build_parser()._subparsers._group_actions[0].choices
    for name in ("import", "batches", "rollback"):
        text = sub[name].format_help()
        assert " / " in text
    assert "--accept-warnings" in sub["import"].format_help()


def test_month_and_sheet_given_on_the_command_line(sample_wh, tmp_path, capsys):
    f = tmp_path / "grid.xlsx"
    f.write_bytes(corpus.xlsx([["单位", "网格事件按时处置率（%）"], ["东湖街道", 91.5], ["西山街道", "90.0"]], sheet="九月"))
    db = str(sample_wh.path)
    code, _, err = run(capsys, "import", "--db", db, "--dry-run", "--sheet", "九月", str(f))
    assert code == 1 and "不知道数据属于哪个月份" in err
    code, out, _ = run(capsys, "import", "--db", db, "--sheet", "九月", "--month", "2026-09", "--accept-warnings", str(f))
    assert code == 0 and "月份 2026-09" in out
    got = sample_wh.observations(units=["S01"], indicators=["GR_CLOSE"], month_from="2026-09", month_to="2026-09")
    assert got["value"].tolist() == [91.5]
