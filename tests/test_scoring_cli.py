"""`kaohe rank`, `explain`, `publish`, `revisions`, `adjust`, `robustness` through kaohe.cli.main."""

from __future__ import annotations

import json
import re

import pytest
from lang_checks import CJK

from kaohe.cli import main


@pytest.fixture
def db(sample_wh, monkeypatch) -> str:
    monkeypatch.setenv("KAOHE_USER", "tester")
    monkeypatch.delenv("KAOHE_LANG", raising=False)
    return str(sample_wh.path)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_rank_table_in_chinese_by_default(db, capsys):
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2026-09")
    assert code == 0
    assert "2026-09 考核排名" in out and "【城区街道】" in out and "名次" in out
    assert "一票否决" in out  # the planted concealment case, S08
    assert "红榜" in out and "黑榜" in out


def test_rank_english_and_group(db, capsys):
    code, out, _ = run(capsys, "--lang", "en", "rank", "--db", db, "--month", "2026-10", "--group", "rural")
    assert code == 0
    assert "2026-10 ranking" in out and "[Rural towns]" in out and "Qingshi Town" in out
    assert "S09" in out and "S01" not in out


def test_rank_csv_and_json(db, capsys):
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2026-09", "--period", "quarter", "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("period,unit_code") and len(lines) == 31
    assert lines[1].startswith("2026-Q3,")
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2026-10", "--format", "json", "--group", "service")
    rows = json.loads(out)
    assert len(rows) == 6 and {r["peer_group"] for r in rows} == {"service"}
    assert sorted(r["rank"] for r in rows)[0] == 1 and isinstance(rows[0]["alerts"], list)


def test_rank_usage_errors(db, capsys):
    code, _, err = run(capsys, "rank", "--db", db, "--month", "2026-9")
    assert code == 2 and "YYYY-MM" in err
    code, _, err = run(capsys, "rank", "--db", db, "--month", "2026-10", "--group", "nowhere")
    assert code == 2 and "nowhere" in err
    with pytest.raises(SystemExit):
        main(["rank", "--db", db, "--month", "2026-10", "--period", "week"])


def test_explain(db, capsys):
    code, out, _ = run(capsys, "explain", "--db", db, "--unit", "S08", "--month", "2026-09")
    assert code == 0
    assert "S08 河畔街道 2026-09 得分说明" in out
    assert "诉求满意率" in out and "基础得分" in out and "一票否决" in out and "不合格" in out
    code, out, _ = run(capsys, "explain", "--db", db, "--unit", "S01", "--month", "2026-10", "--format", "json")
    rows = json.loads(out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert rows[-1]["level"] == "rank" and any(r["level"] == "total" for r in rows)
    assert rows[-1]["raw_score"] is None
    code, _, err = run(capsys, "explain", "--db", db, "--unit", "S99", "--month", "2026-10")
    assert code == 2 and "S99" in err


def test_adjust_publish_and_revisions(db, capsys):
    code, out, _ = run(capsys, "adjust", "--db", db, "add", "--unit", "S02", "--month", "2026-10", "--kind", "bonus",
                       "--points", "2", "--reason", "经验做法获市级推广", "--evidence", "区委办〔2026〕12号")
    assert code == 0 and "#1" in out
    code, out, _ = run(capsys, "adjust", "--db", db, "list", "--month", "2026-10", "--format", "csv")
    assert "经验做法获市级推广" in out and "tester" in out
    code, out, _ = run(capsys, "publish", "--db", db, "--month", "2026-10")
    assert code == 0 and "第1版" in out
    code, _, err = run(capsys, "publish", "--db", db, "--month", "2026-10")
    assert code == 1 and "相同" in err and "未形成新版本" in err and "Error" not in err
    code, out, _ = run(capsys, "adjust", "--db", db, "revoke", "1", "--reason", "录入错误")
    assert code == 0 and "#1" in out
    code, _, err = run(capsys, "adjust", "--db", db, "revoke", "1", "--reason", "再次")
    assert code == 1 and "#1 已撤销" in err
    code, out, err = run(capsys, "adjust", "--db", db, "add", "--unit", "S05", "--month", "2026-10", "--kind",
                         "deduction", "--points", "1.5", "--reason", "迟报")
    assert code == 1 and "已发布" in err and "--correction" in err and out == ""
    code, out, _ = run(capsys, "adjust", "--db", db, "add", "--unit", "S05", "--month", "2026-10", "--kind",
                       "deduction", "--points", "1.5", "--reason", "迟报", "--correction", "补录迟报扣分")
    assert code == 0 and "#2" in out and "已发布" in out
    code, out, _ = run(capsys, "revisions", "--db", db, "--month", "2026-10")
    assert code == 0 and "S02" in out and "不同" in out
    code, out, _ = run(capsys, "publish", "--db", db, "--month", "2026-10", "--reason", "撤销误录加分")
    assert code == 0 and "第2版" in out
    assert "第2版相对第1版的变化" in out and "S02" in out and "S05" in out  # the difference, listed
    code, out, _ = run(capsys, "revisions", "--db", db, "--month", "2026-10")
    assert "撤销误录加分" in out and "不同" not in out
    assert "第2版相对第1版的变化" in out and "S05" in out
    # a table for a person: heads and fields in words, not field names
    assert "版次" in out and "总分" in out and "月度" in out
    assert not re.search(r"\b(revision|total|scheme_id|field|published|current|month)\b", out), out
    code, out, _ = run(capsys, "adjust", "--db", db, "list", "--month", "2026-10")
    assert "扣分" in out and "撤销理由" in out and "deduction" not in out and "revoke_reason" not in out
    code, _, err = run(capsys, "adjust", "--db", db, "add", "--unit", "S02", "--month", "2026-10", "--kind", "bonus",
                       "--points", "-2", "--reason", "x")
    assert code == 1 and "分值" in err


def test_revisions_of_an_unpublished_month(db, capsys):
    code, out, _ = run(capsys, "revisions", "--db", db, "--month", "2026-08")
    assert code == 0 and "尚未发布" in out


def test_robustness_command(db, capsys):
    code, out, _ = run(capsys, "robustness", "--db", db, "--month", "2026-10", "--replicates", "100",
                       "--format", "csv")
    assert code == 0
    head = out.splitlines()[0]
    assert "median_rank" in head and "rank_p05" in head and len(out.splitlines()) == 31
    code, out, _ = run(capsys, "--lang", "en", "robustness", "--db", db, "--month", "2026-10", "--replicates", "50")
    assert code == 0 and "Median rank" in out and "Qingshi Town" in out and "name_zh" not in out
    assert not CJK.search(out)


def test_help_is_bilingual(capsys):
    with pytest.raises(SystemExit):
        main(["rank", "--help"])
    out = capsys.readouterr().out
    assert "考核周期" in out and "period" in out


def test_no_warehouse(tmp_path, capsys):
    code, _, err = run(capsys, "rank", "--db", str(tmp_path / "none.duckdb"), "--month", "2026-10")
    assert code == 2 and "kaohe init" in err


def test_publish_a_correction_in_english(db, capsys):
    code, out, _ = run(capsys, "--lang", "en", "publish", "--db", db, "--month", "2026-09")
    assert code == 0 and "revision 1" in out
    code, _, err = run(capsys, "--lang", "en", "adjust", "--db", db, "add", "--unit", "S03", "--month", "2026-09",
                       "--kind", "veto", "--reason", "major accident")
    assert code == 1 and "published" in err and "correction reason" in err
    code, out, _ = run(capsys, "--lang", "en", "adjust", "--db", db, "add", "--unit", "S03", "--month", "2026-09",
                       "--kind", "veto", "--reason", "major accident", "--correction-reason", "report arrived late")
    assert code == 0 and "#1" in out and "revision" in out
    code, out, _ = run(capsys, "--lang", "en", "publish", "--db", db, "--month", "2026-09")
    assert code == 0 and "revision 2" in out and "Correction reason: report arrived late" in out
    assert "S03" in out and "veto" in out


def test_explain_table_is_worded_in_the_language_asked_for(db, capsys):
    code, out, _ = run(capsys, "--lang", "en", "explain", "--db", db, "--unit", "S08", "--month", "2026-09")
    assert code == 0
    assert not CJK.search(out), out
    assert "Level" in out and "Rule" in out and "reported" in out and "Veto" in out
    code, out, _ = run(capsys, "explain", "--db", db, "--unit", "S08", "--month", "2026-09")
    assert code == 0
    assert "层级" in out and "计分规则" in out and "有效" in out and "指标" in out
    assert not re.search(r"\b(indicator|dimension|level|rule|ok|missing)\b", out), out


def test_the_first_month_in_the_data_shows_new_not_a_change(db, capsys):
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2023-11", "--group", "urban")
    assert code == 0 and out.count("新") >= 8 and "+0" not in out
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2023-11", "--format", "json")
    assert all(r["prev_rank"] is None and r["rank_change"] is None for r in json.loads(out))
    code, out, _ = run(capsys, "--lang", "en", "rank", "--db", db, "--month", "2023-12", "--group", "urban")
    assert " new " not in out and ("+" in out or "-" in out)


def test_publish_a_quarter(db, capsys):
    code, out, _ = run(capsys, "publish", "--db", db, "--month", "2026-09", "--period", "quarter")
    assert code == 0 and "第1版" in out
    code, _, err = run(capsys, "adjust", "--db", db, "add", "--unit", "S01", "--month", "2026-08", "--kind", "bonus",
                       "--points", "1", "--reason", "表彰")
    assert code == 1 and "季度 2026-09" in err
    code, out, _ = run(capsys, "revisions", "--db", db, "--month", "2026-09", "--period", "quarter")
    assert code == 0 and "季度" in out
    code, out, _ = run(capsys, "revisions", "--db", db, "--month", "2026-09")
    assert "尚未发布" in out  # the month itself is not published


def test_csv_output_carries_no_formula(db, capsys):
    run(capsys, "adjust", "--db", db, "add", "--unit", "S02", "--month", "2026-10", "--kind", "bonus",
        "--points", "1", "--reason", '=HYPERLINK("http://x","点此")', "--evidence", "+cmd")
    code, out, _ = run(capsys, "adjust", "--db", db, "list", "--month", "2026-10", "--format", "csv")
    assert code == 0
    assert "'=HYPERLINK" in out and ",=HYPERLINK" not in out and "'+cmd" in out


def test_rank_and_explain_say_which_scheme_and_what_the_figures_are(db, capsys):
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2024-06")
    assert code == 0 and "2024-06 无 2024 年考核方案，按 2025 年方案计分" in out and "未发布（当前数据）" in out
    code, out, _ = run(capsys, "--lang", "en", "explain", "--db", db, "--unit", "S01", "--month", "2024-06")
    assert code == 0 and "there is no 2024 scheme for 2024-06; scored under the 2025 scheme" in out
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2026-06")
    assert code == 0 and "无 2026 年考核方案" not in out and "default" not in out.splitlines()[0]
    assert run(capsys, "publish", "--db", db, "--month", "2026-06")[0] == 0
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2026-06")
    assert "已发布·第 1 版" in out
    assert run(capsys, "adjust", "--db", db, "add", "--unit", "S01", "--month", "2026-06", "--kind", "deduction",
               "--points", "8", "--reason", "迟报", "--correction", "补录")[0] == 0
    code, out, _ = run(capsys, "rank", "--db", db, "--month", "2026-06")
    assert "当前数据（与已发布的第 1 版不同）" in out and "注意" in out
    code, out, err = run(capsys, "rank", "--db", db, "--month", "2026-06", "--format", "csv")
    assert "注意" in err and "注意" not in out  # data on stdout, what it is on stderr


def test_rank_of_a_month_without_data_is_refused(db, capsys):
    code, out, err = run(capsys, "rank", "--db", db, "--month", "2026-11")
    assert code == 1 and out == "" and "2026-11没有观测数据" in err
    code, out, err = run(capsys, "--lang", "en", "rank", "--db", db, "--month", "2026-11", "--format", "json")
    assert code == 1 and out == "" and "no observations for 2026-11" in err
