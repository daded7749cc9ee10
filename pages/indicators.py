"""指标分析 Indicators: one indicator across units (distribution, funnel plot), completeness, correlations."""

import streamlit as st

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.metrics import analysis as stats
from kaohe.ui import charts, queries
from kaohe.ui.setup import lang, name, page, tr
from kaohe.ui.text import plain

i18n.register({
    "ind.title": ("指标分析", "Indicators"),
    "ind.indicator": ("指标", "Indicator"),
    "ind.window": ("统计期", "Period"),
    "ind.window.1": ("当月", "The month"),
    "ind.window.3": ("近3个月", "Last 3 months"),
    "ind.window.12": ("近12个月", "Last 12 months"),
    "ind.group": ("同类组", "Peer group"),
    "ind.all_groups": ("全部同类组", "All peer groups"),
    "ind.tab.distribution": ("分布", "Distribution"),
    "ind.tab.funnel": ("漏斗图", "Funnel plot"),
    "ind.tab.completeness": ("填报完整性", "Completeness"),
    "ind.tab.correlation": ("指标相关性", "Correlations"),
    "ind.period": ("{first} 至 {last}", "{first} to {last}"),
    "ind.meta": ("{dimension} · {direction} · 单位：{unit}", "{dimension} · {direction} · unit: {unit}"),
    "ind.neutral": ("背景指标：只作参考，不参与排名，也不评价好坏。", "Context indicator: for reference only, never ranked or judged."),
    "ind.rate_pooled": ("多个月的比率 = 分子合计 ÷ 分母合计（不是月度比率的平均）。",
                        "A rate over several months is summed numerators over summed denominators, "
                        "not the mean of monthly rates."),
    "ind.monthly_mean": ("多个月的数值取月均值。", "Over several months the monthly mean is shown."),
    "ind.funnel_only_rates": ("漏斗图只适用于有分子、分母的比率指标。请选择比率指标。",
                              "The funnel plot needs a rate with a numerator and denominator; choose a rate."),
    "ind.funnel_note": ("每个点是一个单位：横轴为分母（样本量），纵轴为比率。虚线为95%控制限，实线为99.8%控制限，"
                        "围绕同类组总体率。样本小的单位波动本来就大，落在漏斗内即与同类组无显著差别。",
                        "Each point is a unit: denominator (sample size) across, rate up. Dashed lines are the "
                        "95% limits, solid lines 99.8%, around the peer group's pooled rate. Small units vary "
                        "more by chance; inside the funnel means no significant difference from peers."),
    "ind.outside": ("超出99.8%控制限的单位", "Units outside the 99.8% limits"),
    "ind.none_outside": ("没有单位超出99.8%控制限。", "No unit lies outside the 99.8% limits."),
    "ind.col.unit": ("单位", "Unit"),
    "ind.col.group": ("同类组", "Peer group"),
    "ind.col.value": ("比率（%）", "Rate (%)"),
    "ind.col.numerator": ("分子", "Numerator"),
    "ind.col.denominator": ("分母", "Denominator"),
    "ind.col.group_rate": ("同类组总体率（%）", "Group rate (%)"),
    "ind.col.judgement": ("判断", "Reading"),
    "ind.summary": ("各同类组分布", "Per peer group"),
    "ind.col.n": ("单位数", "Units"),
    "ind.col.min": ("最小", "Min"),
    "ind.col.p25": ("下四分位", "25th pct"),
    "ind.col.median": ("中位数", "Median"),
    "ind.col.p75": ("上四分位", "75th pct"),
    "ind.col.max": ("最大", "Max"),
    "ind.highlight": ("标注单位", "Label units"),
    "ind.completeness_note": ("{first} 至 {last} 各单位各指标的报送率；空白表示该指标不适用于该单位。",
                              "Share of months reported per unit and indicator, {first} to {last}; blank = not applicable."),
    "ind.corr_note": ("{period} 各单位指标值的斯皮尔曼秩相关（蓝为正相关，橙红为负相关）。相关不等于因果；"
                      "高度相关的两个指标同时计分，相当于加重了同一方面的权重。",
                      "Spearman rank correlation across units, {period} (blue positive, vermillion negative). "
                      "Correlation is not causation; two highly correlated scored indicators weigh the same "
                      "aspect twice."),
    "ind.corr_empty": ("可比较的单位太少，无法计算相关性。", "Too few units to compute correlations."),
    "ind.choose": ("选择单位", "Choose units"),
    "ind.no_data": ("所选期间没有该指标的数据。", "No data for this indicator in the chosen period."),
})

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
code = c1.selectbox(tr("ind.indicator"), codes, key="ind_indicator",
                    format_func=lambda c: f"{ind_names[c]}（{c}）" if lang() == "zh" else f"{ind_names[c]} ({c})",
                    persist_state="session")
if st.session_state.get("ind_window") not in WINDOWS:
    st.session_state["ind_window"] = 1
window = c2.segmented_control(tr("ind.window"), WINDOWS, key="ind_window",
                              format_func=lambda w: tr(f"ind.window.{w}"), persist_state="session") or 1
groups = sorted(group_names)
if st.session_state.get("ind_group") not in ["all", *groups]:
    st.session_state["ind_group"] = "all"
group = c3.selectbox(tr("ind.group"), ["all", *groups], key="ind_group",
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
                                   key="ind_highlight", placeholder=tr("ind.choose"), persist_state="session")
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
    frame = stats.indicator_completeness(obs, units, inds, span)
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
