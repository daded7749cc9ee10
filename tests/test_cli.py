"""The `kaohe` command line: init, info, sample, help and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from kaohe.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_init_then_info_reports_the_sample_district(tmp_path, capsys):
    db = str(tmp_path / "k.duckdb")
    code, out, _ = run(capsys, "init", "--db", db, "--end", "2026-10")
    assert code == 0 and "已载入：指标目录、单位名录、示例区的观测数据" in out
    code, out, _ = run(capsys, "info", "--db", db)
    assert code == 0
    assert "街道/乡镇 12，部门 18" in out
    assert "38 项" in out and "36 个月（2023-11 至 2026-10）" in out
    code, out, _ = run(capsys, "--lang", "en", "info", "--db", db)
    assert "Streets and towns 12, Departments 18" in out and "36 months (2023-11 to 2026-10)" in out
    code, out, _ = run(capsys, "info", "--db", db, "--format", "json")
    info = json.loads(out)
    assert info["months"] == 36 and info["indicators"] == 38 and info["units"] == {"department": 18, "street": 12}
    assert info["rows_current"] == info["rows_all"] > 27000
    assert 0.99 < info["completeness"] <= 1
    # init again: only migrates
    code, out, _ = run(capsys, "init", "--db", db)
    assert code == 0 and ("无需载入" in out)


def test_kaohe_db_environment_variable_is_the_default(tmp_path, capsys, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("KAOHE_DB", str(db))
    assert run(capsys, "init", "--no-sample")[0] == 0
    assert db.exists()
    code, out, _ = run(capsys, "info", "--format", "json")
    assert json.loads(out)["months"] == 0


def test_failures_have_one_line_and_a_non_zero_code(tmp_path, capsys):
    code, _, err = run(capsys, "info", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and err.count("\n") == 1 and "找不到数据仓库" in err and "kaohe init" in err
    code, _, err = run(capsys, "init", "--db", str(tmp_path / "x.duckdb"), "--end", "2026-13")
    assert code == 2 and "--end 应为 YYYY-MM" in err
    code, _, err = run(capsys, "--lang", "en", "rank", "--db", str(tmp_path / "none.duckdb"), "--month", "2026-10")
    assert code == 2 and err.strip() == f"error: no warehouse at {tmp_path / 'none.duckdb'}; run `kaohe init`"
    with pytest.raises(SystemExit) as exc:
        main(["nonsense"])
    assert exc.value.code == 2


def test_help_is_bilingual(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "创建或迁移数据仓库" in out and "create or migrate the warehouse" in out
    with pytest.raises(SystemExit):
        main(["sample", "--help"])
    out = capsys.readouterr().out
    assert "单位数" in out and "number of units" in out


def test_sample_writes_a_file_and_loads_a_warehouse(tmp_path, capsys):
    out_csv = tmp_path / "s.csv"
    code, out, _ = run(capsys, "sample", "--units", "40", "--months", "3", "--end", "2026-10",
                       "-o", str(out_csv))
    assert code == 0 and "40" in out
    df = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert df["unit_code"].nunique() == 40 and sorted(df["month"].unique()) == ["2026-08", "2026-09", "2026-10"]
    db = str(tmp_path / "b.duckdb")
    code, _, _ = run(capsys, "sample", "--units", "40", "--months", "3", "--end", "2026-10", "--load", "--db", db)
    code, out, _ = run(capsys, "info", "--db", db, "--format", "json")
    info = json.loads(out)
    assert sum(info["units"].values()) == 40 and info["rows_current"] == len(df)


def test_console_script_is_installed():
    res = subprocess.run([sys.executable, "-m", "kaohe.cli", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "kaohe" in res.stdout


HOSTILE = "\x1b[2J\x1b]0;pwned\x07红\u202e星\u200b街道\x9b31m\x07\x00"
CONTROL = ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u200b")


def test_data_text_is_printed_without_terminal_controls(sample_wh, capsys, monkeypatch):
    """Names, reasons and file names from data reach the terminal as text: no escapes, bidi
    overrides or zero-width characters, whatever the printer (tables, csv, errors)."""
    from kaohe.cli import plain

    assert plain(HOSTILE) == "红星街道"
    assert plain("第一行\n\t第二行") == "第一行\n\t第二行"  # the printers' own layout stays
    wh = sample_wh
    with wh.transaction() as con:
        con.execute("UPDATE units SET name_zh = ?, name_en = ? WHERE code = 'S01'", [HOSTILE, HOSTILE])
    wh.write_observations(pd.DataFrame([{"unit_code": "S01", "indicator_code": "HL_SATISFY", "month": "2026-10",
                                         "value": 90.0, "status": "ok"}]), actor=HOSTILE, source_name=HOSTILE)
    db = str(wh.path)
    assert run(capsys, "adjust", "--db", db, "add", "--unit", "S01", "--month", "2026-10", "--kind", "bonus",
               "--points", "1", "--reason", HOSTILE, "--evidence", HOSTILE)[0] == 0
    monkeypatch.setenv("KAOHE_USER", HOSTILE.replace("\x00", ""))
    outputs = []
    for argv in (["batches"], ["adjust", "--db", db, "list"], ["adjust", "--db", db, "list", "--format", "csv"],
                 ["rank", "--month", "2026-10"], ["explain", "--unit", "S01", "--month", "2026-10"],
                 ["adjust", "--db", db, "add", "--unit", HOSTILE, "--month", "2026-10", "--kind", "bonus",
                  "--points", "1", "--reason", "r"]):
        full = argv if argv[0] == "adjust" else [*argv, "--db", db]
        code, out, err = run(capsys, *full)
        outputs.append(out + err)
        assert "红星街道" in out + err or argv[0] == "adjust" and argv[2] == "add", (argv, out, err)
    for text in outputs:
        assert not any(c in text for c in CONTROL), text
