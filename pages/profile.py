"""单位画像 Unit profile: every indicator against the peers, dimensions, strengths and weaknesses,
the full score explanation, adjustments and veto, twelve months of rank, the scorecard PDF."""


import pandas as pd
import streamlit as st

from kaohe.base import access, i18n
from kaohe.data import units as unit_store
from kaohe.metrics import analysis as stats
from kaohe.metrics import commentary as cm
from kaohe.metrics import lineage, service
from kaohe.metrics.adjust import KINDS as ADJ_KINDS
from kaohe.reports import scorecard
from kaohe.ui import auth, charts, deltas, queries, views
from kaohe.ui.setup import figures, lang, name, page, refused, tr
from kaohe.ui.text import plain

PERIODS = views.PERIODS

pg = page("pf.title", needs="any_units")
kind, month, all_months, all_units = pg.kind, pg.month, pg.months, pg.all_units
# a unit handed over from another page (rankings, overview) wins over the last one shown here
if "profile_unit" in st.session_state:
    st.session_state["pf_unit"] = st.session_state.pop("profile_unit")
    st.session_state["pf_period"] = st.session_state.get("rk_period", "month")
# only units of the sidebar's kind: choosing 部门 there lists departments here
codes = all_units.loc[all_units["kind"] == kind, "code"].sort_values().tolist() or all_units["code"].tolist()
unit_names = pg.all_unit_names
if st.session_state.get("pf_unit") not in codes and access.visible_units(auth.current()) is None:
    st.session_state["pf_unit"] = codes[0]
if st.session_state.get("pf_period") not in PERIODS:
    st.session_state["pf_period"] = "month"

who = auth.current()
own = access.visible_units(who)  # None: every unit; a unit's account: its own only
asked = st.query_params.get("unit")  # a link's ?unit=: checked by the core like any other choice
if asked and (own is not None or str(asked) in codes):
    st.session_state["pf_unit"] = str(asked)
c1, c2 = st.columns([2, 2])
if own is None:
    unit = c1.selectbox(tr("report.col.unit"), codes, format_func=lambda c: f"{unit_names[c]}（{c}）" if lang() == "zh" else f"{unit_names[c]} ({c})", key="pf_unit", persist_state="session")
else:  # no selector of other units: the unit's own (a forged pf_unit or ?unit= is refused below)
    unit = str(st.session_state.get("pf_unit") or next(iter(own), ""))
    try:
        access.require_unit(who, unit)
    except access.Forbidden as exc:
        refused(exc)
    c1.text(f"{unit_names.get(unit, unit)}（{unit}）" if lang() == "zh" else f"{unit_names.get(unit, unit)} ({unit})")
period = c2.segmented_control(tr("report.month"), PERIODS, key="pf_period",
                              format_func=lambda p: tr(f"period.{p}"), persist_state="session") or "month"

urow = all_units[all_units["code"] == unit].iloc[0]
group_name = i18n.pick(urow["peer_group_zh"], urow["peer_group_en"], lang())
try:
    # a published period shows its published figures unless the current ones are chosen
    fig = figures(month, period, lang())
except queries.Refused as exc:  # the core refuses a period it cannot score (no data ...): say so in words
    refused(exc)
b, pub = fig.build, fig.state
try:  # the core checks the signed-in person may see this unit (a unit's account: its own only)
    uf = service.unit_figures(b, unit, actor=who, wh=pg.wh)
except access.Forbidden as exc:
    refused(exc)
tot = uf.totals
if tot.empty:
    st.info(tr("pf.not_scored", unit=plain(unit_names[unit]), period=views.period_label(period, month, lang())))
    st.stop()
t = tot.iloc[0]
scheme_name = b.scheme.name(lang()) if b.scheme else b.scheme_id
st.caption(" · ".join([plain(views.period_label(period, month, lang())), plain(group_name),
                       plain(f"{scheme_name} {b.scheme_version}"), plain(pub.label(lang()))]))
note = b.scheme_note(lang())
if note:
    st.caption(plain(note))

# three metrics: the peer group is in the caption above (as a metric its English name was cut off)
m1, m2, m3 = st.columns(3)
deltas.metric(m1, tr("report.total"), f"{t['total']:.2f}", lang=lang())
# rank_change = previous rank - rank: 3 -> 5 is -2, a red down arrow; none when there is no previous rank
deltas.metric(m2, tr("pf.rank"), tr("pf.rank_value", rank=int(t["rank"]), n=int(t["n_in_group"])),
              change=t["rank_change"], measure="places", lang=lang())
deltas.metric(m3, tr("report.col.grade"), t["grade_zh"] if lang() == "zh" else t["grade_en"], lang=lang())
if t["veto"]:
    reason = t.get(f"veto_reason_{lang()}") if isinstance(t.get(f"veto_reason_{lang()}"), str) else None
    st.error(tr("pf.veto", reason=plain(reason or t["veto_reason"] or "")),
             icon=":material/block:")
if t["list"] in ("red", "black"):
    st.caption(tr(f"pf.list.{t['list']}"))
if t["alerts"] is not None and len(t["alerts"]):
    from kaohe.metrics.rank import alert_text

    cfg = b.scheme.section("alerts") if b.scheme else {}
    st.warning(tr("pf.alerts", text=plain(("；" if lang() == "zh" else "; ").join(
        alert_text(a, cfg, lang()) for a in t["alerts"]))))

# -- 点评: the commentary's sentences about this unit (its veto is said above) ---------------------------------
said = [s.text for s in cm.unit(b, unit, lang(), n=3) if s.kind != "veto"]
said += [s.text for s in cm.group(b, urow["peer_group"], lang()) if s.unit_code == unit]
if said:
    st.markdown(f"**{tr('pf.commentary')}**")
    st.markdown("\n".join("- " + plain(text) for text in said))

# -- scorecard --------------------------------------------------------------------------------------------------
wh, lg = pg.wh, pg.lang
st.download_button(tr("pf.scorecard"), key="pf_scorecard_dl", icon=":material/picture_as_pdf:",
                   data=lambda: scorecard.scorecard_pdf(wh, unit, month, period, lg, build=b,
                                                        current=not fig.published, actor=who),
                   file_name=f"kaohe-{unit}-{b.period_label}.pdf".replace(" ", "_"), mime="application/pdf", on_click="ignore")

# -- spine chart and dimensions ---------------------------------------------------------------------------------
ind = b.indicators
inds = queries.indicators()
ind_names = {r["code"]: name(r) for _, r in inds.iterrows()}
mine = uf.indicators
peers = ind[ind["peer_group"] == urow["peer_group"]]
rows = stats.spine(peers[["unit_code", "peer_group", "indicator_code", "value"]], unit, inds)
# the spine chart across the page: in a column its labels took the plot's room and cut its axis title
st.subheader(tr("pf.spine"))
if not rows.empty:
    sig = {r.indicator_code: (r.significance if isinstance(r.significance, str) else None)
           for r in mine.itertuples()}
    st.plotly_chart(charts.spine_chart(rows, ind_names, lang(), sig), key="pf_spine_chart")
st.caption(tr("pf.spine_note"))
left, right = st.columns([1, 1])
with left:
    st.subheader(tr("pf.dimensions"))
    dims = uf.dimensions
    st.plotly_chart(charts.dimension_bars(dims, lang()), key="pf_dims_chart")
with right:
    strong, weak = stats.strengths_weaknesses(mine)
    colon = "：" if lang() == "zh" else ": "

    def shown_value(r) -> str:
        if r.value == r.value and r.value is not None:
            return charts.with_unit(charts.number(r.value), r.unit, lang())
        return tr(f"status.{r.status}") if i18n.has(f"status.{r.status}") else "—"

    st.subheader(tr("pf.strengths"))
    st.markdown("\n".join(
        f"- **{plain(ind_names.get(r.indicator_code, r.indicator_code))}**{colon}{plain(shown_value(r))}"
        + (f" · {tr('pf.full')}" if r.lost < 1e-9 else f" · {tr('pf.lost', lost=r.lost)}")
        + (f" · {tr('chart.sig.better')}" if r.significance == "better" else "")
        for r in strong.itertuples()) or tr("pf.none"))
    st.caption(tr("pf.strengths_note"))
    st.subheader(tr("pf.weaknesses"))
    st.markdown("\n".join(
        f"- **{plain(ind_names.get(r.indicator_code, r.indicator_code))}**{colon}{plain(shown_value(r))}"
        + f" · {tr('pf.lost', lost=r.lost)}"
        + (f" · {tr('chart.sig.worse')}" if r.significance == "worse" else "")
        for r in weak.itertuples()) or tr("pf.none"))

# -- context indicators ----------------------------------------------------------------------------------------
neutral = inds[(inds["direction"] == "neutral") & inds["applies_to"].isin(["both", urow["kind"]])]
if not neutral.empty:
    ctx = queries.observations((unit,), tuple(neutral["code"]), month, month)
    if not ctx.empty:
        zh = lang() == "zh"
        st.caption(tr("pf.context") + ("：" if zh else ": ") + ("；" if zh else "; ").join(
            plain(f"{ind_names.get(r.indicator_code, r.indicator_code)} "
                  + charts.with_unit(f"{r.value:,.0f}", neutral.set_index("code").loc[r.indicator_code, "unit"],
                                     lang()))
            for r in ctx.itertuples() if r.value == r.value))

# -- rank history ------------------------------------------------------------------------------------------------
st.subheader(tr("pf.history"))
# every unit's last twelve months come from one cached build, so switching units costs nothing
hist = queries.total_history(month, 12)
if fig.published and period == "month" and "period" in b.history:  # the months the published build scored are its own figures
    own = b.history.rename(columns={"period": "month"})
    hist = pd.concat([hist[~hist["month"].isin(set(own["month"]))], own.reindex(columns=hist.columns)],
                     ignore_index=True)
# a unit made by a merge or a split: the ranks of the units it came from, before the change (each its own line)
links = unit_store.lineage_links(wh)
before = None
if not links.empty:
    before = lineage.predecessors(hist, [unit], links, sorted(set(hist["month"])), unit_store.first_months(wh))
hist = hist[hist["unit_code"] == unit].sort_values("month")
st.plotly_chart(charts.rank_history(hist, lang(), predecessors=before, unit_names=unit_names, code=unit),
                key="pf_history_chart")
for note in (lineage.notes(links, unit, unit_names, lang()) if not links.empty else []):
    st.caption(plain(note))

# -- explanation -------------------------------------------------------------------------------------------------
st.subheader(tr("pf.explain"))
exp = b.explain(unit, lang()) if fig.published else queries.explain(month, unit, period, lang())
view = views.explain_view(exp, lang())
view.columns = [tr(f"pf.col.{c}") for c in ("item", "value", "rule", "raw_score", "weight", "points", "note")]
# the whole explanation, every dimension down to the total, grade and rank: no scroll box that hides the end
# pixel widths that keep every column in view at 1280 px (a long rule or note is cut with …; the column can
# be widened by dragging); the item column stays in view when the table scrolls sideways
widths = {"item": 170, "value": 62, "rule": 216, "raw_score": 72, "weight": 62, "points": 72, "note": 160}
widths = {c: max(w, charts.text_width(tr(f"pf.col.{c}"))) for c, w in widths.items()}
numeric = ("value", "raw_score", "weight", "points")
st.dataframe(view, hide_index=True, placeholder="—", key="pf_explain_table", height=35 * (len(view) + 1) + 3,
             column_config={tr(f"pf.col.{c}"): st.column_config.TextColumn(
                 width=w, alignment="right" if c in numeric else None, pinned=c == "item")
                 for c, w in widths.items()})

# -- adjustments and veto -----------------------------------------------------------------------------------------
st.subheader(tr("pf.adjustments"))
adj = uf.adjustments
if adj.empty:
    st.caption(tr("pf.no_adjustments"))
else:
    a = views.adjustments_view(adj, lang())
    a.columns = [tr(f"pf.col.{c}") for c in ("month", "kind", "points_adj", "reason", "evidence", "actor")]
    st.dataframe(a, hide_index=True, placeholder="—", key="pf_adjust_table",
                 column_config={tr("pf.col.points_adj"): st.column_config.NumberColumn(format="%.2f")})
if not t["veto"]:
    st.caption(tr("pf.no_veto"))

# -- an adjustment (加减分) by the office: absent for every other role (the core refuses them anyway) ---------
if auth.can("adjust"):
    st.subheader(tr("pf.adjust.title"))
    with st.form("pf_adjust_form"):
        a1, a2 = st.columns(2)
        adj_kind = a1.selectbox(tr("pf.col.kind"), list(ADJ_KINDS), key="pf_adj_kind",
                                format_func=lambda k: tr(f"scoring.adjust.kind.{k}"))
        adj_points = a2.number_input(tr("pf.col.points_adj"), min_value=0.0, step=0.5, key="pf_adj_points")
        adj_reason = st.text_input(tr("pf.col.reason"), key="pf_adj_reason")
        adj_evidence = st.text_input(tr("pf.col.evidence"), key="pf_adj_evidence")
        if st.form_submit_button(tr("adm.submit"), key="pf_adj_btn"):
            try:
                service.add_adjustment(pg.wh, unit, month, adj_kind, adj_points, adj_reason,
                                       adj_evidence.strip() or None, actor=auth.current())
            except i18n.Refusal as exc:
                refused(exc, stop=False)
            else:
                st.success(tr("pf.adjust.done"))
    live = service.list_adjustments(pg.wh, month=month, unit=unit)
    if "revoked_at" in live.columns:
        live = live[live["revoked_at"].isna()]
    if not live.empty and "adj_id" in live.columns:
        with st.form("pf_revoke_form"):
            rid = st.selectbox(tr("pf.adjust.revoke_pick"), live["adj_id"].astype(int).tolist(), key="pf_rev_id")
            why = st.text_input(tr("pf.col.reason"), key="pf_rev_reason")
            if st.form_submit_button(tr("pf.adjust.revoke"), key="pf_rev_btn"):
                try:
                    service.revoke_adjustment(pg.wh, int(rid), actor=auth.current(), reason=why)
                except i18n.Refusal as exc:
                    refused(exc, stop=False)
                else:
                    st.success(tr("pf.adjust.revoked"))
