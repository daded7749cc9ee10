"""The shipped indicator catalogue and sample district, read from `data/seed/` and checked
before anything uses them (a catalogue is configuration, and configuration is validated)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SEED = Path(__file__).resolve().parent / "seed"
INDICATORS_CSV = SEED / "indicators.csv"
UNITS_CSV = SEED / "units.csv"

DIRECTIONS = {"higher", "lower", "neutral"}
APPLIES = {"street", "department", "both"}
KINDS = {"street", "department"}


class CatalogueError(ValueError):
    pass


def read_indicators(path: Path = INDICATORS_CSV) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"code": str}, keep_default_na=False, na_values=[""])
    df["ratio"] = df["ratio"].astype(str).str.lower().isin(["yes", "true", "1"])
    if "active" not in df.columns:
        df["active"] = True
    check_indicators(df)
    return df


def check_indicators(df: pd.DataFrame) -> None:
    problems = []
    required = ["code", "name_zh", "dimension_zh", "applies_to", "direction", "kind", "ratio"]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise CatalogueError(f"catalogue lacks columns: {missing}")
    if df["code"].duplicated().any():
        problems.append(f"duplicate codes: {sorted(df.loc[df['code'].duplicated(), 'code'])}")
    bad = df.loc[~df["code"].astype(str).str.fullmatch(r"[A-Z][A-Z0-9_]*"), "code"].tolist()
    if bad:
        problems.append(f"codes must be A-Z, 0-9 and _: {bad}")
    for col, allowed in (("direction", DIRECTIONS), ("applies_to", APPLIES)):
        bad = df.loc[~df[col].isin(allowed), "code"].tolist()
        if bad:
            problems.append(f"{col} not in {sorted(allowed)}: {bad}")
    both = df.dropna(subset=["min", "max"])
    bad = both.loc[both["min"] > both["max"], "code"].tolist()
    if bad:
        problems.append(f"min > max: {bad}")
    if problems:
        raise CatalogueError("; ".join(problems))


def read_units(path: Path = UNITS_CSV) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["population"] = pd.to_numeric(df["population"], errors="coerce").astype("Int64")
    for col in ("parent_code", "active_from", "active_to"):
        df[col] = df[col].replace("", None)
    check_units(df)
    return df


def check_units(df: pd.DataFrame) -> None:
    problems = []
    if df["code"].duplicated().any():
        problems.append("duplicate unit codes")
    bad = df.loc[~df["kind"].isin(KINDS), "code"].tolist()
    if bad:
        problems.append(f"kind must be street or department: {bad}")
    mixed = df.groupby("peer_group")["kind"].nunique()
    if (mixed > 1).any():
        problems.append(f"peer groups mixing streets and departments: {mixed[mixed > 1].index.tolist()}")
    if problems:
        raise CatalogueError("; ".join(problems))


def applicable(indicators: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Indicators that apply to a unit kind."""
    return indicators[indicators["applies_to"].isin(["both", kind])]
