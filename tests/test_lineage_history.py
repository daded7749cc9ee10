"""History follows a unit through reorganisation (issue 14, item 1): metrics.lineage says, month by month,
which code(s) stand for a unit — its own after a merge or split, its predecessors' before (each its own
line, never summed) — and words the change; data.units records the lineage it reads."""

from __future__ import annotations

import pandas as pd

from kaohe.base import months as mo
from kaohe.data import units as store
from kaohe.ingest import units_file
from kaohe.metrics import lineage

MONTHS = [mo.add("2026-01", i) for i in range(10)]  # 2026-01 .. 2026-10


def link(month, event, a, b):
    return {"month": month, "event": event, "from_code": a, "to_code": b}


def by_month(plan: pd.DataFrame) -> dict[str, list[str]]:
    return {m: sorted(g["code"]) for m, g in plan.groupby("month")}


def test_a_unit_with_no_lineage_reads_itself_every_month():
    plan = lineage.reads([], "S01", MONTHS)
    assert by_month(plan) == {m: ["S01"] for m in MONTHS}
    assert plan["own"].all() and plan["event"].isna().all()


def test_a_rename_changes_nothing():
    plan = lineage.reads([link("2026-05", "rename", "S01", "S01")], "S01", MONTHS)
    assert by_month(plan) == {m: ["S01"] for m in MONTHS}


def test_a_merge_into_a_new_unit_reads_each_predecessor_before_the_change():
    links = [link("2026-06", "merge", "A", "X"), link("2026-06", "merge", "B", "X")]
    plan = lineage.reads(links, "X", MONTHS, {"X": "2026-06", "A": None, "B": None})
    got = by_month(plan)
    assert got["2026-05"] == ["A", "B"] and got["2026-01"] == ["A", "B"]
    assert got["2026-06"] == ["X"] and got["2026-10"] == ["X"]
    before = plan[~plan["own"]]
    assert set(before["event"]) == {"merge"} and set(before["since"]) == {"2026-06"} and set(before["via"]) == {"X"}


def test_a_merge_into_one_of_the_merged_units_keeps_that_units_own_months():
    links = [link("2026-06", "merge", "B", "A")]
    plan = lineage.reads(links, "A", MONTHS, {"A": None, "B": None})
    got = by_month(plan)
    assert got["2026-05"] == ["A", "B"]
    assert got["2026-06"] == ["A"]
    own = plan[plan["own"]]
    assert list(own["month"]) == MONTHS  # A's own line runs through


def test_a_split_reads_the_parent_before_the_change():
    links = [link("2026-07", "split", "P", "C"), link("2026-07", "split", "P", "D")]
    for child in ("C", "D"):
        plan = lineage.reads(links, child, MONTHS, {"C": "2026-07", "D": "2026-07"})
        got = by_month(plan)
        assert got["2026-06"] == ["P"] and got["2026-07"] == [child]
        assert set(plan.loc[~plan["own"], "event"]) == {"split"}
    # the parent's own history is its own: it was not made out of anything
    assert by_month(lineage.reads(links, "P", MONTHS)) == {m: ["P"] for m in MONTHS}


def test_a_chain_of_changes_is_followed_back():
    """P split into C and D (2026-04); C and E merged into X (2026-08): X reads C and E before 2026-08,
    and P (for C) before 2026-04."""
    links = [link("2026-04", "split", "P", "C"), link("2026-04", "split", "P", "D"),
             link("2026-08", "merge", "C", "X"), link("2026-08", "merge", "E", "X")]
    plan = lineage.reads(links, "X", MONTHS, {"X": "2026-08", "C": "2026-04", "D": "2026-04"})
    got = by_month(plan)
    assert got["2026-03"] == ["E", "P"]
    assert got["2026-05"] == ["C", "E"]
    assert got["2026-08"] == ["X"]
    p = plan[plan["code"] == "P"]
    assert set(p["event"]) == {"split"} and set(p["via"]) == {"C"} and set(p["since"]) == {"2026-04"}
    changes = lineage.changes(links, "X")
    assert [(c.month, c.event, c.code, c.predecessors) for c in changes] == [
        ("2026-08", "merge", "X", ("C", "E")), ("2026-04", "split", "C", ("P",))]


def test_a_loop_in_the_records_does_not_hang():
    links = [link("2026-05", "merge", "A", "B"), link("2026-03", "merge", "B", "A")]
    plan = lineage.reads(links, "B", MONTHS)
    assert set(plan["month"]) == set(MONTHS)


def test_follow_picks_each_predecessors_own_rows_never_a_sum():
    links = [link("2026-06", "merge", "A", "X"), link("2026-06", "merge", "B", "X")]
    frame = pd.DataFrame([{"unit_code": u, "month": m, "value": v}
                          for u, v in (("A", 80.0), ("B", 60.0), ("X", 70.0), ("Q", 10.0)) for m in MONTHS])
    plan = lineage.reads(links, "X", MONTHS, {"X": "2026-06"})
    out = lineage.follow(frame, "X", plan)
    may = out[out["month"] == "2026-05"].set_index("unit_code")["value"].to_dict()
    assert may == {"A": 80.0, "B": 60.0}  # two lines, not 140
    assert set(out[out["month"] == "2026-06"]["unit_code"]) == {"X"}
    assert "Q" not in set(out["unit_code"]) and set(out["lineage_of"]) == {"X"}
    pred = lineage.predecessors(frame, ["X", "Q"], links, MONTHS, {"X": "2026-06"})
    assert set(pred["unit_code"]) == {"A", "B"} and set(pred["month"]) == set(MONTHS[:5])
    assert not pred["own"].any()


def test_notes_word_the_change_in_either_language():
    links = [link("2026-06", "merge", "A", "X"), link("2026-06", "merge", "B", "X")]
    names = {"A": "甲街道", "B": "乙街道", "X": "甲乙街道"}
    assert lineage.notes(links, "X", names, "zh") == ["2026-06 前为 甲街道、乙街道 合并前数据"]
    assert lineage.notes(links, "X", {"A": "Jia", "B": "Yi"}, "en") == [
        "before 2026-06: the data of Jia, Yi, before they merged"]
    split = [link("2026-07", "split", "P", "C"), link("2026-07", "split", "P", "D")]
    assert lineage.notes(split, "C", {"P": "丙镇"}, None) == ["2026-07 前为 丙镇 拆分前数据"]
    assert lineage.notes([], "C") == []


def test_the_links_recorded_by_a_real_merge_and_split(empty_wh):
    """data.units.merge/split record the links metrics.lineage reads (renames left out)."""
    head = "code,name_zh,kind,peer_group,active_from\n"
    rows = ("A,甲街道,street,urban,\nB,乙街道,street,urban,\nP,丙镇,street,rural,\n"
            "X,甲乙街道,street,urban,2026-06\nC,丙东镇,street,rural,2026-07\nD,丙西镇,street,rural,2026-07\n")
    units_file.commit(units_file.prepare((head + rows).encode(), "u.csv", empty_wh), empty_wh, actor="t")
    store.rename(empty_wh, "A", name_zh="甲东街道", month="2026-03", actor="t")
    store.merge(empty_wh, "A,B", "X", month="2026-06", actor="t")
    store.split(empty_wh, "P", "C,D", month="2026-07", actor="t")
    links = store.lineage_links(empty_wh)
    assert set(links["event"]) == {"merge", "split"}
    first = store.first_months(empty_wh)
    assert first["X"] == "2026-06" and first["A"] is None
    assert by_month(lineage.reads(links, "X", MONTHS, first))["2026-05"] == ["A", "B"]
    assert by_month(lineage.reads(links, "D", MONTHS, first))["2026-06"] == ["P"]


def test_a_merge_into_one_of_the_merged_units_leaves_its_start_alone(empty_wh):
    """Merging B into A (A goes on) ends B and keeps A's first month: A with no start kept none, and its
    months before the merge stay in every build; its history reads A and B before, A after."""
    head = "code,name_zh,kind,peer_group\n"
    units_file.commit(units_file.prepare((head + "A,甲街道,street,urban\nB,乙街道,street,urban\n").encode(),
                                         "u.csv", empty_wh), empty_wh, actor="t")
    store.merge(empty_wh, "A,B", "A", month="2026-06", actor="t")
    rows = store.unit_rows(empty_wh)
    assert rows["A"]["active_from"] is None and rows["A"]["active_to"] is None
    assert rows["B"]["active_to"] == "2026-05"
    plan = lineage.reads(store.lineage_links(empty_wh), "A", MONTHS, store.first_months(empty_wh))
    assert by_month(plan)["2026-05"] == ["A", "B"] and by_month(plan)["2026-06"] == ["A"]
    assert lineage.notes(store.lineage_links(empty_wh), "A", {"B": "乙街道"}, "zh") == ["2026-06 前为 乙街道 合并前数据"]
