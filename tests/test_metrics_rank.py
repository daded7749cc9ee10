"""Ranks, red and black lists and alerts as tables worked out by hand (metrics.rank on plain frames)."""

from __future__ import annotations

import pandas as pd
import pytest

from kaohe.metrics import rank


def ranked(period_totals: dict[str, list[float]], vetoed=()) -> pd.DataFrame:
    """{period: totals of units U01.. in order} -> ranked rows, one group."""
    rows = [{"period": p, "unit_code": f"U{k + 1:02d}", "peer_group": "g", "total_cents": round(v * 100),
             "veto": f"U{k + 1:02d}" in vetoed and p == max(period_totals)}
            for p, totals in period_totals.items() for k, v in enumerate(totals)]
    return rank.rank(pd.DataFrame(rows))


def changes(hist: pd.DataFrame, lists=None, alerts=None) -> pd.DataFrame:
    ends = sorted(hist["period"].unique())
    cur = hist[hist["period"] == ends[-1]]
    out = rank.changes(cur, hist, ends[-2] if len(ends) > 1 else None, lists or {"red": 5, "black": 5},
                       alerts or {"bottom_n": 3, "consecutive": 3, "fall_places": 3}, ends)
    return out.set_index("unit_code")


def test_equal_totals_share_the_lowest_rank_1_2_2_4_and_two_decimals_decide():
    h = ranked({"m1": [90.0, 85.0, 85.0, 80.0, 85.004, 79.996]})
    r = h.set_index("unit_code")
    # 85.004 is published as 85.00: a tie; 79.996 is 80.00
    assert r["rank"].tolist() == [1, 2, 2, 5, 2, 5]
    assert r["rank_from_bottom"].tolist() == [6, 3, 3, 1, 3, 1]
    assert (r["n_in_group"] == 6).all()


def test_red_and_black_lists_of_five_in_a_group_of_fifteen():
    totals = [100 - k for k in range(15)]  # U01 best .. U15 worst
    t = changes(ranked({"m1": totals}, vetoed={"U02"}))
    assert t.index[t["list"].eq("red")].tolist() == ["U01", "U03", "U04", "U05"]  # U02 vetoed: not held up
    assert t.index[t["list"].eq("black")].tolist() == ["U11", "U12", "U13", "U14", "U15"]
    # configurable: top and bottom three
    t = changes(ranked({"m1": totals}), lists={"red": 3, "black": 3})
    assert t["list"].value_counts().to_dict() == {"red": 3, "black": 3}


def test_lists_shrink_to_a_third_of_a_small_group_and_ties_at_the_edge_are_listed():
    t = changes(ranked({"m1": [90, 80, 80, 70, 60, 50]}))  # six units: lists of two
    assert t["list"].tolist() == ["red", "red", "red", None, "black", "black"]


def test_rank_change_and_fall_alert_of_more_than_k_places():
    h = ranked({"m1": [90, 80, 70, 60, 50, 40, 30, 20], "m2": [10, 80, 70, 60, 50, 95, 30, 20]})
    t = changes(h)
    # U01: 1st -> 8th, fell 7 > 3; U06: 6th -> 1st; U02..U05 keep their places; U07, U08 move up one
    assert t.loc["U01", "prev_rank"] == 1 and t.loc["U01", "rank"] == 8 and t.loc["U01", "rank_change"] == -7
    assert t.loc["U06", "rank_change"] == 5 and t.loc["U02", "rank_change"] == 0
    assert t.loc["U07", "rank_change"] == 1 and t.loc["U08", "rank_change"] == 1
    assert t.loc["U01", "alerts"] == ["rank_fall"] and t.loc["U02", "alerts"] == []
    # exactly K places is not "more than K"
    h = ranked({"m1": [90, 80, 70, 60], "m2": [55, 80, 70, 60]})
    t = changes(h, alerts={"bottom_n": 3, "consecutive": 3, "fall_places": 3})
    assert t.loc["U01", "rank_change"] == -3 and t.loc["U01", "alerts"] == []
    t = changes(h, alerts={"bottom_n": 3, "consecutive": 3, "fall_places": 2})
    assert t.loc["U01", "alerts"] == ["rank_fall"]


def test_bottom_three_for_n_consecutive_periods():
    nine = {"m1": [90, 80, 70, 60, 50, 40, 30, 20, 10],   # bottom three: U07 U08 U09
            "m2": [90, 80, 70, 60, 50, 40, 30, 20, 10],
            "m3": [90, 80, 70, 60, 50, 40, 15, 20, 95]}    # U09 escapes; U07, U08 stay; U06 joins
    t = changes(ranked(nine))
    assert t.loc["U07", "alerts"] == ["bottom_streak"] and t.loc["U08", "alerts"] == ["bottom_streak"]
    assert t.loc["U09", "alerts"] == [] and t.loc["U06", "alerts"] == []
    # two periods running are not three
    t = changes(ranked({k: nine[k] for k in ("m2", "m3")}))
    assert not any(t["alerts"].map(lambda a: "bottom_streak" in a))
    # N is configurable
    t = changes(ranked({k: nine[k] for k in ("m2", "m3")}), alerts={"bottom_n": 3, "consecutive": 2,
                                                                       "fall_places": 3})
    assert t.loc["U07", "alerts"] == ["bottom_streak"]


def test_no_previous_period_means_no_change():
    t = changes(ranked({"m1": [90, 80]}))
    assert t["prev_rank"].isna().all() and t["rank_change"].isna().all()


@pytest.mark.parametrize("code,words", [("bottom_streak", "3 periods running"), ("rank_fall", "more than 3")])
def test_alert_texts(code, words):
    assert words in rank.alert_text(code, {"bottom_n": 3, "consecutive": 3, "fall_places": 3}, "en")


# The list rule (metrics.rank docstring, message scoring.list.rule): k = min(N, n // 3), ties at the
# boundary listed whole, a vetoed unit never red, a unit that would be on both lists on neither.
LIST_CASES = [
    # totals of U01.., vetoed, N -> lists
    ([90, 90, 90, 90, 90, 90], (), 5, [None] * 6),  # all tied: both ends at once, so neither
    ([70, 70, 70, 70, 70, 70, 70, 70, 70], (), 5, [None] * 9),
    ([90, 80, 80, 80, 80, 50], (), 5, ["red", None, None, None, None, "black"]),  # k = 2: the tie reaches both ends
    ([90, 80, 70, 60, 50, 40], (), 5, ["red", "red", None, None, "black", "black"]),
    ([90, 80, 80, 70, 60, 50], (), 5, ["red", "red", "red", None, "black", "black"]),
    ([90, 80, 70], (), 5, ["red", None, "black"]),  # k = 1
    ([90, 80], (), 5, [None, None]),  # k = 0: a group of two has no lists
    ([60, 60, 60, 50, 40, 30], ("U01",), 2, [None, "red", "red", None, "black", "black"]),
    ([50, 50, 50], ("U02",), 5, [None, "black", None]),  # vetoed: not red, so only the black list holds it
    ([100 - k for k in range(12)], (), 5, ["red"] * 4 + [None] * 4 + ["black"] * 4),  # k = 12 // 3 = 4
]


@pytest.mark.parametrize(("totals", "vetoed", "n", "expected"), LIST_CASES)
def test_list_rule_table(totals, vetoed, n, expected):
    t = changes(ranked({"m1": totals}, vetoed=set(vetoed)), lists={"red": n, "black": n})
    assert t["list"].tolist() == expected


@pytest.mark.parametrize("seed", range(40))
def test_no_unit_is_ever_on_both_lists(seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 20))
    totals = rng.choice([50.0, 60.0, 70.0], size=size).tolist()  # many ties
    vetoed = {f"U{k + 1:02d}" for k in range(size) if rng.random() < 0.2}
    n = int(rng.integers(1, 8))
    r = ranked({"m1": totals}, vetoed=vetoed)
    red, black = rank.list_membership(r["rank"].to_numpy(), r["rank_from_bottom"].to_numpy(),
                                      r["n_in_group"].to_numpy(), r["veto"].to_numpy(dtype=bool),
                                      {"red": n, "black": n})
    assert not (red & black).any()


def test_the_list_rule_is_stated_in_both_languages():
    zh, en = rank.rule_text({"red": 5, "black": 3}, "zh"), rank.rule_text({"red": 5, "black": 3}, "en")
    assert "前 5 名" in zh and "后 3 名" in zh and "两榜都不列入" in zh
    assert "top 5" in en and "bottom 3" in en and "neither" in en and en.isascii()
