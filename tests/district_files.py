"""青山区 Qingshan: a district that shares nothing with the sample (its own unit codes, peer groups,
indicators and scheme), as the files its office would write, and the figures worked out by hand.

Streets 青山街道 and 河西街道 are the urban peer group; the townships 柳林镇 and 桃源镇 the suburban one;
区城管局 and 区住建局 the departments. QS_TREE (trees planted) is an indicator the default catalogue lacks.
"""

from __future__ import annotations

import copy
import io

import openpyxl

MONTH = "2026-10"

UNITS_ROWS = [
    ["单位代码", "单位名称", "英文名称", "单位类型", "同类组", "同类组名称", "常住人口", "起始月份"],
    ["QS01", "青山街道", "Qingshan Street", "街道", "core", "城区街道", "80000", "2026-01"],
    ["QS02", "河西街道", "Hexi Street", "街道", "core", "城区街道", "60000", "2026-01"],
    ["QS03", "柳林镇", "Liulin Town", "乡镇", "edge", "城郊乡镇", "40000", "2026-01"],
    ["QS04", "桃源镇", "Taoyuan Town", "乡镇", "edge", "城郊乡镇", "30000", "2026-01"],
    ["QD01", "区城管局", "Urban Management Bureau", "部门", "dept", "区直部门", "", "2026-01"],
    ["QD02", "区住建局", "Housing Bureau", "部门", "dept", "区直部门", "", "2026-01"],
]


def units_csv() -> bytes:
    """As an office saves it from Excel: GBK, a title row above the headers."""
    lines = ["青山区考核单位名录（2026年）,,,,,,,"] + [",".join(r) for r in UNITS_ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


CATALOGUE_ROWS = [
    ["指标代码", "指标名称", "英文名称", "维度", "适用对象", "计量单位", "方向", "指标类型", "比率", "下限", "上限",
     "来源系统", "责任科室"],
    ["QS_GRID", "网格事件办结率", "Grid issues closed", "基层治理", "街道", "%", "正向", "比率", "否", "0", "100",
     "网格平台", "区委政法委"],
    ["QS_COMPLAIN", "群众投诉件数", "Resident complaints", "基层治理", "街道", "件", "逆向", "计数", "否", "0", "",
     "12345", "区政务服务局"],
    ["QS_TREE", "植树完成数", "Trees planted", "生态绿化", "街道", "株", "正向", "计数", "否", "0", "",
     "园林系统", "区园林局"],
    ["QD_SERVICE", "服务对象满意度", "Service satisfaction", "服务效能", "部门", "分", "正向", "得分", "否", "0",
     "100", "第三方调查", "区考核办"],
]


def xlsx(rows: list[list], sheet: str = "Sheet1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def catalogue_xlsx() -> bytes:
    return xlsx(CATALOGUE_ROWS, "指标目录")


SCHEME = {
    "id": "qingshan",
    "version": "2026.1",
    "year": "2026",
    "name_zh": "青山区基层治理绩效考核办法（2026年度）",
    "name_en": "Qingshan district assessment scheme (2026)",
    "missing": {"policy": "zero", "carry_months": 3},
    "kinds": {
        "street": {"dimensions": [
            {"code": "ZL", "name_zh": "基层治理", "name_en": "Governance", "weight": 60, "indicators": [
                {"code": "QS_GRID", "weight": 50, "rule": "linear", "params": {"floor": 60, "target": 100}},
                {"code": "QS_COMPLAIN", "weight": 50, "rule": "linear", "params": {"floor": 50, "target": 10}},
            ]},
            {"code": "LH", "name_zh": "生态绿化", "name_en": "Greening", "weight": 40, "indicators": [
                {"code": "QS_TREE", "weight": 100, "rule": "ratio_to_target", "params": {"target": 1000}},
            ]},
        ]},
        "department": {"dimensions": [
            {"code": "FW", "name_zh": "服务效能", "name_en": "Service", "weight": 100, "indicators": [
                {"code": "QD_SERVICE", "weight": 100, "rule": "linear", "params": {"floor": 60, "target": 100}},
            ]},
        ]},
    },
    "grades": {"bands": [{"grade": "excellent", "min": 90}, {"grade": "good", "min": 80},
                         {"grade": "pass", "min": 60}, {"grade": "fail", "min": 0}]},
    "lists": {"red": 1, "black": 1},
}


def scheme(**changes) -> dict:
    out = copy.deepcopy(SCHEME)
    out.update(changes)
    return out


VALUES = {  # unit -> indicator -> value, 2026-10
    "QS01": {"QS_GRID": 95, "QS_COMPLAIN": 18, "QS_TREE": 900},
    "QS02": {"QS_GRID": 80, "QS_COMPLAIN": 30, "QS_TREE": 1200},
    "QS03": {"QS_GRID": 100, "QS_COMPLAIN": 10, "QS_TREE": 500},
    "QS04": {"QS_GRID": 70, "QS_COMPLAIN": 50, "QS_TREE": 1000},
    "QD01": {"QD_SERVICE": 92},
    "QD02": {"QD_SERVICE": 70},
}


def data_csv(month: str = MONTH) -> bytes:
    lines = ["单位代码,指标代码,统计月份,数值"]
    lines += [f"{u},{i},{month},{v}" for u, vals in VALUES.items() for i, v in vals.items()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def by_hand(tree_target: float = 1000) -> dict[str, float]:
    """Each unit's total worked out as the scheme says, without the engine."""
    def linear(x, floor, target):
        return 100 * min(max((x - floor) / (target - floor), 0), 1)

    out = {}
    for unit, v in VALUES.items():
        if unit.startswith("QS"):
            governance = 0.5 * linear(v["QS_GRID"], 60, 100) + 0.5 * linear(v["QS_COMPLAIN"], 50, 10)
            greening = 100 * min(v["QS_TREE"] / tree_target, 1)
            out[unit] = round(0.6 * governance + 0.4 * greening, 2)
        else:
            out[unit] = round(linear(v["QD_SERVICE"], 60, 100), 2)
    return out
