"""The declared model of a scheme (metrics/scheme_model.py): one class of mistake per broken scheme,
each refused with its own message in Chinese and in English, saying where it is; every problem of a
file at once; the shipped schemes valid; the JSON Schema in docs/ in step with the model."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import scoring_fixtures as fx

from kaohe.data.catalogue import read_indicators
from kaohe.metrics import scheme as sm
from kaohe.metrics import scheme_model as model

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "scheme.schema.json"


def street(d):
    return d["kinds"]["street"]["dimensions"]


def mutated(mutate) -> dict:
    data = copy.deepcopy(fx.SCHEME)
    mutate(data)
    return data


# (class of mistake, the mistake, its message in Chinese, in English): the only message of the scheme
BROKEN = [
    ("wrong type", lambda d: street(d)[0]["indicators"][1].update(weight="heavy"),
     "街道/乡镇维度“甲”的指标 HL_SATISFY：权重“heavy”应为正数",
     "Streets and towns, dimension 'A', indicator HL_SATISFY: weight 'heavy' must be a positive number"),
    ("wrong type of a section", lambda d: d.update(grades=[90, 80]),
     "等次评定应为对象（现为“列表”）", "grades must be an object, not a list"),
    ("wrong type of a list item", lambda d: street(d)[1]["indicators"].append(3),
     "街道/乡镇维度“乙”的指标 #3：此项应为对象（现为“3”）",
     "Streets and towns, dimension 'B', indicator #3: item must be an object, not 3"),
    ("a whole number", lambda d: d["lists"].update(red=2.5),
     "红黑榜规定：红榜名额应为整数（现为“2.5”）", "in 'lists': red must be a whole number, not 2.5"),
    ("no section at all", lambda d: d["kinds"].clear(),
     "方案至少要有一个单位类型部分（街道或部门）",
     "a scheme needs a section for at least one kind of unit (street or department)"),
    ("missing key", lambda d: d.pop("id"), "缺少“方案编号”", "'id' is missing"),
    ("missing key of an indicator", lambda d: street(d)[1]["indicators"][0].pop("weight"),
     "街道/乡镇维度“乙”的指标 EM_DRILL：缺少“权重”",
     "Streets and towns, dimension 'B', indicator EM_DRILL: 'weight' is missing"),
    ("unknown rule", lambda d: street(d)[0]["indicators"][0].update(rule="magic"),
     "街道/乡镇维度“甲”：指标“HL_ONTIME”的计分规则“magic”不存在"
     "（可用：linear、minmax、pass_fail、percentile、ratio_to_target、target_deduct、zscore）",
     "Streets and towns, dimension 'A': indicator 'HL_ONTIME': unknown rule 'magic' "
     "(known: linear, minmax, pass_fail, percentile, ratio_to_target, target_deduct, zscore)"),
    ("no rule", lambda d: street(d)[0]["indicators"][0].pop("rule"),
     "街道/乡镇维度“甲”的指标 HL_ONTIME：缺少“计分规则”",
     "Streets and towns, dimension 'A', indicator HL_ONTIME: 'rule' is missing"),
    ("negative weight", lambda d: street(d)[1]["indicators"][0].update(weight=-5),
     "街道/乡镇维度“乙”的指标 EM_DRILL：权重“-5”应为正数",
     "Streets and towns, dimension 'B', indicator EM_DRILL: weight -5 must be a positive number"),
    ("indicator weights not summing", lambda d: street(d)[1]["indicators"][0].update(weight=40),
     "街道/乡镇/乙：二级指标权重之和为90，应为100", "Streets and towns/B: indicator weights sum to 90, not 100"),
    ("dimension weights not summing", lambda d: street(d)[0].update(weight=50),
     "街道/乡镇各一级指标权重之和为90，应为100", "Streets and towns: dimension weights sum to 90, not 100"),
    ("unordered bands", lambda d: d["grades"]["bands"].reverse(),
     "等次分数线有误：各档下限min须从高到低排列并以0结束", "grade bands are wrong: mins must fall and end at 0"),
    ("a percentage above 100", lambda d: d["grades"]["bands"][0].update(min=120),
     "第1档等次分数线：分数下限应不大于100（现为“120”）", "grade band 1: min must be 100 or less, not 120"),
    ("a share above 1", lambda d: d["grades"].update(quota={"excellent": 1.5}),
     "等次名额比例“excellent: 1.5”应在0到1之间", "grade quota 'excellent: 1.5' must be between 0 and 1"),
    ("a grade that does not exist", lambda d: d["grades"].update(quota={"bronze": 0.1}),
     "等次评定：所评等次“bronze”无效（可用：excellent、good、pass、fail）",
     "in 'grades': grade 'bronze' is not one of excellent, good, pass, fail"),
    ("unknown indicator", lambda d: street(d)[0]["indicators"][1].update(code="NOPE"),
     "街道/乡镇维度“甲”：指标“NOPE”不在指标库中",
     "Streets and towns, dimension 'A': indicator 'NOPE' is not in the catalogue"),
    ("indicator of the other kind", lambda d: d["kinds"]["department"]["dimensions"][0]["indicators"][0].update(
        code="GR_CLOSE"),
     "部门维度“甲”：指标“GR_CLOSE”不适用于部门",
     "Departments, dimension 'A': indicator 'GR_CLOSE' does not apply to Departments"),
    ("unknown indicator in a veto", lambda d: d["veto"]["triggers"][0].update(indicator="NOPE"),
     "第1个一票否决条件：指标“NOPE”不在指标库中", "veto trigger 1: indicator 'NOPE' is not in the catalogue"),
    ("bad year", lambda d: d.update(year="26"),
     "年度“26”应为四位数年份，如 2026", "year '26' must be a four-digit year such as 2026"),
    ("bad number of months", lambda d: d["missing"].update(carry_months=0),
     "缺报处理：沿用月数应不小于1（现为“0”）", "in 'missing': carry_months must be 1 or more, not 0"),
    ("extra unknown key", lambda d: d.update(colour="red"), "未知项“colour”", "unknown key 'colour'"),
    ("extra unknown key deep down", lambda d: street(d)[0]["indicators"][1].update(note="x"),
     "街道/乡镇维度“甲”的指标 HL_SATISFY：未知项“note”",
     "Streets and towns, dimension 'A', indicator HL_SATISFY: unknown key 'note'"),
    ("missing parameter", lambda d: street(d)[0]["indicators"][0].update(params={"target": 90}),
     "街道/乡镇维度“甲”：指标“HL_ONTIME”的规则参数有误：缺少参数 per_point",
     "Streets and towns, dimension 'A': indicator 'HL_ONTIME': bad parameters: missing: per_point"),
    ("a rule's own condition", lambda d: street(d)[0]["indicators"][1].update(params={"floor": 5, "target": 5}),
     "街道/乡镇维度“甲”：指标“HL_SATISFY”的规则参数有误：参数须满足 floor != target",
     "Streets and towns, dimension 'A': indicator 'HL_SATISFY': bad parameters: floor != target"),
    ("a choice not offered", lambda d: d["veto"]["triggers"][0].update(op="~"),
     "第1个一票否决条件：比较方式“~”无效（可用：>=、>、==）", "veto trigger 1: op '~' is not one of >=, >, =="),
    ("override of an indicator the scheme lacks", lambda d: d.update(groups={"g1": {"indicators": {"NOPE": {
        "weight": 5}}}}),
     "同类组“g1”调整的指标“NOPE”不在该类方案中", "peer group 'g1' overrides 'NOPE', which its kind's scheme lacks"),
]


@pytest.mark.parametrize("what,mutate,zh,en", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_class_of_mistake_has_its_message_in_both_languages(what, mutate, zh, en):
    data = mutated(mutate)
    assert sm.validate(data, fx.CATALOGUE, "zh") == [zh]
    assert sm.validate(data, fx.CATALOGUE, "en") == [en]
    with pytest.raises(sm.SchemeError) as err:
        sm.load_dict(data, fx.CATALOGUE, "en")
    assert err.value.problems == [en] and err.value.problems_in("zh") == [zh]
    assert en in str(err.value)


def _pydantic_words(data) -> set[str]:
    return {e["msg"] for e in model.check(data, fx.CATALOGUE)[1]}


@pytest.mark.parametrize("mutate", [b[1] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_never_pydantics_english_nor_a_python_repr(mutate):
    data = mutated(mutate)
    for lang in ("zh", "en"):
        problems = sm.validate(data, fx.CATALOGUE, lang)
        assert problems
        for p in problems:
            assert not any(msg in p for msg in _pydantic_words(data)), p
            assert not re.search(r"Input should|Field required|Extra inputs|\{'|\['|<class|None\b", p), p
    for p in sm.validate(data, fx.CATALOGUE, "zh"):  # Chinese words around any code or value from the file
        assert re.search(r"[\u4e00-\u9fff]", p), p
        assert not re.search(r"\b(missing|must|unknown|not|is|weight|should)\b", p), p


def test_not_an_object_at_all():
    assert sm.validate([], fx.CATALOGUE, "zh") == ["考核方案应为对象（现为“列表”）"]
    assert sm.validate(None, fx.CATALOGUE, "en") == ["scheme must be an object, not null"]


def test_every_error_of_a_file_is_reported_at_once():
    def many(d):
        street(d)[0]["indicators"][1].update(weight=-5)  # a negative weight
        street(d)[1]["indicators"][0].update(rule="magic")  # an unknown rule
        d["kinds"]["department"]["dimensions"][0].update(weight=90)  # dimensions not summing
        d["grades"]["bands"].reverse()  # unordered bands
        d["veto"]["triggers"][0].update(indicator="NOPE")  # an unknown indicator
        d.update(year="two thousand", colour="red")  # a bad year, an unknown key

    zh = sm.validate(mutated(many), fx.CATALOGUE, "zh")
    assert zh == [  # in the order of the model's sections
        "年度“two thousand”应为四位数年份，如 2026",
        "第1个一票否决条件：指标“NOPE”不在指标库中",
        "等次分数线有误：各档下限min须从高到低排列并以0结束",
        "街道/乡镇维度“甲”的指标 HL_SATISFY：权重“-5”应为正数",
        "街道/乡镇维度“乙”：指标“EM_DRILL”的计分规则“magic”不存在"
        "（可用：linear、minmax、pass_fail、percentile、ratio_to_target、target_deduct、zscore）",
        "部门各一级指标权重之和为90，应为100",
        "未知项“colour”",
    ]
    assert len(sm.validate(mutated(many), fx.CATALOGUE, "en")) == 7
    with pytest.raises(sm.SchemeError) as err:
        sm.load_dict(mutated(many), fx.CATALOGUE, "zh")
    assert str(err.value).startswith("考核方案“toy”有误：") and str(err.value).count("；") == 6


def test_an_item_with_a_mistake_still_has_its_neighbours_checked():
    def two(d):
        street(d)[0]["indicators"][0].update(code="NOPE")  # the item itself fails
        street(d)[0]["indicators"][1].update(weight=10)  # ... and the weights of its dimension do not sum
        street(d)[1]["indicators"][1].update(note="x")  # another dimension fails
        street(d)[1].update(weight=30)  # ... and the dimensions do not sum

    en = sm.validate(mutated(two), fx.CATALOGUE, "en")
    assert "Streets and towns/A: indicator weights sum to 60, not 100" in en
    assert "Streets and towns: dimension weights sum to 90, not 100" in en
    assert len(en) == 4, en


def test_the_language_is_the_one_passed_not_the_environment(monkeypatch):
    data = mutated(lambda d: street(d)[0].update(weight=50))
    monkeypatch.setenv("KAOHE_LANG", "zh")
    assert sm.validate(data, fx.CATALOGUE, "en") == ["Streets and towns: dimension weights sum to 90, not 100"]
    monkeypatch.setenv("KAOHE_LANG", "en")
    assert sm.validate(data, fx.CATALOGUE, "zh") == ["街道/乡镇各一级指标权重之和为90，应为100"]
    with pytest.raises(sm.SchemeError) as err:
        fx.scheme().with_changes({"rules": {"HL_ONTIME": {"per_point": 0}}}, lang="zh")
    assert "参数须满足 per_point > 0" in str(err.value)


@pytest.mark.parametrize("year", ["2025", "2026"])
def test_both_shipped_schemes_are_valid(year):
    cat = read_indicators()
    data = json.loads(sm.path_for(year).read_text(encoding="utf-8"))
    assert sm.validate(data, cat, "zh") == []
    parsed, errors = model.check(data, cat, year)
    assert errors == [] and parsed.year == year
    # the model reads every section the files have
    assert set(parsed.model_fields_set) == set(data)
    assert {r.rule for d in parsed.kinds.street.dimensions for r in d.indicators} <= set(sm.rules.REGISTRY)


def test_a_file_says_the_year_it_is_named_for(tmp_path):
    data = json.loads(sm.path_for("2026").read_text(encoding="utf-8"))
    path = tmp_path / "default-2027.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(sm.SchemeError) as err:
        sm.load(path, read_indicators(), "zh")
    assert err.value.problems == ["方案文件是2027年度的，但方案中写的年度是“2026”"]
    assert err.value.problems_in("en") == ["the file is the 2027 scheme, but the scheme says year '2026'"]


def test_the_catalogue_checks_need_the_catalogue_the_shape_does_not():
    data = mutated(lambda d: street(d)[0]["indicators"][1].update(code="NOPE"))
    assert model.check(data, None)[1] == []
    assert [e["type"] for e in model.check(data, fx.CATALOGUE)[1]] == ["unknown_indicator"]
    bad = mutated(lambda d: street(d)[0]["indicators"][1].update(weight=0))
    assert [e["type"] for e in model.check(bad, None)[1]] == ["greater_than"]


def test_rule_models_are_made_from_the_rule_registry():
    assert set(model.INDICATORS) == set(sm.rules.REGISTRY)
    for name, rule in sm.rules.REGISTRY.items():
        fields = model.PARAMS[name].model_fields
        assert set(fields) == set(rule.defaults)
        assert {k for k, f in fields.items() if f.is_required()} == {k for k, v in rule.defaults.items() if v is None}


def test_the_json_schema_in_docs_is_the_models():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == model.json_schema_text(), (
        "docs/scheme.schema.json is out of date: python -m kaohe.metrics.scheme_model > docs/scheme.schema.json")


def test_the_shipped_schemes_pass_the_json_schema_too():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for year in sm.available_years():
        jsonschema.validate(json.loads(sm.path_for(year).read_text(encoding="utf-8")), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(mutated(lambda d: street(d)[0]["indicators"][0].update(rule="magic")), schema)


def test_a_file_that_is_not_json_is_refused_in_words(tmp_path):
    path = tmp_path / "default-2027.json"
    path.write_text('{"id": "x",\n "version": }', encoding="utf-8")
    with pytest.raises(sm.SchemeError) as err:
        sm.load(path, read_indicators(), "zh")
    assert err.value.problems == ["方案文件不是有效的 JSON：第2行第13列有误"]
    with pytest.raises(sm.SchemeError) as err:
        sm.load(path, read_indicators(), "en")
    assert err.value.problems == ["the scheme file is not valid JSON: line 2, column 13"]
    path.write_bytes('{"id": "考核"}'.encode("gb18030"))
    with pytest.raises(sm.SchemeError, match="UTF-8"):
        sm.load(path, read_indicators(), "en")


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


ODD_VALUES = [None, "x", -1, 0, 1.5, True, [], {}, [1], {"x": 1}, float("nan")]


def test_any_value_anywhere_is_refused_in_words_never_a_crash():
    """Every node of a scheme replaced by each odd value: either still valid, or refused with messages
    in both languages, none of them pydantic's."""
    base = copy.deepcopy(fx.SCHEME)
    base["groups"] = {"g1": {"note_zh": "说明", "dimensions": {"A": {"weight": 50}},
                             "indicators": {"HL_ONTIME": {"params": {"per_point": 2}}}}}
    for path in list(_paths(base))[1:]:
        for odd in ODD_VALUES:
            data = copy.deepcopy(base)
            node = data
            for k in path[:-1]:
                node = node[k]
            node[path[-1]] = copy.deepcopy(odd)
            errors = model.check(data, fx.CATALOGUE)[1]
            for lang in ("zh", "en"):
                problems = sm.validate(data, fx.CATALOGUE, lang)
                assert bool(problems) == bool(errors), (path, odd, problems)
                for p in problems:
                    assert isinstance(p, str) and p.strip()
                    assert not any(e["msg"] in p for e in errors), (path, odd, p)
                    assert not re.search(r"Input should|Field required|\{'|<class", p), (path, odd, p)
