"""Assessment schemes: versioned files per year, validated before anything is scored.

A scheme has a section per kind of unit (streets, departments), each a list of
dimensions (一级指标) with weights summing to 100, each holding indicators
(二级指标) with weights summing to 100 inside it, a rule and its parameters.
`groups` overrides weights, rules or parameters for one peer group. Weights
inside a dimension are relative: an item that does not apply to a unit drops
out and its weight is spread over the rest of the dimension.

Loading validates the scheme with its declared model (`scheme_model`, pydantic):
every section's shape, every rule's parameters (from the rule registry), that
weights sum and bands fall, every indicator code against the catalogue (it
exists, applies to the kind, is active, is not neutral context). Each error of
the model is put in Kaohe's own words here (`describe`), in the language passed,
naming where it is: every problem of a file at once, item by item.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.data.warehouse import Refusal
from kaohe.metrics import rules, scheme_model

SCHEMES_DIR = Path(__file__).resolve().parent / "schemes"
DEFAULT_YEAR = "2026"
MISSING_POLICIES = scheme_model.MISSING_POLICIES
GRADES = scheme_model.GRADES
VETO_OPS = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "==": lambda a, b: a == b}
KINDS = scheme_model.KINDS


GROUP_KEYS = scheme_model.GROUP_KEYS

# Where a problem is and what it is, for the errors of the declared model (scheme_model)


def fingerprint(data: dict) -> str:
    """sha256 (hex) of a scheme's content as canonical JSON (keys sorted, no spaces, UTF-8)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SchemeError(Refusal, ValueError):
    """A scheme refused, every problem in words (`problems`, in `lang`). Raised from the model's
    errors (`errors`, pydantic's loc/type/ctx), it can say them again in another language."""

    def __init__(self, scheme: str, problems: list[str], lang: str | None = None, *,
                 errors: list[dict] | None = None, data=None):
        self.scheme, self.errors, self.data = scheme, list(errors or []), data
        self.problems = describe(self.errors, data, lang) if errors else list(problems)
        super().__init__("scoring.scheme.invalid", scheme=scheme)
        self.lang = lang

    def text(self, lang: str | None = None) -> str:
        return self.message(lang)

    def __str__(self) -> str:  # in the language it was raised for
        return self.message(self.lang)

    def problems_in(self, lang: str | None) -> list[str]:
        return describe(self.errors, self.data, lang) if self.errors else list(self.problems)

    def message(self, lang: str | None) -> str:
        return t("scoring.scheme.invalid", lang, scheme=self.scheme,
                 problems=t("scoring.scheme.sep", lang).join(self.problems_in(lang)))


class SchemeMissingSection(Refusal, ValueError):
    """Units of a kind the scheme has no section for: scoring them is refused, naming kind and scheme."""

    def __init__(self, scheme, kinds: list[str]):
        def kind_words(lang):
            return i18n.sep(lang).join(t(f"kind.{k}", lang) if k in KINDS else k for k in kinds)

        super().__init__("scoring.scheme.no_section_for_kind", kind=kind_words,
                         scheme=lambda lang: f"{scheme.name(lang) or scheme.id} {scheme.version}")
        self.kinds = list(kinds)


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
        for kind in (self.data.get("kinds") or {}).values():
            for dim in (kind or {}).get("dimensions", []):
                out += [i["code"] for i in dim["indicators"] if i["code"] not in out]
        return out

    def spec(self, units: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
        """One row per (peer group, indicator) with effective weights, rule and parameters."""
        return build_spec(self, units, lang)

    def plan(self, units: pd.DataFrame):
        """The spec as arrays for the engine, cached per set of (unit, peer group, kind)."""
        from kaohe.metrics import engine

        pairs = units[["peer_group", "kind"]].drop_duplicates()
        key = tuple(sorted(zip(pairs["peer_group"].astype(str).tolist(), pairs["kind"].astype(str).tolist(),
                               strict=True)))
        if key not in self._plans:
            self._plans[key] = engine.make_plan(self.spec(units), self.catalogue, trigger_codes(self.data))
        return self._plans[key]

    def with_changes(self, changes: dict, lang: str | None = None) -> Scheme:
        """A copy with weights or rules changed (a what-if), validated again."""
        data = copy.deepcopy(self.data)
        dim_w = changes.get("dimension_weights", {}) or {}
        ind_w = changes.get("indicator_weights", {}) or {}
        rule_ch = changes.get("rules", {}) or {}
        for kind in data["kinds"].values():
            for dim in (kind or {}).get("dimensions", []):
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
                if kind:
                    _normalise_weights(kind)
        data["version"] = f"{data['version']}+whatif"
        return load_dict(data, self.catalogue, lang)


def _normalise_weights(kind: dict) -> None:
    total = sum(float(d["weight"]) for d in kind["dimensions"])
    for d in kind["dimensions"]:
        d["weight"] = 100.0 * float(d["weight"]) / total if total else d["weight"]
        s = sum(float(i["weight"]) for i in d["indicators"])
        for i in d["indicators"]:
            i["weight"] = 100.0 * float(i["weight"]) / s if s else i["weight"]


# -- the scheme in force: stored in the warehouse (kaohe.data.schemes) ----------------------------
class NoSchemeInForce(Refusal, ValueError):
    """No stored scheme is active for any year: scoring is refused, saying how to get one."""

    def __init__(self, year: str | None):
        year = year or DEFAULT_YEAR
        super().__init__("scoring.scheme.none_in_force", year=year)
        self.year = year


def stored_raw(wh, year: str | None, lang: str | None = None) -> dict:
    """The stored scheme in force for a year, not yet validated, in one query (its row: year, version,
    status, fingerprint, data ...): the year's active version, else the latest earlier year's active one,
    else (a year before every stored one) the earliest year's. NoSchemeInForce when there is none."""
    from kaohe.data import schemes as store

    row = store.in_force(wh, year)
    if row is None:
        raise NoSchemeInForce(year)
    return row


def from_stored(row: dict, catalogue: pd.DataFrame, lang: str | None = None) -> Scheme:
    """A stored version validated against the catalogue (cached on its fingerprint and the catalogue)."""
    return load_data(row["data"], catalogue, lang, year=str(row["year"]), fp=row.get("fingerprint"))


def in_force(wh, year: str | None, catalogue: pd.DataFrame, lang: str | None = None) -> Scheme:
    """The scheme that scores a month of `year` (None: the latest year with an active scheme)."""
    return from_stored(stored_raw(wh, year, lang), catalogue, lang)


def _catalogue_key(catalogue: pd.DataFrame) -> int:
    cols = [c for c in ("code", "direction", "applies_to", "kind", "ratio", "active", "unit", "name_zh", "name_en",
                        "retired_from") if c in catalogue.columns]
    return hash(tuple(map(tuple, catalogue[cols].astype(str).to_numpy())))


def load_data(data: dict, catalogue: pd.DataFrame, lang: str | None = None, year: str | None = None,
              fp: str | None = None) -> Scheme:
    """`load_dict`, cached while neither the content (its fingerprint) nor the catalogue changes."""
    key = ("data", fp or fingerprint(data), year, _catalogue_key(catalogue))
    scheme = _CACHE.get(key)
    if scheme is None:
        scheme = load_dict(data, catalogue, lang, year=year)
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = scheme
    return scheme


# -- the shipped files: only a source to copy from (and the benches) ---------------------------
def path_for(year: str) -> Path:
    return SCHEMES_DIR / f"default-{year}.json"


def available_years() -> list[str]:
    return sorted(p.stem.split("-", 1)[1] for p in SCHEMES_DIR.glob("default-*.json"))


_CACHE: dict = {}


def load(path: str | Path, catalogue: pd.DataFrame, lang: str | None = None) -> Scheme:
    """A scheme file, validated against the catalogue; cached while neither changes."""
    path = Path(path)
    key = (str(path), path.stat().st_mtime_ns, _catalogue_key(catalogue))
    scheme = _CACHE.get(key)
    if scheme is None:
        scheme = load_dict(_read(path, lang), catalogue, lang, year=_file_year(path))
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = scheme
    return scheme


def _read(path: Path, lang: str | None = None):
    """A scheme file's JSON; a file that is not JSON is refused in words, saying where."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SchemeError(path.name, [t("scoring.scheme.not_utf8", lang)]) from None
    except json.JSONDecodeError as exc:
        raise SchemeError(path.name, [t("scoring.scheme.not_json", lang, line=exc.lineno, column=exc.colno)]) from None


def _year_path(year: str | None, lang: str | None = None) -> Path:
    years = available_years()
    year = year or (years[-1] if years else DEFAULT_YEAR)
    usable = [y for y in years if y <= year] or years[:1]
    if not usable:
        raise SchemeError(year, [t("scoring.scheme.not_found", lang, year=year)])
    return path_for(usable[-1])


_RAW: dict = {}


def raw_year(year: str | None, lang: str | None = None) -> dict:
    """The scheme file of a year as plain data, not yet validated (to plan what to read)."""
    path = _year_path(year, lang)
    key = (str(path), path.stat().st_mtime_ns)
    data = _RAW.get(key)
    if data is None:  # a local result, so a dashboard thread clearing the cache cannot pull it away
        data = _read(path, lang)
        if len(_RAW) > 8:
            _RAW.clear()
        _RAW[key] = data
    return data


def load_year(year: str | None, catalogue: pd.DataFrame, lang: str | None = None) -> Scheme:
    """The SHIPPED scheme file of a year (None: the latest); a year without its own file uses the latest
    earlier one, and a year before every file the earliest. Scoring never reads it: it uses the scheme
    stored in the warehouse (`in_force`)."""
    return load(_year_path(year, lang), catalogue, lang)


def _file_year(path: Path) -> str | None:
    """The year a scheme file is named for (default-2026.json: 2026), None for another name."""
    m = re.fullmatch(r"default-(\d{4})", path.stem)
    return m.group(1) if m else None


def load_dict(data: dict, catalogue: pd.DataFrame, lang: str | None = None, year: str | None = None) -> Scheme:
    """A scheme from plain data, validated by the declared model (`scheme_model`) against the
    catalogue; every problem of it is refused at once, item by item, in `lang`. `year`: the year
    its file is named for, which the scheme's own year must be."""
    errors = scheme_model.check(data, catalogue, year)[1]
    if errors:
        raise SchemeError(_scheme_id(data), [], lang, errors=errors, data=data)
    return Scheme(data=data, catalogue=catalogue)


def _scheme_id(data) -> str:
    return str(data.get("id", "?")) if isinstance(data, dict) else "?"


def validate(data: dict, catalogue: pd.DataFrame, lang: str | None = None) -> list[str]:
    """Every problem of a scheme, in words in `lang` (zh by default), item by item; [] when valid."""
    return describe(scheme_model.check(data, catalogue)[1], data, lang)


def describe(errors: list[dict], data, lang: str | None = None) -> list[str]:
    """The model's errors (pydantic `errors()`: loc, type, ctx) in Kaohe's words, each naming where
    it is; never pydantic's own English text, never a Python repr."""
    out = []
    for err in errors:
        text = _Words(err, data, lang).text()
        if text not in out:
            out.append(text)
    return out


class _Shown(str):
    """A value from the file as a message shows it: as it is inside the Chinese quotes of “{value}”, and
    quoted when it is text for {value!r} in English ('heavy', plain numbers, never a Python repr of a list
    or dict; kaohe.base.i18n.t asks for `quoted`)."""

    def __new__(cls, value, lang):
        if isinstance(value, bool):
            text, quoted = ("true" if value else "false"), None
        elif isinstance(value, int | float):
            text, quoted = (f"{value:g}" if isinstance(value, float) else str(value)), None
        elif isinstance(value, str):
            text, quoted = value, f"'{value}'"
        elif value is None:
            text, quoted = t("scoring.scheme.value.null", lang), None
        elif isinstance(value, list | tuple):
            text, quoted = t("scoring.scheme.value.list", lang), None
        elif isinstance(value, dict):
            text, quoted = t("scoring.scheme.value.object", lang), None
        else:
            text, quoted = str(value), None
        self = super().__new__(cls, text)
        self.quoted = quoted or text
        return self

    def __repr__(self) -> str:
        return self.quoted




def _at(node, *keys):
    """The raw value at a path, or None where the file has none."""
    for k in keys:
        in_dict = isinstance(node, dict) and isinstance(k, str) and k in node
        in_list = isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node)
        if not (in_dict or in_list):
            return None
        node = node[k]
    return node


class _Words:
    """One error of the model put in words: where it is, then what is wrong."""

    def __init__(self, err: dict, data, lang: str | None):
        self.err, self.data, self.lang = err, data, lang
        self.type, self.ctx, self.value = err["type"], err.get("ctx") or {}, err.get("input")
        self.loc = tuple(err["loc"])
        self.code = self.group = self.kind = None
        self.sep = i18n.sep(lang)
        self.where, self.outer, self.rest = self._place()

    def t(self, message: str, **params) -> str:
        # formatted here: i18n.t takes no parameter called `key`, which missing_key has
        return t(message, self.lang).format(**params)

    def shown(self, value) -> _Shown:
        return _Shown(value, self.lang)

    def field(self, key) -> str:
        if isinstance(key, str) and i18n.has(f"scoring.scheme.field.{key}"):
            return self.t(f"scoring.scheme.field.{key}")
        return self.t("scoring.scheme.value.key", name=self.shown(key))

    def at(self, where: str, what: str) -> str:
        return self.t("scoring.scheme.at", where=where, what=what) if where else what

    def kind_name(self, kind) -> str:
        return self.t(f"kind.{kind}") if kind in scheme_model.KINDS else self.shown(kind)

    def _place(self) -> tuple[str, str, tuple]:
        """(where, the place around it, the rest of loc): 'street, dimension HL, indicator HL_SATISFY'
        and 'street, dimension HL' for an error in HL_SATISFY's weight, with ('weight',) left."""
        loc, data = self.loc, self.data
        head = loc[0] if loc else None
        if head == "kinds" and len(loc) >= 2:
            self.kind = loc[1]
            kind = self.kind_name(loc[1])
            if len(loc) >= 4 and loc[2] == "dimensions":
                raw = _at(data, "kinds", loc[1], "dimensions", loc[3])
                dim = self._dim_name(raw, loc[3])
                dim_where = self.t("scoring.scheme.where.dimension", kind=kind, dim=dim)
                if len(loc) >= 6 and loc[4] == "indicators":
                    ind = _at(raw, "indicators", loc[5])
                    code = _at(ind, "code")
                    self.code = code if isinstance(code, str) and code else f"#{loc[5] + 1}"
                    rest = loc[6:]
                    if rest and rest[0] in rules.REGISTRY and _at(ind, rest[0]) is None:
                        rest = rest[1:]  # the rule's name pydantic puts in the path of a rule's model
                    where = self.t("scoring.scheme.where.indicator", kind=kind, dim=dim, code=self.code)
                    return where, dim_where, rest
                return dim_where, kind, loc[4:]
            return kind, self.t("scoring.scheme.where.section", section=self.field("kinds")), loc[2:]
        if head == "groups" and len(loc) >= 2:
            self.group = self.shown(loc[1])
            group_where = self.t("scoring.scheme.where.group", group=self.group)
            if len(loc) >= 4 and loc[2] in ("indicators", "dimensions"):
                self.code = loc[3]
                key = "group_indicator" if loc[2] == "indicators" else "group_dimension"
                return (self.t(f"scoring.scheme.where.{key}", group=self.group, code=loc[3], dim=loc[3]),
                        group_where, loc[4:])
            return group_where, self.t("scoring.scheme.where.section", section=self.field("groups")), loc[2:]
        for section, part, key in (("adjustments", "rules", "auto"), ("veto", "triggers", "trigger"),
                                   ("grades", "bands", "band")):
            if head == section and len(loc) >= 3 and loc[1] == part and isinstance(loc[2], int):
                code = _at(data, section, part, loc[2], "indicator")
                self.code = code if isinstance(code, str) else None
                return (self.t(f"scoring.scheme.where.{key}", n=loc[2] + 1),
                        self.t("scoring.scheme.where.section", section=self.field(section)), loc[3:])
        if len(loc) >= 2:
            return self.t("scoring.scheme.where.section", section=self.field(head)), "", loc[1:]
        return "", "", loc

    def _dim_name(self, raw, i) -> str:
        zh, en = (v if isinstance(v, str) else None for v in (_at(raw, "name_zh"), _at(raw, "name_en")))
        name = i18n.pick(zh, en, self.lang)
        code = _at(raw, "code")
        return str(name or (code if isinstance(code, str) else "") or f"#{i + 1}")

    # -- what is wrong -----------------------------------------------------------------------
    def text(self) -> str:
        for fn in (self._custom, self._section, self._params, self._generic):
            text = fn()
            if text:
                return text
        return self.at(self.where, self.t("scoring.scheme.bad_value", field=self.field(self._last()),
                                          value=self.shown(self.value)))

    def _last(self):
        if not self.rest and self.loc and isinstance(self.loc[-1], int):
            return "item"  # an item of a list (an indicator, a band ...) as a whole
        keys = [k for k in (self.rest or self.loc) if isinstance(k, str) and k != "[key]"]
        return keys[-1] if keys else "scheme"

    def _custom(self) -> str | None:
        """The model's own checks (weights sum, bands fall, the catalogue ...)."""
        T, c = self.type, self.ctx
        kind = self.kind_name(self.kind) if self.kind else ""
        code = c.get("code", self.code)
        if T == "dim_sum":
            return self.t("scoring.scheme.dim_sum", kind=kind, total=_g(c["total"]))
        if T == "ind_sum":
            dim = self._dim_name(_at(self.data, *self.loc), self.loc[3] if len(self.loc) > 3 else 0)
            return self.t("scoring.scheme.ind_sum", kind=kind, dim=dim, total=_g(c["total"]))
        if T in ("unknown_indicator", "neutral", "inactive"):
            return self.at(self.outer if self.kind else self.where, self.t(f"scoring.scheme.{T}", code=code))
        if T == "not_applicable":
            return self.at(self.outer, self.t("scoring.scheme.not_applicable", code=code, kind=kind))
        if T == "duplicate":  # the message names the kind
            return self.t("scoring.scheme.duplicate", kind=kind, code=code)
        if T == "retired":
            return self.at(self.outer if self.kind else self.where,
                           self.t("scoring.scheme.retired", code=code, month=c.get("month"), year=c.get("year")))
        if T == "no_section":
            return self.t("scoring.scheme.no_section")
        if T == "neutral_penalty":
            return self.at(self.where, self.t("scoring.scheme.neutral_penalty", code=code))
        if T == "bands_order":
            return self.t("scoring.scheme.bands", detail=self.t("scoring.scheme.bands_order"))
        if T == "group_indicator":
            return self.t("scoring.scheme.group_indicator", group=self.group, code=code)
        if T == "union_tag_invalid":
            return self.at(self.outer, self.t("scoring.scheme.unknown_rule", code=self.code,
                                              rule=self.shown(_at(self.data, *self.loc, "rule")),
                                              known=self.sep.join(rules.names())))
        if T == "union_tag_not_found":
            return self.at(self.where, self.t("scoring.scheme.missing_key", key=self.field("rule")))
        return None

    def _section(self) -> str | None:
        """Errors whose wording is the section's own (missing kinds, policies, bands, groups)."""
        T, loc, rest = self.type, self.loc, self.rest
        if loc[:1] == ("kinds",) and len(loc) == 2 and T == "missing":
            return self.t("scoring.scheme.no_kind", kind=self.kind_name(loc[1]))
        if loc[:1] == ("kinds",) and len(loc) == 3 and loc[2] == "dimensions" and T == "missing":
            return self.t("scoring.scheme.no_kind", kind=self.kind_name(loc[1]))
        if loc == ("missing", "policy"):
            return self.t("scoring.scheme.missing_policy", value=self.shown(self.value),
                          known=self.sep.join(scheme_model.MISSING_POLICIES))
        if loc == ("veto", "cap_grade"):
            return self.t("scoring.scheme.veto", detail=self.t("scoring.scheme.veto_cap", value=self.shown(self.value),
                                                               grades=self.sep.join(GRADES)))
        if loc[:2] == ("grades", "bands") and (len(loc) == 2 or T in ("missing", "literal_error") or
                                              rest[:1] in ((), ("grade",)) or T.endswith("_type")):
            return self.t("scoring.scheme.bands", detail=self.t("scoring.scheme.bands_shape", grades=self.sep.join(GRADES)))
        if loc[:2] == ("grades", "quota") and loc[-1] == "[key]":
            return self.at(self.where, self.t("scoring.scheme.one_of", field=self.field("grade"),
                                              value=self.shown(loc[2]), known=self.sep.join(GRADES)))
        if loc[:2] == ("grades", "quota") and len(loc) >= 3:
            q = _at(self.data, "grades", "quota", loc[2])
            return self.t("scoring.scheme.quota", value=_Shown(f"{loc[2]}: {_Shown(q, self.lang)}", self.lang))
        if loc[:1] == ("groups",) and self.group is not None:
            if len(loc) == 2 or (len(loc) == 3 and loc[2] in ("indicators", "dimensions")):
                return self.t("scoring.scheme.group_shape", group=self.group)
            if len(loc) == 3 and T == "extra_forbidden":
                return self.t("scoring.scheme.group_key", group=self.group, name=self.shown(loc[2]),
                              known=self.sep.join(scheme_model.GROUP_KEYS))
            if len(loc) == 4 and T in ("model_type", "model_attributes_type", "dict_type"):
                return self.t("scoring.scheme.group_item", group=self.group, name=self.shown(loc[3]))
            if loc[2] == "dimensions" and rest == ("weight",):
                return self.t("scoring.scheme.group_weight", group=self.group, dim=self.shown(loc[3]),
                              value=self.shown(self.value))
            if loc[2] == "indicators" and rest == ("rule",):
                return self.at(self.outer, self.t("scoring.scheme.unknown_rule", code=self.code,
                                                  rule=self.shown(self.value), known=self.sep.join(rules.names())))
        if loc == ("year",) and T in ("string_pattern_mismatch", "string_type"):
            return self.t("scoring.scheme.year", value=self.shown(self.value))
        if loc == ("year",) and T == "year_file":
            return self.t("scoring.scheme.year_file", value=self.shown(self.value), year=self.ctx.get("expected"))
        if rest == ("weight",) and T != "missing":
            return self.t("scoring.scheme.weight", where=self.where, value=self.shown(self.value))
        if rest == ("cap",) and self.code:
            return self.at(self.outer, self.t("scoring.scheme.bad_cap", code=self.code))
        return None

    def _params(self) -> str | None:
        """A rule's parameters, as the rules word them (missing, unknown, not a number, a check)."""
        rest, T = self.rest, self.type
        if not rest or rest[0] != "params" or not self.code:
            return None
        if len(rest) == 1 and T == "param_check":
            detail = self.t("scoring.scheme.param_check", names=self.t("scoring.scheme.sep").join(
                self.ctx.get("conditions", [])))
        elif len(rest) == 1:
            detail = self.t("scoring.scheme.not_object", field=self.field("params"), value=self.shown(self.value))
        else:
            problem = {"missing": "missing", "extra_forbidden": "unknown"}.get(T, "number")
            detail = self.t(f"scoring.scheme.param_{problem}", names=rest[1])
        return self.at(self.outer, self.t("scoring.scheme.bad_params", code=self.code, detail=detail))

    def _generic(self) -> str | None:
        T, c = self.type, self.ctx
        field = self.field(self._last())
        value = self.shown(self.value)
        if T == "missing":
            return self.at(self.where, self.t("scoring.scheme.missing_key", key=field))
        if T == "extra_forbidden":
            return self.at(self.where, self.t("scoring.scheme.unknown_key", name=self.shown(self.loc[-1])))
        simple = {"float_type": "not_number", "finite_number": "not_number", "int_type": "not_integer",
                  "int_from_float": "not_integer", "string_type": "not_text", "string_too_short": "empty",
                  "dict_type": "not_object", "model_type": "not_object", "model_attributes_type": "not_object",
                  "list_type": "not_list", "too_short": "empty"}
        if T in simple:
            return self.at(self.where, self.t(f"scoring.scheme.{simple[T]}", field=field, value=value))
        for name, key in (("gt", "gt"), ("ge", "ge"), ("lt", "lt"), ("le", "le")):
            if name in c and T in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
                return self.at(self.where, self.t(f"scoring.scheme.{key}", field=field, value=value,
                                                  limit=_g(float(c[name]))))
        if T == "literal_error":
            known = i18n.sep(self.lang).join(re.findall(r"'([^']*)'", str(c.get("expected", ""))))
            return self.at(self.where, self.t("scoring.scheme.one_of", field=field, value=value, known=known))
        return None


def _g(x: float) -> str:
    return f"{x:g}"


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


def build_spec(scheme: Scheme, units: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    groups = units.drop_duplicates("peer_group")[["peer_group", "kind"]]
    known = set(groups["peer_group"])
    lacking = [k for k in dict.fromkeys(groups["kind"]) if not (scheme.data.get("kinds") or {}).get(k)]
    if lacking:  # a kind with units needs its section; a kind without units needs none
        raise SchemeMissingSection(scheme, lacking)
    problems = []
    for gname, g in (scheme.data.get("groups") or {}).items():
        if gname not in known:
            # an override for a group no unit belongs to is a typo or a stale name: it would
            # change nothing, silently
            problems.append(t("scoring.scheme.group_unknown", lang, group=gname,
                                known=i18n.sep(lang).join(sorted(known))))
            continue
        kind = groups.loc[groups["peer_group"] == gname, "kind"].iloc[0]
        section = scheme.data["kinds"][kind]
        codes = {i["code"] for d in section["dimensions"] for i in d["indicators"]}
        dims = {d["code"] for d in section["dimensions"]}
        problems += [t("scoring.scheme.group_indicator", lang, group=gname, code=c)
                     for c in (g.get("indicators") or {}) if c not in codes]
        problems += [t("scoring.scheme.group_dimension", lang, group=gname, dim=c)
                     for c in (g.get("dimensions") or {}) if c not in dims]
        # the group's own kind: the same indicator may have another rule in the other kind
        base = {i["code"]: i for d in section["dimensions"] for i in d["indicators"]}
        for code, ov in (g.get("indicators") or {}).items():
            errors = [{**e, "loc": ("groups", gname, "indicators", code, "params", *e["loc"])}
                      for e in scheme_model.override_param_errors(base.get(code, {}), ov)] if code in base else []
            problems += describe(errors, scheme.data, lang)
    if problems:
        raise SchemeError(scheme.id, problems, lang)
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
                params = rules.resolve_params(rule, scheme_model.override_params(ind, o))
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
