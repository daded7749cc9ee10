"""审计日志 Audit log: who did what to the warehouse and when, in words; filter, download."""

import streamlit as st

from kaohe.base import i18n
from kaohe.base.i18n import actor_name
from kaohe.data import audit
from kaohe.reports.csvexport import csv_bytes
from kaohe.ui.audit_words import audit_table
from kaohe.ui.setup import page, tr

SHOW_AT_MOST = 5000

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
