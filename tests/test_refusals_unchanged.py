"""Every CLI command that can refuse: exit code 1, a message in the user's language (zh and en, no
class names, no tracebacks), and the warehouse byte for byte as it was (sha256 of the file after
the process exits) and table for table (a logical dump of every table).

Each refusal runs as its own `python -m kaohe.cli` process, as a person would run it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import import_corpus as corpus
import pytest

from kaohe.cli import main
from kaohe.data import schema
from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Warehouse
from kaohe.metrics import service

ROOT = Path(__file__).resolve().parents[1]
MACHINE = re.compile(r"Error\b|Exception\b|Traceback|\bKeyError|\bValueError|\bRuntimeError|File \"")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> dict[str, list]:
    """Every table, every row, in a stable order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        out = {}
        for name in tables:  # names from the catalogue of the file itself, quoted
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def cli(db: Path | None, lang: str, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KAOHE_LANG=lang, KAOHE_USER="考核员甲", PYTHONPATH=str(ROOT))
    # --db right after the command: `adjust` takes it before its action
    args = [sys.executable, "-m", "kaohe.cli", argv[0], *(["--db", str(db)] if db is not None else []), *argv[1:]]
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def state(tmp_path_factory, sample_db):
    """A warehouse with something to refuse: the sample (batch 1, 36 months), 2026-09 published,
    a correction import into 2026-09 (batch 2) published as revision 2, a rolled-back import of 2026-10 (batch 3), a
    revoked adjustment (#1); the files to import; and a file of a newer release."""
    d = tmp_path_factory.mktemp("refusals")
    db = d / "wh.duckdb"
    shutil.copy(sample_db, db)
    wh = Warehouse(db)
    service.publish(wh, "2026-09", "alice")
    sept = d / "12345热线-2026年09月.csv"
    sept.write_bytes(corpus.hotline_gbk("2026年09月"))
    sept2 = d / "12345热线-2026年09月-修订.csv"  # other bytes: not refused as a duplicate first
    sept2.write_bytes(corpus.hotline_gbk("2026年09月").replace(b"99.2%", b"99.1%"))
    octo = d / "12345热线-2026年10月.csv"
    octo.write_bytes(corpus.hotline_gbk("2026年10月"))
    bad = d / "bad.csv"
    bad.write_bytes((corpus.LONG_HEADER + "S99,HL_SATISFY,2026-10,95,,\nS01,HL_SATISFY,2026-10,120,,\n").encode())
    assert main(["import", "--db", str(db), "--accept-warnings", "--reason", "热线数据更正", str(sept)]) == 0
    assert service.publish(wh, "2026-09", "alice") == 2  # the correction, published: revision 2
    assert main(["import", "--db", str(db), "--accept-warnings", str(octo)]) == 0
    assert main(["rollback", "3", "--db", str(db), "--reason", "重传"]) == 0
    adj = service.add_adjustment(wh, "S02", "2026-10", "bonus", 1, "市级表彰", None, "carol")
    service.revoke_adjustment(wh, adj, "carol", "录错")
    plain = d / "plain.duckdb"  # the sample alone, nothing published
    shutil.copy(sample_db, plain)
    newer = d / "newer.duckdb"
    shutil.copy(sample_db, newer)
    with Warehouse(newer).transaction() as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(schema.LATEST + 1)])
    (d / "out").mkdir()
    return {"out": d / "out", "db": db, "plain": plain, "newer": newer, "sept": sept, "sept2": sept2, "octo": octo, "bad": bad}


# name -> (argv builder, which file, words expected in zh, in en)
CASES = {
    "import a bad file": (lambda s: ["import", str(s["bad"])], "db", "单位", "unit"),
    "import into a published month without a reason": (
        lambda s: ["import", "--accept-warnings", str(s["sept2"])], "db", "已发布", "published"),
    "import the same file twice": (
        lambda s: ["import", "--accept-warnings", "--reason", "再导一次", str(s["sept"])], "db", "批次 2", "batch 2"),
    "rollback an unknown batch": (lambda s: ["rollback", "99"], "db", "没有批次 99", "No batch 99"),
    "rollback a batch already rolled back": (lambda s: ["rollback", "3"], "db", "已回滚", "already rolled back"),
    "rollback several months without a reason": (lambda s: ["rollback", "1"], "plain", "36 个月", "36 months"),
    "rollback several months, one published, without a reason": (lambda s: ["rollback", "1"], "db", "已发布",
                                                                  "published"),
    "rollback a published month without a reason": (lambda s: ["rollback", "2"], "db", "已发布", "published"),
    "adjust add a bad kind": (
        lambda s: ["adjust", "add", "--unit", "S01", "--month", "2026-10", "--kind", "gift", "--points", "1",
                   "--reason", "r"], "db", "无效", "is not one of"),
    "adjust add an unknown unit": (
        lambda s: ["adjust", "add", "--unit", "S99", "--month", "2026-10", "--kind", "bonus", "--points", "1",
                   "--reason", "r"], "db", "S99", "S99"),
    "adjust add negative points": (
        lambda s: ["adjust", "add", "--unit", "S01", "--month", "2026-10", "--kind", "bonus", "--points", "-1",
                   "--reason", "r"], "db", "不小于0", "0 or more"),
    "adjust add to a published month": (
        lambda s: ["adjust", "add", "--unit", "S01", "--month", "2026-09", "--kind", "bonus", "--points", "1",
                   "--reason", "r"], "db", "已发布", "published"),
    "adjust revoke an unknown item": (lambda s: ["adjust", "revoke", "99", "--reason", "r"], "db", "#99", "#99"),
    "adjust revoke a revoked item": (lambda s: ["adjust", "revoke", "1", "--reason", "r"], "db", "已撤销",
                                     "already revoked"),
    "publish a month with no data": (lambda s: ["publish", "--month", "2026-12"], "db", "没有", "no observations"),
    "publish identical figures": (lambda s: ["publish", "--month", "2026-09", "--reason", "再发"], "db", "相同",
                                  "equal"),
    "rank a month with no data": (lambda s: ["rank", "--month", "2026-12"], "db", "没有观测数据", "no observations"),
    "explain a month with no data": (lambda s: ["explain", "--unit", "S01", "--month", "2026-12"], "db", "没有观测数据",
                                     "no observations"),
    "export a month with no data": (lambda s: ["export", "--month", "2026-12", "-o", str(s["out"] / "x.xlsx")],
                                    "db", "没有观测数据", "no observations"),
    "summary of a quarter with no data": (
        lambda s: ["summary", "--month", "2027-03", "--period", "quarter", "-o", str(s["out"] / "x.pdf")], "db",
        "没有观测数据", "no observations"),
    "sample --load onto a published month": (
        lambda s: ["sample", "--units", "34", "--months", "1", "--end", "2026-09", "--load"], "db", "已发布",
        "published"),
    "init on a newer schema": (lambda s: ["init"], "newer", "新", "newer"),
    "info on a newer schema": (lambda s: ["info"], "newer", "新", "newer"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_a_refusal_changes_nothing_and_says_why(state, name, lang):
    argv, which, zh_words, en_words = CASES[name]
    db = state[which]
    before_file, before_rows = sha256(db), dump(db)
    res = cli(db, lang, *argv(state))
    assert res.returncode == 1, (res.stdout, res.stderr)
    said = res.stderr
    assert said.strip(), res.stdout
    assert (zh_words if lang == "zh" else en_words) in said, said
    assert not MACHINE.search(said), said
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", said), said
    assert not Path(str(db) + ".wal").exists()
    assert not any(state["out"].iterdir())  # and no report file was written
    assert sha256(db) == before_file, name
    assert dump(db) == before_rows, name


def test_a_refused_sample_load_registers_no_unit(state):
    """The reported case: D0031..D0034 must not appear after a refused load."""
    db = state["db"]
    res = cli(db, "zh", "sample", "--units", "34", "--months", "1", "--end", "2026-09", "--load")
    assert res.returncode == 1
    codes = set(Warehouse(db).units()["code"])
    assert not {"D0031", "D0032", "D0033", "D0034"} & codes


def test_an_accepted_sample_load_lands_units_and_observations_together(tmp_path):
    db = tmp_path / "fresh.duckdb"
    ensure_ready(Warehouse(db), with_sample=False)
    res = cli(db, "zh", "sample", "--units", "34", "--months", "1", "--end", "2026-10", "--load")
    assert res.returncode == 0, res.stderr
    wh = Warehouse(db)
    assert len(wh.units()) == 34 and wh.months() == ["2026-10"]
    b = wh.batches().iloc[0]
    assert b["kind"] == "sample" and b["source_name"] is None  # the kind is shown in words: 示例数据
