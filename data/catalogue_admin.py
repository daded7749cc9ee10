"""The indicator catalogue a district keeps itself: added and changed indicators from a catalogue file
(each audited with before and after) and retirement from a month. A retired indicator keeps its row
(retired_from = the month) and every observation it has; nothing is deleted.

Retiring does not clear `active`: that flag is not by month, and the scheme check refuses a scheme that
weights an inactive indicator, so clearing it would stop the months before the retirement (its history)
from being scored at all. An indicator is retired for the months from `retired_from` on; reading it that
way month by month (imports, completeness, the scheme check of a year) is the job of the modules that
read the catalogue (see `retired_in`).

The columns of schema 7 (source_system, owner_office, retired_from) are written here; every statement
binds its values, and column names are the literals of CATALOGUE_COLUMNS.
"""

from __future__ import annotations

import pandas as pd

from kaohe.base import access
from kaohe.base import months as mo
from kaohe.data.units import _clean, first_frozen_from
from kaohe.data.warehouse import INDICATOR_COLUMNS, Refusal, Warehouse, _audit, tick

EXTRA_COLUMNS = ["source_system", "owner_office", "retired_from"]
CATALOGUE_COLUMNS = [c for c in INDICATOR_COLUMNS if c not in ("active", *EXTRA_COLUMNS)] + EXTRA_COLUMNS + ["active"]


class CatalogueRefused(Refusal, ValueError):
    """A catalogue change refused before anything was written."""


def catalogue_rows(wh: Warehouse) -> dict[str, dict]:
    """code -> the indicator's row (None for empty fields), retired ones included, in catalogue order."""
    df = wh.query(f"SELECT {', '.join(CATALOGUE_COLUMNS)} FROM indicators ORDER BY rowid")
    out = {}
    for r in df.to_dict("records"):
        row = {k: _clean(v) for k, v in r.items()}
        for col in ("min", "max", "typical_low", "typical_high"):
            row[col] = None if row[col] is None else float(row[col])
        row["ratio"], row["active"] = bool(row["ratio"]), bool(row["active"])
        out[row["code"]] = row
    return out


def frame(wh: Warehouse) -> pd.DataFrame:
    """The whole catalogue as a frame (CATALOGUE_COLUMNS), retired indicators included."""
    return pd.DataFrame(list(catalogue_rows(wh).values()), columns=CATALOGUE_COLUMNS)


def _write(con, row: dict, keep_place: bool) -> None:
    values = [row.get(c) for c in CATALOGUE_COLUMNS]
    if keep_place:  # an UPDATE keeps the indicator's place in the catalogue's order (rowid)
        sets = ", ".join(f"{c} = ?" for c in CATALOGUE_COLUMNS if c != "code")  # literals
        con.execute(f"UPDATE indicators SET {sets} WHERE code = ?",
                    [row.get(c) for c in CATALOGUE_COLUMNS if c != "code"] + [row["code"]])
    else:
        cols, marks = ", ".join(CATALOGUE_COLUMNS), ", ".join("?" for _ in CATALOGUE_COLUMNS)
        con.execute(f"INSERT INTO indicators ({cols}) VALUES ({marks})", values)


def apply_changes(wh: Warehouse, changes: list[dict], *, actor: str, source_name: str | None = None) -> int:
    """Land the added and changed indicators of a checked file in one transaction, each audited
    ('catalogue.add' / 'catalogue.change', with before and after). Nothing to change writes nothing."""
    access.require(actor, "catalogue")
    todo = [c for c in changes if c["action"] in ("add", "change")]
    if not todo:
        return 0
    with wh.transaction() as con:
        tick(con)  # the catalogue a build reads is part of its inputs
        for change in todo:
            _write(con, change["after"], keep_place=change["action"] == "change")
            if change["action"] == "add":
                detail = {"after": change["after"], "source": source_name}
            else:
                fields = [f for f in CATALOGUE_COLUMNS if change["before"].get(f) != change["after"].get(f)]
                detail = {"before": {f: change["before"].get(f) for f in fields},
                          "after": {f: change["after"].get(f) for f in fields}, "source": source_name}
            _audit(con, actor, f"catalogue.{change['action']}", change["code"], None, detail)
    return len(todo)


def retire(wh: Warehouse, code: str, *, month: str, actor: str) -> dict:
    """The indicator is no longer assessed from `month` (retired_from = month). Its row and its
    observations stay (history), audited with before and after."""
    access.require(actor, "catalogue")
    def check(con) -> dict:
        if not mo.is_month(month):
            raise CatalogueRefused("units.err.month", value=month)
        hit = first_frozen_from(con, month)  # retiring from a month changes every later month's indicators
        if hit:
            raise CatalogueRefused("units.month_published", month=hit)
        row = con.execute("SELECT retired_from FROM indicators WHERE code = ?", [code]).fetchone()
        if row is None:
            raise CatalogueRefused("cat.unknown", code=code)
        if row[0]:
            raise CatalogueRefused("cat.already_retired", code=code, month=row[0])
        return {"retired_from": row[0]}

    with wh.connect() as con:  # checked on a reading connection first: a refusal writes nothing at all
        check(con)
    with wh.transaction() as con:
        before = check(con)
        tick(con)
        con.execute("UPDATE indicators SET retired_from = ? WHERE code = ?", [month, code])
        after = {"retired_from": month}
        _audit(con, actor, "catalogue.retire", code, None, {"month": month, "before": before, "after": after})
    return after


def retired_in(catalogue: pd.DataFrame, month: str) -> set[str]:
    """The codes of a catalogue frame (with `retired_from`) that are retired in `month`."""
    if "retired_from" not in catalogue.columns:
        return set()
    rf = catalogue["retired_from"]
    return {str(c) for c, r in zip(catalogue["code"], rf, strict=True) if isinstance(r, str) and r and r <= month}
