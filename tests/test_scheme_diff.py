"""Scheme diff: what changed between two schemes, as records and in words (zh, en), in a stable order."""

from __future__ import annotations

import copy

import pytest
import scheme_corpus as corpus

from kaohe.metrics import scheme_diff as sd


def _where(c):
    return (c["section"], c["what"], c["kind"], c["dimension"], c["indicator"], c["group"], c["field"],
            c["before"], c["after"])


@pytest.fixture
def base():
    return corpus.default("2026")


def test_the_same_scheme_has_no_changes(base):
    assert sd.diff(base, copy.deepcopy(base)) == []
    assert sd.words([], "zh") == ["两个方案内容相同"]
    assert sd.words([], "en") == ["The two schemes are the same"]


def test_2025_to_2026(base):
    old = corpus.default("2025")
    changes = sd.diff(old, base)
    assert sd.words(changes, "zh", a=old, b=base) == [
        "方案：方案版本 2025.1 → 2026.1",
        "方案：方案年度 2025 → 2026",
        "方案：方案名称（中文） 示例区基层治理绩效考核办法（2025年度） → 示例区基层治理绩效考核办法（2026年度）",
        "方案：方案名称（英文） Sample district grassroots governance assessment scheme (2025) → "
        "Sample district grassroots governance assessment scheme (2026)",
        "街道/乡镇·接诉即办·HL_ONTIME：参数 target 85 → 90",
        "部门·接诉即办·HL_ONTIME：参数 target 85 → 90",
        "分组调整：新增同类组“rural”",
        "加减分：新增“加分 CP_SURVEY >= 95”",
        "加减分：新增“扣分 PT_ESCALATE >= 3”",
        "等次·优秀：名额比例 （无） → 0.2",
    ]
    en = sd.words(changes, "en", a=old, b=base)
    assert en[4] == "Streets and towns / Citizen requests / HL_ONTIME: parameter target 85 -> 90"
    assert en[6] == "Group overrides: added peer group 'rural'"
    assert all(w.isascii() or "示例区" in w for w in en)


def test_every_kind_of_change_is_found_and_worded(base):
    new = copy.deepcopy(base)
    street = new["kinds"]["street"]["dimensions"]
    hl = street[0]
    hl["indicators"][0]["weight"] = 20  # changed
    hl["indicators"][1]["weight"] = 32
    hl["indicators"][2]["rule"] = "minmax"  # rule changed, parameters gone
    del hl["indicators"][2]["params"]
    removed = street[1]["indicators"].pop()  # removed
    street[1]["indicators"].append({"code": "NEW_ONE", "weight": removed["weight"], "rule": "percentile"})
    new["kinds"]["department"]["dimensions"][0]["name_zh"] = "接诉即办（部门）"
    new["groups"]["rural"]["indicators"]["GR_CLOSE"]["params"]["target"] = 88
    new["groups"]["city"] = {"dimensions": {"HL": {"weight": 35}}}
    new["veto"]["triggers"][1]["value"] = 2
    new["adjustments"]["rules"][0]["points"] = 2
    new["grades"]["bands"][0]["min"] = 92
    new["missing"]["policy"] = "carry"
    del new["lists"]
    changes = sd.diff(base, new)
    got = [_where(c) for c in changes]
    assert got == [
        ("settings", "changed", None, None, None, None, "missing.policy", "zero", "carry"),
        ("settings", "removed", None, None, None, None, "lists.red", 5, None),
        ("settings", "removed", None, None, None, None, "lists.black", 5, None),
        ("kinds", "changed", "street", "HL", "HL_RESPONSE", None, "weight", 24, 20),
        ("kinds", "changed", "street", "HL", "HL_RESOLVE", None, "weight", 28, 32),
        ("kinds", "changed", "street", "HL", "HL_SATISFY", None, "rule", "linear", "minmax"),
        ("kinds", "changed", "street", "HL", "HL_SATISFY", None, "params.floor", 60, None),
        ("kinds", "changed", "street", "HL", "HL_SATISFY", None, "params.target", 98, None),
        ("kinds", "removed", "street", "DS", removed["code"], None, None, removed, None),
        ("kinds", "added", "street", "DS", "NEW_ONE", None, None, None, street[1]["indicators"][-1]),
        ("kinds", "changed", "department", "HL", None, None, "name_zh", "接诉即办", "接诉即办（部门）"),
        ("groups", "changed", None, None, "GR_CLOSE", "rural", "params.target", 90, 88),
        ("groups", "added", None, None, None, "city", None, None, {"dimensions": {"HL": {"weight": 35}}}),
        ("adjustments", "changed", None, None, None, None, "points", 1, 2),
        ("veto", "changed", None, None, None, None, "value", 3, 2),
        ("grades", "changed", None, None, None, None, "min", 90, 92),
    ]
    zh = sd.words(changes, "zh", a=base, b=new)
    assert zh[0] == "方案：缺报处理方式 zero → carry"
    assert zh[1] == "方案：删除设置“红榜名额”（5）"
    assert zh[3] == "街道/乡镇·接诉即办·HL_RESPONSE：权重 24 → 20"
    assert zh[5] == "街道/乡镇·接诉即办·HL_SATISFY：计分规则 linear → minmax"
    assert zh[8] == f"街道/乡镇·矛盾化解：删除指标“{removed['code']}”"
    assert zh[9] == "街道/乡镇·矛盾化解：新增指标“NEW_ONE”"
    assert zh[11] == "同类组“rural”·GR_CLOSE：参数 target 90 → 88"
    assert zh[12] == "分组调整：新增同类组“city”"
    assert zh[13] == "加减分·加分 CP_SURVEY：加扣分值 1 → 2"
    assert zh[14] == "否决·SF_ACCIDENT：比较值 3 → 2"
    assert zh[15] == "等次·优秀：分数下限 90 → 92"
    en = sd.words(changes, "en", a=base, b=new)
    assert en[3] == "Streets and towns / Citizen requests / HL_RESPONSE: weight 24 -> 20"
    assert en[9] == "Streets and towns / Disputes and petitions: added indicator 'NEW_ONE'"
    assert en[14] == "Veto triggers / SF_ACCIDENT: value 3 -> 2"
    names = {"HL_RESPONSE": "热线响应率"}
    assert sd.words(changes, "zh", a=base, b=new, names=names)[3] == "街道/乡镇·接诉即办·热线响应率：权重 24 → 20"


def test_the_order_is_stable_and_the_reverse_is_the_inverse(base):
    new = copy.deepcopy(base)
    new["kinds"]["street"]["dimensions"][0]["weight"] = 35
    new["kinds"]["street"]["dimensions"][1]["weight"] = 10
    new["veto"]["triggers"].append({"indicator": "HL_RESPONSE", "op": ">", "value": 1})
    del new["kinds"]["department"]
    forward = sd.diff(base, new)
    assert forward == sd.diff(base, copy.deepcopy(new))
    back = sd.diff(new, base)
    flip = {"added": "removed", "removed": "added", "changed": "changed"}
    assert sorted(map(str, (_where(c) for c in back))) == sorted(
        map(str, ((s, flip[w], k, d, i, g, f, a, b) for s, w, k, d, i, g, f, b, a in map(_where, forward))))
    zh = sd.words(forward, "zh", a=base, b=new)
    assert "各类单位指标体系：删除“部门”的指标体系" in zh
    assert "否决：新增“HL_RESPONSE > 1”" in zh
    assert sd.words(forward, "en", a=base, b=new)[-1] == "Veto triggers: added 'HL_RESPONSE > 1'"


def test_a_workbook_round_trip_has_no_changes(base):
    from kaohe.ingest import scheme_book as reader
    from kaohe.reports import scheme_book

    assert sd.diff(base, reader.read_workbook(scheme_book.workbook(base, "en"))) == []


def test_a_sheet_emptied_in_excel_is_its_items_removed(base):
    from kaohe.ingest import scheme_book as reader

    def edit(wb, lang):
        ws = wb["否决"]
        ws.delete_rows(1, ws.max_row)  # header and all

    back = reader.read_workbook(corpus.edited("zh", edit))
    assert back["veto"] == {"cap_grade": "fail"}
    words = sd.words(sd.diff(base, back), "zh")
    assert words == ["否决：删除“EM_CONCEAL >= 1”", "否决：删除“SF_ACCIDENT >= 3”"]
