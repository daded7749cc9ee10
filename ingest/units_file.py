"""A units file (单位名录): read, checked row by row, compared with the register.

`prepare(data, name, wh)` never writes: it gives a Preview (added, changed field by field, unchanged,
and the registered units the file leaves out, which are kept) or raises FileRefused with every problem.
`commit(preview, wh, actor=...)` lands the added and changed units in one transaction, audited.
"""

from __future__ import annotations

import re

from kaohe.base import access
from kaohe.base.i18n import t
from kaohe.data import units as store
from kaohe.data.audit import frozen_months
from kaohe.data.warehouse import Warehouse
from kaohe.ingest import limits
from kaohe.ingest.admin_table import (
    FileRefused,
    Preview,
    Problem,
    choice,
    diff,
    month_text,
    number,
    read_table,
)
from kaohe.ingest.lookup import key

FIELDS: dict[str, list[str]] = {
    "code": ["单位代码", "代码", "单位编码", "编码", "code", "unit code", "unit_code"],
    "name_zh": ["单位名称", "名称", "中文名称", "name", "name_zh", "unit name"],
    "name_en": ["英文名称", "英文名", "name_en", "english name"],
    "kind": ["单位类型", "类型", "类别", "kind", "type", "unit type"],
    "peer_group": ["同类组", "同类组代码", "分组", "peer group", "peer_group", "group"],
    "peer_group_zh": ["同类组名称", "peer_group_zh", "peer group name"],
    "peer_group_en": ["同类组英文名称", "peer_group_en"],
    "population": ["常住人口", "人口", "population"],
    "parent_code": ["上级", "上级单位", "上级代码", "parent", "parent_code", "parent code"],
    "active_from": ["起始月份", "起始月", "开始月份", "active from", "active_from", "from"],
    "active_to": ["终止月份", "终止月", "结束月份", "active to", "active_to", "to"],
}
REQUIRED = ["code", "name_zh", "kind", "peer_group"]
# 乡镇 are assessed as streets are (the warehouse knows streets and departments): a township is kind
# 'street', in a peer group of its own (涉农乡镇 in the sample)
KIND_WORDS = {key(w): k for k, words in {
    "street": ["街道", "街", "乡镇", "镇", "乡", "street", "streets", "township", "town"],
    "department": ["部门", "区直部门", "单位部门", "department", "dept", "departments"],
}.items() for w in words}
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$")
# the words a page or a preview uses for each field (ids shared with other pages where the words are the same)
LABELS = {f: f"units.field.{f}" for f in FIELDS} | {"code": "rk.sort.code", "kind": "kind.label",
                                                   "peer_group": "rk.group"}


def _active(first: str | None, last: str | None, month: str) -> bool:
    return (not first or first <= month) and (not last or month <= last)


def published_change(before: dict | None, first: str | None, last: str | None, published: set[str]) -> str | None:
    """The first published month in which the unit would be active and was not, or the other way round
    (a unit's months of a published month are frozen with its results)."""
    for month in sorted(published):
        was = before is not None and _active(before.get("active_from"), before.get("active_to"), month)
        if was != _active(first, last, month):
            return month
    return None


def check(table, name: str, current: dict[str, dict],
          published: set[str] = frozenset()) -> tuple[list[dict], list[Problem]]:
    """Every row as a register row, and every problem (row number, column as the file names it)."""
    cols = table.columns
    problems: list[Problem] = []
    rows: list[dict] = []
    seen: dict[str, int] = {}
    groups = {r["peer_group"]: r for r in current.values()}
    group_words = {}
    for g, r in groups.items():
        for w in (g, r.get("peer_group_zh"), r.get("peer_group_en")):
            if w:
                group_words.setdefault(key(w), g)

    def bad(row_no, f, k, **params):
        problems.append(Problem(k, row_no, cols.get(f, f), params))

    for row_no, cells in table.rows:
        n_before = len(problems)
        code = cells.get("code")
        out = {f: None for f in store.UNIT_COLUMNS}
        if code is None:
            bad(row_no, "code", "units.err.no_code")
        elif not CODE.match(code):
            bad(row_no, "code", "units.err.bad_code", value=code)
        elif code in seen:
            bad(row_no, "code", "units.err.duplicate", value=code, first=seen[code])
        else:
            seen[code] = row_no
        out["code"] = code
        out["name_zh"] = cells.get("name_zh")
        if out["name_zh"] is None:
            bad(row_no, "name_zh", "units.err.no_name")
        out["name_en"] = cells.get("name_en")
        kind = choice(cells.get("kind"), KIND_WORDS)
        if kind is None:
            bad(row_no, "kind", "units.err.no_kind")
        elif kind is False:
            bad(row_no, "kind", "units.err.kind", value=cells.get("kind"))
        out["kind"] = kind or None
        group = cells.get("peer_group")
        if group is None:
            bad(row_no, "peer_group", "units.err.no_group")
        else:
            code_of = group_words.get(key(group), group)
            out["peer_group"] = code_of
            known = groups.get(code_of, {})
            out["peer_group_zh"] = cells.get("peer_group_zh") or known.get("peer_group_zh") or group
            out["peer_group_en"] = cells.get("peer_group_en") or known.get("peer_group_en")
        pop = number(cells.get("population"))
        if pop is False or (pop is not None and (pop < 0 or not float(pop).is_integer())):
            bad(row_no, "population", "units.err.population", value=cells.get("population"))
        else:
            out["population"] = None if pop is None else int(pop)
        for f in ("active_from", "active_to"):
            m = month_text(cells.get(f))
            if m is False:
                bad(row_no, f, "units.err.month", value=cells.get(f))
            else:
                out[f] = m
        if out["active_from"] and out["active_to"] and out["active_to"] < out["active_from"]:
            bad(row_no, "active_to", "units.err.ends_before", start=out["active_from"], end=out["active_to"])
        elif published and code is not None:
            before = current.get(code)
            first = out["active_from"] if "active_from" in cols or before is None else before.get("active_from")
            last = out["active_to"] if "active_to" in cols or before is None else before.get("active_to")
            hit = published_change(before, first, last, published)  # a new unit with no start: every month
            if hit:
                f = "active_to" if before is not None and last != before.get("active_to") else "active_from"
                bad(row_no, f, "units.err.published", month=hit)
        out["parent_code"] = cells.get("parent_code")
        if len(problems) == n_before:
            rows.append((row_no, out))
        else:
            rows.append((row_no, None))
    # across rows: the parent must be a unit (of the file or the register) and not the unit itself;
    # a peer group holds one kind of unit
    codes = set(current) | set(seen)
    kinds_by_group: dict[str, dict[str, str]] = {}
    for r in current.values():
        kinds_by_group.setdefault(r["peer_group"], {})[r["code"]] = r["kind"]
    for row_no, out in rows:
        if out is None:
            continue
        parent = out["parent_code"]
        if parent is not None and (parent not in codes or parent == out["code"]):
            bad(row_no, "parent_code", "units.err.parent", value=parent)
        kinds_by_group.setdefault(out["peer_group"], {})[out["code"]] = out["kind"]
    mixed = {g for g, m in kinds_by_group.items() if len(set(m.values())) > 1}
    for row_no, out in rows:
        if out is not None and out["peer_group"] in mixed:
            bad(row_no, "peer_group", "units.err.group_kinds", value=out["peer_group"])
    problems.sort(key=lambda p: (p.row or 0))
    return [o for _, o in rows if o is not None], problems


def prepare(data: bytes, name: str, wh: Warehouse, *, max_bytes: int = limits.MAX_UPLOAD_BYTES,
            sheet: str | None = None) -> Preview:
    """Read and check a units file and compare it with the register. Never writes."""
    table = read_table(data, name, FIELDS, REQUIRED, max_bytes=max_bytes, sheet=sheet)
    current = store.unit_rows(wh)
    rows, problems = check(table, name, current, frozen_months(wh))
    if problems:
        raise FileRefused(name, problems)
    present = set(table.columns)
    if "peer_group" in present:
        present |= {"peer_group_zh", "peer_group_en"}
    return diff(name, rows, current, present)


def commit(preview: Preview, wh: Warehouse, *, actor: str) -> int:
    """Land the preview's added and changed units (one transaction, audited). Returns how many."""
    access.require(actor, "units")
    return store.apply_changes(wh, preview.changes, actor=actor, source_name=preview.name)


def lineage_line(link: dict, lang: str | None = None) -> str:
    """One link of data.units.lineage() in words."""
    if link["relation"] == "renamed":
        note = link["note"] or {}
        return t("units.lineage.renamed", lang, month=link["month"], before=(note.get("before") or {}).get("name_zh"),
                 after=(note.get("after") or {}).get("name_zh"))
    return t(f"units.lineage.{link['relation']}", lang, month=link["month"], code=link["code"],
             event=t(f"units.event.{link['event']}", lang))
