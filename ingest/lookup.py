"""Names to codes: header aliases (kept as data in aliases.csv), units and indicators by code or name."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ingest.values import fold

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

    def unit_codes(self, raw: pd.Series) -> pd.Series:
        """Unit code for each raw cell, or the cleaned raw text when unknown (validation says so)."""
        uniq = pd.Series(raw.dropna().unique())
        table = {u: self.unit_keys.get(key(u), fold(u)) for u in uniq}
        return raw.map(table)

    def indicator_codes(self, raw: pd.Series) -> pd.Series:
        uniq = pd.Series(raw.dropna().unique())
        table = {u: self.indicator_keys.get(key(u), fold(u)) for u in uniq}
        return raw.map(table)
