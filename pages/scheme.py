"""考核方案 Scheme: the scheme in force for the chosen month; its weights tree with each rule's
parameters and a what-if editor that re-ranks side by side with the official results (in memory; a
what-if may be kept as a new draft version); the stored versions (activate, download, diff); a scheme
file's upload with preview then confirm; a new year's scheme copied from the default or an earlier
year. A warehouse with no scheme yet is told so and offered the copy and the upload."""

import json

import streamlit as st

from kaohe.base import clock, i18n
from kaohe.data.warehouse import Refusal
from kaohe.metrics import analysis as stats
from kaohe.metrics import rules as rule_registry
from kaohe.metrics import scheme_admin
from kaohe.metrics.rank import rule_text as rank_rule_text
from kaohe.metrics.scheme import NoSchemeInForce
from kaohe.ui import admin, charts, queries, scheme_views, views
from kaohe.ui.setup import lang, may, name, page, published_state, refusal_text, refused, tr
from kaohe.ui.text import plain

pg = page("sc.title", needs="nothing")
wh, kind, month = pg.wh, pg.kind, pg.month
admin.show_done(scheme_views.DONE)
if not month:  # a scheme can be set up before any data: the what-if waits for a month
    st.info(tr("sc.no_data"), icon=":material/info:")
stored = scheme_admin.versions(wh)
try:
    scheme = queries.scheme(month[:4] if month else None)
except Refusal as exc:  # no active scheme for any year: say so, offer the copy and the upload
    scheme = None
    # none in force: the page's own words (the core's name the shell's commands); another refusal (a stored
    # scheme the catalogue no longer fits ...) in the core's
    if isinstance(exc, NoSchemeInForce):
        st.info(tr("scheme.none" if stored.empty else "sc.none_active"), icon=":material/info:")
    else:
        st.error(plain(refusal_text(exc)), icon=":material/error:")
    st.caption(tr("sc.none_hint"))

if scheme is not None:
    shown_name = plain(scheme.name(lang()) or scheme.id)
    if month:
        st.markdown(tr("sc.in_force", month=month, name=shown_name, year=scheme.year, version=plain(scheme.version)))
    else:
        st.markdown(tr("sc.in_force_latest", name=shown_name, year=scheme.year, version=plain(scheme.version)))
    if month and scheme.year and str(scheme.year) != month[:4]:  # the core's wording, as ScoreBuild.scheme_note says it
        st.caption(plain(i18n.t("scoring.scheme.used_for_other_year", lang(), month=month, year=month[:4],
                                scheme_year=scheme.year)))

# a role without the right "scheme" (a leader) reads the scheme and its versions: no activate, upload, copy
# or draft (the core refuses them anyway: metrics.scheme_admin)
can_edit = may("scheme", lang())
if scheme is not None and can_edit:
    tabs = st.tabs([tr("sc.tab.content"), tr("sc.tab.versions"), tr("sc.tab.upload"), tr("sc.tab.new")])
    tab_versions, tab_upload, tab_new = tabs[1:]
elif scheme is not None:
    tabs = st.tabs([tr("sc.tab.content"), tr("sc.tab.versions")])
    tab_versions, tab_upload, tab_new = tabs[1], None, None
elif can_edit:  # a district's first scheme: the copy and the upload come first
    tab_new, tab_upload, tab_versions = st.tabs([tr("sc.tab.new"), tr("sc.tab.upload"), tr("sc.tab.versions")])
else:
    tab_new = tab_upload = None
    tab_versions = st.container()
new_year = month[:4] if month else str(clock.today().year)
with tab_versions:
    scheme_views.versions_section(wh, stored)
if tab_upload is not None:
    with tab_upload:
        scheme_views.upload_section(wh)
if tab_new is not None:
    with tab_new:
        scheme_views.new_year_section(wh, stored, new_year)
if scheme is None:
    st.stop()

# -- the scheme in force: its contents, then the what-if (drawn last: it stops the page when it cannot go on) --
with tabs[0]:  # st.stop() below ends only what is left of this tab: the others are drawn
    data = scheme.data
    table = stats.scheme_table(data, kind)
    if table.empty:  # a district without units of this kind needs no section for it
        st.info(tr("sc.no_section", kind=tr(f"kind.{kind}")), icon=":material/info:")
        st.stop()
    inds = queries.indicators()
    ind_rows = {r["code"]: r for _, r in inds.iterrows()}
    ind_names = {c: name(r) for c, r in ind_rows.items()}
    dim_names = {r.dimension: i18n.pick(r.dimension_zh, r.dimension_en, lang())
                 for r in table.drop_duplicates("dimension").itertuples()}


    def rule_text(rule: str, params: dict, code: str) -> str:
        row = ind_rows.get(code)
        zh, en = rule_registry.describe(rule, params, unit=(row["unit"] if row is not None else "") or "",
                                        direction=row["direction"] if row is not None else "higher")
        return zh if lang() == "zh" else en


    policy = scheme.missing_policy
    missing = tr(f"sc.missing.{policy}", n=scheme.carry_months) if i18n.has(f"sc.missing.{policy}") else policy
    st.caption(tr("sc.caption", name=plain(scheme.name(lang())), version=plain(scheme.version), missing=missing))

    left, right = st.columns([1.1, 1])
    hover = {r.indicator_code: rule_text(r.rule, r.params, r.indicator_code) for r in table.itertuples()}
    with left:
        st.subheader(tr("sc.tree"))
        st.caption(tr("sc.tree_note"))
        tree = views.weights_tree(table, dim_names, ind_names, hover)
        st.plotly_chart(charts.weights_sunburst(tree, lang()), key="sc_tree_chart")

    with right:
        st.subheader(tr("sc.other"))
        grades = data.get("grades", {})
        band_text = i18n.sep(lang()).join(
            f"{i18n.t('scoring.grade.' + b['grade'], lang()) if i18n.has('scoring.grade.' + b['grade']) else plain(b['grade'])}"
            f" ≥ {b['min']:g}" for b in grades.get("bands", []))
        quota = (grades.get("quota") or {}).get("excellent")
        lines = [tr("sc.bands", bands=band_text, quota=f"{quota:.0%}" if quota else "—")]
        caps = data.get("adjustments", {})
        lines.append(tr("sc.caps", bonus=caps.get("bonus_cap", "—"), deduction=caps.get("deduction_cap", "—")))
        veto = data.get("veto", {})
        cap_grade = veto.get("cap_grade", "fail")
        grade_key = "scoring.grade." + cap_grade
        semi = "；" if lang() == "zh" else "; "
        lines.append(tr("sc.veto", grade=i18n.t(grade_key, lang()) if i18n.has(grade_key) else plain(cap_grade))
                     + semi.join(plain(i18n.pick(v.get("reason_zh"), v.get("reason_en"), lang()))
                                 for v in veto.get("triggers", [])))
        alerts = data.get("alerts", {})
        # the red/black rule in the core's one wording (metrics.rank.rule_text), as on the overview and rankings
        lines.append(rank_rule_text(scheme.section("lists"), lang()))
        lines.append(tr("sc.alerts", run=alerts.get("consecutive", 3), k=alerts.get("bottom_n", 3),
                        fall=alerts.get("fall_places", 3)))
        notes = [i18n.pick(g.get("note_zh"), g.get("note_en"), lang()) for g in (data.get("groups") or {}).values()
                 if g.get("note_zh") or g.get("note_en")]
        if notes:
            lines.append(tr("sc.group_notes") + semi.join(plain(n) for n in notes))
        neutral = [name(r) for c, r in ind_rows.items()
                   if r["direction"] == "neutral" and r["applies_to"] in ("both", kind)]
        lines.append(tr("sc.neutral", names=i18n.sep(lang()).join(plain(n) for n in neutral)))
        st.markdown("\n".join(f"- {x}" for x in lines))

    st.subheader(tr("sc.rules"))
    rules_view = table.assign(
        dim=table["dimension"].map(dim_names), ind=table["indicator_code"].map(ind_names),
        text=[hover[c] for c in table["indicator_code"]])
    rules_view = rules_view[["dim", "ind", "ind_weight", "weight", "text", "cap"]]
    rules_view.columns = [tr(f"sc.col.{c}") for c in ("dimension", "indicator", "ind_weight", "weight", "rule", "cap")]
    # most indicators have no monthly cap: an empty cell, not "None"
    rules_view[tr("sc.col.cap")] = [f"{v:g}" if v == v and v is not None else "" for v in rules_view[tr("sc.col.cap")]]
    st.dataframe(rules_view, hide_index=True, placeholder="—", key="sc_rules_table",
                 column_config={tr("sc.col.weight"): st.column_config.NumberColumn(format="%.2f"),
                                tr("sc.col.cap"): st.column_config.TextColumn(alignment="right"),
                                tr("sc.col.rule"): st.column_config.TextColumn(width="large")})

    # -- what-if ---------------------------------------------------------------------------------------------------
    st.divider()
    st.subheader(tr("sc.whatif"))
    st.caption(tr("sc.whatif_note"))
    pending: dict = st.session_state.setdefault("sc_pending", {})

    if st.button(tr("sc.reset"), key="sc_reset_btn", icon=":material/restart_alt:"):
        st.session_state["sc_pending"] = pending = {}
        for d in dim_names:
            st.session_state.pop(f"sc_dw_{d}", None)

    st.markdown(f"**{tr('sc.dim_weights')}**")
    dim_table = table.drop_duplicates("dimension")
    cols = st.columns(len(dim_table))
    edited_dims = {}
    for col, r in zip(cols, dim_table.itertuples(), strict=True):
        key = f"sc_dw_{r.dimension}"
        st.session_state.setdefault(key, float(r.dim_weight))
        edited_dims[r.dimension] = col.number_input(plain(dim_names[r.dimension]), min_value=0.0, max_value=100.0, step=5.0,
                                                    key=key, persist_state="session")

    st.markdown(f"**{tr('sc.ind_edit')}**")
    codes = table["indicator_code"].tolist()
    if st.session_state.get("sc_ind") not in codes:
        st.session_state["sc_ind"] = codes[0]
    e1, e2, e3 = st.columns([2, 1, 1.4])
    code = e1.selectbox(tr("report.col.indicator"), codes, format_func=lambda c: f"{ind_names.get(c, c)}（{c}）" if lang() == "zh"
                        else f"{ind_names.get(c, c)} ({c})", key="sc_ind", persist_state="session")
    row = table.set_index("indicator_code").loc[code]
    current = pending.get(code, {})
    # the editing widgets follow the chosen indicator: reset them when it changes
    if st.session_state.get("_sc_for") != code:
        st.session_state["_sc_for"] = code
        st.session_state["sc_iw"] = float(current.get("weight", row["ind_weight"]))
        st.session_state["sc_rule"] = current.get("rule", row["rule"])
        for p, v in (current.get("params", row["params"]) or {}).items():
            st.session_state[f"sc_p_{p}"] = float(v)
    weight = e2.number_input(tr("sc.ind_weight"), min_value=0.0, max_value=100.0, step=1.0, key="sc_iw", persist_state="session")
    rule = e3.selectbox(tr("report.col.rule"), rule_registry.names(), key="sc_rule", persist_state="session",
                        format_func=lambda r: tr(f"sc.rule.{r}") if i18n.has(f"sc.rule.{r}") else r)
    spec = rule_registry.get(rule)
    params = {}
    if spec.defaults:
        pcols = st.columns(len(spec.defaults))
        base_params = current.get("params", row["params"]) or {}
        for pc, (p, default) in zip(pcols, spec.defaults.items(), strict=True):
            st.session_state.setdefault(f"sc_p_{p}", float(base_params.get(p, default if default is not None else 0.0)))
            label = tr(f"sc.param.{p}") if i18n.has(f"sc.param.{p}") else p
            params[p] = pc.number_input(label, key=f"sc_p_{p}", step=1.0, persist_state="session")
    if st.button(tr("sc.add"), key="sc_add_btn", icon=":material/add:"):
        pending[code] = {"weight": weight, "rule": rule, "params": params}
        st.session_state["sc_pending"] = pending

    changes = stats.whatif_changes(table, edited_dims, pending)
    if changes.get("indicator_weights") or changes.get("rules"):
        items = sorted(set(changes.get("indicator_weights", {})) | set(changes.get("rules", {})))
        st.caption(tr("sc.pending", items=i18n.sep(lang()).join(plain(ind_names.get(c, c)) for c in items)))

    if not changes:
        st.info(tr("sc.no_changes"))
        st.stop()
    scheme_views.save_whatif(wh, scheme, changes)  # keep it as a draft version, with its diff against the active one
    if not month:
        st.stop()  # no month to re-rank: said at the top (sc.no_data)
    try:  # the official figures first: a month the core cannot score (no data ...) is said as such
        queries.build(month, "month", lang())
    except queries.Refused as exc:
        refused(exc)
    try:
        compare = queries.what_if(month, json.dumps(changes, sort_keys=True))
    except queries.Refused as exc:  # the core validates the changed scheme (SchemeError) and says what is wrong
        st.error(tr("sc.invalid", error=plain(refusal_text(exc))))
        st.stop()

    units = pg.units
    unit_names, group_names = pg.unit_names, pg.group_names
    groups = list(dict.fromkeys(units["peer_group"]))
    if st.session_state.get("sc_group") not in groups:
        st.session_state["sc_group"] = groups[0]
    group = st.selectbox(tr("rk.group"), groups, format_func=group_names.get, key="sc_group", persist_state="session")
    published_state(month, "month")  # the official column holds the live figures: say if they differ
    cmp = compare[compare["peer_group"] == group].sort_values("rank_official")
    moved = int((cmp["rank_delta"] != 0).sum())
    st.markdown(f"**{tr('sc.compare', group=plain(group_names[group]))}** · {tr('sc.moved', n=moved)}")
    c1, c2 = st.columns([1, 1.15])
    c1.plotly_chart(charts.whatif_slope(cmp, unit_names, lang()), key="sc_whatif_chart")
    view = cmp.assign(unit=cmp["unit_code"].map(unit_names), change=[views.arrow(c, lang()) for c in cmp["rank_delta"]])
    # the rank change first, so it is in view beside the chart
    view = view[["unit", "change", "rank_official", "rank_whatif", "total_official", "total_whatif", "total_delta"]]
    view.columns = [tr(f"sc.col.{c}") for c in ("unit", "rank_delta", "rank_official", "rank_whatif",
                                                 "total_official", "total_whatif", "total_delta")]
    c2.dataframe(view, hide_index=True, key="sc_whatif_table",
                 column_config={tr("sc.col.total_official"): st.column_config.NumberColumn(format="%.2f"),
                                tr("sc.col.total_whatif"): st.column_config.NumberColumn(format="%.2f"),
                                tr("sc.col.total_delta"): st.column_config.NumberColumn(format="%+.2f")})
