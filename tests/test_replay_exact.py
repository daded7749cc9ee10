"""Exact replay: a published revision is rebuilt to its frozen figures whatever changed since.

Publish 2026-10 and the quarter 2026-Q3 on the sample, change the data by every path a build reads
(import of a new value for a published month with a correction reason, correction of a single
value, rollback of a later batch and of the batch the publication read, adjustment added and
revoked, scheme edits of weights and of a rule, unit and catalogue changes), publish revision 2,
change more, then replay every revision: totals to the cent, rank, grade and veto of every unit
equal the frozen ones. On the code before the pinned inputs (replay re-read the live warehouse)
the first replay after a change already gives other totals: the test checks that the live
re-run of the stored steps differs, so the exact replay is what makes it pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kaohe.data import schema
from kaohe.data import scoring_store as store
from kaohe.data.warehouse import Warehouse
from kaohe.metrics import service

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["total", "rank", "grade", "veto"]
PUBLISHED = [("2026-10", "month"), ("2026-09", "quarter")]


@pytest.fixture
def schemes(sample_wh):
    """The warehouse whose stored 2026 scheme is edited as an office would (a new active version)."""
    return sample_wh


def edit_scheme(wh, change) -> None:
    from scoring_fixtures import edit_active_scheme

    edit_active_scheme(wh, change, "2026")


def frozen(wh, month, period, rev) -> pd.DataFrame:
    return store.published_results(wh, month, period, rev).set_index("unit_code")[FIELDS].sort_index()


def figures(build) -> pd.DataFrame:
    return build.totals.set_index("unit_code")[FIELDS].sort_index()


def assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    assert list(got.index) == list(want.index), what
    assert ((got["total"] * 100).round().astype(int) == (want["total"] * 100).round().astype(int)).all(), what
    assert got["rank"].astype(int).tolist() == want["rank"].astype(int).tolist(), what
    assert got["grade"].tolist() == want["grade"].tolist(), what
    assert got["veto"].astype(bool).tolist() == want["veto"].astype(bool).tolist(), what


def one(wh, unit, code, month) -> pd.DataFrame:
    return wh.observations(units=[unit], indicators=[code], month_from=month, month_to=month)


def changed(rows: pd.DataFrame, factor: float) -> pd.DataFrame:
    out = rows.copy()
    out["value"] = out["value"] * factor
    out["numerator"] = out["numerator"] * factor
    return out


def test_every_revision_replays_to_its_frozen_figures_after_every_kind_of_change(sample_wh, schemes):
    wh = sample_wh
    started = time.perf_counter()
    changes = 0
    # a correction the publication reads (a batch of its own), and an item it counts
    before = wh.write_observations(changed(wh.observations(units=["D02"], month_from="2026-10",
                                                           month_to="2026-10"), 0.97), actor="bob")
    kept = service.add_adjustment(wh, "S03", "2026-10", "bonus", 1.5, "表彰", None, "alice")
    in_quarter = service.add_adjustment(wh, "S05", "2026-08", "deduction", 2, "通报批评", None, "alice")
    for month, period in PUBLISHED:
        assert service.publish(wh, month, "alice", period=period) == 1
    revisions = {(m, p, 1): frozen(wh, m, p, 1) for m, p in PUBLISHED}
    stored_steps = store.get_steps(wh, "2026-10", "month", 1)

    # 1. an import of a new value for the published month, with its correction reason
    d03 = wh.observations(units=["D03"], month_from="2026-10", month_to="2026-10")
    later = wh.write_observations(changed(d03, 0.6), actor="bob", reason="回访数据更正")
    changes += 1
    # the old replay (stored steps on the live warehouse) no longer gives the published figures
    live_replay = figures(service.replay(wh, stored_steps))
    assert not (live_replay["total"].round(2) == revisions[("2026-10", "month", 1)]["total"].round(2)).all()
    # 2. a correction of a single value (one in the published quarter)
    wh.write_observations(changed(one(wh, "S02", "HL_SATISFY", "2026-09"), 0.5), actor="bob", reason="单项更正")
    changes += 1
    # 3. a rollback of a later batch, and of the batch the publication read
    wh.rollback_batch(later.batch_id, actor="bob", reason="导入有误")
    wh.rollback_batch(before.batch_id, actor="bob", reason="撤回先前更正")
    changes += 2
    # 4. an adjustment added, and one the publications counted revoked
    service.add_adjustment(wh, "S04", "2026-10", "veto", 0, "重大事故", None, "alice", correction_reason="补报否决")
    service.revoke_adjustment(wh, kept, "alice", "表彰撤销")
    service.revoke_adjustment(wh, in_quarter, "alice", "批评撤销")
    changes += 3
    # 5. scheme edits: a weight and a rule's parameter, each a new active version of the stored scheme
    def weights(data):
        dims = data["kinds"]["street"]["dimensions"]
        dims[0]["weight"], dims[1]["weight"] = dims[1]["weight"], dims[0]["weight"]

    def rule(data):
        for d in data["kinds"]["department"]["dimensions"]:
            for i in d["indicators"]:
                if i["code"] == "HL_ONTIME":
                    i["params"]["target"] = 99
    edit_scheme(schemes, weights)
    edit_scheme(schemes, rule)
    changes += 2
    # 6. units and the catalogue: a unit moved to another peer group and renamed, an indicator renamed
    units = wh.units()
    units.loc[units["code"].eq("S01"), ["peer_group", "name_zh"]] = ["rural", "东湖镇"]
    wh.upsert_units(units.loc[units["code"].eq("S01")], actor="admin")
    cat = wh.indicators(active_only=False)
    cat.loc[cat["code"].eq("HL_SATISFY"), "name_zh"] = "群众满意率"
    wh.upsert_indicators(cat.loc[cat["code"].eq("HL_SATISFY")], actor="admin")
    changes += 2
    for m, p in PUBLISHED:
        assert_same(figures(service.replay_publication(wh, m, p, 1)), revisions[(m, p, 1)], f"{p} {m} r1")

    # revision 2 of both, from the changed data and scheme
    for month, period in PUBLISHED:
        assert service.publish(wh, month, "alice", "更正后重新发布", period=period) == 2
        revisions[(month, period, 2)] = frozen(wh, month, period, 2)
        assert not revisions[(month, period, 2)].equals(revisions[(month, period, 1)])

    # more changes after revision 2, the sample batch itself rolled back last
    wh.write_observations(changed(one(wh, "D01", "HL_RESOLVE", "2026-10"), 0.4), actor="bob", reason="再次更正")
    service.add_adjustment(wh, "S06", "2026-09", "bonus", 3, "专项表彰", None, "alice", correction_reason="补录")
    edit_scheme(schemes, lambda data: data["grades"]["bands"][0].update(min=95))
    units = wh.units()
    units.loc[units["code"].eq("D03"), "active_to"] = "2026-08"
    wh.upsert_units(units.loc[units["code"].eq("D03")], actor="admin")
    changes += 4
    sample_batch = int(wh.batches().query("kind == 'sample'")["batch_id"].min())
    wh.rollback_batch(sample_batch, actor="admin", reason="样例数据撤回")
    changes += 1
    assert len(wh.months()) <= 2  # hardly any data left: only the corrections made since

    replayed, t0 = 0, time.perf_counter()
    for (m, p, rev), want in revisions.items():
        assert_same(figures(service.replay_publication(wh, m, p, rev)), want, f"{p} {m} r{rev}")
        replayed += 1
    replay_s = time.perf_counter() - t0
    elapsed = time.perf_counter() - started
    units_n = len(revisions[("2026-10", "month", 1)])
    print(f"\nreplay figures: {units_n} units, {changes} changes, {replayed} revisions replayed "
          f"({replay_s:.2f} s for the last round of replays), {elapsed:.1f} s in all")
    assert replayed == 4 and changes >= 15


def test_the_published_figures_are_the_frozen_ones_and_the_current_ones_a_choice_away(sample_wh):
    wh = sample_wh
    assert service.published_figures(wh, "2026-10") is None  # not published: nothing but current figures
    service.publish(wh, "2026-10", "alice")
    wh.write_observations(changed(wh.observations(units=["S01"], month_from="2026-10", month_to="2026-10"), 0.5),
                          actor="bob", reason="更正")
    shown = service.published_figures(wh, "2026-10")
    assert_same(figures(shown), frozen(wh, "2026-10", "month", 1), "published")
    assert not shown.indicators.empty and shown.explain("S01") is not None  # a build, every frame of it
    current = service.build(wh, "2026-10")
    assert figures(current).loc["S01", "total"] != figures(shown).loc["S01", "total"]


def test_a_tampered_input_is_refused_in_words_without_figures(sample_wh):
    wh = sample_wh
    service.publish(wh, "2026-10", "alice")
    with wh.transaction() as con:  # a historical row changed behind the warehouse's back
        con.execute("UPDATE observations SET value = value + 7 WHERE unit_code = 'S01' AND month = '2026-10' "
                    "AND indicator_code = 'HL_SATISFY'")
    with pytest.raises(service.ReplayRefused, match="校验和不符"):
        service.replay_publication(wh, "2026-10", "month", 1, "zh")
    with pytest.raises(service.ReplayRefused) as refused:
        service.replay_publication(wh, "2026-10", "month", 1, "en")
    assert "checksum does not match" in refused.value.text("en")  # the face says it in its reader's language
    r = cli(wh, "replay", "--month", "2026-10", "--revision", "1")
    assert r.returncode == 1 and "校验和不符" in r.stderr and r.stdout == ""
    r = cli(wh, "--lang", "en", "replay", "--month", "2026-10", "--revision", "1", "--format", "json")
    assert r.returncode == 1 and "cannot be reproduced" in r.stderr and r.stdout == ""


def test_tampered_units_kept_with_the_publication_are_refused(sample_wh):
    wh = sample_wh
    service.publish(wh, "2026-10", "alice")
    with wh.transaction() as con:
        con.execute("UPDATE publications SET inputs = replace(inputs, '东湖街道', '西湖街道')")
    with pytest.raises(service.ReplayRefused, match="校验和不符"):
        service.replay_publication(wh, "2026-10", "month", 1, "zh")


def test_a_publication_from_before_migration_6_replays_only_while_its_data_stand(sample_wh):
    wh = sample_wh
    service.publish(wh, "2026-10", "alice")
    want = frozen(wh, "2026-10", "month", 1)
    steps = store.get_steps(wh, "2026-10", "month", 1)
    data = service.build(wh, "2026-10").scheme.data
    old_steps = [{"step": "scheme", "params": {"id": data["id"], "version": data["version"], "data": data}},
                 {"step": "select", "params": {"month": "2026-10", "period": "month", "months": ["2026-10"],
                                               "periods": ["2026-08", "2026-09", "2026-10"]}}]
    assert {s["step"] for s in steps} > {"scheme", "select"}
    with wh.transaction() as con:  # what migration 6 leaves of a publication made by an older release
        con.execute("UPDATE publications SET as_of_seq = NULL, inputs = NULL, inputs_checksum = NULL, steps = ?",
                    [json.dumps(old_steps, ensure_ascii=False)])
    assert_same(figures(service.replay_publication(wh, "2026-10", "month", 1)), want, "unchanged data")
    wh.write_observations(changed(one(wh, "S01", "HL_SATISFY", "2026-10"), 0.5), actor="bob", reason="更正")
    with pytest.raises(service.ReplayRefused, match="记录输入时点之前"):
        service.replay_publication(wh, "2026-10", "month", 1, "zh")
    r = cli(wh, "--lang", "en", "replay", "--month", "2026-10", "--revision", "1")
    assert r.returncode == 1 and "before Kaohe kept the point" in r.stderr and r.stdout == ""


def test_migration_6_from_an_older_file(tmp_path):
    wh = Warehouse(tmp_path / "old.duckdb")
    wh.migrate(target=5)
    with wh.transaction() as con:  # a file of the release before: two batches, one rolled back, an item revoked
        con.execute("INSERT INTO units (code, name_zh, kind, peer_group) VALUES ('S01', '东湖街道', 'street', 'urban')")
        for b, status in ((1, "committed"), (2, "rolled_back")):
            con.execute("INSERT INTO batches (batch_id, created_at, actor, kind, rows_written, status) "
                        "VALUES (?, now(), 'a', 'import', 1, ?)", [b, status])
            con.execute("INSERT INTO observations VALUES ('S01', 'HL_SATISFY', '2026-10', ?, NULL, NULL, 'ok', ?, ?, "
                        "?, now(), NULL)", [80.0 + b, b, b, b == 1])
        con.execute("INSERT INTO adjustments (adj_id, unit_code, month, kind, points, reason, actor, created_at, "
                    "revoked_at) VALUES (1, 'S01', '2026-10', 'bonus', 1, 'x', 'a', now(), now())")
        con.execute("INSERT INTO publications (month, period, revision, scheme_id, scheme_version, actor, "
                    "published_at) VALUES ('2026-10', 'month', 1, 'default', '2026.1', 'a', now())")
    assert wh.migrate() == (5, schema.LATEST)
    rows = wh.query("SELECT batch_id, created_seq, rolled_back_seq FROM batches ORDER BY batch_id")
    assert rows["created_seq"].tolist() == [0, 0] and pd.isna(rows["rolled_back_seq"].iloc[0])
    assert rows["rolled_back_seq"].iloc[1] == 0
    adj = wh.query("SELECT created_seq, revoked_seq FROM adjustments").iloc[0]
    assert (adj["created_seq"], adj["revoked_seq"]) == (0, 0)
    pub = store.publication(wh, "2026-10", "month", 1)
    assert pub["as_of_seq"] is None and pub["inputs_checksum"] is None  # no as-of point: replayed only if unchanged
    obs = wh.query("SELECT revision, recorded_seq, superseded_seq FROM observations ORDER BY revision")
    assert obs["recorded_seq"].tolist() == [0, 0] and pd.isna(obs["superseded_seq"].iloc[0])
    # it was scored with the shipped schemes: migration 8 stored them as active (by "system"), one point each
    from kaohe.data import schemes

    assert schemes.active_years(wh) == schemes.shipped_years()
    assert set(schemes.versions(wh)["created_by"]) == {"system"}
    seq = int(wh.query("SELECT value FROM meta WHERE key = 'input_seq'").iloc[0, 0])
    assert seq == len(schemes.shipped_years())
    # the sequence goes on from there, one point per write
    res = wh.write_observations(pd.DataFrame([{"unit_code": "S01", "indicator_code": "HL_SATISFY",
                                               "month": "2026-09", "value": 70.0, "status": "ok"}]), actor="a")
    assert wh.batch(res.batch_id)["created_seq"] == seq + 1


def test_two_writes_in_the_same_microsecond_get_their_own_points(sample_wh, monkeypatch):
    from kaohe.base import clock

    wh = sample_wh
    instant = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: instant)
    service.publish(wh, "2026-10", "alice")
    want = frozen(wh, "2026-10", "month", 1)
    a = wh.write_observations(changed(one(wh, "S01", "HL_SATISFY", "2026-10"), 0.5), actor="b", reason="x")
    b = wh.write_observations(changed(one(wh, "S02", "HL_SATISFY", "2026-10"), 0.5), actor="b", reason="y")
    assert wh.batch(a.batch_id)["created_at"] == wh.batch(b.batch_id)["created_at"]
    assert wh.batch(b.batch_id)["created_seq"] == wh.batch(a.batch_id)["created_seq"] + 1
    assert_same(figures(service.replay_publication(wh, "2026-10", "month", 1)), want, "same instant")


def cli(wh, *args: str) -> subprocess.CompletedProcess:
    argv = list(args)
    at = argv.index("replay") + 1
    argv[at:at] = ["--db", str(wh.path)]
    env = {k: v for k, v in os.environ.items() if k != "KAOHE_LANG"}
    return subprocess.run([sys.executable, "-m", "kaohe.cli", *argv], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_the_replay_command_prints_the_frozen_figures(sample_wh, fmt):
    wh = sample_wh
    service.publish(wh, "2026-09", "alice", period="quarter")
    wh.write_observations(changed(one(wh, "S01", "HL_SATISFY", "2026-09"), 0.5), actor="bob", reason="更正")
    want = frozen(wh, "2026-09", "quarter", 1)
    r = cli(wh, "replay", "--month", "2026-09", "--period", "quarter", "--revision", "1", "--format", fmt)
    assert r.returncode == 0, r.stderr
    if fmt == "json":
        got = pd.DataFrame(json.loads(r.stdout)).set_index("unit_code").sort_index()
    elif fmt == "csv":
        import io

        got = pd.read_csv(io.StringIO(r.stdout)).set_index("unit_code").sort_index()
    else:
        lines = r.stdout.splitlines()
        assert "第 1 版" in lines[0] and "与冻结结果一致" in lines[0]
        assert "总分" in lines[1] and "名次" in lines[1]
        for unit, row in want.iterrows():
            line = next(x for x in lines if x.split() and x.split()[0] == unit)
            assert f"{row['total']:.2f}" in line
        return
    assert_same(got[FIELDS], want, fmt)
    assert set(got["revision"]) == {1} and set(got["period"]) == {"quarter"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_words_beside_published_figures_and_the_refusals_pass_the_text_checks(sample_wh, lang):
    import guard_checks as gc

    wh = sample_wh
    service.publish(wh, "2026-10", "alice")
    service.add_adjustment(wh, "S07", "2026-10", "deduction", 1, "补录扣分", None, "tester", correction_reason="补录")
    state = service.published_state(wh, "2026-10").showing_published()
    assert state.label(lang) == ("已发布·第 1 版" if lang == "zh" else "published, revision 1")
    words = [state.notice(lang), state.short(lang)]
    with wh.transaction() as con:
        con.execute("UPDATE observations SET value = value + 1 WHERE unit_code = 'S07' AND month = '2026-10'")
    for call in (lambda: service.replay_publication(wh, "2026-10", "month", 1, lang),
                 lambda: service.replay_publication(wh, "2026-10", "month", 3, lang),
                 lambda: service.replay_publication(wh, "2026-09", "quarter", None, lang)):
        with pytest.raises(service.ReplayRefused) as exc:
            call()
        words.append(str(exc.value))
    assert [w for w in words if gc.text_offences(w, lang)] == []
