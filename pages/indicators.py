"""指标分析 Indicators: one indicator across units (distribution, funnel plot), completeness, correlations."""

import streamlit as st

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.metrics import analysis as stats
from kaohe.ui import charts, queries
from kaohe.ui.setup import lang, name, page, tr
from kaohe.ui.text import plain

WINDOWS = [1, 3, 12]

pg = page("ind.title", needs="units")
kind, month, units, all_months = pg.kind, pg.month, pg.units, pg.months
unit_names, group_names = pg.unit_names, pg.group_names
inds = queries.indicators()
inds = inds[inds["applies_to"].isin(["both", kind])]
ind_names = {r["code"]: name(r) for _, r in inds.iterrows()}

codes = inds["code"].tolist()
if st.session_state.get("ind_indicator") not in codes:
    st.session_state["ind_indicator"] = codes[0]
# the period control needs room for its three options in English at 1280 px
c1, c2, c3 = st.columns([1.6, 2.1, 1.3])
code = c1.selectbox(tr("report.col.indicator"), codes, key="ind_indicator",
                    format_func=lambda c: f"{ind_names[c]}（{c}）" if lang() == "zh" else f"{ind_names[c]} ({c})",
                    persist_state="session")
if st.session_state.get("ind_window") not in WINDOWS:
    st.session_state["ind_window"] = 1
window = c2.segmented_control(tr("ind.window"), WINDOWS, key="ind_window",
                              format_func=lambda w: tr(f"ind.window.{w}"), persist_state="session") or 1
groups = sorted(group_names)
if st.session_state.get("ind_group") not in ["all", *groups]:
    st.session_state["ind_group"] = "all"
group = c3.selectbox(tr("rk.group"), ["all", *groups], key="ind_group",
                     format_func=lambda g: tr("ind.all_groups") if g == "all" else group_names[g], persist_state="session")

row = inds[inds["code"] == code].iloc[0]
first = max(mo.add(month, -(window - 1)), all_months[0])


def period_text(first_: str, last_: str) -> str:
    """2026-08 至 2026-10, or the month alone when the window is one month (not 2026-10 至 2026-10)."""
    return first_ if first_ == last_ else tr("ind.period", first=first_, last=last_)

direction_text = tr(f"direction.{row['direction']}")
st.caption(period_text(first, month) + " · " + tr(
    "ind.meta", dimension=plain(i18n.pick(row["dimension_zh"], row["dimension_en"], lang())),
    direction=direction_text, unit=plain(charts.measure_unit(row["unit"], lang()) or "—")))
if row["direction"] == "neutral":
    st.info(tr("ind.neutral"))

series = queries.indicator_series(code, None if group == "all" else group, first, month)
series = series[series["unit_code"].isin(units["code"])]
unit_label = charts._unit_label(row["unit"], lang())

tab_dist, tab_funnel, tab_comp, tab_corr = st.tabs(
    [tr("ind.tab.distribution"), tr("ind.tab.funnel"), tr("ind.tab.completeness"), tr("ind.tab.correlation")])

# -- distribution ----------------------------------------------------------------------------------
values = stats.period_values(series, bool(row["ratio"]))

with tab_dist:
    if values.empty:
        st.info(tr("ind.no_data"))
    else:
        picked = [u for u in st.session_state.get("ind_highlight", []) if u in unit_names]
        st.session_state["ind_highlight"] = picked
        highlight = st.multiselect(tr("ind.highlight"), list(unit_names), format_func=unit_names.get,
                                   key="ind_highlight", placeholder=tr("tr.choose"), persist_state="session")
        title = f"{ind_names[code]} · " + period_text(first, month)
        st.plotly_chart(charts.distribution(values, unit_names, group_names, title, unit_label, lang(),
                                            highlight), key="ind_dist_chart")
        if window > 1:
            st.caption(tr("ind.rate_pooled") if bool(row["ratio"]) else tr("ind.monthly_mean"))
        summary = stats.distribution(values)
        summary.insert(0, "group", summary.pop("peer_group").map(group_names))
        summary.columns = [tr("ind.col.group"), tr("ind.col.n"), tr("ind.col.min"), tr("ind.col.p25"),
                           tr("ind.col.median"), tr("ind.col.p75"), tr("ind.col.max")]
        st.subheader(tr("ind.summary"))
        st.dataframe(summary.round(2), hide_index=True, placeholder="—", key="ind_summary_table")

# -- funnel ------------------------------------------------------------------------------------------
with tab_funnel:
    if not bool(row["ratio"]):
        st.info(tr("ind.funnel_only_rates"))
    elif values.empty:
        st.info(tr("ind.no_data"))
    else:
        points, limits = stats.funnel(stats.period_rates(series), row["direction"])
        title = f"{ind_names[code]} · " + period_text(first, month)
        st.plotly_chart(charts.funnel_plot(points, limits, unit_names, group_names, title, lang()),
                        key="ind_funnel_chart")
        st.caption(tr("ind.funnel_note"))
        outside = points[points["band"].isin(["high998", "low998"])].sort_values("z")
        st.subheader(tr("ind.outside"))
        if outside.empty:
            st.caption(tr("ind.none_outside"))
        else:
            table = outside.assign(
                unit=outside["unit_code"].map(unit_names), group=outside["peer_group"].map(group_names),
                judgement=outside["judgement"].map(lambda j: tr(f"chart.band.{j}") if j else "—"))
            table = table[["unit", "group", "value", "numerator", "denominator", "group_rate", "judgement"]]
            table.columns = [tr(f"ind.col.{c}") for c in ("unit", "group", "value", "numerator", "denominator",
                                                           "group_rate", "judgement")]
            st.dataframe(table.round(2), hide_index=True, placeholder="—", key="ind_outside_table")

# -- completeness --------------------------------------------------------------------------------------
with tab_comp:
    c_first = max(mo.add(month, -11), all_months[0])
    obs = queries.period_observations(c_first, month, kind)
    span = [m for m in all_months if c_first <= m <= month]
    # the indicators the district uses: a default one it never took up is expected of nobody
    frame = stats.indicator_completeness(obs, units, inds[inds["code"].isin(queries.indicators_in_use())], span)
    if group != "all":
        frame = frame[frame["unit_code"].isin(units.loc[units["peer_group"] == group, "code"])]
    st.plotly_chart(charts.indicator_completeness_heatmap(frame, unit_names, ind_names, lang()),
                    key="ind_completeness_chart")
    st.caption(tr("ind.completeness_note", first=c_first, last=month))

# -- correlations ----------------------------------------------------------------------------------------
with tab_corr:
    obs_w = queries.period_observations(first, month, kind)
    if group != "all":
        obs_w = obs_w[obs_w["peer_group"] == group]
    corr = stats.correlations(obs_w, codes)
    if corr.empty:
        st.info(tr("ind.corr_empty"))
    else:
        st.plotly_chart(charts.correlation_heatmap(corr, ind_names, lang()), key="ind_corr_chart")
        st.caption(tr("ind.corr_note", period=period_text(first, month)))
