"""趋势 Trends: total score, a dimension or any indicator over time against the peer median and target."""

import pandas as pd
import streamlit as st

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.data import units as unit_store
from kaohe.metrics import analysis as stats
from kaohe.metrics import lineage
from kaohe.ui import charts, queries, views
from kaohe.ui.setup import figures, lang, name, page, refused, tr
from kaohe.ui.text import plain

SPANS = [12, 24, 36, 60]
MAX_PANELS = 24

pg = page("tr.title", needs="units")
kind, month, units, all_months = pg.kind, pg.month, pg.units, pg.months
unit_names, group_names = pg.unit_names, pg.group_names
group_of = dict(zip(units["code"], units["peer_group"], strict=True))
inds = queries.indicators()
inds = inds[inds["applies_to"].isin(["both", kind])]
ind_rows = {r["code"]: r for _, r in inds.iterrows()}

measures: dict[str, str] = {}
try:  # a district with data but no scheme yet is told so, in words
    table = stats.scheme_table(queries.scheme(month[:4]).data, kind)
except queries.Refused as exc:
    refused(exc)
targets = {r.indicator_code: r.target for r in table.itertuples() if r.target is not None}
measures["total"] = tr("report.total")
for dim in table.drop_duplicates("dimension").itertuples():
    measures[f"dim:{dim.dimension}"] = tr("tr.dimension", name=i18n.pick(dim.dimension_zh, dim.dimension_en,
                                                                            lang()))
for code, r in ind_rows.items():
    measures[f"ind:{code}"] = tr("tr.indicator", name=f"{name(r)}（{code}）" if lang() == "zh" else f"{name(r)} ({code})")

keys = list(measures)
if st.session_state.get("tr_measure") not in keys:
    st.session_state["tr_measure"] = keys[0]
# offer spans the warehouse can fill, and the first one that covers all of it
spans = [n for n in SPANS if n < len(all_months)] + [next((n for n in SPANS if n >= len(all_months)), SPANS[-1])]
if st.session_state.get("tr_span") not in spans:
    st.session_state["tr_span"] = 24 if 24 in spans else spans[-1]
if st.session_state.get("tr_view") not in ("lines", "multiples"):
    st.session_state["tr_view"] = "lines"
choices = list(unit_names)
st.session_state["tr_units"] = [u for u in st.session_state.get("tr_units", choices[:3]) if u in choices]

# the span control needs room for three or four options in English at 1280 px
c1, c2, c3 = st.columns([1.6, 2.3, 1.7])
measure = c1.selectbox(tr("tr.measure"), keys, format_func=measures.get, key="tr_measure", persist_state="session")
span = c2.segmented_control(tr("tr.span"), spans, key="tr_span",
                            format_func=lambda n: tr("tr.span.n", n=n), persist_state="session") or 24
view = c3.segmented_control(tr("tr.view"), ["lines", "multiples"], key="tr_view",
                            format_func=lambda v: tr(f"tr.view.{v}"), persist_state="session") or "lines"
chosen = st.multiselect(tr("tr.units"), choices, format_func=unit_names.get, key="tr_units",
                        placeholder=tr("tr.choose"), persist_state="session")

window = [m for m in all_months if mo.add(month, -(span - 1)) <= m <= month]
# month-on-month and year-on-year need thirteen months even when the chart shows fewer
reach = [m for m in all_months if mo.add(month, -max(span - 1, 12)) <= m <= month]
target = None
neutral = False
scored = None
if measure == "total" or measure.startswith("dim:"):
    # scores: the core refuses a month it cannot score (no data ...); a published month shows its published
    # figures (the months its build scored) unless the current ones are chosen, and says which they are
    try:
        scored = figures(month, "month", lang())
    except queries.Refused as exc:
        refused(exc)
    st.caption(tr("pub.state", label=plain(scored.state.label(lang()))))


def published_months(frame: pd.DataFrame, own) -> pd.DataFrame:
    """`frame` (one row per unit and month) with the months the published build scored (`own()`, its
    history) taken from that build."""
    if scored is None or not scored.published:
        return frame
    own = own()
    if "period" not in own:
        return frame
    own = own.rename(columns={"period": "month"})
    return pd.concat([frame[~frame["month"].isin(set(own["month"]))], own.reindex(columns=frame.columns)],
                     ignore_index=True)


if measure == "total":
    full = published_months(queries.total_history(month, len(reach)), lambda: scored.build.history)
    full = full[full["unit_code"].isin(units["code"])][["unit_code", "peer_group", "month", "total"]]
    full = full.rename(columns={"total": "value"})
    y_title = tr("tr.score_unit")
elif measure.startswith("dim:"):
    # the same one-pass build as the totals: every month's dimension scores without a build per month
    dims = published_months(queries.dimension_history(month, len(reach)), lambda: scored.build.dimension_history)
    full = dims[(dims["dimension"] == measure[4:]) & dims["unit_code"].isin(units["code"])]
    full = full[["unit_code", "peer_group", "month", "score"]].rename(columns={"score": "value"})
    y_title = tr("tr.score_unit")
else:
    code = measure[4:]
    full = queries.indicator_series(code, None, reach[0], month)
    full = full[full["unit_code"].isin(units["code"]) & (full["status"] == "ok")]
    row = ind_rows[code]
    y_title = charts._unit_label(row["unit"], lang())
    target = targets.get(code)
    neutral = row["direction"] == "neutral"
series = full[full["month"].isin(window)]

medians = stats.peer_median(series)
title = measures[measure]
# a unit made by a merge or a split: its predecessors' lines (each its own, never summed) before the change
links = unit_store.lineage_links(pg.wh)
first_months = unit_store.first_months(pg.wh) if not links.empty else {}


def before_change(codes) -> pd.DataFrame | None:
    if links.empty:
        return None
    return lineage.predecessors(series, codes, links, window, first_months)


if view == "lines":
    shown = chosen
    if not chosen:
        st.info(tr("tr.no_units"))
    else:
        fig = charts.trend_lines(series, chosen, unit_names, medians, group_of, group_names, title, y_title,
                                 lang(), target=target, predecessors=before_change(chosen))
        st.plotly_chart(fig, key="tr_chart")
else:
    # with nobody chosen, the first units of the kind; a city's hundreds of panels would be unreadable
    shown = chosen or choices[:MAX_PANELS]
    if not chosen:
        st.caption(tr("tr.multiples_all", n=len(shown)))
    st.plotly_chart(charts.small_multiples(series, shown, unit_names, medians, group_of, y_title, lang(),
                                           target=target, predecessors=before_change(shown)),
                    key="tr_multiples_chart")
if not links.empty:
    colon = "：" if lang() == "zh" else ": "
    for code in shown:
        for note in lineage.notes(links, code, pg.all_unit_names, lang()):
            st.caption(plain(unit_names.get(code, code) + colon + note))
st.caption(tr("tr.note") + (" " + tr("tr.neutral") if neutral else ""))

ch = stats.changes(full, month)
ch = ch[ch["unit_code"].isin(chosen or choices)]
med_now = stats.peer_median(full)
med_now = med_now[med_now["month"] == month].set_index("peer_group")["value"]
ch["median"] = ch["unit_code"].map(group_of).map(med_now)
ch.insert(0, "unit", ch.pop("unit_code").map(unit_names))
ch = ch[["unit", "value", "prev", "mom", "last_year", "yoy", "median"]]
# numbers as text: a month without a value shows —, not None
for col in ("value", "prev", "last_year", "median"):
    ch[col] = [views.cell(v, lang=lang(), fmt=lambda x: f"{x:,.2f}") for v in ch[col]]
for col in ("mom", "yoy"):
    ch[col] = [views.cell(v, lang=lang(), fmt=lambda x: f"{x:+,.2f}") for v in ch[col]]
ch.columns = [tr(f"tr.col.{c}") for c in ("unit", "value", "prev", "mom", "last_year", "yoy", "median")]
st.subheader(tr("tr.changes", month=month))
st.dataframe(ch, hide_index=True, placeholder="—", key="tr_changes_table",
             column_config={tr(f"tr.col.{c}"): st.column_config.TextColumn(alignment="right")
                            for c in ("value", "prev", "mom", "last_year", "yoy", "median")})
