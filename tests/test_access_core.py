"""Every core action checks the actor's role itself (base/access.py), before anything is read or written:
called directly as a wrong role it is refused (access.Forbidden) and the warehouse file is byte for byte
as it was. An evaluator imports and rolls back only their own sources' and offices' indicators; a unit's
account reads only its own unit's figures; the audit log names the signed-in person's login."""

from __future__ import annotations

import hashlib

import import_corpus as corpus
import pandas as pd
import pytest

from kaohe.base import access, i18n
from kaohe.base.access import Forbidden, Principal
from kaohe.data import boundaries, catalogue_admin, office, setup
from kaohe.data import units as unit_store
from kaohe.ingest import catalogue_file, pipeline, units_file
from kaohe.metrics import scheme_admin, service

MONTH = "2026-10"
PEOPLE = {
    "leader": Principal("lead", "leader", name="区领导"),
    "evaluator": Principal("ev12345", "evaluator", sources={"12345"}),
    "admin": Principal("office", "admin", name="考核办"),
    "unit": Principal("u1", "unit", unit_code="S01"),
}


def _digest(wh) -> str:
    return hashlib.sha256(wh.path.read_bytes()).hexdigest()


def _hotline(wh):
    return pipeline.prepare(corpus.hotline_gbk(), "hl.csv", wh, current_month="2026-11")


def _emergency_csv(codes=("EM_PLAN", "EM_DRILL"), month=MONTH) -> bytes:
    units = ["S01", "S02", "S03"]
    lines = ["unit_code,indicator_code,month,value"]
    lines += [f"{u},{c},{month},{90 + i}" for i, (u, c) in enumerate((u, c) for c in codes for u in units)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _actions(wh):
    """right -> (name, call(actor)) for every core action, with inputs made (read) beforehand."""
    prep = _hotline(wh)
    batch_id = int(wh.batches()["batch_id"].max())
    scheme = scheme_admin.get(wh, "2026")
    data, version = scheme["data"], str(scheme["version"])
    streets = wh.units("street")["code"].tolist()
    cat_bytes = catalogue_file.export_bytes(wh, ".csv")
    cat_prev = catalogue_file.prepare(cat_bytes, "cat.csv", wh)
    unit_csv = wh.units().to_csv(index=False).encode("utf-8")
    unit_prev = units_file.prepare(unit_csv, "units.csv", wh)
    adj_id = service.add_adjustment(wh, streets[0], MONTH, "bonus", 1.0, "表彰", None, actor="office")
    square = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [0, 0]]]}
    return {
        "import": [("pipeline.commit", lambda a: pipeline.commit(prep, wh, actor=a, accept_warnings=True)),
                   ("pipeline.prepare", lambda a: pipeline.prepare(corpus.hotline_gbk(), "hl.csv", wh, actor=a))],
        "rollback": [("rollback_batch", lambda a: wh.rollback_batch(batch_id, actor=a, reason="错了"))],
        "publish": [("service.publish", lambda a: service.publish(wh, MONTH, a))],
        "adjust": [("add_adjustment", lambda a: service.add_adjustment(wh, streets[0], MONTH, "bonus", 1.0, "r",
                                                                        None, actor=a)),
                   ("revoke_adjustment", lambda a: service.revoke_adjustment(wh, adj_id, a, "撤销"))],
        "scheme": [("import_scheme", lambda a: scheme_admin.import_scheme(wh, data, actor=a)),
                   ("activate", lambda a: scheme_admin.activate(wh, "2026", version, actor=a)),
                   ("copy", lambda a: scheme_admin.copy(wh, "2026", "2027", actor=a)),
                   ("save_draft", lambda a: scheme_admin.save_draft(wh, data, actor=a))],
        "units": [("units_file.commit", lambda a: units_file.commit(unit_prev, wh, actor=a)),
                  ("rename", lambda a: unit_store.rename(wh, streets[0], name_zh="新名", month="2026-11", actor=a)),
                  ("split", lambda a: unit_store.split(wh, streets[0], streets[1:3], month="2026-11", actor=a)),
                  ("merge", lambda a: unit_store.merge(wh, streets[:2], streets[0], month="2026-11", actor=a)),
                  ("apply_changes", lambda a: unit_store.apply_changes(wh, [], actor=a)),
                  ("upsert_units", lambda a: wh.upsert_units(wh.units(), actor=a))],
        "catalogue": [("catalogue_file.commit", lambda a: catalogue_file.commit(cat_prev, wh, actor=a)),
                      ("catalogue_admin.apply_changes", lambda a: catalogue_admin.apply_changes(wh, [], actor=a)),
                      ("retire", lambda a: catalogue_admin.retire(wh, "EM_DRILL", month="2026-11", actor=a)),
                      ("upsert_indicators", lambda a: wh.upsert_indicators(wh.indicators(), actor=a))],
        "settings": [("boundaries.save", lambda a: boundaries.save(wh, {streets[0]: square}, actor=a)),
                     ("office.save", lambda a: office.save(wh, {office.KEYS[0]: "x"}, lang="zh", actor=a)),
                     ("ensure_ready", lambda a: setup.ensure_ready(wh, with_sample=True, actor=a))],
    }


def test_every_core_action_refuses_every_wrong_role_and_changes_nothing(sample_wh):
    actions = _actions(sample_wh)
    before = _digest(sample_wh)
    refused = 0
    for right, calls in actions.items():
        wrong = [r for r in access.ROLES if r not in access.RIGHTS[right]]
        assert wrong, right
        for role in wrong:
            for what, call in calls:
                with pytest.raises(Forbidden) as exc:
                    call(PEOPLE[role])
                words = exc.value.text("zh")
                assert i18n.t(f"access.role.{role}", "zh") in words, (what, role, words)
                assert exc.value.text("en") != words  # said in the reader's language
                refused += 1
        # nobody signed in (a face that forgot to sign in) is never the local administrator
        for what, call in calls:
            with pytest.raises(Forbidden):
                call(None) if what != "pipeline.prepare" else call(Principal("x", "leader"))
    assert refused > 40
    assert _digest(sample_wh) == before, "a refused action changed the warehouse file"


def test_a_plain_name_is_the_local_administrator_and_keeps_the_cli_working(sample_wh):
    prep = _hotline(sample_wh)
    res = pipeline.commit(prep, sample_wh, actor="zhang", accept_warnings=True)
    assert sample_wh.batch(res.batch_id)["actor"] == "zhang"
    assert sample_wh.rollback_batch(res.batch_id, actor="zhang", reason="重导") > 0


def test_an_evaluator_of_12345_imports_hotline_indicators(sample_wh):
    ev = PEOPLE["evaluator"]
    prep = pipeline.prepare(corpus.hotline_gbk(), "hl.csv", sample_wh, current_month="2026-11", actor=ev)
    assert prep.refused is None
    res = pipeline.commit(prep, sample_wh, actor=ev, accept_warnings=True)
    assert res.rows_written > 0
    assert sample_wh.batch(res.batch_id)["actor"] == "ev12345"  # the login, never the Principal
    log = sample_wh.audit_log()
    assert (log["actor"] == "ev12345").any()
    # and rolls back their own batch
    assert sample_wh.rollback_batch(res.batch_id, actor=ev, reason="重导") > 0
    assert sample_wh.batch(res.batch_id)["rolled_back_by"] == "ev12345"


def test_an_evaluator_is_refused_a_file_of_emergency_office_indicators_in_words(sample_wh):
    ev = PEOPLE["evaluator"]
    data = _emergency_csv()
    prep = pipeline.prepare(data, "em.csv", sample_wh, current_month="2026-11", actor=ev)
    assert prep.refused is not None and prep.refused.foreign == ["EM_DRILL", "EM_PLAN"]
    zh, en = prep.refused.text("zh"), prep.refused.text("en")
    for words in (zh, en):
        assert "EM_PLAN" in words and "EM_DRILL" in words and "应急管理局" in words and "应急指挥平台" in words
    assert "第 2、3、4 行" in zh or "第 5、6、7 行" in zh  # the file's rows, row by row
    assert "rows " in en and "source: " in en
    before = _digest(sample_wh)
    with pytest.raises(Forbidden) as exc:
        pipeline.commit(prep, sample_wh, actor=ev, accept_warnings=True)
    assert "EM_PLAN" in exc.value.text("zh")
    # the same file prepared without an actor (another face) is refused at the commit all the same
    with pytest.raises(Forbidden):
        pipeline.commit(pipeline.prepare(data, "em.csv", sample_wh, current_month="2026-11"), sample_wh,
                        actor=ev, accept_warnings=True)
    # and by the warehouse itself, for a direct write
    frame = pipeline.prepare(data, "em.csv", sample_wh, current_month="2026-11").observations()
    with pytest.raises(Forbidden):
        sample_wh.write_observations(frame, actor=ev, source_name="em.csv")
    assert _digest(sample_wh) == before


def test_a_file_mixing_own_and_foreign_indicators_is_refused_whole(sample_wh):
    ev = PEOPLE["evaluator"]
    data = _emergency_csv(("HL_RESPONSE", "EM_PLAN"))
    prep = pipeline.prepare(data, "mixed.csv", sample_wh, current_month="2026-11", actor=ev)
    assert prep.refused is not None and prep.refused.foreign == ["EM_PLAN"]
    assert "HL_RESPONSE" not in prep.refused.text("zh")
    n = len(sample_wh.batches())
    with pytest.raises(Forbidden):
        pipeline.commit(prep, sample_wh, actor=ev, accept_warnings=True)
    assert len(sample_wh.batches()) == n


def test_an_evaluator_of_an_office_may_import_its_indicators(sample_wh):
    em = Principal("em", "evaluator", offices={"应急管理局"})
    prep = pipeline.prepare(_emergency_csv(), "em.csv", sample_wh, current_month="2026-11", actor=em)
    assert prep.refused is None


def test_an_evaluator_is_refused_the_rollback_of_a_batch_with_others_indicators(sample_wh):
    ev = PEOPLE["evaluator"]
    sample_batch = int(sample_wh.batches()["batch_id"].min())  # the sample: every indicator
    before = _digest(sample_wh)
    with pytest.raises(Forbidden) as exc:
        sample_wh.rollback_batch(sample_batch, actor=ev, reason="试试")
    words = exc.value.text("zh")
    assert "EM_PLAN" in words and "应急管理局" in words and str(sample_batch) in words
    assert "HL_RESPONSE" not in words
    assert _digest(sample_wh) == before
    assert sample_wh.batch(sample_batch)["status"] == "committed"


def test_a_unit_is_refused_another_units_figures(sample_wh):
    b = service.build(sample_wh, MONTH)
    streets = sorted(sample_wh.units("street")["code"])
    me = Principal("u", "unit", unit_code=streets[0])
    if not service.released(sample_wh, MONTH):  # draft figures are the office's until 公示 or publication
        with pytest.raises(Forbidden) as exc:
            service.unit_figures(b, streets[0], actor=me, wh=sample_wh)
        assert MONTH in exc.value.text("zh")
        from kaohe.metrics import appeals

        appeals.open_publicity(sample_wh, MONTH, days=5, actor="office")
    assert service.released(sample_wh, MONTH)
    own = service.unit_figures(b, streets[0], actor=me, wh=sample_wh)
    assert len(own.totals) == 1 and set(own.indicators["unit_code"]) == {streets[0]}
    with pytest.raises(Forbidden) as exc:
        service.unit_figures(b, streets[1], actor=me, wh=sample_wh)
    assert streets[1] in exc.value.text("zh") and streets[1] in exc.value.text("en")
    assert len(service.unit_figures(b, streets[1], actor=PEOPLE["leader"]).totals) == 1
    with pytest.raises(Forbidden):
        service.unit_figures(b, streets[0], actor=PEOPLE["evaluator"])  # an evaluator sees no scores
    with pytest.raises(Forbidden):
        service.unit_figures(b, streets[0], actor=None)


def test_the_audit_log_names_the_principals_login(sample_wh):
    adm = PEOPLE["admin"]
    streets = sorted(sample_wh.units("street")["code"])
    adj = service.add_adjustment(sample_wh, streets[0], MONTH, "bonus", 1.0, "表彰", None, actor=adm)
    service.revoke_adjustment(sample_wh, adj, adm, "撤回")
    office.save(sample_wh, {office.KEYS[0]: "青山区考核办"}, lang="zh", actor=adm)
    unit_store.rename(sample_wh, streets[0], name_zh="新名街道", month="2026-11", actor=adm)
    scheme_admin.copy(sample_wh, "2026", "2027", actor=adm)
    log = sample_wh.audit_log()
    new = log[log["actor"] == "office"]
    assert {"office.settings", "unit.rename", "scheme.put"} <= set(new["action"])
    assert not log["actor"].astype(str).str.contains("Principal").any()
    versions = scheme_admin.versions(sample_wh)
    assert "office" in set(versions["created_by"].astype(str))
    adjs = service.list_adjustments(sample_wh, month=MONTH)
    assert "office" in set(pd.concat([adjs[c].astype(str) for c in adjs.columns if "by" in c or c == "actor"]))


def test_the_rights_table_is_the_checks_own_data():
    rows = access.rights_table("en")
    assert len(rows) == len(access.RIGHTS)
    by_right = dict(zip(access.RIGHTS, rows, strict=True))
    leader = i18n.t("access.role.leader", "en")
    assert by_right["publish"][leader] == "—" and by_right["browse"][leader] == "✓"
    assert not access.can(None, "browse") and access.visible_units(None) == frozenset()


def test_every_units_reports_are_for_those_who_may_download_them(sample_wh):
    """The summary, the bulletin, the workbook and every unit's scorecards check the actor themselves: a
    unit's account or an evaluator is refused before anything is made, whatever page forgot to hide them."""
    from kaohe.reports import batch, bulletin, excel, summary

    b = service.build(sample_wh, MONTH)
    makers = {
        "summary": lambda who: summary.summary_pdf(sample_wh, MONTH, build=b, actor=who),
        "bulletin": lambda who: bulletin.bulletin_pdf(sample_wh, MONTH, build=b, actor=who),
        "workbook": lambda who: excel.workbook(sample_wh, MONTH, build=b, actor=who),
        "zip": lambda who: batch.scorecards_zip(sample_wh, MONTH, build=b, processes=1, actor=who),
        "merged": lambda who: batch.scorecards_merged_pdf(sample_wh, MONTH, build=b, actor=who),
    }
    unit = Principal("u", "unit", unit_code=str(sample_wh.units("street").iloc[0]["code"]))
    for name, make in makers.items():
        for who in (unit, PEOPLE["evaluator"], None):
            with pytest.raises(Forbidden):
                make(who)
                pytest.fail(f"{name} was made for {who}")
    assert summary.summary_pdf(sample_wh, MONTH, build=b, actor=PEOPLE["leader"]).startswith(b"%PDF")
