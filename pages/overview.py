"""总览 Overview: what the warehouse holds, how complete it is, and one indicator's trend."""

import streamlit as st

from kaohe import i18n
from ui import charts, queries
from ui.setup import lang, name, tr

i18n.register({
    "ov.title": ("总览", "Overview"),
    "ov.units": ("考核单位", "Units assessed"),
    "ov.units_help": ("街道/乡镇 {s} 个,部门 {d} 个", "{s} streets and towns, {d} departments"),
    "ov.indicators": ("指标", "Indicators"),
    "ov.indicators_help": ("其中背景指标 {n} 项(只作参考,不排名)", "{n} context-only (never ranked)"),
    "ov.months": ("数据月份", "Months held"),
    "ov.rows": ("当前观测值", "Current observations"),
    "ov.completeness": ("{month} 填报完整率", "Completeness {month}"),
    "ov.heatmap": ("填报完整率(单位 × 月份)", "Completeness (units x months)"),
    "ov.trend": ("指标趋势", "Indicator trend"),
    "ov.indicator": ("指标", "Indicator"),
    "ov.pick_units": ("单位", "Units"),
    "ov.trend_note": ("虚线为同类组中位数。", "Dashed lines are peer-group medians."),
    "ov.neutral_note": ("背景指标:只作参考,不参与排名。", "Context indicator: shown for reference, never ranked."),
})

st.title(tr("ov.title"))
info = queries.info()
if not info["months"]:
    st.info(tr("empty.warehouse"))
    st.stop()

kind = st.session_state.get("kind", "street")
month = st.session_state.get("month") or info["last_month"]
units = queries.units()
comp_month = queries.completeness(None, month, month)
share = comp_month["reported"].sum() / max(comp_month["expected"].sum(), 1)

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(tr("ov.units"), sum(info["units"].values()),
          help=tr("ov.units_help", s=info["units"].get("street", 0), d=info["units"].get("department", 0)))
c2.metric(tr("ov.indicators"), info["indicators"], help=tr("ov.indicators_help", n=info["neutral_indicators"]))
c3.metric(tr("ov.months"), info["months"], help=f"{info['first_month']} – {info['last_month']}")
c4.metric(tr("ov.rows"), f"{info['rows_current']:,}")
c5.metric(tr("ov.completeness", month=month), f"{share:.1%}")

kind_units = units[units["kind"] == kind]
unit_names = {r["code"]: name(r) for _, r in units.iterrows()}
group_names = {r["peer_group"]: i18n.pick(r["peer_group_zh"], r["peer_group_en"], lang())
               for _, r in units.iterrows()}

st.subheader(tr("ov.heatmap"))
comp = queries.completeness(kind)
st.plotly_chart(charts.completeness_heatmap(comp, unit_names, lang()), key="ov_heatmap_chart")

st.subheader(tr("ov.trend"))
inds = queries.indicators()
inds = inds[inds["applies_to"].isin(["both", kind])]
ind_names = {r["code"]: f"{name(r)} ({r['code']})" for _, r in inds.iterrows()}
left, right = st.columns([1, 2])
codes = list(ind_names)
if st.session_state.get("ov_indicator") not in codes:
    st.session_state["ov_indicator"] = codes[0]
indicator = left.selectbox(tr("ov.indicator"), codes, format_func=ind_names.get, key="ov_indicator")
choices = kind_units["code"].tolist()
picked = [c for c in st.session_state.get("ov_units", []) if c in choices] or choices[:3]
st.session_state["ov_units"] = picked
chosen = right.multiselect(tr("ov.pick_units"), choices, format_func=unit_names.get, key="ov_units")
row = inds[inds["code"] == indicator].iloc[0]
series = queries.indicator_series(indicator)
series = series[series["unit_code"].isin(kind_units["code"])]
fig = charts.trend_with_median(series, chosen, unit_names, group_names, ind_names[indicator],
                               row["unit"], lang())
st.plotly_chart(fig, key="ov_trend_chart")
st.caption(tr("ov.trend_note") + (" " + tr("ov.neutral_note") if row["direction"] == "neutral" else ""))
