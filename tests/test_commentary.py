"""点评 commentary: every sentence's figures are the build's own (re-read here from the build's frames, not
from the commentary), every figure a sentence cites is written in its text, in both languages, for months of
the sample's three years; Chinese in full-width punctuation."""

from __future__ import annotations

import re
import shutil

import pytest
from test_i18n_catalogue import half_width_marks

from kaohe.data.warehouse import Warehouse
from kaohe.metrics import commentary as cm
from kaohe.metrics import rank as rank_mod
from kaohe.metrics import service

MONTHS = ["2024-03", "2025-06", "2026-10"]  # one in each year of the sample (2023-11 .. 2026-10)
LANGS = ["zh", "en"]


@pytest.fixture(scope="module")
def builds(sample_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("cm") / "copy.duckdb"
    shutil.copy(sample_db, path)
    wh = Warehouse(path)
    return {m: service.build(wh, m, n_history=6) for m in MONTHS}


def close(a, b, tol=1e-9) -> bool:
    return abs(float(a) - float(b)) <= tol


def check_unit_item(b, s: cm.Sentence) -> None:
    ind = b.indicators
    row = ind.loc[ind["unit_code"].eq(s.unit_code) & ind["indicator_code"].eq(s.figures["indicator_code"])].iloc[0]
    assert close(s.figures["lost"], row["weight"] * 100 - row["points"])
    assert cm.points(s.figures["lost"]) in s.text
    if "value" in s.figures:
        assert close(s.figures["value"], row["value"])
        assert cm.num(row["value"]) in s.text
    if "gap" in s.figures:
        assert close(s.figures["target"], row["target"])
        gap = row["target"] - row["value"] if row["direction"] == "higher" else row["value"] - row["target"]
        assert close(s.figures["gap"], gap) and gap > 0
        assert cm.num(gap) in s.text


def check_move(b, s: cm.Sentence) -> None:
    u = b.unit(s.unit_code)
    assert s.figures["rank"] == int(u["rank"]) and s.figures["prev_rank"] == int(u["prev_rank"])
    assert s.figures["places"] == abs(int(u["rank_change"]))
    group = b.totals.loc[b.totals["peer_group"].eq(s.peer_group) & b.totals["rank_change"].notna()]
    best = group["rank_change"].max() if s.kind == "rose" else group["rank_change"].min()
    assert int(u["rank_change"]) == int(best)  # the unit that moved most
    for n in (s.figures["rank"], s.figures["prev_rank"], s.figures["places"]):
        assert re.search(rf"(?<![\d.]){n}(?![\d.])", s.text), (n, s.text)
    if "dimension" in s.figures:
        prev = cm.previous_period(b)
        now = b.dimensions.loc[b.dimensions["unit_code"].eq(s.unit_code) & b.dimensions["dimension"].eq(
            s.figures["dimension"]), "points"].iloc[0]
        dh = b.dimension_history
        before = dh.loc[dh["period"].eq(prev) & dh["unit_code"].eq(s.unit_code) & dh["dimension"].eq(
            s.figures["dimension"]), "points"].iloc[0]
        assert close(s.figures["delta"], now - before)
        assert cm.points(abs(now - before)) in s.text


def check_median(b, s: cm.Sentence) -> None:
    tot = b.totals.loc[b.totals["peer_group"].eq(s.peer_group)]
    assert close(s.figures["median"], tot["total"].median())
    dims = b.dimensions.loc[b.dimensions["peer_group"].eq(s.peer_group) & b.dimensions["dimension"].eq(
        s.figures["dimension"])]
    assert close(s.figures["dim_median"], dims["points"].median())
    assert cm.points(s.figures["dim_median"]) in s.text
    if s.kind == "median_moved":
        prev = cm.previous_period(b)
        h = b.history
        assert close(s.figures["prev_median"], h.loc[h["period"].eq(prev) & h["peer_group"].eq(s.peer_group),
                                                     "total"].median())
        assert cm.total(s.figures["median"]) in s.text and cm.total(s.figures["prev_median"]) in s.text
    else:
        assert close(s.figures["dim_full"], dims["weight"].median() * 100)


def check_streak(b, s: cm.Sentence) -> None:
    h = b.history
    mine = h.loc[h["unit_code"].eq(s.unit_code)].set_index("period")
    k = s.figures["k"]
    bottom_n = int(b.scheme.section("alerts").get("bottom_n", 3))
    ends = sorted(set(h["period"]))
    n = 0
    for p in reversed(ends):
        if p not in mine.index:
            break
        r = mine.loc[p]
        if r["n_in_group"] - r["rank"] + 1 > rank_mod.list_size(r["n_in_group"], bottom_n):
            break
        n += 1
    assert s.figures["periods"] == n >= 2
    assert k == int(rank_mod.list_size(b.unit(s.unit_code)["n_in_group"], bottom_n))
    assert f" {n} " in s.text and f" {k} " in s.text


def check_few_cases(b, s: cm.Sentence) -> None:
    ind = b.indicators
    rows = ind.loc[ind["peer_group"].eq(s.peer_group) & ind["indicator_code"].eq(s.figures["indicator_code"])
                   & ind["unit_code"].isin(s.figures["units"])]
    assert len(rows) == len(s.figures["units"])
    assert rows["significance"].eq("similar").all()  # the interval holds the group's rate
    # ... though the value is visibly apart from it
    assert ((rows["value"] - rows["peer_value"]).abs() >= cm.FEW_CASES_GAP).all()
    assert (rows["ci_low"] <= rows["peer_value"]).all() and (rows["ci_high"] >= rows["peer_value"]).all()
    assert close(s.figures["min_cases"], rows["denominator"].min())
    assert cm.num(s.figures["min_cases"]) in s.text


CHECKS = {"below_target": check_unit_item, "above_target": check_unit_item, "lost": check_unit_item,
          "missing": check_unit_item, "rose": check_move, "fell": check_move, "median_moved": check_median,
          "weakest_dimension": check_median, "bottom_streak": check_streak, "few_cases": check_few_cases}


@pytest.mark.parametrize("month", MONTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_sentence_traces_to_the_build(builds, month, lang):
    b = builds[month]
    sentences = cm.everything(b, lang)
    kinds = {s.kind for s in sentences}
    # the sample has moves, bottom streaks, small groups and items below target in every year
    assert {"below_target", "weakest_dimension", "few_cases"} <= kinds, kinds
    for s in sentences:
        assert s.text and "{" not in s.text
        if s.kind in CHECKS:
            CHECKS[s.kind](b, s)
        elif s.kind == "veto":
            assert bool(b.unit(s.unit_code)["veto"])
            assert b.unit(s.unit_code)[f"veto_reason_{lang}"] in s.text
        elif s.kind == "deduction":
            adj = b.adjustments
            mine = adj.loc[adj["unit_code"].eq(s.unit_code) & adj["kind"].eq("deduction"), "points"].abs()
            assert any(close(s.figures["deduction"], p) for p in mine)
        if lang == "zh":
            assert not half_width_marks(s.text.replace(", ", "")), s.text
        else:
            assert not re.search(r"[\u3400-\u9fff，；：（）]", s.text), s.text


@pytest.mark.parametrize("month", MONTHS)
def test_unit_items_are_the_ones_that_cost_most(builds, month):
    b = builds[month]
    for code in b.totals["unit_code"]:
        items = [s for s in cm.unit(b, code, "zh") if "indicator_code" in s.figures]
        ind = b.indicators.loc[b.indicators["unit_code"].eq(code) & b.indicators["weight"].gt(0)]
        lost = (ind["weight"] * 100 - ind["points"]).sort_values(ascending=False)
        assert [round(s.figures["lost"], 9) for s in items] == [round(x, 9) for x in lost.head(len(items))]
        assert len(items) == min(2, int((lost >= cm.MIN_LOST).sum()))


def test_a_veto_is_said_first(builds):
    vetoed = [(m, code) for m, b in builds.items() for code in b.totals.loc[b.totals["veto"], "unit_code"]]
    assert vetoed, "the sample has a veto in these months"
    for m, code in vetoed:
        for lang in LANGS:
            first = cm.unit(builds[m], code, lang)[0]
            assert first.kind == "veto"
            assert first.text.startswith("一票否决：" if lang == "zh" else "Veto: ")


def test_the_example_sentence_form():
    row = {"unit_code": "S01", "peer_group": "urban", "indicator_code": "HL_RESOLVE", "name_zh": "诉求解决率",
           "name_en": "Hotline resolution rate", "status": "ok", "value": 82.1, "target": 90.0, "direction": "higher",
           "unit": "%", "lost": 7.9}
    assert cm.item_sentence(row, "zh").text == "诉求解决率 82.1%，低于目标 7.9 个百分点，失 7.9 分"
    assert cm.item_sentence(row, "en").text == ("Hotline resolution rate 82.1%, 7.9 percentage points below target, "
                                                "7.9 points lost")
