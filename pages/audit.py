"""审计日志 Audit log: who did what to the warehouse and when, in words; filter, download."""

import json

import pandas as pd
import streamlit as st

from kaohe.base import clock, i18n
from kaohe.base.i18n import actor_name, sep
from kaohe.data import audit
from kaohe.reports.csvexport import csv_bytes
from kaohe.ui.setup import page, tr

SHOW_AT_MOST = 5000
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


def target_words(target, units: dict[str, str], L: str) -> str:
    """'batch 7' -> 批次 7, 'S01' -> 'S01 东湖街道', 'S01->S13' -> 'S01 → S13', 'month 2026-10' -> '2026-10（月度）'."""
    if _blank(target):
        return ""
    text = str(target)
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
        "target": [target_words(v, units, L) for v in entries["target"]],
        "detail": [detail_words(a, _detail(d), L) for a, d in zip(entries["action"], entries["detail"], strict=True)],
    }).rename(columns={c: i18n.t(f"audit.col.{c}", L) for c in cols})


pg = page("page.audit", needs="nothing", caption_key="audit.intro")
L, wh = pg.lang, pg.wh

any_ = tr("kind.all")
unit_rows = pg.units
unit_names = pg.all_unit_names
f1, f2, f3, f4 = st.columns(4)
actor = f1.selectbox(tr("audit.filter.actor"), [None, *audit.actors(wh)], key="au_actor",
                     format_func=lambda a: any_ if a is None else actor_name(a, L))
action = f2.selectbox(tr("audit.filter.action"), [None, *audit.actions(wh)], key="au_action",
                      format_func=lambda a: any_ if a is None else i18n.t_or(f"audit.action.{a}", a, L))
month = f3.selectbox(tr("audit.filter.month"), [None, *reversed(pg.months)], key="au_month",
                     format_func=lambda m: any_ if m is None else m)
unit = f4.selectbox(tr("audit.filter.unit"), [None, *unit_rows["code"].tolist()], key="au_unit",
                    format_func=lambda c: any_ if c is None else f"{c} {unit_names.get(c, '')}".strip())

entries = audit.entries(wh, actor=actor, action=action, month=month, unit=unit, limit=SHOW_AT_MOST + 1)
if entries.empty:
    st.info(tr("audit.empty"))
    st.stop()
more = len(entries) > SHOW_AT_MOST
entries = entries.head(SHOW_AT_MOST)
table = audit_table(entries, unit_names, L)
st.caption(tr("audit.truncated", n=SHOW_AT_MOST) if more else tr("audit.count", n=len(table)))
# widths that fit the main column at 1280 px; rows tall enough for a long detail to wrap (over 4rem)
widths = {"seq": 48, "logged_at": 150, "actor": 96, "action": 104, "target": 130, "detail": 300}
shown = table.copy()
if L == "zh":  # the grid wraps at spaces: keep "20 个" and "+1 分" together, break the Chinese where it must
    detail_col = tr("audit.col.detail")
    shown[detail_col] = shown[detail_col].str.replace(" ", "\u00a0", regex=False)
st.dataframe(shown, hide_index=True, placeholder="—", key="au_table", width="stretch", row_height=72,
             column_config={tr(f"audit.col.{c}"): st.column_config.TextColumn(width=w) for c, w in widths.items()})
st.download_button(tr("audit.download"), csv_bytes(table), file_name="audit-log.csv", mime="text/csv",
                   key="au_csv_dl", on_click="ignore")
