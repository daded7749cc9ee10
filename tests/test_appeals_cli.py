"""`kaohe publicity open|status`, `kaohe appeals list|decide` and `kaohe publish --override-reason`."""

from __future__ import annotations

import pytest

from kaohe.base.access import Principal
from kaohe.cli import main
from kaohe.data import scoring_store
from kaohe.metrics import appeals as ap

MONTH = "2026-10"
S01 = Principal("s01", "unit", unit_code="S01")


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(sample_wh, monkeypatch):
    monkeypatch.setenv("KAOHE_USER", "clerk")
    scoring_store.ready(sample_wh)
    return str(sample_wh.path)


def test_open_status_list_decide_publish(sample_wh, db, capsys):
    code, out, err = run(capsys, "publicity", "open", "--db", db, "--month", MONTH)
    assert code == 0 and "2026-11-25" in out, err
    code, out, err = run(capsys, "publicity", "open", "--db", db, "--month", MONTH)
    assert code == 1 and "已在公示中" in err and out == ""
    aid = ap.file_appeal(sample_wh, MONTH, "S01", indicator_code="HL_RESPONSE", reason="重复派单\x1b[31m",
                         actor=S01)
    code, out, _ = run(capsys, "--lang", "en", "publicity", "status", "--db", db)
    assert code == 0 and "2026-10: on notice until 2026-11-25; 1 appeal(s), 1 open." in out
    code, out, _ = run(capsys, "appeals", "list", "--db", db, "--status", "open")
    assert code == 0 and "重复派单" in out and "待处理" in out and "\x1b" not in out

    code, out, err = run(capsys, "publish", "--db", db, "--month", MONTH)
    assert code == 1 and "1 件申诉未处理" in err
    code, out, err = run(capsys, "appeals", "decide", str(aid), "--reject", "--points", "1", "--reason", "x", "--db", db)
    assert code == 2
    code, out, err = run(capsys, "appeals", "decide", str(aid), "--accept", "--points", "1.5", "--kind", "bonus",
                         "--reason", "属实", "--db", db)
    assert code == 0 and f"申诉 #{aid} 已采纳" in out, err
    assert ap.list_appeals(sample_wh, S01).iloc[0]["decided_by"] == "clerk"
    code, out, err = run(capsys, "appeals", "decide", str(aid), "--reject", "--reason", "x", "--db", db)
    assert code == 1 and "不能再处理" in err
    code, out, err = run(capsys, "publish", "--db", db, "--month", MONTH)
    assert code == 1 and "截止前发布须写明理由" in err  # the deadline has not passed
    code, out, err = run(capsys, "publish", "--db", db, "--month", MONTH, "--override-reason", "提前通报")
    assert code == 0, err
    notes = scoring_store.publication(sample_wh, MONTH, "month")["notes"]
    assert notes["override_reason"] == "提前通报" and notes["appeals"][0]["id"] == aid
    code, out, _ = run(capsys, "publicity", "status", "--db", db)
    assert "没有正在公示的月份" in out


def test_open_with_days_or_deadline_and_refusals(db, capsys):
    code, out, err = run(capsys, "publicity", "open", "--db", db, "--month", MONTH, "--deadline", "2026-11-01")
    assert code == 1 and "早于今天" in err
    with pytest.raises(SystemExit) as e:  # argparse: one of --days and --deadline
        run(capsys, "publicity", "open", "--db", db, "--month", MONTH, "--days", "2", "--deadline", "2026-12-01")
    assert e.value.code == 2
    code, out, err = run(capsys, "--lang", "en", "publicity", "open", "--db", db, "--month", MONTH, "--days", "10")
    assert code == 0 and "appeals until 2026-11-30" in out
    code, out, err = run(capsys, "appeals", "decide", "77", "--reject", "--reason", "x", "--db", db)
    assert code == 1 and "没有编号为 77 的申诉" in err
    code, out, err = run(capsys, "appeals", "list", "--db", db)
    assert code == 0
