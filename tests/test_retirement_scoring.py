"""An indicator retired in the middle of a scheme's year (issue 14, item 2): from its month nobody reports
it, and it is not applicable, its weight going to the rest of its dimension; it does not cost every unit
its points as a missing item would. Months before still score it."""

from __future__ import annotations

import json

import district_files as qs

from kaohe.cli import main
from kaohe.data import catalogue_admin
from kaohe.data.warehouse import Warehouse


def _district(tmp_path, capsys, values_by_month: dict[str, dict]) -> str:
    db = str(tmp_path / "q.duckdb")
    (tmp_path / "u.csv").write_bytes(qs.units_csv())
    (tmp_path / "c.xlsx").write_bytes(qs.catalogue_xlsx())
    (tmp_path / "s.json").write_text(json.dumps(qs.SCHEME, ensure_ascii=False), encoding="utf-8")
    for argv in (["init", "--db", db, "--no-sample"],
                 ["units", "--db", db, "import", str(tmp_path / "u.csv"), "--yes"],
                 ["catalogue", "--db", db, "import", str(tmp_path / "c.xlsx"), "--yes"],
                 ["scheme", "--db", db, "import", str(tmp_path / "s.json"), "--activate"]):
        assert main(argv) == 0, capsys.readouterr()
    for month, values in values_by_month.items():
        lines = ["单位代码,指标代码,统计月份,数值"] + [f"{u},{i},{month},{v}" for u, vs in values.items()
                                                    for i, v in vs.items()]
        path = tmp_path / f"{month}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert main(["import", "--db", db, str(path)]) == 0, capsys.readouterr()
    return db


def _totals(db, month, capsys) -> dict[str, float]:
    capsys.readouterr()
    assert main(["rank", "--db", db, "--month", month, "--format", "json"]) == 0
    return {r["unit_code"]: r["total"] for r in json.loads(capsys.readouterr().out)}


def test_a_retired_indicator_is_not_applicable_from_its_month(tmp_path, capsys):
    without = {u: {i: v for i, v in vs.items() if i != "QS_COMPLAIN"} for u, vs in qs.VALUES.items()}
    db = _district(tmp_path, capsys, {"2026-09": qs.VALUES})
    catalogue_admin.retire(Warehouse(db), "QS_COMPLAIN", month="2026-10", actor="考核办")
    lines = ["单位代码,指标代码,统计月份,数值"] + [f"{u},{i},2026-10,{v}" for u, vs in without.items()
                                                for i, v in vs.items()]
    (tmp_path / "oct.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", "--db", db, str(tmp_path / "oct.csv")]) == 0, capsys.readouterr()

    def linear(x, floor, target):
        return 100 * min(max((x - floor) / (target - floor), 0), 1)

    october = _totals(db, "2026-10", capsys)
    for unit, v in qs.VALUES.items():
        if unit.startswith("QS"):  # governance is the grid rate alone; greening as before
            expect = 0.6 * linear(v["QS_GRID"], 60, 100) + 0.4 * 100 * min(v["QS_TREE"] / 1000, 1)
            assert october[unit] == round(expect, 2), unit
    assert october["QS01"] == 88.5
    assert _totals(db, "2026-09", capsys) == qs.by_hand()  # September still scores the complaints

    capsys.readouterr()
    assert main(["explain", "--db", db, "--unit", "QS01", "--month", "2026-10", "--format", "json"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out) if r["level"] == "indicator"}
    assert rows["QS_COMPLAIN"]["status"] == "na" and rows["QS_COMPLAIN"]["points"] == 0


def test_completeness_expects_only_the_indicators_a_district_uses(tmp_path, capsys):
    """The default catalogue a district with its own never took up is expected of nobody: its own
    indicators, all reported, are 100% complete; one of its scheme's indicators left out counts."""
    db = _district(tmp_path, capsys, {"2026-10": qs.VALUES})
    wh = Warehouse(db)
    assert set(wh.indicators_in_use()) == {"QS_GRID", "QS_COMPLAIN", "QS_TREE", "QD_SERVICE"}
    comp = wh.completeness()
    assert comp["reported"].sum() == comp["expected"].sum() == 14
    partial = {u: {i: v for i, v in vs.items() if i != "QS_TREE"} for u, vs in qs.VALUES.items()}
    db2 = _district(tmp_path / "b", capsys, {"2026-10": partial}) if (tmp_path / "b").mkdir() is None else None
    comp = Warehouse(db2).completeness()
    assert (comp["expected"].sum(), comp["reported"].sum()) == (14, 10)  # the scheme still scores the trees
