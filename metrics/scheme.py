"""Assessment schemes: versioned files per year, validated before anything is scored.

A scheme has a section per kind of unit (streets, departments), each a list of
dimensions (一级指标) with weights summing to 100, each holding indicators
(二级指标) with weights summing to 100 inside it, a rule and its parameters.
`groups` overrides weights, rules or parameters for one peer group. Weights
inside a dimension are relative: an item that does not apply to a unit drops
out and its weight is spread over the rest of the dimension.

Loading checks every indicator code against the catalogue (it exists, applies
to the kind, is not neutral context), every rule and parameter against the
rule registry, and that weights sum; the messages are bilingual.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.data.warehouse import Refusal
from kaohe.metrics import rules

SCHEMES_DIR = Path(__file__).resolve().parent / "schemes"
DEFAULT_YEAR = "2026"
MISSING_POLICIES = ("zero", "reweight", "carry")
GRADES = ("excellent", "good", "pass", "fail")
VETO_OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "==": lambda a, b: a == b}
KINDS = ("street", "department")


GROUP_KEYS = ("dimensions", "indicators", "note_zh", "note_en")


def fingerprint(data: dict) -> str:
    """sha256 (hex) of a scheme's content as canonical JSON (keys sorted, no spaces, UTF-8)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SchemeError(Refusal, ValueError):
    def __init__(self, scheme: str, problems: list[str]):
        self.problems = problems
        super().__init__(t("scoring.scheme.invalid", scheme=scheme, problems="; ".join(problems)))


@dataclass
class Scheme:
    """A validated scheme. `data` is the plain dict (what is stored beside a build)."""

    data: dict
    catalogue: pd.DataFrame = field(repr=False)
    _plans: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def year(self) -> str:
        return str(self.data.get("year", ""))

    @property
    def fingerprint(self) -> str:
        """sha256 of the scheme's content (canonical JSON): two schemes with the same id and
        version but other weights, rules or parameters have different fingerprints."""
        return fingerprint(self.data)

    @property
    def missing_policy(self) -> str:
        return self.data.get("missing", {}).get("policy", "zero")

    @property
    def carry_months(self) -> int:
        return int(self.data.get("missing", {}).get("carry_months", 3))

    def section(self, key: str, default=None):
        return self.data.get(key, default if default is not None else {})

    def name(self, lang: str | None = None) -> str:
        return i18n.pick(self.data.get("name_zh"), self.data.get("name_en"), lang)

    def indicator_codes(self) -> list[str]:
        out: list[str] = []
        for kind in self.data.get("kinds", {}).values():
            for dim in kind["dimensions"]:
                out += [i["code"] for i in dim["indicators"] if i["code"] not in out]
        return out

    def spec(self, units: pd.DataFrame) -> pd.DataFrame:
        """One row per (peer group, indicator) with effective weights, rule and parameters."""
        return build_spec(self, units)

    def plan(self, units: pd.DataFrame):
        """The spec as arrays for the engine, cached per set of (unit, peer group, kind)."""
        from kaohe.metrics import engine

        key = tuple(sorted(set(zip(units["peer_group"].astype(str), units["kind"].astype(str), strict=True))))
        if key not in self._plans:
            self._plans[key] = engine.make_plan(self.spec(units), self.catalogue, trigger_codes(self.data))
        return self._plans[key]

    def with_changes(self, changes: dict) -> Scheme:
        """A copy with weights or rules changed (a what-if), validated again."""
        data = copy.deepcopy(self.data)
        dim_w = changes.get("dimension_weights", {}) or {}
        ind_w = changes.get("indicator_weights", {}) or {}
        rule_ch = changes.get("rules", {}) or {}
        for kind in data["kinds"].values():
            for dim in kind["dimensions"]:
                if dim["code"] in dim_w:
                    dim["weight"] = dim_w[dim["code"]]
                for ind in dim["indicators"]:
                    if ind["code"] in ind_w:
                        ind["weight"] = ind_w[ind["code"]]
                    if ind["code"] in rule_ch:
                        ch = dict(rule_ch[ind["code"]])
                        new_rule = ch.pop("rule", None)
                        params = ch.pop("params", ch)
                        if new_rule is None or new_rule == ind["rule"]:  # same rule: change some parameters
                            params = {**ind.get("params", {}), **params}
                        ind["rule"] = new_rule or ind["rule"]
                        ind["params"] = params
        if "missing_policy" in changes:
            data.setdefault("missing", {})["policy"] = changes["missing_policy"]
        if dim_w or ind_w:
            # what-if weights need not sum to 100: they are proportions, normalised here
            for kind in data["kinds"].values():
                _normalise_weights(kind)
        data["version"] = f"{data['version']}+whatif"
        return load_dict(data, self.catalogue)


def _normalise_weights(kind: dict) -> None:
    total = sum(float(d["weight"]) for d in kind["dimensions"])
    for d in kind["dimensions"]:
        d["weight"] = 100.0 * float(d["weight"]) / total if total else d["weight"]
        s = sum(float(i["weight"]) for i in d["indicators"])
        for i in d["indicators"]:
            i["weight"] = 100.0 * float(i["weight"]) / s if s else i["weight"]


# -- loading -----------------------------------------------------------------------------------
def path_for(year: str) -> Path:
    return SCHEMES_DIR / f"default-{year}.json"


def available_years() -> list[str]:
    return sorted(p.stem.split("-", 1)[1] for p in SCHEMES_DIR.glob("default-*.json"))


_CACHE: dict = {}


def load(path: str | Path, catalogue: pd.DataFrame) -> Scheme:
    """A scheme file, validated against the catalogue; cached while neither changes."""
    path = Path(path)
    cols = [c for c in ("code", "direction", "applies_to", "kind", "ratio", "active", "unit", "name_zh", "name_en")
            if c in catalogue.columns]
    key = (str(path), path.stat().st_mtime_ns, hash(tuple(map(tuple, catalogue[cols].astype(str).to_numpy()))))
    scheme = _CACHE.get(key)
    if scheme is None:
        with open(path, encoding="utf-8") as fh:
            scheme = load_dict(json.load(fh), catalogue)
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = scheme
    return scheme


def _year_path(year: str | None) -> Path:
    years = available_years()
    year = year or (years[-1] if years else DEFAULT_YEAR)
    usable = [y for y in years if y <= year] or years[:1]
    if not usable:
        raise SchemeError(year, [t("scoring.scheme.not_found", year=year)])
    return path_for(usable[-1])


_RAW: dict = {}


def raw_year(year: str | None) -> dict:
    """The scheme file of a year as plain data, not yet validated (to plan what to read)."""
    path = _year_path(year)
    key = (str(path), path.stat().st_mtime_ns)
    data = _RAW.get(key)
    if data is None:  # a local result, so a dashboard thread clearing the cache cannot pull it away
        data = json.loads(path.read_text(encoding="utf-8"))
        if len(_RAW) > 8:
            _RAW.clear()
        _RAW[key] = data
    return data


def load_year(year: str | None, catalogue: pd.DataFrame) -> Scheme:
    """The scheme of a year (None: the latest); a year without its own file uses the latest
    earlier one, and a year before every file the earliest."""
    return load(_year_path(year), catalogue)


def load_dict(data: dict, catalogue: pd.DataFrame) -> Scheme:
    problems = validate(data, catalogue)
    if problems:
        raise SchemeError(str(data.get("id", "?")), problems)
    return Scheme(data=data, catalogue=catalogue)


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def validate(data: dict, catalogue: pd.DataFrame) -> list[str]:
    problems: list[str] = []
    for key in ("id", "version", "kinds"):
        if key not in data:
            problems.append(t("scoring.scheme.missing_key", key=key))
    if problems:
        return problems
    cat = catalogue.set_index("code")
    for kind in KINDS:
        section = data["kinds"].get(kind)
        if not section:
            problems.append(t("scoring.scheme.no_kind", kind=t(f"kind.{kind}")))
            continue
        problems += _validate_kind(kind, section, cat)
    policy = data.get("missing", {}).get("policy", "zero")
    if policy not in MISSING_POLICIES:
        problems.append(t("scoring.scheme.missing_policy", value=policy, known=", ".join(MISSING_POLICIES)))
    problems += _validate_grades(data.get("grades", {}))
    problems += _validate_veto(data.get("veto", {}), cat)
    problems += _validate_auto(data.get("adjustments", {}), cat)
    for gname, g in (data.get("groups") or {}).items():
        if not isinstance(g, dict):
            problems.append(t("scoring.scheme.group_shape", group=gname))
            continue
        problems += [t("scoring.scheme.group_key", group=gname, name=k, known=", ".join(GROUP_KEYS))
                     for k in g if k not in GROUP_KEYS]
        g = dict(g)
        for part in ("dimensions", "indicators"):
            items = g.get(part) or {}
            if not isinstance(items, dict):
                problems.append(t("scoring.scheme.group_shape", group=gname))
                items = {}
            for k, v in items.items():  # each override is an object of its own settings
                if not isinstance(v, dict):
                    problems.append(t("scoring.scheme.group_item", group=gname, name=k))
            g[part] = {k: v for k, v in items.items() if isinstance(v, dict)}
        for dim, ov in (g.get("dimensions") or {}).items():
            if "weight" in ov and (not _num(ov["weight"]) or ov["weight"] <= 0):
                problems.append(t("scoring.scheme.group_weight", group=gname, dim=dim, value=ov["weight"]))
        for code, ov in (g.get("indicators") or {}).items():
            base = _base_indicator(data, code)
            if not base:
                problems.append(t("scoring.scheme.group_indicator", group=gname, code=code))
                continue
            if base and ("rule" in ov or "params" in ov):
                problems += _check_rule(code, ov.get("rule", base.get("rule")), _override_params(base, ov))
            if "weight" in ov and (not _num(ov["weight"]) or ov["weight"] <= 0):
                problems.append(t("scoring.scheme.weight", where=code, value=ov["weight"]))
    return problems


def _override_params(base: dict, override: dict) -> dict:
    """A group that changes the rule gives its own parameters; otherwise it changes some of them."""
    if "rule" in override:
        return dict(override.get("params", {}))
    return {**base.get("params", {}), **override.get("params", {})}


def _validate_kind(kind: str, section: dict, cat: pd.DataFrame) -> list[str]:
    problems = []
    kind_name = t(f"kind.{kind}")
    dims = section.get("dimensions") or []
    seen: set[str] = set()
    for d in dims:
        if not _num(d.get("weight")) or d["weight"] <= 0:
            problems.append(t("scoring.scheme.weight", where=f"{kind}/{d.get('code')}", value=d.get("weight")))
        for ind in d.get("indicators") or []:
            code = ind.get("code")
            if code in seen:
                problems.append(t("scoring.scheme.duplicate", kind=kind_name, code=code))
            seen.add(code)
            if code not in cat.index:
                problems.append(t("scoring.scheme.unknown_indicator", code=code))
                continue
            row = cat.loc[code]
            if row["direction"] == "neutral":
                problems.append(t("scoring.scheme.neutral", code=code))
            if row["applies_to"] not in ("both", kind):
                problems.append(t("scoring.scheme.not_applicable", code=code, kind=kind_name))
            if "active" in row.index and not bool(row["active"]):
                problems.append(t("scoring.scheme.inactive", code=code))
            if not _num(ind.get("weight")) or ind["weight"] <= 0:
                problems.append(t("scoring.scheme.weight", where=f"{kind}/{code}", value=ind.get("weight")))
            problems += _check_rule(code, ind.get("rule"), ind.get("params", {}))
            if "cap" in ind and (not _num(ind["cap"]) or ind["cap"] <= 0):
                problems.append(t("scoring.scheme.bad_cap", code=code))
        total = sum(float(i.get("weight", 0)) for i in d.get("indicators") or [] if _num(i.get("weight")))
        if abs(total - 100) > 1e-6:
            problems.append(t("scoring.scheme.ind_sum", kind=kind_name, dim=d.get("name_zh", d.get("code")),
                              total=_g(total)))
    total = sum(float(d.get("weight", 0)) for d in dims if _num(d.get("weight")))
    if abs(total - 100) > 1e-6:
        problems.append(t("scoring.scheme.dim_sum", kind=kind_name, total=_g(total)))
    return problems


def _g(x: float) -> str:
    return f"{x:g}"


def _check_rule(code, rule, params) -> list[str]:
    if rule not in rules.REGISTRY:
        return [t("scoring.scheme.unknown_rule", code=code, rule=rule, known=", ".join(rules.names()))]
    try:
        rules.resolve_params(rule, params or {})
    except rules.ParamError as exc:
        return [t("scoring.scheme.bad_params", code=code, detail=t(f"scoring.scheme.param_{exc.problem}",
                                                                    names=", ".join(exc.names)))]
    return []


def _base_indicator(data: dict, code: str) -> dict:
    for kind in data["kinds"].values():
        for d in kind["dimensions"]:
            for i in d["indicators"]:
                if i["code"] == code:
                    return i
    return {}


def _validate_grades(grades: dict) -> list[str]:
    problems = []
    bands = grades.get("bands") or []
    mins = [b.get("min") for b in bands]
    if not bands or any(b.get("grade") not in GRADES for b in bands) or not all(_num(m) for m in mins):
        problems.append(t("scoring.scheme.bands", detail=t("scoring.scheme.bands_shape", grades=", ".join(GRADES))))
    elif mins != sorted(mins, reverse=True) or mins[-1] != 0:
        problems.append(t("scoring.scheme.bands", detail=t("scoring.scheme.bands_order")))
    for g, q in (grades.get("quota") or {}).items():
        if g not in GRADES or not _num(q) or not 0 <= q <= 1:
            problems.append(t("scoring.scheme.quota", value=f"{g}: {q}"))
    return problems


def _validate_veto(veto: dict, cat: pd.DataFrame) -> list[str]:
    problems = []
    if veto.get("cap_grade", "fail") not in GRADES:
        problems.append(t("scoring.scheme.veto", detail=t("scoring.scheme.veto_cap", value=veto.get("cap_grade"),
                                                          grades=", ".join(GRADES))))
    for trig in veto.get("triggers") or []:
        code = trig.get("indicator")
        if code not in cat.index:
            problems.append(t("scoring.scheme.unknown_indicator", code=code))
        elif cat.loc[code, "direction"] == "neutral":  # finding and reporting problems is never punished
            problems.append(t("scoring.scheme.neutral_penalty", code=code))
        if trig.get("op") not in VETO_OPS or not _num(trig.get("value")):
            problems.append(t("scoring.scheme.veto", detail=f"{code}: op {trig.get('op')!r} value {trig.get('value')!r}"))
    return problems


def _validate_auto(adjustments: dict, cat: pd.DataFrame) -> list[str]:
    problems = []
    for cap in ("bonus_cap", "deduction_cap"):
        if cap in adjustments and (not _num(adjustments[cap]) or adjustments[cap] < 0):
            problems.append(t("scoring.scheme.auto", detail=f"{cap} {adjustments[cap]!r}"))
    for rule in adjustments.get("rules") or []:
        code = rule.get("indicator")
        if code not in cat.index:
            problems.append(t("scoring.scheme.unknown_indicator", code=code))
        elif cat.loc[code, "direction"] == "neutral" and (rule.get("kind") != "bonus" or rule.get("op") == "=="):
            # a count of complaints or disputes found may earn a bonus for finding more, nothing else:
            # a deduction for many, or a bonus for exactly none, would reward quiet
            problems.append(t("scoring.scheme.neutral_penalty", code=code))
        if (rule.get("kind") not in ("bonus", "deduction") or rule.get("op") not in VETO_OPS
                or not _num(rule.get("value")) or not _num(rule.get("points")) or rule["points"] <= 0):
            problems.append(t("scoring.scheme.auto", detail=f"{code}: {rule.get('kind')} {rule.get('op')} "
                                                            f"{rule.get('value')} -> {rule.get('points')}"))
    return problems


def trigger_codes(data: dict) -> list[str]:
    """Indicators the scheme reads outside its weighted set: veto triggers, automatic adjustments."""
    codes = [t_["indicator"] for t_ in data.get("veto", {}).get("triggers", [])]
    codes += [r["indicator"] for r in data.get("adjustments", {}).get("rules", [])]
    return list(dict.fromkeys(codes))


# -- the flat table the engine scores with -----------------------------------------------------
SPEC_COLUMNS = [
    "peer_group", "kind", "dimension", "dim_name_zh", "dim_name_en", "dim_weight", "dim_order",
    "indicator_code", "ind_weight", "ind_order", "rule", "params", "cap", "direction", "ind_kind", "ratio",
    "unit", "name_zh", "name_en",
]


def build_spec(scheme: Scheme, units: pd.DataFrame) -> pd.DataFrame:
    groups = units.drop_duplicates("peer_group")[["peer_group", "kind"]]
    known = set(groups["peer_group"])
    problems = []
    for gname, g in (scheme.data.get("groups") or {}).items():
        if gname not in known:
            # an override for a group no unit belongs to is a typo or a stale name: it would
            # change nothing, silently
            problems.append(t("scoring.scheme.group_unknown", group=gname, known=i18n.sep().join(sorted(known))))
            continue
        kind = groups.loc[groups["peer_group"] == gname, "kind"].iloc[0]
        section = scheme.data["kinds"][kind]
        codes = {i["code"] for d in section["dimensions"] for i in d["indicators"]}
        dims = {d["code"] for d in section["dimensions"]}
        problems += [t("scoring.scheme.group_indicator", group=gname, code=c)
                     for c in (g.get("indicators") or {}) if c not in codes]
        problems += [t("scoring.scheme.group_dimension", group=gname, dim=c)
                     for c in (g.get("dimensions") or {}) if c not in dims]
    if problems:
        raise SchemeError(scheme.id, problems)
    cat = scheme.catalogue.set_index("code")
    rows = []
    for group, kind in groups.itertuples(index=False):
        section = scheme.data["kinds"][kind]
        over = (scheme.data.get("groups") or {}).get(group, {})
        ind_over = over.get("indicators") or {}
        dim_over = over.get("dimensions") or {}
        dims = section["dimensions"]
        dim_w = {d["code"]: float(dim_over.get(d["code"], {}).get("weight", d["weight"])) for d in dims}
        dim_total = sum(dim_w.values())
        for di, d in enumerate(dims):
            inds = d["indicators"]
            for ii, ind in enumerate(inds):
                o = ind_over.get(ind["code"], {})
                rule = o.get("rule", ind["rule"])
                params = rules.resolve_params(rule, _override_params(ind, o))
                c = cat.loc[ind["code"]]
                rows.append({
                    "peer_group": group, "kind": kind, "dimension": d["code"],
                    "dim_name_zh": d.get("name_zh", d["code"]), "dim_name_en": d.get("name_en", d["code"]),
                    "dim_weight": dim_w[d["code"]] / dim_total, "dim_order": di,
                    "indicator_code": ind["code"], "ind_weight": float(o.get("weight", ind["weight"])),
                    "ind_order": ii, "rule": rule, "params": params,
                    "cap": float(o.get("cap", ind.get("cap", math.nan))),
                    "direction": c["direction"], "ind_kind": c["kind"], "ratio": bool(c["ratio"]),
                    "unit": c.get("unit") or "", "name_zh": c["name_zh"], "name_en": c.get("name_en") or "",
                })
    spec = pd.DataFrame(rows, columns=SPEC_COLUMNS)
    for p in rules.PARAM_NAMES:
        spec[f"p_{p}"] = [prm.get(p, math.nan) for prm in spec["params"]]
    return spec
