"""Scoring rules: a registry by name, each a small vectorised function.

Every rule maps an indicator's value to a raw score of 0-100 and is written for
"higher is better". Direction is handled once, in `apply`: for a lower-is-better
indicator the value and the parameters given in the indicator's own units are
negated (or inverted, for ratio rules) before the rule sees them.

A rule receives the values as a float array, its parameters as arrays of the
same length (one row per unit and indicator, so one call scores every indicator
that uses the rule) and, for relative rules, the peer-group keys.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kaohe.base.i18n import unit_en


@dataclass(frozen=True)
class Rule:
    name: str
    fn: Callable[[np.ndarray, dict[str, np.ndarray], np.ndarray | None], np.ndarray]
    defaults: dict[str, float | None]  # None = required
    value_params: tuple[str, ...] = ()  # in the indicator's units: flipped by direction, scaled for counts
    flip: str = "negate"  # how lower-is-better is turned into higher-is-better: negate | reciprocal
    relative: bool = False  # computed within the peer group
    text_zh: str = ""
    text_en: str = ""
    lower_zh: str = ""  # wording for lower-is-better, where the plain wording would mislead
    lower_en: str = ""
    checks: tuple[tuple[str, Callable[[dict], bool]], ...] = field(default_factory=tuple)


REGISTRY: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.name in REGISTRY:
        raise ValueError(f"rule {rule.name!r} registered twice")
    REGISTRY[rule.name] = rule
    return rule


def get(name: str) -> Rule:
    return REGISTRY[name]


def names() -> list[str]:
    return sorted(REGISTRY)


# -- the rules ------------------------------------------------------------------------------
def _target_deduct(x, p, _keys):
    """'target or above earns the full score; each unit below deducts per_point; floor'."""
    full = p["full"]
    earned = full - p["per_point"] * np.maximum(p["target"] - x, 0.0)
    earned = np.clip(earned, p["floor"], full)
    return 100.0 * earned / full


def _linear(x, p, _keys):
    """Zero at `floor`, full at `target`, a straight line between."""
    return 100.0 * np.clip((x - p["floor"]) / (p["target"] - p["floor"]), 0.0, 1.0)


def _ratio(x, p, _keys):
    """Completion ratio value/target (完成率), capped at 100%."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(p["target"] > 0, x / p["target"], np.where(x >= 0, 1.0, 0.0))
    return 100.0 * np.clip(r, 0.0, 1.0)


def _pass_fail(x, p, _keys):
    return np.where(x >= p["threshold"], p["pass_score"], p["fail_score"]).astype(float)


def _groups(keys) -> tuple[np.ndarray, int]:
    """Dense group numbers 0..n-1 of the cells' peer-group keys, and n."""
    codes, uniques = pd.factorize(np.asarray(keys), sort=False)
    return codes, len(uniques)


def _group_mean(x, codes, n):
    return (np.bincount(codes, weights=x, minlength=n) / np.bincount(codes, minlength=n))[codes]


def _group_extreme(x, codes, n, how):
    """Each cell's group minimum or maximum, by one sort (no Python loop over groups)."""
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    fn = np.minimum if how == "min" else np.maximum
    per_group = np.empty(n)
    per_group[codes[order[starts]]] = fn.reduceat(x[order], starts)
    return per_group[codes]


def _group_rank(x, codes, n):
    """Rank within the group, 1 = lowest, ties at their average rank (pandas' method="average"),
    by one sort of (group, value)."""
    order = np.lexsort((x, codes))
    cs, xs = codes[order], x[order]
    start = np.r_[0, np.cumsum(np.bincount(codes, minlength=n))[:-1]]
    pos = np.arange(len(x)) - start[cs]  # 0-based place in the group
    new = np.r_[True, (cs[1:] != cs[:-1]) | (xs[1:] != xs[:-1])]
    run = np.cumsum(new) - 1  # runs of equal values within a group
    first, length = pos[new], np.bincount(run)
    out = np.empty(len(x))
    out[order] = first[run] + (length[run] - 1) / 2.0 + 1.0
    return out


def _minmax(x, p, keys):
    codes, n = _groups(keys)
    lo, hi = _group_extreme(x, codes, n, "min"), _group_extreme(x, codes, n, "max")
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        # a group where everyone is equal: nobody is behind anybody, everyone earns the full score
        return np.where(span > 0, 100.0 * (x - lo) / span, 100.0)


def _zscore(x, p, keys):
    codes, n = _groups(keys)
    mean = _group_mean(x, codes, n)
    # two passes (mean, then the squares about it): no cancellation of large values
    sd = np.sqrt(_group_mean((x - mean) ** 2, codes, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (x - mean) / sd, 0.0)
    return np.clip(p["center"] + p["scale"] * z, 0.0, 100.0)


def _percentile(x, p, keys):
    """Share of the other units of the group that this one beats (ties count half)."""
    codes, n_groups = _groups(keys)
    r = _group_rank(x, codes, n_groups)
    n = np.bincount(codes, minlength=n_groups)[codes].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 1, 100.0 * (r - 1.0) / (n - 1.0), 100.0)


def _positive(key):
    return (f"{key} > 0", lambda p: p[key] > 0)


register(Rule(
    "target_deduct", _target_deduct, {"target": None, "per_point": None, "full": 100.0, "floor": 0.0},
    value_params=("target",),
    text_zh="达到{target}{unit}得满分{full}分，每差1{unit}扣{per_point}分，最低{floor}分",
    text_en="{target} or better earns the full {full} points; each {step} short deducts "
            "{per_point}; floor {floor}",
    lower_zh="不超过{target}{unit}得满分{full}分，每超出1{unit}扣{per_point}分，最低{floor}分",
    lower_en="{target} or less earns the full {full} points; each {step} above deducts {per_point}; "
             "floor {floor}",
    checks=(_positive("per_point"), _positive("full"), ("0 <= floor < full", lambda p: 0 <= p["floor"] < p["full"])),
))
register(Rule(
    "linear", _linear, {"floor": None, "target": None}, value_params=("floor", "target"),
    text_zh="{floor}{unit}得0分，{target}{unit}得满分，其间线性",
    text_en="0 at {floor}, full score at {target}, linear between",
    checks=(("floor != target", lambda p: p["floor"] != p["target"]),),
))
register(Rule(
    "ratio_to_target", _ratio, {"target": None}, value_params=("target",), flip="reciprocal",
    text_zh="完成率 = 实际 / 目标{target}{unit}，封顶100%",
    text_en="completion = value / target {target}, capped at 100%",
    lower_zh="完成率 = 目标{target}{unit} / 实际，封顶100%",
    lower_en="completion = target {target} / value, capped at 100%",
    checks=(_positive("target"),),
))
register(Rule(
    "pass_fail", _pass_fail, {"threshold": None, "pass_score": 100.0, "fail_score": 0.0},
    value_params=("threshold",),
    text_zh="达到{threshold}{unit}为达标得{pass_score}分，否则{fail_score}分",
    text_en="{threshold} or better passes ({pass_score}), otherwise {fail_score}",
    lower_zh="不超过{threshold}{unit}为达标得{pass_score}分，否则{fail_score}分",
    lower_en="{threshold} or less passes ({pass_score}), otherwise {fail_score}",
    checks=(("0 <= fail_score <= pass_score <= 100",
             lambda p: 0 <= p["fail_score"] <= p["pass_score"] <= 100),),
))
register(Rule(
    "minmax", _minmax, {}, relative=True,
    text_zh="同类组内极差标准化：最好100分，最差0分",
    text_en="min-max within the peer group: best 100, worst 0",
))
register(Rule(
    "zscore", _zscore, {"center": 75.0, "scale": 15.0}, relative=True,
    text_zh="同类组内标准分：平均{center}分，每个标准差{scale}分，限0-100",
    text_en="z-score within the peer group: mean {center}, {scale} per standard deviation, 0-100",
    checks=(_positive("scale"), ("0 <= center <= 100", lambda p: 0 <= p["center"] <= 100)),
))
register(Rule(
    "percentile", _percentile, {}, relative=True,
    text_zh="同类组内百分位排名：超过同组单位的比例",
    text_en="percentile rank within the peer group",
))


# -- applying rules ---------------------------------------------------------------------------
class ParamError(ValueError):
    """Parameters a rule cannot take. `problem` is unknown | missing | number | check and `names`
    the parameters (or, for check, the conditions that failed), so a caller can word it in the
    user's language; str() is the English wording."""

    WORDS = {"unknown": "unknown: {}", "missing": "missing: {}", "number": "{} must be a number", "check": "{}"}

    def __init__(self, problem: str, names: list[str]):
        self.problem, self.names = problem, names
        sep = "; " if problem == "check" else ", "
        super().__init__(self.WORDS[problem].format(sep.join(names)))


def resolve_params(name: str, params: dict) -> dict:
    """Defaults filled in; raises ParamError (a ValueError) with the rule's own wording."""
    rule = REGISTRY[name]
    unknown = set(params) - set(rule.defaults)
    if unknown:
        raise ParamError("unknown", sorted(unknown))
    out = {**rule.defaults, **params}
    missing = [k for k, v in out.items() if v is None]
    if missing:
        raise ParamError("missing", missing)
    bad = [k for k, v in out.items() if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v)]
    if bad:
        raise ParamError("number", bad)
    failed = [label for label, ok in rule.checks if not ok(out)]
    if failed:
        raise ParamError("check", failed)
    return {k: float(v) for k, v in out.items()}


PARAM_NAMES = sorted({k for r in REGISTRY.values() for k in r.defaults})


def apply(x: np.ndarray, rule: np.ndarray, lower: np.ndarray, scale: np.ndarray,
          params: dict, key: np.ndarray, names_: list[str] | None = None) -> np.ndarray:
    """Raw scores for arrays of cells; NaN where there is no value or no rule.

    `rule` names each cell's rule (or, with `names_`, holds integer positions in
    that list), `lower` marks lower-is-better cells, `scale` multiplies
    parameters given in the indicator's units (months in the period, for
    counts), `params` maps each parameter to an array per cell or to a function
    giving the values for an index array, and `key` is the integer peer-group
    key that relative rules compare within.
    """
    x_all = np.asarray(x, dtype=float)
    out = np.full(len(x_all), np.nan)
    has_value = ~np.isnan(x_all)
    if names_ is None:
        names_, rule = _codes(np.asarray(rule, dtype=object))
    for code, name in enumerate(names_):
        if name is None:
            continue
        r = REGISTRY[name]
        idx = np.flatnonzero((rule == code) & has_value)
        if not len(idx):
            continue
        x = x_all[idx]
        low = lower[idx]
        p = {k: _take(params[k], idx) for k in r.defaults}
        for k in r.value_params:
            p[k] = p[k] * scale[idx]
        # direction, once for every rule: lower-is-better becomes higher-is-better
        if r.flip == "reciprocal":
            with np.errstate(divide="ignore"):
                x = np.where(low, np.where(x > 0, 1.0 / np.where(x > 0, x, 1.0), np.inf), x)
                for k in r.value_params:
                    p[k] = np.where(low, 1.0 / p[k], p[k])
        else:
            x = np.where(low, -x, x)
            for k in r.value_params:
                p[k] = np.where(low, -p[k], p[k])
        out[idx] = r.fn(x, p, key[idx] if r.relative else None)
    return out


def _codes(rule: np.ndarray) -> tuple[list, np.ndarray]:
    uniq, codes = np.unique(rule.astype(str), return_inverse=True)
    names_ = [u if u in REGISTRY else None for u in uniq]
    return names_, codes


def _take(values, idx: np.ndarray) -> np.ndarray:
    return values(idx) if callable(values) else np.asarray(values, dtype=float)[idx]


# The catalogue writes measurement units in Chinese; English texts name them in English
def describe(name: str, params: dict, unit: str = "", direction: str = "higher") -> tuple[str, str]:
    """The rule in words, (zh, en), as the explanation shows it. The English text is English through
    and through: Chinese unit words become English ones ('0起' -> '0 incidents')."""
    rule = REGISTRY[name]
    values = {**rule.defaults, **params}
    shown = {k: _fmt(v) for k, v in values.items()}
    unit = unit or ""
    lower = direction == "lower"
    zh = (rule.lower_zh if lower and rule.lower_zh else rule.text_zh).format(unit=unit, **shown)
    # parameters in the indicator's units carry the unit: '90%', '120 minutes', '1 time'
    shown_en = dict(shown)
    for k in rule.value_params:
        word = unit_en(unit, values[k])
        shown_en[k] = shown[k] + (word if word == "%" or not word else " " + word)
    step = "point" if unit == "%" else (unit_en(unit, 1) or "unit")
    en = (rule.lower_en if lower and rule.lower_en else rule.text_en).format(step=step, **shown_en)
    if lower:
        zh, en = f"（越低越好）{zh}", f"(lower is better) {en}"
    return zh, en


def _fmt(v) -> str:
    if v is None:
        return "?"
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:g}"
