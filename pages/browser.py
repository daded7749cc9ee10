"""数据浏览 Data browser: filter observations by unit, indicator and months; download the selection."""

import streamlit as st

from kaohe.base import i18n
from kaohe.ui import charts, downloads, queries
from kaohe.ui.setup import name, page, tr

SHOW_AT_MOST = 5000

pg = page("br.title")
# the sidebar's unit kind: its units, and the indicators that apply to them
kind, months, units = pg.kind, pg.months, pg.units
inds = queries.indicators()
inds = inds[inds["applies_to"].isin(["both", kind])]
unit_label = pg.unit_names  # shared per version and language (ui.queries.unit_names): never changed here
ind_label = {r["code"]: name(r) for _, r in inds.iterrows()}
unit_names = {c: f"{c} {n}" for c, n in unit_label.items()}
ind_names = {c: f"{c} {n}" for c, n in ind_label.items()}
st.caption(tr("br.kind", kind=tr(f"kind.{kind}")))
# a choice made under the other kind is dropped, not shown as a code
for key, known in (("br_units", unit_names), ("br_indicators", ind_names)):
    if key in st.session_state:
        st.session_state[key] = [c for c in st.session_state[key] if c in known]

c1, c2 = st.columns(2)
picked_units = c1.multiselect(tr("br.units"), list(unit_names), format_func=unit_names.get, key="br_units", persist_state="session",
                              placeholder=tr("kind.all"))
picked_inds = c2.multiselect(tr("br.indicators"), list(ind_names), format_func=ind_names.get, key="br_indicators", persist_state="session",
                             placeholder=tr("kind.all"))
if st.session_state.get("br_from") not in months:
    st.session_state["br_from"] = months[max(0, len(months) - 12)]
if st.session_state.get("br_to") not in months:
    st.session_state["br_to"] = months[-1]
c3, c4, _ = st.columns([1, 1, 2])
first = c3.selectbox(tr("br.from"), months, key="br_from", persist_state="session")
last = c4.selectbox(tr("br.to"), months, key="br_to", persist_state="session")
if first > last:
    first, last = last, first

obs = queries.observations(tuple(picked_units or unit_names), tuple(picked_inds or ind_names), first, last)
COLUMNS = ["unit_code", "unit", "indicator_code", "indicator", "month", "value", "numerator", "denominator",
           "status", "batch_id", "revision"]
HEADERS = [tr(f"br.col.{c}") for c in ("unit_code", "unit", "indicator_code", "indicator", "month", "value",
                                       "numerator", "denominator", "status", "batch", "revision")]


lg = pg.lang  # the download runs after the script: its words in the language of this run


def labelled(rows):
    """The observations as shown: names beside the codes, statuses in words (column-wise: a function per
    cell took seconds a rerun over a year of 5,000 units)."""
    statuses = {s: i18n.t(f"status.{s}", lg) if i18n.has(f"status.{s}") else str(s) for s in rows["status"].unique()}
    out = rows.assign(
        unit=rows["unit_code"].map(unit_label).fillna(rows["unit_code"]),
        indicator=rows["indicator_code"].map(ind_label).fillna(rows["indicator_code"]),
        status=rows["status"].map(statuses),
    )[COLUMNS]
    out.columns = HEADERS
    return out


# only the rows shown are labelled on a rerun; the download labels the whole selection when it is clicked
# (the cached observations are shared and never changed: a year of a province is a million rows)
table = labelled(obs.head(SHOW_AT_MOST))
st.caption(tr("br.rows", n=f"{len(obs):,}"))
if len(obs) > SHOW_AT_MOST:
    st.caption(tr("br.too_many", n=f"{SHOW_AT_MOST:,}"))
# numbers stay numbers (they sort and copy as numbers); a value without numerator and denominator (a
# count, a score) shows the table's placeholder there, not "None"
shown = table.copy()
shown[tr("br.col.batch")] = shown[tr("br.col.batch")].astype("Int64")
# names, not codes, in view (the codes are in the download); pixel widths so every column fits 1280 px
col = {c: tr(f"br.col.{c}") for c in ("unit", "indicator", "month", "value", "numerator", "denominator", "status",
                                       "batch", "revision")}
width = charts.text_width


def fit(column: str, cap: int) -> int:
    cells = [charts.number(v) if isinstance(v, float) else str(v) for v in shown[col[column]].head(300)]
    return min(cap, max([width(col[column])] + [width(v) for v in cells]))


config = {c: st.column_config.NumberColumn(width=fit(k, 84))
          for k, c in col.items() if k in ("value", "numerator", "denominator")}
config.update({col["unit"]: st.column_config.TextColumn(width=fit("unit", 150)),
               col["indicator"]: st.column_config.TextColumn(width=fit("indicator", 180)),
               col["month"]: st.column_config.TextColumn(width=fit("month", 80)),
               col["status"]: st.column_config.TextColumn(width=fit("status", 100)),
               col["batch"]: st.column_config.NumberColumn(width=fit("batch", 70)),
               col["revision"]: st.column_config.NumberColumn(width=fit("revision", 80))})
st.dataframe(shown, hide_index=True, placeholder="—", key="br_table", column_order=list(col.values()), column_config=config)
# deferred: the whole selection is written out when the button is clicked, not on every rerun
st.download_button(tr("br.download"), data=lambda: downloads.csv_bytes(labelled(obs)),
                   file_name=f"kaohe-{first}-{last}.csv", mime="text/csv", key="br_dl", disabled=obs.empty,
                   on_click="ignore")
