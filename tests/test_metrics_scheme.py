"""Scheme files: the shipped default loads; every kind of mistake is refused with a clear message."""

from __future__ import annotations

import copy
import json
import re

import pytest
import scoring_fixtures as fx

from kaohe.metrics import scheme as sm


def broken(mutate, lang: str | None = None) -> list[str]:
    data = copy.deepcopy(fx.SCHEME)
    mutate(data)
    with pytest.raises(sm.SchemeError) as exc:
        sm.load_dict(data, fx.CATALOGUE, lang)
    return exc.value.problems


def street(data):
    return data["kinds"]["street"]["dimensions"]


def test_default_scheme_loads_and_is_recognisable():
    s = sm.load_year("2026", fx.CATALOGUE)
    assert s.id == "default" and s.version == "2026.1"
    hl = next(d for d in s.data["kinds"]["street"]["dimensions"] if d["code"] == "HL")
    w = {i["code"]: i["weight"] for i in hl["indicators"]}
    # the hotline's three rates keep the published 30/35/35 proportions
    three = w["HL_RESPONSE"] + w["HL_RESOLVE"] + w["HL_SATISFY"]
    assert [w[c] / three for c in ("HL_RESPONSE", "HL_RESOLVE", "HL_SATISFY")] == pytest.approx([.30, .35, .35])
    ontime = next(i for i in hl["indicators"] if i["code"] == "HL_ONTIME")
    assert ontime["params"] == {"target": 90, "full": 25, "per_point": 1}
    capped = {i["code"] for k in s.data["kinds"].values() for d in k["dimensions"] for i in d["indicators"]
              if "cap" in i}
    assert {"EM_DRILL", "CP_MEETING"} <= capped
    neutral = set(fx.CATALOGUE.loc[fx.CATALOGUE["direction"] == "neutral", "code"])
    assert neutral == {"HL_VOLUME", "DS_FOUND", "POP"}
    assert not neutral & set(s.indicator_codes())


def test_schemes_are_versioned_per_year():
    assert sm.load_year("2031", fx.CATALOGUE).year == "2026"  # the latest before it
    old = sm.load_year("2025", fx.CATALOGUE)
    assert old.version == "2025.1" and "quota" not in old.data["grades"]
    assert sm.load_year("2019", fx.CATALOGUE).year == "2025"  # before every file: the earliest
    assert sm.load_year(None, fx.CATALOGUE).year == sm.available_years()[-1]


def test_default_spec_has_a_rural_override_and_weights_that_sum():
    units = fx.UNITS.assign(peer_group=["urban", "urban", "rural", "rural", "general"])
    spec = sm.load_year("2026", fx.CATALOGUE).spec(units)
    for _, g in spec.groupby("peer_group"):
        assert g.drop_duplicates("dimension")["dim_weight"].sum() == pytest.approx(1.0)
        assert (g.groupby("dimension")["ind_weight"].sum() == 100).all()
    close = spec[spec["indicator_code"] == "GR_CLOSE"].set_index("peer_group")["params"]
    assert close["urban"]["target"] == 95 and close["rural"]["target"] == 90


@pytest.mark.parametrize("mutate,words", [
    (lambda d: street(d)[0].update(weight=50), "dimension weights sum to 90"),
    (lambda d: street(d)[0]["indicators"][0].update(weight=40), "indicator weights sum to 90"),
    (lambda d: street(d)[0]["indicators"][0].update(code="NOPE"), "'NOPE' is not in the catalogue"),
    (lambda d: street(d)[0]["indicators"][0].update(code="HL_VOLUME"), "context (neutral)"),
    (lambda d: d["kinds"]["department"]["dimensions"][0]["indicators"][0].update(code="GR_CLOSE"),
     "does not apply to"),
    (lambda d: street(d)[0]["indicators"][0].update(rule="magic"), "unknown rule 'magic'"),
    (lambda d: street(d)[0]["indicators"][1].update(params={"floor": 5, "target": 5}), "floor != target"),
    (lambda d: street(d)[1]["indicators"][0].update(cap=-1), "cap must be a positive number"),
    (lambda d: street(d)[0]["indicators"].append(dict(street(d)[0]["indicators"][0])), "appears twice"),
    (lambda d: d.update(missing={"policy": "guess"}), "missing-data policy 'guess'"),
    (lambda d: d["grades"]["bands"].reverse(), "grade bands"),
    (lambda d: d["grades"].update(quota={"excellent": 1.5}), "grade quota"),
    (lambda d: d["veto"]["triggers"].append({"indicator": "EM_CONCEAL", "op": "~", "value": 1}), "veto"),
    (lambda d: d["kinds"].clear(), "at least one kind of unit"),
    (lambda d: d["adjustments"].update(rules=[{"indicator": "CP_SURVEY", "kind": "gift", "op": ">=", "value": 1,
                                               "points": 1}]), "bonus or deduction rule"),
    (lambda d: d["adjustments"].update(bonus_cap=-1), "bonus_cap"),
    (lambda d: d.update(groups={"g1": {"indicators": {"HL_ONTIME": {"params": {"per_point": 0}}}}}),
     "per_point > 0"),
    (lambda d: d.update(groups={"g1": {"dimensions": {"A": {"weight": "heavy"}}}}), "weight 'heavy' must be"),
    (lambda d: d.update(groups={"g1": {"indicators": {"HL_ONTIME": {"weight": 0}}}}), "weight 0 must be"),
    # context counts can never punish: no deduction, no veto, no bonus for having none (do not reward quiet)
    (lambda d: d["adjustments"].update(rules=[{"indicator": "HL_VOLUME", "kind": "deduction", "op": ">=",
                                               "value": 500, "points": 1}]), "'HL_VOLUME' is context"),
    (lambda d: d["adjustments"].update(rules=[{"indicator": "DS_FOUND", "kind": "bonus", "op": "==",
                                               "value": 0, "points": 1}]), "'DS_FOUND' is context"),
    (lambda d: d["veto"]["triggers"].append({"indicator": "DS_FOUND", "op": ">=", "value": 50}),
     "'DS_FOUND' is context"),
    (lambda d: d["veto"]["triggers"].append({"indicator": "NOPE", "op": ">=", "value": 1}),
     "'NOPE' is not in the catalogue"),
    (lambda d: street(d)[0]["indicators"][0].update(params={"target": 90, "full": 25, "per_point": 1,
                                                            "floor": 30}), "0 <= floor < full"),
    (lambda d: street(d)[0]["indicators"][0].update(params={"target": 90}), "missing: per_point"),
])
def test_mistakes_are_refused_with_a_message(mutate, words):
    problems = broken(mutate, "en")
    assert any(words in p for p in problems), problems


def test_messages_are_chinese_by_default(monkeypatch):
    monkeypatch.setenv("KAOHE_LANG", "en")  # the core never reads the environment's language
    problems = broken(lambda d: street(d)[0]["indicators"][0].update(code="HL_VOLUME"))
    assert any("背景指标，不能赋权计分" in p for p in problems)


@pytest.mark.parametrize("mutate,words", [
    (lambda d: street(d)[0]["indicators"][0].update(params={"target": 90}), "缺少参数 per_point"),
    (lambda d: street(d)[0]["indicators"][1].update(params={"floor": "a", "target": 1}), "参数 floor 应为数字"),
    (lambda d: street(d)[0]["indicators"][1].update(params={"floor": 0, "target": 1, "bogus": 2}), "未知参数 bogus"),
    (lambda d: street(d)[0]["indicators"][1].update(params={"floor": 5, "target": 5}), "参数须满足 floor != target"),
    (lambda d: d["grades"]["bands"].reverse(), "须从高到低排列"),
    (lambda d: d["grades"]["bands"].append({"grade": "bronze", "min": 0}), "每档须为"),
    (lambda d: d["veto"].update(cap_grade="worst"), "封顶等次“worst”"),
])
def test_every_message_is_chinese_under_zh(mutate, words):
    problems = broken(mutate, "zh")
    assert any(words in p for p in problems), problems
    assert not any(re.search(r"\b(missing|must|unknown|mins|grades|number)\b", p) for p in problems), problems


def test_group_override_of_an_indicator_the_kind_lacks_is_refused():
    data = copy.deepcopy(fx.SCHEME)
    data["groups"] = {"d1": {"indicators": {"SF_CRIME": {"weight": 10}}}}
    s = sm.load_dict(data, fx.CATALOGUE)
    with pytest.raises(sm.SchemeError, match="SF_CRIME"):
        s.spec(fx.UNITS)


def test_what_if_changes_are_normalised_and_validated():
    s = fx.scheme()
    alt = s.with_changes({"dimension_weights": {"A": 3, "B": 1}})
    dims = {d["code"]: d["weight"] for d in alt.data["kinds"]["street"]["dimensions"]}
    assert dims["A"] == pytest.approx(75) and dims["B"] == pytest.approx(25)
    assert alt.version == "1+whatif" and s.version == "1"
    with pytest.raises(sm.SchemeError):
        s.with_changes({"rules": {"HL_ONTIME": {"rule": "linear", "floor": 1}}})
    tighter = s.with_changes({"rules": {"HL_ONTIME": {"target": 95}}}).spec(fx.UNITS)
    assert tighter.loc[tighter["indicator_code"] == "HL_ONTIME", "params"].iloc[0] == {
        "target": 95.0, "full": 25.0, "per_point": 1.0, "floor": 0.0}
    ok = s.with_changes({"rules": {"HL_ONTIME": {"rule": "linear", "floor": 50, "target": 95}}})
    spec = ok.spec(fx.UNITS)
    assert spec.loc[spec["indicator_code"] == "HL_ONTIME", "rule"].eq("linear").all()


def test_shipped_scheme_files_are_valid_json_with_bilingual_dimension_names():
    for year in sm.available_years():
        data = json.loads(sm.path_for(year).read_text(encoding="utf-8"))
        for kind in data["kinds"].values():
            for d in kind["dimensions"]:
                assert d["name_zh"] and d["name_en"]


def test_a_bonus_for_finding_more_on_a_context_count_is_allowed():
    data = copy.deepcopy(fx.SCHEME)
    data["adjustments"]["rules"] = [{"indicator": "DS_FOUND", "kind": "bonus", "op": ">=", "value": 100,
                                     "points": 0.5}]
    assert sm.validate(data, fx.CATALOGUE) == []


def test_peer_group_overrides_are_checked_item_by_item():
    from kaohe.metrics import scheme as scheme_mod
    from kaohe.metrics.scheme import load_year

    cat = __import__("kaohe.data.catalogue", fromlist=["read_indicators"]).read_indicators()
    base = load_year("2026", cat).data
    data = {**base, "groups": {"rural": {"indicators": {"NO_SUCH": {"weight": 5}, "GR_CLOSE": 3},
                                         "dimensions": {"GR": 30}, "weights": {}}}}
    with pytest.raises(scheme_mod.SchemeError) as err:
        scheme_mod.load_dict(data, cat)
    problems = err.value.problems
    assert any("weights" in p for p in problems)  # an unknown key of the group
    assert any("NO_SUCH" in p for p in problems)  # an indicator no kind has
    assert any("GR_CLOSE" in p for p in problems) and any("“GR”" in p for p in problems)  # not objects


def test_spec_refusals_are_in_the_language_passed(monkeypatch):
    monkeypatch.setenv("KAOHE_LANG", "zh")
    data = copy.deepcopy(fx.SCHEME)
    data["groups"] = {"suburb": {"indicators": {"HL_ONTIME": {"weight": 10}}}}
    s = sm.load_dict(data, fx.CATALOGUE)
    with pytest.raises(sm.SchemeError) as err:
        s.spec(fx.UNITS, "en")
    assert err.value.problems == ["peer group 'suburb' does not exist (known: d1, g1)"]
    with pytest.raises(sm.SchemeError) as err:
        s.spec(fx.UNITS, "zh")
    assert err.value.problems == ["同类组“suburb”不存在（现有同类组：d1、g1）"]


def test_a_refusal_lists_its_problems_in_either_language():
    data = copy.deepcopy(fx.SCHEME)
    street(data)[0].update(weight=50)
    street(data)[1]["indicators"][0].update(rule="magic")
    with pytest.raises(sm.SchemeError) as err:
        sm.load_dict(data, fx.CATALOGUE, "zh")
    exc = err.value
    assert str(exc) == exc.message("zh") and exc.message("zh").startswith("考核方案“toy”有误：")
    assert exc.message("zh").count("；") == 1 and len(exc.problems) == 2
    assert exc.message("en").startswith("Scheme 'toy' is invalid: ") and "; " in exc.message("en")
    assert exc.problems_in("en") == ["Streets and towns, dimension 'B': indicator 'EM_DRILL': unknown rule 'magic' "
                                     "(known: linear, minmax, pass_fail, percentile, ratio_to_target, target_deduct, "
                                     "zscore)", "Streets and towns: dimension weights sum to 90, not 100"]


def test_a_group_override_is_checked_against_its_own_kinds_rule():
    data = copy.deepcopy(fx.SCHEME)
    data["kinds"]["department"]["dimensions"][0]["indicators"][0].update(rule="linear",
                                                                         params={"floor": 50, "target": 95})
    # valid for the streets' HL_ONTIME (target_deduct), not for the departments' (linear)
    data["groups"] = {"d1": {"indicators": {"HL_ONTIME": {"params": {"per_point": 0.5}}}}}
    s = sm.load_dict(data, fx.CATALOGUE)
    with pytest.raises(sm.SchemeError) as err:  # a refusal in words, not a bare ValueError from the rules
        s.spec(fx.UNITS, "en")
    assert err.value.problems == ["peer group 'd1': indicator 'HL_ONTIME': bad parameters: unknown: per_point"]
