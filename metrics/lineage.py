"""History that follows a unit through reorganisation (data.units records it as lineage).

A unit renamed keeps its code: its history is its own. A unit that is the result of a merge or a split
has predecessors: before the change its history is theirs, each predecessor's own line (a merge's
predecessors are never summed: a sum of rates or scores means nothing), a split's parent's line.

`reads(links, code, months)` says, month by month, which code's figures stand for the unit; `follow`
picks those rows out of a frame of figures; `notes` words the changes ("2026-06 前为 A、B 合并前数据").
No Streamlit and no SQL: the links come from data.units.lineage_links.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kaohe.base import i18n
from kaohe.base.i18n import t

EVENTS = ("merge", "split")
READ_COLUMNS = ["month", "code", "own", "event", "since", "via"]
MAX_DEPTH = 32  # a lineage deeper than this is a loop in the records, not a history


@dataclass(frozen=True)
class Change:
    """One reorganisation that made `code` out of `predecessors` from `month` (event 'merge' or 'split')."""

    month: str
    event: str
    code: str
    predecessors: tuple[str, ...]


def _links(links) -> list[dict]:
    rows = links.to_dict("records") if isinstance(links, pd.DataFrame) else list(links)
    return [r for r in rows if r.get("event") in EVENTS and r.get("from_code") and r.get("to_code")
            and r["from_code"] != r["to_code"]]


def changes(links, code: str) -> list[Change]:
    """Every merge or split the unit `code` came out of, followed back through its predecessors' own
    changes; latest first."""
    rows = _links(links)
    out, seen, frontier = [], {code}, [code]
    for _ in range(MAX_DEPTH):
        nxt = []
        for c in frontier:
            by_month: dict[tuple[str, str], list[str]] = {}
            for r in rows:
                if r["to_code"] == c:
                    by_month.setdefault((r["month"], r["event"]), []).append(r["from_code"])
            for (month, event), preds in sorted(by_month.items(), reverse=True):
                out.append(Change(month, event, c, tuple(dict.fromkeys(preds))))
                nxt += [p for p in preds if p not in seen]
                seen.update(preds)
        if not nxt:
            break
        frontier = nxt
    return sorted(out, key=lambda ch: ch.month, reverse=True)


def reads(links, code: str, months: list[str], active_from: dict[str, str | None] | None = None) -> pd.DataFrame:
    """For the unit `code` and the months `months`: which code(s) to read each month.

    Columns: month, code (the code whose figures to read), own (it is `code` itself), event ('merge' or
    'split' for a predecessor, else None), since (the month of the change that ended the predecessor),
    via (the unit the predecessor became). A month before a merge has one row per predecessor; a month
    before a split the parent's row. `active_from` (code -> first month, from the unit register) tells
    whether a merge's target existed before the merge (a merge into one of the merged units): then its
    own figures are read before the change as well."""
    months = sorted(dict.fromkeys(months))
    rows = _links(links)
    active_from = active_from or {}
    out: list[dict] = []

    def cover(c: str, ms: list[str], until: str | None, depth: int, since, event, via, path) -> None:
        if not ms:
            return
        incoming = [r for r in rows if r["to_code"] == c and (until is None or r["month"] < until)
                    and r["month"] > ms[0] and r["from_code"] not in path]
        if depth >= MAX_DEPTH or not incoming:
            out.extend({"month": m, "code": c, "own": c == code, "event": event, "since": since, "via": via}
                       for m in ms)
            return
        change = max(r["month"] for r in incoming)
        at = [r for r in incoming if r["month"] == change]
        after = [m for m in ms if m >= change]
        before = [m for m in ms if m < change]
        out.extend({"month": m, "code": c, "own": c == code, "event": event, "since": since, "via": via}
                   for m in after)
        first = active_from.get(c)
        if any(r["event"] == "merge" for r in at) and (first is None or first < change):
            # a merge into one of the merged units: that unit goes on, its own months before are its own
            cover(c, before, change, depth + 1, since, event, via, path)
        for p in dict.fromkeys(r["from_code"] for r in at):
            ev = next(r["event"] for r in at if r["from_code"] == p)
            cover(p, before, None, depth + 1, change, ev, c, path | {p})

    cover(code, months, None, 0, None, None, None, frozenset({code}))
    frame = pd.DataFrame(out, columns=READ_COLUMNS)
    return frame.sort_values(["month", "own", "code"], ascending=[True, False, True], ignore_index=True)


def follow(frame: pd.DataFrame, code: str, plan: pd.DataFrame, unit_col: str = "unit_code") -> pd.DataFrame:
    """The rows of `frame` (figures by unit and month) that make up `code`'s history per `plan`
    (from `reads`): each row keeps its own unit code and gains `lineage_of` (= `code`), `own`, `event`,
    `since` and `via`. A predecessor's row stands beside, never summed into, the others."""
    if frame.empty or plan.empty:
        return frame.iloc[0:0].assign(lineage_of=None, own=None, event=None, since=None, via=None)
    keys = plan.rename(columns={"code": unit_col})
    out = frame.merge(keys, on=[unit_col, "month"], how="inner")
    return out.assign(lineage_of=code).sort_values(["month", unit_col], ignore_index=True)


def predecessors(frame: pd.DataFrame, codes, links, months: list[str], active_from=None,
                 unit_col: str = "unit_code") -> pd.DataFrame:
    """For each unit of `codes`: its predecessors' rows of `frame` in the months before its change
    (`follow` with own rows left out). Columns of `frame` plus lineage_of, own, event, since, via."""
    parts = []
    for code in codes:
        plan = reads(links, code, months, active_from)
        plan = plan[~plan["own"]]
        if not plan.empty:
            parts.append(follow(frame, code, plan, unit_col))
    if not parts:
        return frame.iloc[0:0].assign(lineage_of=None, own=None, event=None, since=None, via=None)
    return pd.concat(parts, ignore_index=True)


def notes(links, code: str, names: dict[str, str] | None = None, lang: str | None = None) -> list[str]:
    """The unit's changes in words, latest first: "2026-06 前为 A、B 合并前数据" (merge), "2026-06 前为
    P 拆分前数据" (split)."""
    names = names or {}
    out = []
    for ch in changes(links, code):
        who = i18n.sep(lang).join(names.get(p, p) for p in ch.predecessors) if len(ch.predecessors) > 1 \
            else names.get(ch.predecessors[0], ch.predecessors[0])
        out.append(t(f"lin.note.{ch.event}", lang, month=ch.month, who=who, unit=names.get(ch.code, ch.code)))
    return out
