"""`kaohe scheme ...` (issue 14, item 3): validate, import, export, list, activate, copy; every scoring command
names the scheme it used; a district without a scheme is told how to get one."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
import scoring_fixtures as fx

from kaohe.cli import main
from kaohe.data import schemes


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def toy_db(empty_wh):
    empty_wh.upsert_units(fx.UNITS, actor="tester")
    empty_wh.write_observations(fx.observations(), actor="tester")
    empty_wh.query("CHECKPOINT")
    return empty_wh


def write(tmp_path, data, name="scheme.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_district_imports_its_scheme_and_every_scoring_command_names_it(toy_db, tmp_path, capsys):
    db = str(toy_db.path)
    code, out, err = run(capsys, "rank", "--db", db, "--month", "2026-10")
    assert code == 1 and "2026 年没有生效的考核方案" in err and "kaohe scheme import FILE --activate" in err
    data = copy.deepcopy(fx.SCHEME)
    data["name_zh"], data["name_en"] = "玩具区考核办法", "Toy district scheme"
    path = write(tmp_path, data)
    code, out, err = run(capsys, "scheme", "--db", db, "validate", str(path))
    assert code == 0 and out.strip() == "方案有效：玩具区考核办法（2026 年，1 版）"
    code, out, err = run(capsys, "scheme", "--db", db, "import", str(path), "--activate")
    assert code == 0 and out.strip() == "已导入考核方案 2026 年 1 版（生效）", err
    code, out, err = run(capsys, "--lang", "en", "scheme", "--db", db, "import", str(path))
    assert code == 0 and "already stored with the same content: nothing written" in out
    code, out, err = run(capsys, "explain", "--db", db, "--month", "2026-10", "--unit", "S1")
    assert code == 0 and "考核方案：玩具区考核办法（1）" in out
    code, out, err = run(capsys, "--lang", "en", "rank", "--db", db, "--month", "2026-10", "--format", "csv")
    assert code == 0 and "scheme: Toy district scheme (1)" in err
    code, out, err = run(capsys, "publish", "--db", db, "--month", "2026-10")
    assert code == 0 and "考核方案：玩具区考核办法（1）" in out
    out_pdf = tmp_path / "card.pdf"
    code, out, err = run(capsys, "--lang", "en", "scorecard", "--db", db, "--month", "2026-10", "--unit", "S1",
                         "-o", str(out_pdf))
    assert code == 0 and "scheme: Toy district scheme (1)" in out and out_pdf.exists()


def test_a_bad_scheme_file_is_refused_item_by_item_and_changes_nothing(toy_db, tmp_path, capsys):
    db = str(toy_db.path)
    data = copy.deepcopy(fx.SCHEME)
    data["kinds"]["street"]["dimensions"][0]["weight"] = 70
    data["kinds"]["street"]["dimensions"][0]["indicators"][0]["code"] = "NOPE"
    path = write(tmp_path, data, "bad.json")
    before = sha256(toy_db.path)
    for lang, head, words in (("zh", "方案文件“bad.json”有以下问题：", "NOPE"), ("en", "the scheme file 'bad.json' has "
                                                                                    "these problems:", "NOPE")):
        code, out, err = run(capsys, "--lang", lang, "scheme", "--db", db, "import", str(path), "--activate")
        lines = err.strip().splitlines()
        assert code == 1 and lines[0] == head and out == ""
        items = [x for x in lines if x.startswith("  - ")]
        assert len(items) >= 2 and any(words in x for x in items)
        if lang == "en":
            assert err.isascii()
        code, out, err = run(capsys, "--lang", lang, "scheme", "--db", db, "validate", str(path))
        assert code == 1 and err.strip().splitlines()[0] == head
    nonjson = tmp_path / "x.json"
    nonjson.write_text("{", encoding="utf-8")
    code, out, err = run(capsys, "scheme", "--db", db, "import", str(nonjson))
    assert code == 1 and "x.json" in err and "数据仓库未作任何改动" in err
    assert sha256(toy_db.path) == before and schemes.versions(toy_db).empty


def test_list_activate_export_and_copy(toy_db, tmp_path, capsys):
    db = str(toy_db.path)
    code, out, err = run(capsys, "scheme", "--db", db, "list")
    assert code == 0 and out.strip() == "数据仓库中还没有考核方案"
    run(capsys, "scheme", "--db", db, "import", str(write(tmp_path, fx.SCHEME)), "--activate")
    v2 = copy.deepcopy(fx.SCHEME)
    v2["version"] = "2"
    run(capsys, "scheme", "--db", db, "import", str(write(tmp_path, v2, "v2.json")))
    code, out, err = run(capsys, "--lang", "en", "scheme", "--db", db, "list")
    assert code == 0 and "draft" in out and "active" in out
    code, out, err = run(capsys, "scheme", "--db", db, "activate", "2")
    assert code == 0 and out.splitlines() == ["2026 年 2 版考核方案已生效", "原生效的 1 版已被替代"]
    code, out, err = run(capsys, "scheme", "--db", db, "activate", "2")
    assert code == 0 and "本来就是生效方案" in out
    code, out, err = run(capsys, "--lang", "en", "scheme", "--db", db, "activate", "9")
    assert code == 1 and "there is no scheme version 9" in err
    target = tmp_path / "out" / "s.json"
    code, out, err = run(capsys, "scheme", "--db", db, "export", "--year", "2026", "-o", str(target))
    assert code == 0 and json.loads(target.read_text(encoding="utf-8")) == v2
    code, out, err = run(capsys, "scheme", "--db", db, "export", "--year", "2026", "--version", "1",
                         "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == fx.SCHEME
    code, out, err = run(capsys, "scheme", "--db", db, "export", "--year", "2026", "-o", str(tmp_path / "s.txt"))
    assert code == 2
    code, out, err = run(capsys, "scheme", "--db", db, "copy", "--from", "2026", "--to", "2027", "--activate")
    assert code == 0 and out.strip() == "已把 2026:2 复制为 2027 年 2027.1 版（生效）"
    assert schemes.active_years(toy_db) == ["2026", "2027"]
    code, out, err = run(capsys, "--lang", "en", "scheme", "--db", db, "copy", "--from", "default", "--to", "2028")
    assert code == 0 and out.strip() == "copied default-2026.json to scheme 2028 version 2028.1 (draft)"


def test_init_without_the_sample_says_no_scheme_is_in_force(tmp_path, capsys):
    db = str(tmp_path / "new.duckdb")
    code, out, err = run(capsys, "init", "--db", db, "--no-sample")
    assert code == 0 and "仓库中还没有考核方案" in out and "kaohe scheme copy --from default --to 2026" in out
    code, out, err = run(capsys, "--lang", "en", "init", "--db", str(tmp_path / "s.duckdb"), "--months", "2")
    assert code == 0 and "the shipped scoring schemes" in out and "no scoring scheme" not in out
