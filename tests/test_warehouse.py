"""The warehouse: round trip, revisions, rollback, migrations, published months, concurrency."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import duckdb
import pandas as pd
import pytest

from kaohe.data import schema
from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import PublishedMonthError, Warehouse, WarehouseBusy


def rows(*items):
    return pd.DataFrame(
        [dict(unit_code=u, indicator_code=i, month=m, value=v, numerator=n, denominator=d, status=s)
         for u, i, m, v, n, d, s in items])


@pytest.fixture
def wh(empty_wh):
    from kaohe.data import catalogue

    empty_wh.upsert_units(catalogue.read_units(), actor="test")
    return empty_wh


def test_fresh_warehouse_is_at_latest_schema(wh):
    assert wh.schema_version() == schema.LATEST
    assert len(wh.indicators()) == 38
    assert len(wh.units()) == 30


def test_round_trip_keeps_values_and_status(wh):
    frame = rows(("S01", "HL_SATISFY", "2026-10", 91.5, 183, 200, "ok"),
                 ("S01", "EM_EXPIRED", "2026-10", None, None, None, "na"),
                 ("D01", "HL_RESPONSE", "2026-10", None, None, None, "missing"))
    res = wh.write_observations(frame, actor="alice", source_name="a.csv", file_hash="h1")
    assert (res.rows_written, res.revised, res.months) == (3, 0, ["2026-10"])
    got = wh.observations().set_index(["unit_code", "indicator_code"])
    assert got.loc[("S01", "HL_SATISFY"), "value"] == 91.5
    assert got.loc[("S01", "HL_SATISFY"), "numerator"] == 183
    assert got.loc[("S01", "EM_EXPIRED"), "status"] == "na"
    assert got.loc[("D01", "HL_RESPONSE"), "status"] == "missing"
    assert set(got["batch_id"]) == {res.batch_id}
    batch = wh.batch_by_hash("h1")
    assert batch["actor"] == "alice" and batch["rows_written"] == 3


def test_a_second_value_is_a_revision_and_rollback_restores_the_first(wh):
    first = wh.write_observations(rows(("S02", "HL_SATISFY", "2026-09", 90.0, 90, 100, "ok")), actor="a")
    second = wh.write_observations(rows(("S02", "HL_SATISFY", "2026-09", 80.0, 80, 100, "ok")), actor="b")
    assert second.revised == 1
    current = wh.observations()
    assert current["value"].tolist() == [80.0] and current["revision"].tolist() == [2]
    history = wh.observations(history=True)
    assert history["value"].tolist() == [90.0, 80.0]
    assert history["is_current"].tolist() == [False, True]

    assert wh.rollback_batch(second.batch_id, actor="c", reason="wrong file") == 1
    current = wh.observations()
    assert current["value"].tolist() == [90.0] and current["batch_id"].tolist() == [first.batch_id]
    assert wh.batch(second.batch_id)["status"] == "rolled_back"
    with pytest.raises(ValueError):
        wh.rollback_batch(second.batch_id, actor="c")
    # the audit log is append-only and names every actor
    log = wh.audit_log()
    assert {"a", "b", "c"} <= set(log["actor"])
    assert "batch.rollback" in set(log["action"])


def test_a_new_revision_after_a_rollback_gets_a_fresh_number(wh):
    wh.write_observations(rows(("S03", "GR_CLOSE", "2026-08", 90.0, 9, 10, "ok")), actor="a")
    b2 = wh.write_observations(rows(("S03", "GR_CLOSE", "2026-08", 70.0, 7, 10, "ok")), actor="a")
    wh.rollback_batch(b2.batch_id, actor="a")
    wh.write_observations(rows(("S03", "GR_CLOSE", "2026-08", 80.0, 8, 10, "ok")), actor="a")
    hist = wh.observations(history=True)
    assert hist["revision"].tolist() == [1, 2, 3]
    assert hist["is_current"].tolist() == [False, False, True]


def test_published_month_needs_a_correction_reason(tmp_path):
    # schema 2 plus a bare publications table: the scoring engine's own tables are tested with it
    wh = Warehouse(tmp_path / "pub.duckdb")
    wh.migrate(target=2)
    wh.write_observations(rows(("S01", "HL_SATISFY", "2026-07", 91.0, 91, 100, "ok")), actor="a")
    with wh.transaction() as con:  # stands in for the scoring engine's publications table
        con.execute("CREATE TABLE publications (month VARCHAR, period VARCHAR)")
        con.execute("INSERT INTO publications (month, period) VALUES (?, 'month')", ["2026-07"])
    before = wh.checksum()
    with pytest.raises(PublishedMonthError) as err:
        wh.write_observations(rows(("S01", "HL_SATISFY", "2026-07", 50.0, 50, 100, "ok")), actor="a")
    assert err.value.months == ["2026-07"]
    assert wh.checksum() == before
    res = wh.write_observations(rows(("S01", "HL_SATISFY", "2026-07", 92.0, 92, 100, "ok")), actor="a",
                                kind="correction", reason="platform re-export")
    assert res.revised == 1


@pytest.mark.parametrize("period, published, frozen, open_", [
    ("month", "2026-08", ["2026-08"], ["2026-07", "2026-09"]),
    ("quarter", "2026-09", ["2026-07", "2026-09"], ["2026-06", "2026-10"]),
    ("quarter", "2026-08", ["2026-07", "2026-08"], ["2026-09"]),  # a quarter published before its end
    ("ytd", "2026-03", ["2026-01", "2026-03"], ["2025-12", "2026-04"]),
    ("year", "2025-12", ["2025-01", "2025-12"], ["2026-01", "2024-12"]),
])
def test_a_published_period_freezes_every_month_it_covers(wh, period, published, frozen, open_):
    with wh.transaction() as con:
        con.execute("""INSERT INTO publications (month, period, revision, scheme_id, scheme_version, actor,
                       published_at) VALUES (?, ?, 1, 'default', '1', 'a', now())""", [published, period])
    for month in frozen:
        with pytest.raises(PublishedMonthError):
            wh.write_observations(rows(("S01", "HL_SATISFY", month, 50.0, 50, 100, "ok")), actor="a")
    for month in open_:
        assert wh.write_observations(rows(("S01", "HL_SATISFY", month, 50.0, 50, 100, "ok")), actor="a").rows_written == 1


def test_a_failing_write_changes_nothing(wh):
    before = wh.checksum()
    bad = rows(("S01", "HL_SATISFY", "2026-10", 1.0, 1, 1, "bogus-status"))
    with pytest.raises(duckdb.ConstraintException):
        wh.write_observations(bad, actor="a")
    assert wh.checksum() == before
    assert wh.batches().empty


def test_migration_from_schema_1_keeps_data(tmp_path):
    wh = Warehouse(tmp_path / "old.duckdb")
    assert wh.migrate(target=1) == (0, 1)
    with wh.transaction() as con:  # what release 1 wrote
        con.execute("INSERT INTO batches (batch_id, created_at, actor, kind) VALUES (1, TIMESTAMP '2026-01-05 10:00:00', 'old', 'import')")
        con.execute("INSERT INTO observations VALUES ('S01', 'HL_SATISFY', '2025-12', 88.0, 88, 100, 'ok', 1)")
    assert wh.schema_version() == 1
    report = ensure_ready(wh, with_sample=False)
    assert report.migrated == (1, schema.LATEST)
    obs = wh.observations()
    assert obs["value"].tolist() == [88.0]
    assert obs["revision"].tolist() == [1] and obs["is_current"].tolist() == [True]
    assert str(obs["recorded_at"].iloc[0]) == "2026-01-05 10:00:00"
    assert wh.lineage().empty  # the new table exists


def test_a_warehouse_from_a_newer_release_is_refused(tmp_path):
    wh = Warehouse(tmp_path / "new.duckdb")
    wh.migrate()
    with wh.transaction() as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(schema.LATEST + 1)])
    with pytest.raises(RuntimeError, match="新|newer"):
        wh.migrate()


def test_completeness_counts_applicable_items_and_skips_not_applicable(sample_wh):
    comp = sample_wh.completeness(month_from="2026-10", month_to="2026-10").set_index("unit_code")
    inds = sample_wh.indicators()
    n_street = int(inds["applies_to"].isin(["both", "street"]).sum())
    n_dept = int(inds["applies_to"].isin(["both", "department"]).sum())
    assert comp.loc["S02", "expected"] == n_street
    assert comp.loc["D02", "expected"] == n_dept
    # D10 has two items marked not applicable in the sample
    assert comp.loc["D10", "expected"] == n_dept - 2
    assert (comp["reported"] <= comp["expected"]).all()


def test_version_changes_on_write_not_on_read(wh):
    v0 = wh.version()
    wh.observations()
    wh.info()
    assert wh.version() == v0
    wh.write_observations(rows(("S01", "HL_SATISFY", "2026-10", 91.5, 183, 200, "ok")), actor="a")
    assert wh.version() != v0


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from kaohe.data.warehouse import Warehouse
    wh = Warehouse(sys.argv[1])
    with wh.transaction() as con:
        con.execute("INSERT INTO meta VALUES ('held', 'yes')")
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    print("released", flush=True)
""")


def test_a_reader_waits_while_another_process_writes(wh):
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(wh.path), "1.5"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    info = wh.info()  # waits for the writer's lock, then reads its committed change
    proc.wait(timeout=30)
    assert info["units"] == {"department": 18, "street": 12}
    assert wh.query("SELECT value FROM meta WHERE key = 'held'")["value"].tolist() == ["yes"]


def test_a_lock_held_too_long_is_reported_as_busy(wh):
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(wh.path), "5"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        impatient = Warehouse(wh.path, lock_timeout=0.3)
        with pytest.raises(WarehouseBusy):
            impatient.info()
    finally:
        proc.kill()
        proc.wait()


def test_threads_read_and_write_at_once(wh):
    errors = []

    def read():
        try:
            for _ in range(10):
                wh.observations()
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    def write(i):
        try:
            wh.write_observations(rows(("S04", "HL_SATISFY", f"2026-0{i}", 90.0 + i, 90 + i, 100, "ok")), actor="t")
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(3)] + [
        threading.Thread(target=write, args=(i,)) for i in range(1, 5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sorted(wh.observations()["month"]) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert len(wh.batches()) == 4


def test_time_is_not_needed_for_the_checksum(wh):
    # reads leave the checksum alone; it is what the import tests use to prove "unchanged"
    c1 = wh.checksum()
    time.sleep(0.01)
    assert wh.checksum() == c1


def test_a_rollback_of_several_months_needs_a_reason_and_keeps_it(wh, monkeypatch):
    from kaohe.data.warehouse import RollbackNeedsReason, UnknownBatch

    monkeypatch.setenv("KAOHE_LANG", "zh")
    two = wh.write_observations(rows(("S01", "HL_SATISFY", "2026-09", 90, None, None, "ok"),
                                     ("S01", "HL_SATISFY", "2026-10", 91, None, None, "ok")), actor="a")
    one = wh.write_observations(rows(("S02", "HL_SATISFY", "2026-10", 80, None, None, "ok")), actor="a")
    before = wh.checksum()
    with pytest.raises(RollbackNeedsReason, match="2 个月.*理由"):
        wh.rollback_batch(two.batch_id, actor="b")
    with pytest.raises(RollbackNeedsReason):
        wh.rollback_batch(two.batch_id, actor="b", reason="   ")  # blank is no reason
    assert wh.checksum() == before and wh.batch(two.batch_id)["status"] == "committed"
    assert wh.rollback_batch(one.batch_id, actor="b") == 1  # one month, unpublished: no reason needed
    assert wh.rollback_batch(two.batch_id, actor="b", reason="整批数据有误") == 2
    listed = wh.batches().set_index("batch_id")
    assert listed.loc[two.batch_id, "rollback_reason"] == "整批数据有误"
    assert listed.loc[two.batch_id, "rolled_back_by"] == "b"
    assert pd.isna(listed.loc[one.batch_id, "rollback_reason"])
    with pytest.raises(UnknownBatch, match="没有批次 99"):
        wh.rollback_batch(99, actor="b")
    with pytest.raises(KeyError):  # still a KeyError for callers that catch one
        wh.rollback_batch(99, actor="b")


def test_a_refused_load_registers_no_unit(wh):
    from kaohe.data.warehouse import Refusal

    wh.write_observations(rows(("S01", "HL_SATISFY", "2026-09", 90, None, None, "ok")), actor="a")
    with wh.transaction() as con:  # 2026-09 published (as the scoring engine records it)
        con.execute("INSERT INTO publications (month, period, revision, scheme_id, scheme_version, actor, "
                    "published_at) VALUES ('2026-09', 'month', 1, 'default', '1', 'a', now())")
    new_units = pd.DataFrame([{"code": "D0031", "name_zh": "新部门", "kind": "department", "peer_group": "dept"}])
    before = wh.checksum(), len(wh.units())
    with pytest.raises(Refusal):
        wh.write_observations(rows(("D0031", "HL_SATISFY", "2026-09", 1, None, None, "ok")), actor="a",
                              units=new_units)
    assert (wh.checksum(), len(wh.units())) == before and "D0031" not in set(wh.units()["code"])


def test_migration_4_names_old_sample_batches_by_their_kind(tmp_path):
    wh = Warehouse(tmp_path / "old.duckdb")
    wh.migrate(target=3)
    with wh.transaction() as con:
        con.execute("INSERT INTO batches (batch_id, created_at, actor, kind, source_name, rows_written) "
                    "VALUES (1, now(), 'system', 'sample', 'sample district (seed 20261)', 10)")
    assert wh.migrate() == (3, schema.LATEST)
    b = wh.batch(1)
    assert b["source_name"] is None and "seed 20261" in b["source_detail"] and b["rollback_reason"] is None
    assert b["report"] is None  # a sample was never import-checked: the overview still checks it


def test_every_path_keeps_transaction_time_and_any_point_can_be_read_again(wh):
    """Import, re-import, correction and rollback each take their own point of the input sequence;
    nothing is deleted, and the observations current at any point are read back as they were."""
    from kaohe.data import scoring_store as store

    key = ("S02", "HL_SATISFY", "2026-09")
    points, values = [], []

    def now_point():
        with wh.connect() as con:
            from kaohe.data.warehouse import input_seq

            return input_seq(con)

    b1 = wh.write_observations(rows((*key, 90.0, 90, 100, "ok")), actor="a")
    points.append(now_point()), values.append(90.0)
    b2 = wh.write_observations(rows((*key, 80.0, 80, 100, "ok")), actor="b")  # a correction
    points.append(now_point()), values.append(80.0)
    wh.rollback_batch(b2.batch_id, actor="c", reason="wrong")  # the first value is current again
    points.append(now_point()), values.append(90.0)
    wh.write_observations(rows((*key, 70.0, 70, 100, "ok")), actor="d")  # a re-import
    points.append(now_point()), values.append(70.0)
    wh.rollback_batch(b1.batch_id, actor="c", reason="withdrawn")  # under a later revision: nothing changes
    points.append(now_point()), values.append(70.0)
    assert points == sorted(set(points)) and len(points) == 5  # one point per write, in order

    history = wh.query("SELECT revision, is_current, recorded_at, recorded_seq, superseded_at, superseded_seq "
                       "FROM observations ORDER BY revision")
    assert history["revision"].tolist() == [1, 2, 3]  # every row kept
    assert history["recorded_at"].notna().all() and history["recorded_seq"].tolist() == [points[0], points[1],
                                                                                             points[3]]
    assert history.loc[history["revision"].eq(2), "superseded_seq"].item() == points[2]  # rolled back then
    assert history["is_current"].tolist() == [False, False, True]
    b = wh.batches().set_index("batch_id")
    assert b.loc[b2.batch_id, "rolled_back_at"] is not None and b.loc[b2.batch_id, "status"] == "rolled_back"
    units, cat = wh.units().sort_values(["kind", "code"], ascending=[False, True]), wh.indicators(active_only=False)
    for point, want in zip(points, values, strict=True):
        got = store.read_inputs_as_of(wh, "2026-09", "2026-09", point, units.reset_index(drop=True), cat)
        assert got["observations"]["value"].tolist() == [want], point
    assert store.read_inputs_as_of(wh, "2026-09", "2026-09", points[0] - 1, units, cat)["observations"].empty


def test_adjustments_are_read_as_they_stood(sample_wh):
    from kaohe.data import scoring_store as store
    from kaohe.metrics import service

    wh = sample_wh
    units, cat = store.read_inputs(wh, "2026-10", "2026-10")["units"], wh.indicators(active_only=False)
    adj = service.add_adjustment(wh, "S01", "2026-10", "bonus", 2, "表彰", None, "a")
    added = store.read_inputs(wh, "2026-10", "2026-10")["as_of"]
    service.revoke_adjustment(wh, adj, "a", "撤销")
    revoked = store.read_inputs(wh, "2026-10", "2026-10")["as_of"]
    assert revoked == added + 1
    then = store.read_inputs_as_of(wh, "2026-10", "2026-10", added, units, cat)["adjustments"]
    now = store.read_inputs_as_of(wh, "2026-10", "2026-10", revoked, units, cat)["adjustments"]
    before = store.read_inputs_as_of(wh, "2026-10", "2026-10", added - 1, units, cat)["adjustments"]
    assert then["revoked_at"].isna().all() and now["revoked_at"].notna().all() and before.empty
    assert list(now.columns) == list(store.read_inputs(wh, "2026-10", "2026-10")["adjustments"].columns)
