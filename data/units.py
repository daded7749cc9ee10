"""The unit register a district keeps itself: changes from a units file (added and changed units, each
audited with what it was before and after), and reorganisations — rename, split, merge — recorded as
lineage (table `unit_lineage`, schema 2) so that history and trends can follow a unit.

Nothing here deletes a unit: a unit that ends gets its last month (`active_to`); its rows stay.
Every statement binds its values; column names are the literals of UNIT_COLUMNS.
"""

from __future__ import annotations

import json

import pandas as pd

from kaohe.base import access
from kaohe.base import months as mo
from kaohe.data.warehouse import UNIT_COLUMNS, Refusal, Warehouse, _audit, published_months, tick

EVENTS = ("rename", "split", "merge")


class UnitRefused(Refusal, ValueError):
    """A reorganisation refused before anything was written (a message id and its parameters)."""


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def unit_rows(wh: Warehouse) -> dict[str, dict]:
    """code -> the unit's row (None for empty fields), every unit, ended ones included."""
    df = wh.query(f"SELECT {', '.join(UNIT_COLUMNS)} FROM units ORDER BY code")
    return {r["code"]: {k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")}


def _insert(con, row: dict) -> None:
    con.execute("DELETE FROM units WHERE code = ?", [row["code"]])
    cols = ", ".join(UNIT_COLUMNS)  # literals, never input
    marks = ", ".join("?" for _ in UNIT_COLUMNS)
    con.execute(f"INSERT INTO units ({cols}) VALUES ({marks})", [row.get(c) for c in UNIT_COLUMNS])


def apply_changes(wh: Warehouse, changes: list[dict], *, actor: str, source_name: str | None = None) -> int:
    """Land the added and changed units of a checked file in one transaction, each audited
    ('units.add' / 'units.change', with before and after). `changes`: dicts with `code`, `action`
    ('add' or 'change'), `before` (None for an added unit) and `after` (the full row). Nothing to
    change writes nothing. Returns the number of units written."""
    access.require(actor, "units")
    todo = [c for c in changes if c["action"] in ("add", "change")]
    if not todo:
        return 0
    with wh.transaction() as con:
        tick(con)  # the units a build reads are part of its inputs
        for change in todo:
            _insert(con, change["after"])
            if change["action"] == "add":
                detail = {"after": change["after"], "source": source_name}
            else:
                fields = [f for f in UNIT_COLUMNS if change["before"].get(f) != change["after"].get(f)]
                detail = {"before": {f: change["before"].get(f) for f in fields},
                          "after": {f: change["after"].get(f) for f in fields}, "source": source_name}
            _audit(con, actor, f"units.{change['action']}", change["code"], None, detail)
    return len(todo)


# -- reorganisations ------------------------------------------------------------------------------------
def _check_month(con, month: str, *, frozen: bool = True) -> None:
    """A month given for a change, and (`frozen`) no published month from it on: a split or a merge from
    `month` changes the units of every month after it, and a published month's units are frozen."""
    if not mo.is_month(month):
        raise UnitRefused("units.err.month", value=month)
    if frozen:
        hit = first_frozen_from(con, month)
        if hit:
            raise UnitRefused("units.month_published", month=hit)


def first_frozen_from(con, month: str) -> str | None:
    """The first published month at or after `month` (None when there is none)."""
    later = sorted(m for m in published_months(con) if m >= month)
    return later[0] if later else None


def _row(con, code: str) -> dict:
    df = con.execute(f"SELECT {', '.join(UNIT_COLUMNS)} FROM units WHERE code = ?", [code]).df()
    if df.empty:
        raise UnitRefused("units.unknown", code=code)
    return {k: _clean(v) for k, v in df.iloc[0].to_dict().items()}


def _active_at(row: dict, month: str) -> bool:
    return (not row.get("active_from") or row["active_from"] <= month) and (
        not row.get("active_to") or month <= row["active_to"])


def _lineage(con, month: str, event: str, from_code: str, to_code: str, note: dict) -> None:
    con.execute("INSERT INTO unit_lineage VALUES (?, ?, ?, ?, ?)",
                [month, event, from_code, to_code, json.dumps(note, ensure_ascii=False, default=str)])


def _run(wh: Warehouse, plan) -> None:
    """`plan(con)` checks (raising a refusal) and returns the writes, as functions of a connection. It runs
    first on a reading connection, so a refusal leaves the file untouched (not even a rolled-back
    transaction), then again inside the write transaction, where its writes land together."""
    with wh.connect() as con:
        plan(con)
    with wh.transaction() as con:
        writes = plan(con)
        tick(con)  # the units a build reads are part of its inputs
        for write in writes:
            write(con)


def rename(wh: Warehouse, code: str, *, name_zh: str, name_en: str | None = None, month: str,
           actor: str) -> dict:
    """A unit keeps its code and takes a new name from `month`; the old name stays in its lineage."""
    access.require(actor, "units")
    name_zh = (name_zh or "").strip()
    result = {}

    def plan(con):
        if not name_zh:
            raise UnitRefused("units.rename_no_name")
        # a rename records a fact (from when the name is in use); it changes no month's units or scores,
        # and published results keep the name they were published with
        _check_month(con, month, frozen=False)
        before = _row(con, code)
        new_en = ((name_en or "").strip() or None) if name_en is not None else before.get("name_en")
        after = dict(before, name_zh=name_zh, name_en=new_en)
        if (after["name_zh"], after["name_en"]) == (before["name_zh"], before["name_en"]):
            raise UnitRefused("units.rename_same", code=code)
        result.update(after)
        old = {"name_zh": before["name_zh"], "name_en": before.get("name_en")}
        new = {"name_zh": after["name_zh"], "name_en": after.get("name_en")}
        return [lambda c: _insert(c, after),
                lambda c: _lineage(c, month, "rename", code, code, {"before": old, "after": new}),
                lambda c: _audit(c, actor, "unit.rename", f"{code}->{code}", None,
                                 {"month": month, "before": old, "after": new})]

    _run(wh, plan)
    return result


def _codes(codes) -> list[str]:
    out = [c.strip() for c in (codes.split(",") if isinstance(codes, str) else codes)]
    return [c for c in dict.fromkeys(out) if c]


def split(wh: Warehouse, code: str, into, *, month: str, actor: str) -> list[str]:
    """`code` ends the month before `month`; the units `into` (registered first, with the same kind)
    carry on from `month`. Lineage: one 'split' row per successor."""
    access.require(actor, "units")
    targets = _codes(into)

    def plan(con):
        if len(targets) < 2 or code in targets:
            raise UnitRefused("units.split_targets", code=code)
        _check_month(con, month)
        source = _row(con, code)
        rows = [_row(con, t) for t in targets]
        return _reorganise("split", [source], rows, [source], month, actor)

    _run(wh, plan)
    return targets


def merge(wh: Warehouse, sources, into: str, *, month: str, actor: str) -> list[str]:
    """The units `sources` end the month before `month` and carry on as `into` (registered first, or
    one of the sources, which then goes on). Lineage: one 'merge' row per predecessor."""
    access.require(actor, "units")
    froms = _codes(sources)

    def plan(con):
        if len(froms) < 2:
            raise UnitRefused("units.merge_sources", code=into)
        _check_month(con, month)
        rows = [_row(con, c) for c in froms]
        target = _row(con, into)
        ending = [r for r in rows if r["code"] != into]
        return _reorganise("merge", rows, [target], ending, month, actor)

    _run(wh, plan)
    return froms


def _reorganise(event: str, olds: list[dict], news: list[dict], ending: list[dict], month: str,
                actor: str) -> list:
    kinds = {r["kind"] for r in olds + news}
    if len(kinds) > 1:
        raise UnitRefused("units.reorg_kinds", codes=", ".join(dict.fromkeys(r["code"] for r in olds + news)))
    for r in olds:
        if not _active_at(r, month):
            raise UnitRefused("units.reorg_not_active", code=r["code"], month=month)
    for r in news:
        if r["active_to"] and r["active_to"] < month:
            raise UnitRefused("units.reorg_not_active", code=r["code"], month=month)
    last = mo.add(month, -1)
    rows, changes = [], []
    going_on = {o["code"] for o in olds}  # a merge into one of the merged units: that unit goes on as it was
    for r in ending:
        rows.append(dict(r, active_to=last))
        changes.append({"code": r["code"], "field": "active_to", "before": r["active_to"], "after": last})
    for r in news:
        if r["code"] not in going_on and (not r["active_from"] or r["active_from"] > month):
            rows.append(dict(r, active_from=month))
            changes.append({"code": r["code"], "field": "active_from", "before": r["active_from"], "after": month})
    writes = [lambda c, r=r: _insert(c, r) for r in rows]
    for o in olds:
        for n in news:
            if o["code"] != n["code"]:
                pair = (o["code"], n["code"])
                writes.append(lambda c, p=pair: _lineage(c, month, event, p[0], p[1], {"changes": changes}))
                writes.append(lambda c, p=pair: _audit(c, actor, f"unit.{event}", f"{p[0]}->{p[1]}", None,
                                                       {"month": month, "changes": changes}))
    return writes


def lineage(wh: Warehouse, code: str) -> list[dict]:
    """Where a unit came from and what it became, followed through every split, merge and rename:
    dicts with month, event, code (the other unit), relation ('predecessor', 'successor' or 'renamed'),
    depth (1 for a direct link) and note (for a rename: the names before and after). Oldest first."""
    df = wh.query("SELECT month, event, from_code, to_code, note FROM unit_lineage ORDER BY month")
    links = df.to_dict("records")
    out: list[dict] = []
    for relation, near, far in (("predecessor", "to_code", "from_code"), ("successor", "from_code", "to_code")):
        seen, frontier, depth = {code}, [code], 1
        while frontier:
            nxt = []
            for link in links:
                if link[near] in frontier and link["event"] != "rename" and link[far] not in seen:
                    seen.add(link[far])
                    nxt.append(link[far])
                    out.append({"month": link["month"], "event": link["event"], "code": link[far],
                                "relation": relation, "depth": depth, "note": None})
            frontier, depth = nxt, depth + 1
    for link in links:
        if link["event"] == "rename" and link["from_code"] == code:
            note = json.loads(link["note"]) if link["note"] else None
            out.append({"month": link["month"], "event": "rename", "code": code, "relation": "renamed",
                        "depth": 0, "note": note})
    return sorted(out, key=lambda r: (r["month"], r["depth"], r["code"]))


def lineage_links(wh: Warehouse) -> pd.DataFrame:
    """The splits and merges on record, oldest first: month (the first month of the new units), event,
    from_code, to_code (one row per predecessor and successor). Renames are left out: a renamed unit keeps
    its code, and its history with it."""
    return wh.query("SELECT month, event, from_code, to_code FROM unit_lineage "
                    "WHERE event IN ('split', 'merge') AND from_code IS NOT NULL AND to_code IS NOT NULL "
                    "ORDER BY month, event, from_code, to_code")


def first_months(wh: Warehouse) -> dict[str, str | None]:
    """code -> the unit's first month (active_from; None when it has no start), every unit."""
    return {code: row.get("active_from") for code, row in unit_rows(wh).items()}
