"""The declared model of a yearly scoring scheme (pydantic v2).

Every section a scheme file has is a model here: the kinds of unit with their dimensions (一级指标)
and indicators (二级指标), one indicator model per scoring rule (a union told apart by `rule`, each
with the rule's own parameters, made from the rule registry so the two cannot drift), the
missing-data policy, automatic bonuses and deductions with their caps, veto triggers, grade bands
and quota, the red and black lists, alerts and peer-group overrides. Unknown keys are refused.

Checks that need more than one field are model validators: weights sum to 100, bands fall, a peer
group overrides an indicator the scheme has. Checks against the indicator catalogue (the code
exists, applies to the kind, is active, is not neutral context) read it from the validation
context made by `context(catalogue)`; without a context they are skipped (structure only).

The model says where and what is wrong as pydantic errors (`loc`, `type`, `ctx`); it holds no
words. `kaohe.metrics.scheme` turns each error into a message in the user's language.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal, Union

import pandas as pd
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from kaohe.metrics import rules

KINDS = ("street", "department")
GRADES = ("excellent", "good", "pass", "fail")
OPS = (">=", ">", "==")
MISSING_POLICIES = ("zero", "reweight", "carry")
GROUP_KEYS = ("dimensions", "indicators", "note_zh", "note_en")
TOTAL = 100.0
TOLERANCE = 1e-6

Grade = Literal["excellent", "good", "pass", "fail"]
Op = Literal[">=", ">", "=="]


def context(catalogue: pd.DataFrame | None, year: str | None = None) -> dict:
    """The validation context: the catalogue as {code: (direction, applies_to, active)}, the year a
    scheme file is named for, and the places validators note what they have seen (the kind being
    read, codes per kind, indicators)."""
    cat = {}
    if catalogue is not None:
        active = catalogue["active"] if "active" in catalogue.columns else pd.Series(True, index=catalogue.index)
        retired = (catalogue["retired_from"] if "retired_from" in catalogue.columns
                   else pd.Series(None, index=catalogue.index, dtype=object))
        cat = {str(c): (str(d), str(a), bool(on), r if isinstance(r, str) and r else None)
               for c, d, a, on, r in zip(catalogue["code"], catalogue["direction"], catalogue["applies_to"],
                                         active, retired, strict=True)}
    return {"catalogue": cat if catalogue is not None else None, "year": year, "kind": None, "seen": {},
            "base": {}, "scheme_year": year}


def _error(error_type: str, loc: tuple = (), value: Any = None, **ctx) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(error_type, error_type, ctx), loc=loc, input=value)


def _raise(title: str, errors: list) -> None:
    if errors:
        raise ValidationError.from_exception_data(title, errors)


def _again(exc: ValidationError | list[dict], prefix: tuple = ()) -> list[InitErrorDetails]:
    """A caught ValidationError's errors (or a list of them), to be raised again with others."""
    errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else exc
    return [InitErrorDetails(type=PydanticCustomError(e["type"], e["msg"].replace("{", "(").replace("}", ")"),
                                                      e.get("ctx") or {}),
                             loc=(*prefix, *e["loc"]), input=e["input"]) for e in errors]


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _weight_sum(items) -> float | None:
    """The sum of the weights in a raw list; None while one is not a positive number (that has its
    own error, and the sum would only repeat it)."""
    weights = [i.get("weight") if isinstance(i, dict) else None for i in items]
    if not all(_num(w) and w > 0 for w in weights):
        return None
    return float(sum(weights))


def _with_sum(data, handler, title: str, part: str, error_type: str):
    """Validate, then check the weights of `part` sum to 100 even when an item failed."""
    errors, out = [], None
    try:
        out = handler(data)
    except ValidationError as exc:
        errors = _again(exc)
    if isinstance(data, dict) and isinstance(data.get(part), list) and data[part]:
        total = _weight_sum(data[part])
        if total is not None and abs(total - TOTAL) > TOLERANCE:
            errors.append(_error(error_type, (), data, total=total))
    elif isinstance(data, dict) and data.get(part) == []:
        errors.append(_error(error_type, (), data, total=0.0))
    _raise(title, errors)
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


# A key that may be left out of the file, but when written must be valid (never null)
ABSENT: Any = Field(default=None, json_schema_extra=_no_default)

Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]
Code = Annotated[str, Field(min_length=1)]


def _as_text(v):
    """Versions and years may be written as numbers in a file (2026, 1): kept as text."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


Version = Annotated[str, Field(min_length=1), BeforeValidator(_as_text)]
Year = Annotated[str, Field(pattern=r"^(19|20)\d\d$"), BeforeValidator(_as_text)]


def _catalogue_errors(code: str, info: ValidationInfo, *, scored: bool) -> list[InitErrorDetails]:
    """An indicator code against the catalogue: it exists; a scored one is not context, applies to
    the kind being read, is active and appears once in that kind."""
    ctx = info.context or {}
    cat = ctx.get("catalogue")
    if cat is None:
        return []
    if code not in cat:
        return [_error("unknown_indicator", (), code, code=code)]
    if not scored:
        return []
    direction, applies_to, active, retired_from = cat[code]
    kind = ctx.get("kind")
    errors = []
    if direction == "neutral":
        errors.append(_error("neutral", (), code, code=code))
    if kind and applies_to not in ("both", kind):
        errors.append(_error("not_applicable", (), code, code=code, kind=kind))
    if not active:
        errors.append(_error("inactive", (), code, code=code))
    year = ctx.get("scheme_year")
    if active and retired_from and year and retired_from <= f"{year}-01":
        # retired for the whole of the scheme's year: it would be scored as missing every month
        errors.append(_error("retired", (), code, code=code, month=retired_from, year=year))
    return errors


# -- indicators: one model per rule ------------------------------------------------------------
class RuleParams(_Model):
    """A rule's parameters: its registry defaults, the required ones without a default; the rule's
    own checks (per_point > 0, floor != target ...) run once every parameter is a number."""

    rule_name: ClassVar[str] = ""

    @model_validator(mode="after")
    def _rule_checks(self):
        values = self.model_dump()
        failed = [label for label, ok in rules.get(self.rule_name).checks if not ok(values)]
        if failed:
            raise PydanticCustomError("param_check", "param_check", {"conditions": failed})
        return self


class _Indicator(_Model):
    code: Code
    weight: Positive
    cap: Positive = ABSENT  # absent: no cap

    @field_validator("code")
    @classmethod
    def _in_catalogue(cls, code: str, info: ValidationInfo) -> str:
        ctx = info.context or {}
        errors = _catalogue_errors(code, info, scored=True)
        seen = ctx.get("seen", {}).setdefault(ctx.get("kind"), set()) if ctx else set()
        if code in seen:
            errors.append(_error("duplicate", (), code, code=code, kind=ctx.get("kind")))
        seen.add(code)
        _raise("indicator", errors)
        return code


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


PARAMS: dict[str, type[RuleParams]] = {}
INDICATORS: dict[str, type[_Indicator]] = {}
for _name, _rule in sorted(rules.REGISTRY.items()):
    _fields = {k: (float, ... if v is None else float(v)) for k, v in _rule.defaults.items()}
    PARAMS[_name] = create_model(f"{_camel(_name)}Params", __base__=RuleParams, **_fields)
    PARAMS[_name].rule_name = _name
    INDICATORS[_name] = create_model(
        f"{_camel(_name)}Indicator", __base__=_Indicator, rule=(Literal[_name], ...),  # type: ignore[valid-type]
        params=(PARAMS[_name], Field(default_factory=dict, validate_default=True)))
    for _model in (PARAMS[_name], INDICATORS[_name]):  # importable by name, as pickle and the JSON Schema want
        globals()[_model.__name__] = _model


def _note_indicator(value, info: ValidationInfo):
    """Note each indicator as written, for the peer-group overrides that change it."""
    ctx = info.context
    if ctx is not None and isinstance(value, dict) and isinstance(value.get("code"), str):
        ctx.setdefault("base", {}).setdefault(value["code"], value)
    return value


Indicator = Annotated[
    Annotated[Union[tuple(INDICATORS.values())], Field(discriminator="rule")],  # noqa: UP007 (built at run time)
    BeforeValidator(_note_indicator),
]


class Dimension(_Model):
    code: Code
    name_zh: str = ""
    name_en: str = ""
    weight: Positive
    indicators: list[Indicator]

    @model_validator(mode="wrap")
    @classmethod
    def _indicator_weights_sum(cls, data, handler):
        return _with_sum(data, handler, "dimension", "indicators", "ind_sum")


class Section(_Model):
    """The scheme of one kind of unit: its dimensions, with weights summing to 100."""

    dimensions: list[Dimension]

    @model_validator(mode="wrap")
    @classmethod
    def _dimension_weights_sum(cls, data, handler):
        return _with_sum(data, handler, "section", "dimensions", "dim_sum")


class Kinds(_Model):
    """A section per kind of unit the district has: a kind without units needs none (at least one)."""

    street: Section | None = None
    department: Section | None = None

    @model_validator(mode="after")
    def _at_least_one(self):
        if self.street is None and self.department is None:
            raise PydanticCustomError("no_section", "no_section", {})
        return self

    @field_validator("street", "department", mode="wrap")
    @classmethod
    def _reading(cls, value, handler, info: ValidationInfo):
        ctx = info.context
        if ctx is None:
            return handler(value)
        before, ctx["kind"] = ctx.get("kind"), info.field_name
        try:
            return handler(value)
        finally:
            ctx["kind"] = before


# -- the other sections -------------------------------------------------------------------------
class Missing(_Model):
    policy: Literal["zero", "reweight", "carry"] = "zero"
    carry_months: Annotated[int, Field(ge=1, le=12)] = 3


class AutoRule(_Model):
    """A bonus or deduction the scheme gives by itself when an indicator crosses a value."""

    indicator: Code
    kind: Literal["bonus", "deduction"]
    op: Op
    value: float
    points: Positive
    reason_zh: str = ""
    reason_en: str = ""

    @field_validator("indicator")
    @classmethod
    def _in_catalogue(cls, code: str, info: ValidationInfo) -> str:
        _raise("adjustment", _catalogue_errors(code, info, scored=False))
        return code

    @model_validator(mode="after")
    def _never_rewards_quiet(self, info: ValidationInfo):
        # a count of complaints or disputes found may earn a bonus for finding more, nothing else:
        # a deduction for many, or a bonus for exactly none, would reward quiet
        cat = (info.context or {}).get("catalogue") or {}
        if cat.get(self.indicator, ("",))[0] == "neutral" and (self.kind != "bonus" or self.op == "=="):
            raise PydanticCustomError("neutral_penalty", "neutral_penalty", {"code": self.indicator})
        return self


class Adjustments(_Model):
    bonus_cap: NonNegative = ABSENT  # absent: no cap
    deduction_cap: NonNegative = ABSENT
    rules: list[AutoRule] = []


class Trigger(_Model):
    """A veto (一票否决): the indicator crossing the value caps the unit's grade."""

    indicator: Code
    op: Op
    value: float
    reason_zh: str = ""
    reason_en: str = ""

    @field_validator("indicator")
    @classmethod
    def _in_catalogue(cls, code: str, info: ValidationInfo) -> str:
        errors = _catalogue_errors(code, info, scored=False)
        cat = (info.context or {}).get("catalogue") or {}
        if not errors and cat.get(code, ("",))[0] == "neutral":  # finding and reporting problems is never punished
            errors = [_error("neutral_penalty", (), code, code=code)]
        _raise("veto", errors)
        return code


class Veto(_Model):
    cap_grade: Grade = "fail"
    triggers: list[Trigger] = []


class Band(_Model):
    grade: Grade
    min: Annotated[float, Field(ge=0, le=100)]


class Grades(_Model):
    bands: Annotated[list[Band], Field(min_length=1)]
    quota: dict[Grade, Annotated[float, Field(ge=0, le=1)]] = {}

    @model_validator(mode="after")
    def _bands_fall_to_zero(self):
        mins = [b.min for b in self.bands]
        if mins != sorted(mins, reverse=True) or mins[-1] != 0:
            raise PydanticCustomError("bands_order", "bands_order", {"mins": mins})
        return self


class Lists(_Model):
    red: Annotated[int, Field(ge=0)] = 5
    black: Annotated[int, Field(ge=0)] = 5


class Alerts(_Model):
    bottom_n: Annotated[int, Field(ge=1)] = 3
    consecutive: Annotated[int, Field(ge=1)] = 3
    fall_places: Annotated[int, Field(ge=1)] = 3


class Publicity(_Model):
    """公示: how many days units have to appeal once a month is made known, and where they appeal (text
    shown on the scorecard). Optional: a scheme without it has 5 days and no channel text, and its
    fingerprint (of the file's own content) is unchanged."""

    days: Annotated[int, Field(ge=1, le=60)] = 5
    channel_zh: str = ""
    channel_en: str = ""


class DimensionOverride(_Model):
    weight: Positive = ABSENT


class IndicatorOverride(_Model):
    weight: Positive = ABSENT
    rule: Literal[tuple(sorted(rules.REGISTRY))] = ABSENT
    params: dict[str, Any] = {}
    cap: Positive = ABSENT


def override_params(base: dict, override: dict) -> dict:
    """A group that changes the rule gives its own parameters; otherwise it changes some of them."""
    if "rule" in override:
        return dict(override.get("params") or {})
    return {**(base.get("params") or {}), **(override.get("params") or {})}


def override_param_errors(base: dict, override) -> list[dict]:
    """The errors (pydantic's, loc inside params) of the parameters an override gives an indicator:
    its own with its own rule, else the indicator's changed by it. [] for a valid or unknown rule
    (which has its own error) or no change of parameters."""
    if not isinstance(override, dict) or not ("rule" in override or "params" in override):
        return []
    if not all(isinstance(x.get("params", {}), dict) for x in (base, override)):
        return []  # parameters that are not an object have their own error
    rule = override.get("rule", base.get("rule"))
    params = override_params(base, override)
    if not isinstance(rule, str) or rule not in PARAMS or not isinstance(params, dict):
        return []
    try:
        PARAMS[rule].model_validate(params)
    except ValidationError as exc:
        return exc.errors(include_url=False)
    return []


class Group(_Model):
    """A peer group's overrides of its kind's weights, rules or parameters."""

    note_zh: str = ""
    note_en: str = ""
    dimensions: dict[str, DimensionOverride] = {}
    indicators: dict[str, IndicatorOverride] = {}

    @field_validator("indicators", mode="wrap")
    @classmethod
    def _overrides_known_indicators(cls, value, handler, info: ValidationInfo):
        errors, out = [], None
        try:
            out = handler(value)
        except ValidationError as exc:
            errors = _again(exc)
        ctx = info.context
        if ctx is not None and isinstance(value, dict):
            base = ctx.get("base", {})
            for code, ov in value.items():
                if code not in base:
                    errors.append(_error("group_indicator", (code,), code, code=code))
                    continue
                errors += _again(override_param_errors(base[code], ov), (code, "params"))
        _raise("group", errors)
        return out


class SchemeModel(_Model):
    """A yearly scoring scheme, as its file is written."""

    model_config = ConfigDict(title="Kaohe scoring scheme")

    id: Code
    version: Version
    year: Year = ABSENT
    name_zh: str = ""
    name_en: str = ""
    missing: Missing = Missing()
    adjustments: Adjustments = Adjustments()
    veto: Veto = Veto()
    grades: Grades
    lists: Lists = Lists()
    alerts: Alerts = Alerts()
    publicity: Publicity = Publicity()
    kinds: Kinds  # before groups: the groups' overrides are checked against the indicators noted here
    groups: dict[str, Group] = {}

    @field_validator("year")
    @classmethod
    def _year_of_its_file(cls, year: str, info: ValidationInfo) -> str:
        expected = (info.context or {}).get("year")
        if expected and year != expected:
            raise PydanticCustomError("year_file", "year_file", {"expected": expected})
        return year


def check(data: Any, catalogue: pd.DataFrame | None, year: str | None = None) -> tuple[SchemeModel | None, list[dict]]:
    """(the model, []) for a valid scheme, (None, every error) otherwise; errors as pydantic's
    `errors()` (loc, type, ctx, input), to be put in words by the caller. `year`: the year the
    scheme's file is named for, which its own year must be."""
    ctx = context(catalogue, year)
    if not year and isinstance(data, dict) and isinstance(data.get("year"), str | int):
        ctx["scheme_year"] = str(data["year"])  # for the retired check only
    try:
        return SchemeModel.model_validate(data, context=ctx), []
    except ValidationError as exc:
        return None, exc.errors(include_url=False)


def json_schema() -> dict:
    """The JSON Schema of a scheme file (the shape; the catalogue checks need the catalogue)."""
    return SchemeModel.model_json_schema()


def json_schema_text() -> str:
    """The JSON Schema as docs/scheme.schema.json holds it."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # python -m kaohe.metrics.scheme_model > docs/scheme.schema.json
    print(json_schema_text(), end="")
