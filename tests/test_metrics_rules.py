"""Every scoring rule as a table of (value, parameters) -> raw score, worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from lang_checks import CJK

from kaohe.base import i18n
from kaohe.metrics import rules


def score(rule, values, params=None, lower=False, scale=1.0, keys=None):
    x = np.asarray(values, dtype=float)
    n = len(x)
    full = rules.resolve_params(rule, params or {})
    return rules.apply(x, np.full(n, rule, dtype=object), np.full(n, lower), np.full(n, float(scale)),
                       {k: np.full(n, v) for k, v in full.items()},
                       np.zeros(n, dtype=np.int64) if keys is None else np.asarray(keys))


# The published example: "90% or above earns the full 25 points; each point below deducts 1" (floor 0).
# Raw scores are percent of the item's full score: 20.5 of 25 points = 82.
PUBLISHED = [(100, 100.0), (90, 100.0), (89, 96.0), (85.5, 82.0), (70, 20.0), (65, 0.0), (40, 0.0)]


@pytest.mark.parametrize("value,expected", PUBLISHED)
def test_target_deduct_published_example(value, expected):
    got = score("target_deduct", [value], {"target": 90, "full": 25, "per_point": 1})
    assert got[0] == pytest.approx(expected)
    assert got[0] / 100 * 25 == pytest.approx(max(0.0, min(25.0, 25 - (90 - value))))


@pytest.mark.parametrize("value,params,expected", [
    (93, {"target": 95, "per_point": 2}, 96.0),             # 100 - 2 x 2
    (50, {"target": 95, "per_point": 2}, 10.0),
    (40, {"target": 95, "per_point": 2}, 0.0),              # floor at 0
    (80, {"target": 95, "per_point": 5, "floor": 40}, 40.0),  # a floor above zero
])
def test_target_deduct_table(value, params, expected):
    assert score("target_deduct", [value], params)[0] == pytest.approx(expected)


@pytest.mark.parametrize("value,expected", [(60, 0.0), (50, 0.0), (80, 50.0), (100, 100.0), (120, 100.0)])
def test_linear(value, expected):
    assert score("linear", [value], {"floor": 60, "target": 100})[0] == pytest.approx(expected)


@pytest.mark.parametrize("value,expected", [(0, 0.0), (1, 50.0), (2, 100.0), (7, 100.0)])
def test_ratio_to_target_capped(value, expected):
    assert score("ratio_to_target", [value], {"target": 2})[0] == pytest.approx(expected)


@pytest.mark.parametrize("value,expected", [(0, 100.0), (1, 0.0), (3, 0.0)])
def test_pass_fail_lower_is_better(value, expected):
    # "no concealed report" passes: lower is better, threshold 0
    assert score("pass_fail", [value], {"threshold": 0}, lower=True)[0] == expected


def test_pass_fail_custom_scores():
    got = score("pass_fail", [95, 80], {"threshold": 90, "pass_score": 100, "fail_score": 40})
    assert got.tolist() == [100.0, 40.0]


def test_minmax_within_group_and_direction():
    got = score("minmax", [2, 4, 6, 4], lower=True)
    assert got.tolist() == [100.0, 50.0, 0.0, 50.0]
    assert score("minmax", [2, 4, 6, 4]).tolist() == [0.0, 50.0, 100.0, 50.0]


def test_minmax_equal_values_all_full():
    assert score("minmax", [3, 3, 3]).tolist() == [100.0, 100.0, 100.0]


def test_relative_rules_stay_inside_their_peer_group():
    # two groups: each has its own best and worst
    got = score("minmax", [1, 2, 3, 10, 20], keys=[0, 0, 0, 1, 1])
    assert got.tolist() == [0.0, 50.0, 100.0, 0.0, 100.0]


def test_zscore_mapped_to_0_100():
    # mean 4, population sd sqrt(8/3): z of 2 = -1.2247; 75 + 15 z
    got = score("zscore", [2, 4, 6], {"center": 75, "scale": 15})
    assert got == pytest.approx([75 - 15 * 1.2247449, 75.0, 75 + 15 * 1.2247449])
    assert score("zscore", [2, 4, 6], lower=True)[0] == pytest.approx(75 + 15 * 1.2247449)
    big = score("zscore", [0, 0, 0, 0, 100], {"center": 75, "scale": 15})
    assert big.max() == 100.0  # clipped
    assert score("zscore", [5, 5]).tolist() == [75.0, 75.0]


def test_percentile_rank_ties_share():
    assert score("percentile", [10, 20, 20, 40]).tolist() == pytest.approx([0.0, 50.0, 50.0, 100.0])
    assert score("percentile", [7]).tolist() == [100.0]


@pytest.mark.parametrize("rule,params,lower,value,expected", [
    # lower is better, handled once for every rule: the repeat rate 20% -> 0, 3% -> 100
    ("linear", {"floor": 20, "target": 3}, True, 11.5, 50.0),
    ("linear", {"floor": 20, "target": 3}, True, 2, 100.0),
    # escalated petitions: target 0, each one deducts 25
    ("target_deduct", {"target": 0, "per_point": 25}, True, 0, 100.0),
    ("target_deduct", {"target": 0, "per_point": 25}, True, 3, 25.0),
    # response time, target 20 minutes: ratio target/value, capped
    ("ratio_to_target", {"target": 20}, True, 40, 50.0),
    ("ratio_to_target", {"target": 20}, True, 10, 100.0),
    ("ratio_to_target", {"target": 20}, True, 0, 100.0),
])
def test_direction_lower_is_better(rule, params, lower, value, expected):
    assert score(rule, [value], params, lower=lower)[0] == pytest.approx(expected)


def test_value_parameters_scale_with_months_for_counts():
    # 1 drill a month: a quarter (scale 3) needs 3 for the full score
    assert score("ratio_to_target", [3, 1.5], {"target": 1}, scale=3).tolist() == [100.0, 50.0]


def test_missing_value_gives_nan():
    assert np.isnan(score("linear", [np.nan], {"floor": 0, "target": 1})[0])


@pytest.mark.parametrize("rule,params,problem", [
    ("target_deduct", {"target": 90}, "missing"),
    ("target_deduct", {"target": 90, "per_point": -1}, "per_point > 0"),
    ("linear", {"floor": 5, "target": 5}, "floor != target"),
    ("ratio_to_target", {"target": 0}, "target > 0"),
    ("zscore", {"scale": 0}, "scale > 0"),
    ("linear", {"floor": 0, "target": 1, "bogus": 2}, "bogus"),
    ("linear", {"floor": "a", "target": 1}, "number"),
])
def test_bad_parameters_are_refused(rule, params, problem):
    with pytest.raises((KeyError, ValueError)) as exc:
        rules.resolve_params(rule, params)
    assert problem in str(exc.value)


def test_every_rule_is_described_in_both_languages():
    for name in rules.names():
        rule = rules.get(name)
        params = {k: (1.0 if v is None else v) for k, v in rule.defaults.items()}
        if name == "linear":
            params = {"floor": 0.0, "target": 1.0}
        zh, en = rules.describe(name, params, "%", "higher")
        assert zh and en and zh != en
        assert "{" not in zh + en


@pytest.mark.parametrize("rule,params,unit,direction,zh,en", [
    ("target_deduct", {"target": 90, "full": 25, "per_point": 1}, "%", "higher",
     "达到90%得满分25分，每差1%扣1分，最低0分", "90% or better earns the full 25 points; each point short deducts 1"),
    ("target_deduct", {"target": 0, "per_point": 25}, "批次", "lower",
     "（越低越好）不超过0批次得满分100分，每超出1批次扣25分",
     "0 batches or less earns the full 100 points; each batch above deducts 25"),
    ("pass_fail", {"threshold": 0}, "起", "lower", "不超过0起为达标得100分", "0 incidents or less passes"),
    ("linear", {"floor": 120, "target": 20}, "分钟", "lower", "120分钟得0分，20分钟得满分",
     "0 at 120 minutes, full score at 20 minutes"),
    ("ratio_to_target", {"target": 1}, "次", "higher", "完成率 = 实际 / 目标1次", "value / target 1 time,"),
    ("linear", {"floor": 60, "target": 95}, "分", "higher", "60分得0分，95分得满分", "0 at 60 points, full score at 95 points"),
    ("linear", {"floor": 0, "target": 5}, "股", "higher", "0股得0分", "0 at 0, full score at 5, linear"),  # no English
])
def test_rule_wording(rule, params, unit, direction, zh, en):
    got_zh, got_en = rules.describe(rule, params, unit, direction)
    assert zh in got_zh and en in got_en
    assert not CJK.search(got_en), got_en


@pytest.mark.parametrize("unit", sorted(i18n.UNITS_EN) + ["%", ""])
def test_english_rule_texts_have_no_chinese_for_any_catalogue_unit(unit):
    for name in rules.names():
        rule = rules.get(name)
        params = {k: (3.0 if v is None else v) for k, v in rule.defaults.items()}
        if name == "linear":
            params = {"floor": 0.0, "target": 1.0}
        for direction in ("higher", "lower"):
            zh, en = rules.describe(name, params, unit, direction)
            assert not CJK.search(en), en
            assert CJK.search(zh), zh
