"""Names to codes: header aliases (kept as data in aliases.csv), units and indicators by code or name."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from kaohe.ingest.values import fold, map_distinct

ALIASES_CSV = Path(__file__).resolve().parent / "aliases.csv"
FIELDS = ("unit", "month", "indicator", "value", "numerator", "denominator", "status", "ignore")

# "满意率(%)", "受理量（件）", "响应率%": a measurement unit after the name
_SUFFIX = re.compile(r"\s*(\([^()]*\)|\[[^\[\]]*\]|%|‰)\s*$")


def key(text: object) -> str:
    """The comparable form of a header or a name: folded, lower-case, spaces and unit suffix gone."""
    k = fold(text).lower()
    for _ in range(2):
        stripped = _SUFFIX.sub("", k)
        if not stripped:
            break
        k = stripped
    return re.sub(r"[\s_]+", "", k)


SUGGEST_MIN = 0.6  # similarity of a name below which it is no suggestion
SUGGEST_CODE_MIN = 0.75  # codes are short: S99 is not S09
SUGGEST_SPREAD = 0.15  # suggest the best and those nearly as close, at most SUGGEST_MAX
SUGGEST_MAX = 3


def similarity(a: str, b: str) -> float:
    """How alike two keys are, 0..1: a prefix or a part of the other counts high ("东湖街" in "东湖街道"),
    else difflib's ratio."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 2 and long_.startswith(short):
        return 0.75 + 0.2 * len(short) / len(long_)
    if len(short) >= 2 and short in long_:
        return 0.7 + 0.2 * len(short) / len(long_)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _code_key(text: object) -> str:
    """A code compared without the zeros that pad its numbers: S1 and S01 are the same code."""
    return re.sub(r"(?<!\d)0+(?=\d)", "", key(text))


def suggest(text: object, candidates: dict[str, tuple[list[str], list[str]]]) -> list[str]:
    """The codes whose names (or codes) are closest to `text`, best first: candidates maps a code to
    (its names, its codes). Names count a prefix or a part ("东湖街" for 东湖街道); codes are compared
    whole (S1 is S01, S99 is not S09). Empty when nothing is close."""
    k = key(text)
    if not k:
        return []
    ck = _code_key(text)
    scored = []
    for code, (names, codes) in candidates.items():
        best = max([similarity(k, key(n)) for n in names if isinstance(n, str) and n] or [0.0])
        by_code = max([1.0 if ck == _code_key(c) else difflib.SequenceMatcher(None, k, key(c)).ratio()
                       for c in codes if isinstance(c, str) and c] or [0.0])
        best = max(best if best >= SUGGEST_MIN else 0.0, by_code if by_code >= SUGGEST_CODE_MIN else 0.0)
        if best > 0:
            scored.append((-best, code))
    scored.sort()
    if not scored:
        return []
    top = -scored[0][0]
    return [c for s, c in scored if -s >= top - SUGGEST_SPREAD][:SUGGEST_MAX]


def unit_candidates(units: pd.DataFrame) -> dict[str, tuple[list[str], list[str]]]:
    return {r.code: ([r.name_zh, r.name_en], [r.code]) for r in units.itertuples(index=False)}


def indicator_candidates(indicators: pd.DataFrame) -> dict[str, tuple[list[str], list[str]]]:
    out = {r.code: ([r.name_zh, r.name_en], [r.code]) for r in indicators.itertuples(index=False)}
    for fld, alias in _alias_rows():
        if fld.startswith("ind:") and fld[4:] in out:
            out[fld[4:]][0].append(alias)
    return out


@lru_cache(maxsize=1)
def _alias_rows() -> tuple[tuple[str, str], ...]:
    with ALIASES_CSV.open(encoding="utf-8") as fh:
        return tuple((r["field"].strip(), r["alias"].strip()) for r in csv.DictReader(fh))


@dataclass
class Lookup:
    """Everything needed to recognise a file's headers and cells for one warehouse."""

    units: pd.DataFrame
    indicators: pd.DataFrame
    fields: dict[str, str] = field(default_factory=dict)  # header key -> field
    indicator_keys: dict[str, str] = field(default_factory=dict)  # header/name key -> indicator code
    unit_keys: dict[str, str] = field(default_factory=dict)  # code/name key -> unit code

    @classmethod
    def build(cls, units: pd.DataFrame, indicators: pd.DataFrame) -> Lookup:
        lk = cls(units.reset_index(drop=True), indicators.reset_index(drop=True))
        for fld, alias in _alias_rows():
            if fld.startswith("ind:"):
                lk.indicator_keys.setdefault(key(alias), fld[4:])
            else:
                lk.fields[key(alias)] = fld
        for row in indicators.itertuples(index=False):
            for name in (row.code, row.name_zh, row.name_en):
                if isinstance(name, str) and name:
                    lk.indicator_keys[key(name)] = row.code
        for row in units.itertuples(index=False):
            for name in (row.code, row.name_zh, row.name_en):
                if isinstance(name, str) and name:
                    lk.unit_keys[key(name)] = row.code
        return lk

    def header(self, text: object) -> tuple[str, str | None] | None:
        """('unit'|'month'|..., None) for a field, ('ind', code) for an indicator column, else None."""
        k = key(text)
        if not k:
            return None
        if k in self.fields:
            return self.fields[k], None
        if k in self.indicator_keys:
            return "ind", self.indicator_keys[k]
        return None

    def suggest_units(self, text: object) -> list[str]:
        """Registered unit codes whose name or code is close to `text` ("东湖街" -> S01 东湖街道)."""
        return suggest(text, unit_candidates(self.units))

    def suggest_indicators(self, text: object) -> list[str]:
        """Catalogue codes whose name, alias or code is close to `text` (a header or an indicator cell)."""
        return suggest(text, indicator_candidates(self.indicators))

    def unit_codes(self, raw: pd.Series) -> pd.Series:
        """Unit code for each raw cell, or the cleaned raw text when unknown (validation says so)."""
        return map_distinct(raw, lambda u: self.unit_keys.get(key(u), fold(u)))

    def indicator_codes(self, raw: pd.Series) -> pd.Series:
        return map_distinct(raw, lambda u: self.indicator_keys.get(key(u), fold(u)))
