"""Committing: whole files as one batch, revisions, the same file twice, warnings confirmed,
rollback, a process killed mid-commit, and two commits at once."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import import_corpus as corpus
import pytest

from kaohe.data.warehouse import Warehouse
from kaohe.ingest import pipeline

CURRENT = "2026-11"
ROOT = Path(__file__).resolve().parents[1]


def prepare(wh, data, name, **kw):
    return pipeline.prepare(data, name, wh, current_month=CURRENT, **kw)


@pytest.mark.parametrize(("name", "make", "rows"), [
    ("12345热线2026年10月.csv", lambda wh: corpus.hotline_gbk(), 20),
    ("网格平台.xlsx", lambda wh: corpus.grid_wide_xlsx(), 12),
    ("long.csv", lambda wh: corpus.long_csv(wh), 98),
])
def test_good_files_land_whole_as_one_batch(sample_wh, name, make, rows):
    prep = prepare(sample_wh, make(sample_wh), name)
    assert not prep.blocked, prep.report.lines("en")
    res = pipeline.commit(prep, sample_wh, actor="考核员甲", accept_warnings=True)
    assert res.rows_written == rows and res.months == ["2026-10"]
    batch = sample_wh.batch(res.batch_id)
    assert batch["source_name"] == name and batch["file_hash"] == prep.file_hash
    assert json.loads(batch["gx_result"])["success"] is True
    assert json.loads(batch["report"])["errors"] == 0
    audit = sample_wh.audit_log(5)
    assert audit.iloc[0]["actor"] == "考核员甲" and audit.iloc[0]["action"] == "batch.import"


def test_a_changed_value_becomes_a_revision_and_rollback_restores_it(sample_wh):
    old = sample_wh.observations(units=["S01"], indicators=["HL_SATISFY"], month_from="2026-10")
    prep = prepare(sample_wh, corpus.hotline_gbk(), "hl.csv")
    res = pipeline.commit(prep, sample_wh, actor="tester", accept_warnings=True)
    assert res.revised == 20
    hist = sample_wh.observations(units=["S01"], indicators=["HL_SATISFY"], month_from="2026-10", history=True)
    assert hist["revision"].tolist() == [1, 2] and hist["is_current"].tolist() == [False, True]
    assert hist.iloc[1]["value"] == 88.6
    sample_wh.rollback_batch(res.batch_id, actor="tester", reason="错传")
    back = sample_wh.observations(units=["S01"], indicators=["HL_SATISFY"], month_from="2026-10")
    assert back["value"].tolist() == old["value"].tolist()
    assert sample_wh.audit_log(1).iloc[0]["action"] == "batch.rollback"


def test_the_same_file_twice_is_refused_politely(sample_wh):
    data = corpus.hotline_gbk()
    first = pipeline.commit(prepare(sample_wh, data, "a.csv"), sample_wh, actor="t", accept_warnings=True)
    before = sample_wh.checksum()
    again = prepare(sample_wh, data, "renamed.csv")
    assert again.report.checks() == ["val.file_duplicate"]
    assert again.report.problems.iloc[0]["params"]["batch_id"] == first.batch_id
    with pytest.raises(pipeline.ImportRefused):
        pipeline.commit(again, sample_wh, actor="t", accept_warnings=True)
    assert sample_wh.checksum() == before
    sample_wh.rollback_batch(first.batch_id, actor="t")  # once withdrawn, it may come in again
    assert not prepare(sample_wh, data, "a.csv").blocked


def test_warnings_need_confirmation_which_is_recorded(sample_wh):
    data = (corpus.LONG_HEADER + "S06,HL_SATISFY,2026-10,100,480,480\n").encode()
    prep = prepare(sample_wh, data, "s06.csv")
    assert prep.needs_confirmation and not prep.blocked
    before = sample_wh.checksum()
    with pytest.raises(pipeline.ImportRefused) as exc:
        pipeline.commit(prep, sample_wh, actor="t")
    assert exc.value.key == "import.refused.warnings"
    assert sample_wh.checksum() == before
    res = pipeline.commit(prep, sample_wh, actor="t", accept_warnings=True)
    batch = sample_wh.batch(res.batch_id)
    assert batch["warnings_accepted"] is True or batch["warnings_accepted"] == 1
    assert "val.perfect_streak" in json.loads(batch["report"])["checks"]


CHILD = textwrap.dedent("""
    import sys, time
    import kaohe.data.warehouse as w
    from kaohe.data import sample
    real_audit = w._audit
    def slow_audit(con, *a, **k):
        # every row is inserted; the transaction is still open
        real_audit(con, *a, **k)
        print("IN_TRANSACTION", flush=True)
        time.sleep(60)
    w._audit = slow_audit
    wh = w.Warehouse(sys.argv[1])
    frame = sample.generate(wh.units(), wh.indicators(), end="2030-12", n_months=24, seed=5)
    wh.write_observations(frame, actor="killed", source_name="big")
""")


@pytest.mark.slow
def test_a_process_killed_mid_commit_leaves_no_partial_batch(sample_wh):
    before = sample_wh.checksum()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(sample_wh.path)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "IN_TRANSACTION"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    wh = Warehouse(sample_wh.path)
    assert wh.checksum() == before
    assert "killed" not in set(wh.batches()["actor"])


def test_two_commits_at_once_in_one_process_both_land(sample_wh):
    a = prepare(sample_wh, corpus.hotline_gbk(), "a.csv")
    b = prepare(sample_wh, corpus.grid_wide_xlsx(), "b.xlsx")
    results, errors = [], []

    def go(prep):
        try:
            results.append(pipeline.commit(prep, sample_wh, actor="t", accept_warnings=True))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(p,)) for p in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({r.batch_id for r in results}) == 2


CLI_CHILD = "import sys; from kaohe.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.slow
def test_two_processes_importing_at_once_both_land_or_are_told_to_retry(sample_wh, tmp_path):
    files = [tmp_path / "hl.csv", tmp_path / "grid.xlsx"]
    files[0].write_bytes(corpus.hotline_gbk())
    files[1].write_bytes(corpus.grid_wide_xlsx())
    env = dict(os.environ, KAOHE_USER="并发测试")
    procs = [subprocess.Popen([sys.executable, "-c", CLI_CHILD, "import", "--db", str(sample_wh.path),
                               "--accept-warnings", str(f)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files]
    outs = [p.communicate(timeout=120) for p in procs]
    codes = [p.returncode for p in procs]
    for code, (_out, err) in zip(codes, outs, strict=True):
        assert code == 0 or (code == 1 and ("稍后重试" in err or "busy" in err)), err
    landed = Warehouse(sample_wh.path).batches()
    assert (landed["actor"] == "并发测试").sum() == codes.count(0) >= 1


def test_the_same_file_committed_twice_at_once_lands_once(sample_wh):
    data = corpus.hotline_gbk()
    preps = [prepare(sample_wh, data, "a.csv"), prepare(sample_wh, data, "b.csv")]  # both pass the early check
    outcomes = []

    def go(prep):
        try:
            outcomes.append(pipeline.commit(prep, sample_wh, actor="t", accept_warnings=True).batch_id)
        except pipeline.ImportRefused:
            outcomes.append("refused")

    threads = [threading.Thread(target=go, args=(p,)) for p in preps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == sorted([2, "refused"], key=str)
    assert (sample_wh.batches()["file_hash"] == preps[0].file_hash).sum() == 1


def test_a_month_really_published_needs_a_correction_with_its_reason(sample_wh, capsys, tmp_path):
    from kaohe.cli import main
    from kaohe.metrics import service

    service.publish(sample_wh, "2026-10", "考核办")
    data = corpus.hotline_gbk()
    prep = prepare(sample_wh, data, "hl.csv")
    assert prep.published == ["2026-10"] and "val.month_published" in prep.report.checks() and prep.blocked
    f = tmp_path / "hl.csv"
    f.write_bytes(data)
    before = sample_wh.checksum()
    db = str(sample_wh.path)
    assert main(["import", "--db", db, "--accept-warnings", str(f)]) == 1
    assert "已发布" in capsys.readouterr().err and sample_wh.checksum() == before
    assert main(["import", "--db", db, "--accept-warnings", "--reason", "热线平台重算满意率", str(f)]) == 0
    batch = sample_wh.batches().iloc[0]
    assert batch["reason"] == "热线平台重算满意率" and batch["rows_written"] == 20
    entry = sample_wh.audit_log(1).iloc[0]
    assert json.loads(entry["detail"])["reason"] == "热线平台重算满意率"
