"""Schemes stored in the warehouse, per year and versioned (issue 14, item 3): storing, activating, copying,
drafts, which scheme scores a month, refusals in words (zh and en) that change nothing."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
import scoring_fixtures as fx

from kaohe.data import schema, schemes
from kaohe.data import scoring_store as store
from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Warehouse
from kaohe.metrics import scheme_admin, service
from kaohe.metrics.scheme import NoSchemeInForce, SchemeError, SchemeMissingSection


def sha256(wh) -> str:
    wh.query("CHECKPOINT")
    return hashlib.sha256(wh.path.read_bytes()).hexdigest()


@pytest.fixture
def toy_wh(empty_wh):
    """The toy district of scoring_fixtures (four streets, one department) with three months, no scheme."""
    empty_wh.upsert_units(fx.UNITS, actor="tester")
    empty_wh.write_observations(fx.observations(), actor="tester")
    return empty_wh


def toy(**changes) -> dict:
    data = copy.deepcopy(fx.SCHEME)
    data.update(changes)
    return data


def test_a_sample_warehouse_holds_the_shipped_schemes_as_active(sample_wh):
    v = scheme_admin.versions(sample_wh)
    assert sorted(v["year"]) == schemes.shipped_years() == ["2025", "2026"]
    assert set(v["status"]) == {"active"} and set(v["created_by"]) == {"system"}
    assert service.current_scheme(sample_wh, "2026").version == "2026.1"
    assert service.build(sample_wh, "2026-10").scheme_version == "2026.1"


def test_without_the_sample_no_scheme_is_stored_and_scoring_refuses_in_words(toy_wh):
    assert scheme_admin.versions(toy_wh).empty and schemes.active_years(toy_wh) == []
    with pytest.raises(NoSchemeInForce) as exc:
        service.build(toy_wh, "2026-10")
    zh, en = exc.value.text("zh"), exc.value.text("en")
    assert zh.startswith("2026 年没有生效的考核方案") and "kaohe scheme copy --from default --to 2026" in zh
    assert en == ("no scheme in force for 2026: import one with `kaohe scheme import FILE --activate`, "
                  "or `kaohe scheme copy --from default --to 2026`")
    with pytest.raises(NoSchemeInForce):
        service.current_scheme(toy_wh, "2026")


def test_an_older_empty_warehouse_is_migrated_without_a_scheme(tmp_path):
    wh = Warehouse(tmp_path / "old.duckdb")
    wh.migrate(target=7)
    assert wh.migrate() == (7, schema.LATEST)
    assert schemes.versions(wh).empty


def test_the_toy_district_is_scored_with_its_stored_scheme_and_publishing_records_the_version(toy_wh):
    assert scheme_admin.import_scheme(toy_wh, toy(), actor="考核办", activate=True) == ("2026", "1")
    b = service.build(toy_wh, "2026-10")
    assert b.scheme_id == "toy" and b.scheme_version == "1" and b.scheme_note("zh") is None
    base = dict(zip(b.totals["unit_code"], b.totals["base_score"].round(2), strict=True))
    assert base == fx.EXPECTED_BASE
    assert service.publish(toy_wh, "2026-10", "考核办") == 1
    p = store.publications(toy_wh, "2026-10").iloc[0]
    assert (p["scheme_id"], p["scheme_version"], p["scheme_year"]) == ("toy", "1", "2026")
    assert p["scheme_fingerprint"] == schemes.get(toy_wh, "2026", "1")["fingerprint"]


def test_activating_a_new_version_supersedes_the_old_one_audited(toy_wh):
    scheme_admin.import_scheme(toy_wh, toy(), actor="a", activate=True)
    v2 = toy(version="2")
    v2["kinds"]["street"]["dimensions"][0]["weight"], v2["kinds"]["street"]["dimensions"][1]["weight"] = 40, 60
    assert scheme_admin.import_scheme(toy_wh, v2, actor="b") == ("2026", "2")  # a draft
    assert scheme_admin.scheme_of_month(toy_wh, "2026-10").version == "1"
    before = service.build(toy_wh, "2026-10").totals.set_index("unit_code")["total"]
    assert scheme_admin.activate(toy_wh, "2026", "2", actor="c") == "1"
    st = scheme_admin.versions(toy_wh).set_index("version")["status"].to_dict()
    assert st == {"1": "superseded", "2": "active"}
    after = service.build(toy_wh, "2026-10")
    assert after.scheme_version == "2" and not after.totals.set_index("unit_code")["total"].equals(before)
    log = toy_wh.query("SELECT actor, action, target, detail FROM audit_log WHERE action LIKE 'scheme.%' ORDER BY seq")
    assert log["action"].tolist() == ["scheme.put", "scheme.put", "scheme.activate"]
    assert log["actor"].tolist() == ["a", "b", "c"]
    detail = json.loads(log["detail"].iloc[-1])
    assert detail["before"]["active"] == "1" and detail["after"]["active"] == "2"


def test_the_same_file_again_writes_nothing_and_other_content_under_its_version_is_refused(toy_wh):
    scheme_admin.import_scheme(toy_wh, toy(), actor="a", activate=True)
    h = sha256(toy_wh)
    assert scheme_admin.already_stored(toy_wh, toy())
    assert scheme_admin.import_scheme(toy_wh, toy(), actor="a") == ("2026", "1")
    assert sha256(toy_wh) == h
    other = toy(lists={"red": 1, "black": 1})
    with pytest.raises(scheme_admin.SchemeRefused) as exc:
        scheme_admin.import_scheme(toy_wh, other, actor="a", activate=True)
    assert exc.value.text("zh") == "2026 年 1 版已存在，内容不同：请给文件一个新的版本号（version）"
    assert exc.value.text("en") == ("scheme 2026 version 1 already exists with other content: "
                                    "give the file a new version")
    assert sha256(toy_wh) == h


@pytest.mark.parametrize("mutate,zh,en", [
    (lambda d: d["kinds"]["street"]["dimensions"][0].update(weight=70), "权重之和为110", "100"),
    (lambda d: d["kinds"]["street"]["dimensions"][0]["indicators"][0].update(code="NOPE"), "NOPE", "NOPE"),
    (lambda d: d.pop("year"), "year", "year"),
    (lambda d: d["kinds"].clear(), "至少要有一个单位类型部分", "at least one kind of unit"),
])
def test_a_bad_scheme_is_refused_item_by_item_in_both_languages_and_changes_nothing(toy_wh, mutate, zh, en):
    h = sha256(toy_wh)
    data = toy()
    mutate(data)
    problems_zh, problems_en = scheme_admin.check(data, toy_wh, "zh"), scheme_admin.check(data, toy_wh, "en")
    assert problems_zh and problems_en
    assert any(zh in p for p in problems_zh), problems_zh
    assert any(en in p for p in problems_en), problems_en
    assert all(p.isascii() for p in problems_en)
    with pytest.raises((SchemeError, scheme_admin.SchemeRefused)):
        scheme_admin.import_scheme(toy_wh, data, actor="a", activate=True)
    assert sha256(toy_wh) == h and scheme_admin.versions(toy_wh).empty


def test_read_file_refuses_what_is_not_a_scheme_file_in_words(tmp_path):
    bad = tmp_path / "s.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(SchemeError) as exc:
        scheme_admin.read_file(bad, bad.name, "en")
    assert "s.json" in exc.value.text("en") and exc.value.problems_in("en")
    with pytest.raises(SchemeError):
        scheme_admin.read_file(b"[1, 2]", "list.json", "zh")
    with pytest.raises(scheme_admin.SchemeRefused) as exc:
        scheme_admin.read_file(b" " * (scheme_admin.MAX_SCHEME_BYTES + 1), "big.json", "zh")
    assert "上限" in exc.value.text("zh")
    assert scheme_admin.read_file(json.dumps(fx.SCHEME).encode(), "toy.json") == fx.SCHEME


def test_a_month_of_a_year_without_a_scheme_uses_the_latest_earlier_year_then_a_copy(empty_wh):
    wh = empty_wh
    wh.upsert_units(fx.UNITS, actor="tester")
    wh.write_observations(fx.observations(months=("2026-11", "2026-12", "2027-01")), actor="tester")
    scheme_admin.import_scheme(wh, toy(), actor="a", activate=True)
    b = service.build(wh, "2027-01")
    assert b.scheme_year == "2026" and "2027" in b.scheme_note("zh") and "2026" in b.scheme_note("en")
    assert scheme_admin.scheme_of_month(wh, "2031-05").year == "2026"
    assert scheme_admin.scheme_of_month(wh, "2019-05").year == "2026"  # before every year: the earliest
    version = scheme_admin.copy(wh, "2026", "2027", actor="b", activate=True)
    assert version == "2027.1"
    s = scheme_admin.scheme_of_month(wh, "2027-01")
    assert (s.year, s.version, s.id) == ("2027", "2027.1", "toy")
    b = service.build(wh, "2027-01")
    assert b.scheme_year == "2027" and b.scheme_note("zh") is None
    assert service.build(wh, "2026-12").scheme_year == "2026"


def test_copy_from_default_names_the_new_year(empty_wh):
    version = scheme_admin.copy(empty_wh, "default", "2027", actor="a")
    row = schemes.get(empty_wh, "2027", version)
    assert version == "2027.1" and row["status"] == "draft" and row["source_name"] == "default-2026.json"
    assert row["data"]["year"] == "2027" and "2027" in row["data"]["name_zh"] and "2026" not in row["data"]["name_en"]
    assert schemes.active_years(empty_wh) == []  # a draft until activated
    assert scheme_admin.copy(empty_wh, "default", "2027", actor="a", activate=True) == "2027.2"
    assert schemes.active_years(empty_wh) == ["2027"]
    with pytest.raises(scheme_admin.SchemeRefused) as exc:
        scheme_admin.copy(empty_wh, "2030", "2031", actor="a")
    assert exc.value.text("en") == "there is no active scheme for 2030"


def test_a_what_if_is_saved_as_a_new_draft_of_its_year(toy_wh):
    scheme_admin.import_scheme(toy_wh, toy(), actor="a", activate=True)
    whatif = service.current_scheme(toy_wh, "2026").with_changes({"dimension_weights": {"A": 50, "B": 50}})
    version = scheme_admin.save_draft(toy_wh, whatif.data, actor="b", note="权重各半")
    row = schemes.get(toy_wh, "2026", version)
    assert version == "2026.1" and row["status"] == "draft" and row["note"] == "权重各半"
    assert scheme_admin.scheme_of_month(toy_wh, "2026-10").version == "1"  # the active one still scores


def test_a_streets_only_district_needs_no_department_section(empty_wh):
    wh = empty_wh
    streets = fx.UNITS[fx.UNITS["kind"].eq("street")]
    wh.upsert_units(streets, actor="tester")
    obs = fx.observations()
    wh.write_observations(obs[obs["unit_code"].ne("D1")], actor="tester")
    data = toy()
    del data["kinds"]["department"]
    scheme_admin.import_scheme(wh, data, actor="a", activate=True)
    b = service.build(wh, "2026-10")
    base = dict(zip(b.totals["unit_code"], b.totals["base_score"].round(2), strict=True))
    assert base == {k: v for k, v in fx.EXPECTED_BASE.items() if k != "D1"}
    assert service.publish(wh, "2026-10", "a") == 1
    b.explain("S1", "en")
    # a department registered later has no section to be scored by: refused in words, naming kind and scheme
    wh.upsert_units(fx.UNITS[fx.UNITS["kind"].eq("department")], actor="tester")
    with pytest.raises(SchemeMissingSection) as exc:
        service.build(wh, "2026-10")
    assert exc.value.text("zh").startswith("考核方案“toy 1”没有部门部分")
    assert exc.value.text("en").startswith("scheme 'toy 1' has no section for Departments")


def test_a_scheme_may_not_score_an_indicator_retired_for_its_whole_year(toy_wh):
    from kaohe.data import catalogue_admin

    catalogue_admin.retire(toy_wh, "HL_SATISFY", month="2026-06", actor="a")
    assert scheme_admin.check(toy(), toy_wh, "zh") == []  # retired mid-year: still scored before it
    y2027 = toy(year="2027")
    zh, en = scheme_admin.check(y2027, toy_wh, "zh"), scheme_admin.check(y2027, toy_wh, "en")
    assert any("指标“HL_SATISFY”自 2026-06 起停用，2027 年度的方案不能计分" in p for p in zh), zh
    assert any("indicator 'HL_SATISFY' is retired from 2026-06: a 2027 scheme cannot score it" in p for p in en), en
    h = sha256(toy_wh)
    with pytest.raises(SchemeError):
        scheme_admin.import_scheme(toy_wh, y2027, actor="a", activate=True)
    assert sha256(toy_wh) == h


def test_the_raw_scheme_is_read_once_before_the_inputs(toy_wh, monkeypatch):
    scheme_admin.import_scheme(toy_wh, toy(), actor="a", activate=True)
    calls = []
    real = schemes.in_force
    monkeypatch.setattr(schemes, "in_force", lambda wh, year: calls.append(year) or real(wh, year))
    service.build(toy_wh, "2026-10")
    assert calls == ["2026"]


def test_ensure_ready_with_the_sample_again_adds_no_scheme(sample_wh):
    n = len(schemes.versions(sample_wh))
    ensure_ready(sample_wh)
    assert len(schemes.versions(sample_wh)) == n


def test_an_older_warehouse_with_data_gets_the_shipped_schemes_it_was_scored_with(tmp_path):
    wh = Warehouse(tmp_path / "old7.duckdb")
    wh.migrate(target=7)
    with wh.transaction() as con:
        con.execute("INSERT INTO units (code, name_zh, kind, peer_group) VALUES ('S01', '东湖街道', 'street', 'urban')")
    assert wh.migrate() == (7, schema.LATEST)
    assert schemes.active_years(wh) == ["2025", "2026"]
    log = wh.query("SELECT actor, action, target FROM audit_log WHERE action LIKE 'scheme.%' ORDER BY seq")
    assert log.to_dict("records") == [{"actor": "system", "action": "scheme.put", "target": "scheme 2025:2025.1"},
                                      {"actor": "system", "action": "scheme.put", "target": "scheme 2026:2026.1"}]
    assert schemes.active(wh, "2026")["data"] == schemes.shipped("2026")
