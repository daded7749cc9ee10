"""`kaohe status` and metrics.readiness (issue 14, item 5): each step of setting up a district, done or not,
in words, and for each missing one the command to run next; zh by default, en with --lang."""

from __future__ import annotations

import pytest

from kaohe.cli import main
from kaohe.data import catalogue
from kaohe.ingest import units_file
from kaohe.metrics import readiness

UNITS = ("code,name_zh,name_en,kind,peer_group,population\n"
         "A01,甲街道,Jia Street,street,urban,52000\n"
         "A02,乙镇,Yi Town,street,rural,18000\n"
         "D01,区财政局,Finance Bureau,department,dept,\n").encode()


@pytest.fixture
def years(monkeypatch):
    """The years with a scheme in force, chosen by the test (the real ones: the test below)."""
    chosen: list[str] = []
    monkeypatch.setattr(readiness, "active_years", lambda wh: list(chosen))
    return chosen


def run(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_an_empty_warehouse_lists_every_missing_step_with_its_command(empty_wh, years, capsys):
    code, out = run(capsys, "status", "--db", str(empty_wh.path))
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "1. [未完成] 登记单位：尚未登记任何单位。"
    assert "下一步：kaohe units import FILE" in out
    assert "2. [已完成] 准备指标目录：使用默认指标目录：38 个指标。" in out
    assert "3. [未完成] 确定当年考核办法：2026 年尚无生效的考核办法。" in out
    assert "下一步：kaohe scheme import FILE --activate" in out
    assert "或者：kaohe scheme copy --from default --to 2026 --activate" in out
    assert "下一步：kaohe import FILE" in out
    assert "下一步：kaohe publish --month YYYY-MM" in out
    assert lines[-1] == "还有 4 项（共 5 项）未完成。"


def test_english_with_the_language_switch(empty_wh, years, capsys):
    years.append("2025")
    code, out = run(capsys, "--lang", "en", "status", "--db", str(empty_wh.path))
    assert code == 0
    assert "1. [missing] Register the units: No units registered yet." in out
    assert "next: kaohe units import FILE" in out
    assert "(shows the changes first; add --yes to write them)" in out
    assert ("3. [missing] Put the year's scheme in force: No scheme is in force for 2026. "
            "(years with a scheme in force: 2025)") in out
    assert out.splitlines()[-1] == "4 of 5 steps still to do."


def test_after_the_units_are_imported_their_step_is_done(empty_wh, years, capsys):
    units_file.commit(units_file.prepare(UNITS, "units.csv", empty_wh), empty_wh, actor="考核办")
    code, out = run(capsys, "--lang", "en", "status", "--db", str(empty_wh.path))
    assert "1. [done] Register the units: 3 units registered: 2 streets, 1 departments; 3 peer groups." in out
    assert "kaohe units import" not in out


def test_the_sample_district_has_data_and_points_at_publishing_its_last_month(sample_wh, years, capsys):
    years.append("2026")
    code, out = run(capsys, "status", "--db", str(sample_wh.path))
    assert code == 0
    assert "4. [已完成] 导入考核数据：已导入 36 个月的数据（2023-11 至 2026-10）。" in out
    assert "5. [未完成] 发布一个月的结果：尚未发布任何月份。" in out
    assert "下一步：kaohe publish --month 2026-10" in out
    assert out.splitlines()[-1] == "还有 1 项（共 5 项）未完成。"


def test_a_published_month_completes_the_set_up(sample_wh, years, capsys):
    from kaohe.metrics import service

    years.append("2026")
    service.publish(sample_wh, "2026-10", actor="考核办")
    code, out = run(capsys, "--lang", "en", "status", "--db", str(sample_wh.path))
    assert "5. [done] Publish a month: 1 months published, the latest 2026-10." in out
    assert out.splitlines()[-1].startswith("Set-up complete")
    state = readiness.status(sample_wh, lang="en")
    assert state.complete and not state.empty


def test_a_month_asks_about_that_month_and_its_years_scheme(sample_wh, years, capsys):
    years.append("2026")
    code, out = run(capsys, "--lang", "en", "status", "--db", str(sample_wh.path), "--month", "2026-11")
    assert "No scheme is in force for 2026" not in out
    assert "4. [missing] Import a month's data: 2026-11 has no data yet." in out
    assert "next: kaohe import FILE --month 2026-11" in out
    assert "next: kaohe publish --month 2026-11" in out
    code, out = run(capsys, "--lang", "en", "status", "--db", str(sample_wh.path), "--month", "2025-03")
    assert "No scheme is in force for 2025." in out
    assert "kaohe scheme copy --from default --to 2025 --activate" in out


def test_a_bad_month_or_no_warehouse_is_a_usage_error(tmp_path, empty_wh, capsys):
    code, out = run(capsys, "status", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2
    code, out = run(capsys, "status", "--db", str(empty_wh.path), "--month", "2026-13")
    assert code == 2 and "2026-13" in out


def test_the_catalogue_step_says_the_district_added_an_indicator(empty_wh, years):
    own = catalogue.read_indicators()
    extra = own.head(1).copy()
    extra["code"], extra["name_zh"], extra["name_en"] = "ZZ_OWN", "本区新增指标", "Our own indicator"
    empty_wh.upsert_indicators(extra, actor="test")
    step = readiness.status(empty_wh, lang="en").step("catalogue")
    assert step.done
    assert step.text == "The district's own catalogue: 39 indicators, 1 of them added by the district (ZZ_OWN)."
    assert readiness.status(empty_wh).step("catalogue").text.startswith("使用本区自己的指标目录：39 个指标")


def test_the_scheme_years_are_the_stored_schemes_in_force(empty_wh):
    """readiness.active_years reads the schemes table: none on a new warehouse, the year a copy made active."""
    from kaohe.metrics import scheme_admin

    assert readiness.active_years(empty_wh) == []
    scheme_admin.copy(empty_wh, "default", "2026", actor="考核办", activate=True)
    assert readiness.active_years(empty_wh) == ["2026"]
    assert readiness.status(empty_wh, month="2026-10").step("scheme").done


def test_from_init_no_sample_the_shell_says_what_to_do_next(tmp_path, years, capsys):
    """`kaohe init --no-sample`, then `kaohe status` after each command of the set-up."""
    db = str(tmp_path / "new.duckdb")
    assert main(["init", "--db", db, "--no-sample"]) == 0
    capsys.readouterr()
    code, out = run(capsys, "--lang", "en", "status", "--db", db)
    assert "1. [missing] Register the units" in out and "next: kaohe units import FILE" in out
    path = tmp_path / "units.csv"
    path.write_bytes(UNITS)
    assert main(["units", "--db", db, "import", str(path), "--yes"]) == 0
    capsys.readouterr()
    code, out = run(capsys, "--lang", "en", "status", "--db", db)
    assert "1. [done] Register the units: 3 units registered" in out
    assert "kaohe units import" not in out
    assert "next: kaohe scheme import FILE --activate" in out and "next: kaohe import FILE" in out
