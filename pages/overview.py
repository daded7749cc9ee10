"""总览 Overview: the month's headline (scores, lists, alerts, flagged data, publication), what the
warehouse holds, how complete it is, and one indicator's trend."""

import pandas as pd
import streamlit as st

from kaohe.base import i18n
from kaohe.base import months as mo
from kaohe.metrics import analysis as stats
from kaohe.ui import charts, deltas, queries
from kaohe.ui.setup import figures, lang, name, open_profile, page, refused, tr
from kaohe.ui.text import plain

pg = page("ov.title")
info = queries.info()
kind, month, kind_units = pg.kind, pg.month, pg.units
unit_names, group_names = pg.all_unit_names, pg.group_names
comp_month = queries.completeness(None, month, month)
share = comp_month["reported"].sum() / max(comp_month["expected"].sum(), 1)

# -- the month's headline from the scoring engine ---------------------------------------------------------
st.subheader(tr("ov.headline", month=month, kind=tr(f"kind.{kind}")))
b = None
if not kind_units.empty:
    try:
        # a published month shows its published figures unless the current ones are chosen
        fig = figures(month, "month", lang())
        b, state = fig.build, fig.state
    except queries.Refused as exc:  # e.g. no observations for the month: say so, then show the data
        refused(exc, stop=False)
if b is not None:
    from kaohe.metrics.rank import alert_text, rule_text

    totals = b.totals[b.totals["kind"] == kind]
    # the change on last month as the build shown saw it: its own history holds last month (a build scores
    # the months its rank changes need), so no second build of two months is made for the headline
    own = b.history.rename(columns={"period": "month"})
    hist = own if "month" in own and (own["month"] == mo.add(month, -1)).any() else queries.total_history(month, 2)
    if fig.published:
        # this month's totals are the published ones whatever that history holds
        hist = pd.concat([hist[hist["month"] != month], totals[["unit_code", "total"]].assign(month=month)],
                         ignore_index=True)
    head = stats.headline(totals, hist[hist["unit_code"].isin(totals["unit_code"])], month)
    pub, pub_words = state.short(lang()), state.label(lang())
    st.caption(tr("pub.state", label=plain(pub_words)))  # which figures these are
    note = b.scheme_note(lang())
    if note:
        st.caption(plain(note))
    h1, h2, h3, h4, h5 = st.columns(5)
    deltas.metric(h1, tr("ov.scored"), head["units"], lang=lang())
    # the mean's change on last month: a signed number, so a fall is a red down arrow
    deltas.metric(h2, tr("ov.mean"), f"{head['mean']:.2f}", change=head["change"], measure="score", lang=lang())
    deltas.metric(h3, tr("report.summary.alerts"), head["alerts"], lang=lang())
    deltas.metric(h4, tr("ov.vetoes"), head["vetoes"], lang=lang())
    deltas.metric(h5, tr("ov.publication"), pub, lang=lang(), help=pub_words)

    groups = list(dict.fromkeys(totals["peer_group"]))
    cols = st.columns(len(groups)) if groups else []
    for col, g in zip(cols, groups, strict=True):
        gt = totals[totals["peer_group"] == g].sort_values("rank")
        red, black = stats.lists_shown(gt)
        with col.container(border=True):
            st.markdown(f"**{plain(group_names.get(g, g))}**")
            st.markdown(f":blue-background[{tr('ov.red')}] " + (i18n.sep(lang()).join(
                plain(f"{int(r.rank)}. {unit_names.get(r.unit_code, r.unit_code)}") for r in red.itertuples())
                or tr("ov.list_none")))
            st.markdown(f":orange-background[{tr('ov.black')}] " + (i18n.sep(lang()).join(
                plain(f"{int(r.rank)}. {unit_names.get(r.unit_code, r.unit_code)}") for r in black.itertuples())
                or tr("ov.list_none")))
    if groups:
        lists_cfg = b.scheme.section("lists") if b.scheme else {}
        st.caption(rule_text(lists_cfg, lang()))

    a1, a2 = st.columns([1.3, 1])
    with a1:
        st.markdown(f"**{tr('ov.alert_list')}**")
        alerted = totals[totals["alerts"].map(lambda a: a is not None and len(a) > 0)]
        cfg = b.scheme.section("alerts") if b.scheme else {}
        if alerted.empty:
            st.caption(tr("ov.no_alerts"))
        else:
            st.markdown("\n".join("- " + tr(
                "ov.alert_line", unit=plain(unit_names.get(r.unit_code, r.unit_code)),
                group=plain(group_names.get(r.peer_group, r.peer_group)), rank=int(r.rank), n=int(r.n_in_group),
                text=plain(tr("scoring.scheme.sep").join(alert_text(c, cfg, lang()) for c in r.alerts)))
                for r in alerted.itertuples()))
            o1, o2 = st.columns([2, 1])
            pick = o1.selectbox(tr("ov.open"), alerted["unit_code"].tolist(), format_func=unit_names.get,
                                key="ov_alert_unit", label_visibility="collapsed", persist_state="session")
            if o2.button(tr("ov.open"), key="ov_open_btn"):
                open_profile(pick)
    with a2:
        st.markdown(f"**{tr('ov.flagged')}**")
        from kaohe.base.i18n import t as _t

        def _text(r):
            try:
                return _t(r.check, lang(), **r.params)
            except (KeyError, ValueError, IndexError):
                return r.check

        flags = stats.plausibility_flags(queries.month_batch_reports(month))
        # data that came in without the import's checks (the sample district, a direct load) get them here
        unchecked = queries.unchecked_flags(month)
        unchecked = unchecked[unchecked["unit_code"].isin(kind_units["code"])]
        if flags.empty and unchecked.empty:
            st.caption(tr("ov.no_flagged"))
        if not flags.empty:
            st.caption(tr("ov.flagged_at_import"))
            st.markdown("\n".join("- " + tr("ov.flagged_line", batch=r.batch_id, source=plain(r.source or "—"),
                                                  row=r.row, text=plain(_text(r)))
                                   for r in flags.head(12).itertuples()))
        if not unchecked.empty:
            ind_all = queries.indicators().set_index("code")
            st.caption(tr("ov.unchecked"))
            st.markdown("\n".join("- " + tr(
                "ov.unchecked_line", unit=plain(unit_names.get(r.unit_code, r.unit_code)),
                indicator=plain(name(ind_all.loc[r.indicator_code]) if r.indicator_code in ind_all.index
                                else r.indicator_code),
                value=plain(charts.with_unit(charts.number(r.value), ind_all["unit"].get(r.indicator_code), lang())),
                text=plain(_text(r))) for r in unchecked.head(12).itertuples()))

st.subheader(tr("ov.warehouse"))
c1, c2, c3, c4, c5 = st.columns(5)
deltas.metric(c1, tr("ov.units"), sum(info["units"].values()), lang=lang(),
              help=tr("ov.units_help", s=info["units"].get("street", 0), d=info["units"].get("department", 0)))
deltas.metric(c2, tr("ov.indicators"), info["indicators"], lang=lang(),
              help=tr("ov.indicators_help", n=info["neutral_indicators"]))
deltas.metric(c3, tr("ov.months"), info["months"], lang=lang(), help=f"{info['first_month']} – {info['last_month']}")
deltas.metric(c4, tr("ov.rows"), f"{info['rows_current']:,}", lang=lang())
deltas.metric(c5, tr("ov.completeness", month=month), f"{share:.1%}", lang=lang())

st.subheader(tr("ov.heatmap"))
# the last two years: a projector cannot show five years of months legibly
comp = queries.completeness(kind, mo.add(month, -23), month)
st.plotly_chart(charts.completeness_heatmap(comp, unit_names, lang()), key="ov_heatmap_chart")

st.subheader(tr("ov.trend"))
inds = queries.indicators()
inds = inds[inds["applies_to"].isin(["both", kind])]
ind_names = {r["code"]: f"{name(r)}（{r['code']}）" if lang() == "zh" else f"{name(r)} ({r['code']})"
             for _, r in inds.iterrows()}
left, right = st.columns([1, 2])
codes = list(ind_names)
if st.session_state.get("ov_indicator") not in codes:
    st.session_state["ov_indicator"] = codes[0]
indicator = left.selectbox(tr("report.col.indicator"), codes, format_func=ind_names.get, key="ov_indicator", persist_state="session")
choices = kind_units["code"].tolist()
picked = [c for c in st.session_state.get("ov_units", []) if c in choices] or choices[:3]
st.session_state["ov_units"] = picked
chosen = right.multiselect(tr("tr.units"), choices, format_func=unit_names.get, key="ov_units", persist_state="session")
row = inds[inds["code"] == indicator].iloc[0]
series = queries.indicator_series(indicator)
series = series[series["unit_code"].isin(kind_units["code"])]
fig = charts.trend_with_median(series, chosen, unit_names, group_names, ind_names[indicator],
                               row["unit"], lang())
st.plotly_chart(fig, key="ov_trend_chart")
st.caption(tr("ov.trend_note") + (" " + tr("ov.neutral_note") if row["direction"] == "neutral" else ""))
