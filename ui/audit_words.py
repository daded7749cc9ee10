"""The audit log in the reader's words: targets, details, and what a change was before and after.

Kept beside the pages (no Streamlit here), so the audit page only lays out what these say."""

from __future__ import annotations

import json

import pandas as pd

from kaohe.base import clock, i18n
from kaohe.base.i18n import actor_name, sep
from kaohe.ingest import admin_table, catalogue_file, units_file

# the order in which a detail's parts are told; others follow as stored
ORDER = ["source", "month", "months_one", "months_many", "rows", "revised", "entries", "keys", "points", "adj_id",
         "revision", "units", "scheme", "reason", "evidence", "correction_reason", "warnings_accepted"]


def _detail(text) -> dict:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {"": text}
    return value if isinstance(value, dict) else ({} if value is None else {"": value})


def _blank(v) -> bool:
    return v is None or v == "" or v == [] or (isinstance(v, float) and pd.isna(v))


def target_words(target, units: dict[str, str], L: str, action: str = "") -> str:
    """'batch 7' -> 批次 7, 'S01' -> 'S01 东湖街道', 'S01->S13' -> 'S01 → S13', 'month 2026-10' -> '2026-10（月度）'."""
    if _blank(target):
        return ""
    text = str(target)
    if action.startswith("scheme.") and ":" in text:  # '2026:2026.1' -> 考核方案 2026 年 2026.1 版
        year, _, version = text.partition(":")
        return i18n.t("audit.target.scheme", L, year=year, version=version)
    head, _, tail = text.partition(" ")
    if head == "batch" and tail.isdigit():
        return i18n.t("audit.target.batch", L, id=tail)
    if text in ("units", "indicators"):
        return i18n.t(f"audit.target.{text}", L)
    if i18n.has(f"audit.period.{head}") and tail:
        return i18n.t("audit.target.period", L, month=tail, period=i18n.t(f"audit.period.{head}", L))
    if "->" in text:
        return " → ".join(f"{c} {units[c]}" if c in units else c for c in text.split("->") if c and c != "None")
    return f"{text} {units[text]}" if text in units else text


def detail_words(action: str, detail: dict, L: str) -> str:
    """The stored detail as a short sentence in the reader's language."""
    d = dict(detail)
    parts = []
    if action == "batch.sample" or (action.startswith("batch.") and "sample" in str(d.get("source") or "")):
        source = str(d.pop("source", "") or "")
        seed = d.pop("seed", None) or "".join(ch for ch in source.rpartition("seed")[2] if ch.isdigit()) or None
        if seed:  # a newer core keeps the seed with the batch, not here: the action already says "sample"
            parts.append(i18n.t("audit.d.sample", L, seed=seed))
    months = d.pop("months", None)
    if isinstance(months, list) and months:
        ms = sorted(str(m) for m in months)
        d["months_one" if len(ms) == 1 else "months_many"] = ms[0] if len(ms) == 1 else ms
    if d.get("warnings_accepted") is False:
        d.pop("warnings_accepted")
    if action in ("catalogue.upsert", "units.upsert"):
        d["entries"] = d.pop("rows", None)
    if "points" in d and not _blank(d["points"]):
        d["points"] = f"{float(d['points']):+g}"
    if action.startswith("adjustment.") and action != "adjustment.revoke":
        d.pop("adj_id", None)
    if "revised" in d and not d["revised"]:
        d.pop("revised")
    d.pop("published", None)  # the correction reason says it; the month is in its own column
    if isinstance(d.get("before"), dict) or isinstance(d.get("after"), dict):  # a register row, field by field
        parts += change_words(action, d.pop("before", None), d.pop("after", None), L)
    first = [k for k in ORDER if k in d]
    for key in first + [k for k in d if k not in ORDER]:
        value = d[key]
        if _blank(value):
            continue
        if key == "months_many":
            parts.append(i18n.t("audit.d.months_many", L, first=value[0], last=value[-1], n=len(value)))
        elif key == "warnings_accepted":
            parts.append(i18n.t("audit.d.warnings_accepted", L))
        elif i18n.has(f"audit.d.{key}"):
            parts.append(i18n.t(f"audit.d.{key}", L, v=value))
        else:
            shown = sep(L).join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(i18n.t("audit.d.other", L, k=key, v=shown) if key else shown)
    return ("；" if L == "zh" else "; ").join(parts)


def audit_table(entries: pd.DataFrame, units: dict[str, str], L: str) -> pd.DataFrame:
    cols = ["seq", "logged_at", "actor", "action", "target", "detail"]
    return pd.DataFrame({
        "seq": entries["seq"].astype(int).to_numpy(),
        "logged_at": [clock.local_text(v, seconds=True) for v in entries["logged_at"]],
        "actor": [actor_name(v, L) for v in entries["actor"]],
        "action": [i18n.t_or(f"audit.action.{a}", a, L) for a in entries["action"]],
        "target": [target_words(v, units, L, a) for v, a in zip(entries["target"], entries["action"], strict=True)],
        "detail": [detail_words(a, _detail(d), L) for a, d in zip(entries["action"], entries["detail"], strict=True)],
    }).rename(columns={c: i18n.t(f"audit.col.{c}", L) for c in cols})




def _labels(action: str, L: str) -> dict[str, str]:
    keys = catalogue_file.LABELS if action.startswith("catalogue.") else units_file.LABELS
    return admin_table.labels(keys, L)


def _value(field: str, value, L: str) -> str:
    if field == "kind" and i18n.has(f"kind.{value}"):
        return i18n.t(f"kind.{value}", L)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return admin_table.shown(value, L)


def change_words(action: str, before, after, L: str) -> list[str]:
    """'名称：东湖街道 → 东湖新街道' for each field a change touched; each field of what was added;
    each field of what was removed. Field names and values in the reader's words."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    if not before and not after:
        return []
    labels = _labels(action, L)
    if before and after:
        keys = list(dict.fromkeys([*before, *after]))
        return [i18n.t("audit.d.changed", L, field=labels.get(k, k), before=_value(k, before.get(k), L),
                       after=_value(k, after.get(k), L)) for k in keys if before.get(k) != after.get(k)]
    one = after or before
    return [i18n.t("audit.d.field", L, field=labels.get(k, k), v=_value(k, v, L))
            for k, v in one.items() if not _blank(v)]
