"""排名 Rankings: per peer group score, rank, change, grade, dimensions, veto and adjustments,
rank intervals from the robustness run, exports; one click to a unit's profile."""

import streamlit as st

from kaohe.base import i18n
from kaohe.metrics.rank import alert_text, rule_text
from kaohe.reports import batch, bulletin, excel, summary
from kaohe.ui import auth, charts, queries, views
from kaohe.ui.setup import Figures, figures, lang, open_profile, page, refused, tr
from kaohe.ui.text import plain

PERIODS = views.PERIODS
REPLICATES = 1000

pg = page("rk.title", needs="units")
kind, month, units = pg.kind, pg.month, pg.units
unit_names, group_names = pg.unit_names, pg.group_names
groups = list(dict.fromkeys(units["peer_group"]))

if st.session_state.get("rk_period") not in PERIODS:
    st.session_state["rk_period"] = "month"
if st.session_state.get("rk_group") not in groups:
    st.session_state["rk_group"] = groups[0]
if st.session_state.get("rk_sort") not in ("rank", "change", "code"):
    st.session_state["rk_sort"] = "rank"

c1, c2, c3 = st.columns([2, 1.6, 1])
period = c1.segmented_control(tr("rk.period"), PERIODS, key="rk_period",
                              format_func=lambda p: tr(f"period.{p}"), persist_state="session") or "month"
group = c2.selectbox(tr("rk.group"), groups, format_func=group_names.get, key="rk_group", persist_state="session")
sort = c3.selectbox(tr("rk.sort"), ["rank", "change", "code"], format_func=lambda s: tr(f"rk.sort.{s}"),
                    key="rk_sort", persist_state="session")

everyone = auth.can("browse")  # a unit's account sees published rankings only, and opens no other profile
try:
    if everyone:
        # a published period shows its published figures unless the current ones are chosen
        fig = figures(month, period, lang())
    else:
        state = queries.published_state(month, period)
        if not state.published:
            st.info(tr("rk.unpublished_only"), icon=":material/info:")
            st.stop()
        fig = Figures(queries.published_figures(month, period, lang()), state.showing_published(), True)
except queries.Refused as exc:  # the core refuses a period it cannot score (no data ...): say so in words
    refused(exc)
b, pub = fig.build, fig.state
scheme_name = b.scheme.name(lang()) if b.scheme else b.scheme_id
st.caption(tr("rk.caption", scheme=plain(scheme_name), version=plain(b.scheme_version),
              period=plain(views.period_label(period, month, lang())), status=plain(pub.label(lang()))))
note = b.scheme_note(lang())
if note:
    st.caption(plain(note))

totals = b.totals[(b.totals["kind"] == kind) & (b.totals["peer_group"] == group)]
dims = b.dimensions[b.dimensions["unit_code"].isin(totals["unit_code"])]
# rank intervals are of the current figures: beside published figures that differ from them they would mislead
robust_fits = period == "month" and not (fig.published and pub.differs)
robust = queries.robustness_cached(month, REPLICATES) if robust_fits else None
table = views.ranking_table(totals, dims, robust, lang())

grades = list(dict.fromkeys(table["grade"]))
grade_names = dict(zip(table["grade"], table["grade_zh" if lang() == "zh" else "grade_en"], strict=False))
st.session_state["rk_grades"] = [g for g in st.session_state.get("rk_grades", []) if g in grades]
f1, f2 = st.columns([1.4, 1])
picked_grades = f1.multiselect(tr("rk.grades"), grades, format_func=grade_names.get, key="rk_grades",
                               placeholder=tr("kind.all"), persist_state="session")
search = f2.text_input(tr("rk.search"), key="rk_search", persist_state="session")
if picked_grades:
    table = table[table["grade"].isin(picked_grades)]
if search:
    hit = table["unit_code"].str.contains(search, case=False, regex=False) | table["unit_code"].map(
        unit_names).str.contains(search, case=False, regex=False)
    table = table[hit]
if sort == "change":
    table = table.sort_values(["rank_change", "rank"], ascending=[False, True], na_position="last")
elif sort == "code":
    table = table.sort_values("unit_code")
table = table.reset_index(drop=True)

dim_cols = [c for c in table.columns if c.startswith("dim_")]
dim_full = {f"dim_{r.dimension}": i18n.pick(r.name_zh, r.name_en, lang())
            for r in dims.drop_duplicates("dimension").itertuples()}
# the dimension scores sit in a table of their own below the ranking: with them in one table the last
# dimensions fell off the screen at 1280 px. Short headers there, the full name in the column's tooltip.
dim_names = charts.short_labels(dim_full, lang())
alerts_cfg = b.scheme.section("alerts") if b.scheme else {}
zh = lang() == "zh"


def marks(table) -> list[str]:
    """Red/black list, veto and alert marks of each row, in words (column-wise: a row-wise apply took
    0.1 s a rerun at 5,000 units)."""
    words = {k: tr(f"rk.mark.{k}") for k in ("red", "black", "veto", "alert")}
    joiner = "、" if zh else ", "
    has_alert = [a is not None and len(a) > 0 for a in table["alerts"]]
    return [joiner.join(w for w in ((words[lst] if lst in ("red", "black") else None),
                                    (words["veto"] if veto else None),
                                    (words["alert"] if alert and not veto else None)) if w)
            for lst, veto, alert in zip(table["list"], table["veto"], has_alert, strict=True)]


shown = table.assign(
    unit=table["unit_code"].map(unit_names),
    grade_text=table["grade_zh" if zh else "grade_en"],
    marks=marks(table),
)
columns = ["rank", "change", "unit", "total", "grade_text", "marks"]
# the adjustments column only when some unit of the group has one
if table["net_adjustment"].abs().gt(1e-9).any():
    columns.append("net_adjustment")
labels = {"rank": tr("rk.col.rank"), "change": tr("rk.col.change"), "unit": tr("rk.col.unit"),
          "total": tr("rk.col.total"), "grade_text": tr("rk.col.grade"), "net_adjustment": tr("rk.col.adjust"),
          "marks": tr("rk.col.marks"), **dim_names}
if robust is not None and "rank_p05" in shown:
    shown["interval"] = [f"{int(lo)}–{int(hi)}" if lo == lo else ""
                         for lo, hi in zip(shown["rank_p05"], shown["rank_p95"], strict=True)]
    columns.insert(2, "interval")
    labels["interval"] = tr("rk.col.interval")
view = shown[columns].rename(columns=labels)
dim_view = shown[["rank", "unit", *dim_cols]].rename(columns=labels)
width = charts.text_width
config = {
    labels["rank"]: st.column_config.NumberColumn(width=max(44, width(labels["rank"]))),
    labels["change"]: st.column_config.TextColumn(width=max(44, width(labels["change"]))),
    labels["unit"]: st.column_config.TextColumn(width=min(260, max(width(labels["unit"]),
                                                                  *map(width, shown["unit"].fillna("").unique())))),
    labels["total"]: st.column_config.NumberColumn(format="%.2f", width=max(56, width(labels["total"]))),
    labels["grade_text"]: st.column_config.TextColumn(width=max(width(labels["grade_text"]),
                                                                *map(width, shown["grade_text"].fillna("").unique()))),
    labels["marks"]: st.column_config.TextColumn(help=tr("rk.col.marks_help"),
                                                 width=max(width(labels["marks"]), *map(width, set(shown["marks"])))),
    labels["net_adjustment"]: st.column_config.NumberColumn(format="%+.2f", help=tr("rk.col.adjust_help"),
                                                            width=max(56, width(labels["net_adjustment"]))),
}
# numbers, not progress bars: seven bars and a department's long name do not fit 1280 px
dim_config = {
    labels["rank"]: config[labels["rank"]],
    labels["unit"]: st.column_config.TextColumn(width=min(176, max(width(labels["unit"]),
                                                                  *map(width, shown["unit"].fillna("").unique())))),
    **{labels[c]: st.column_config.NumberColumn(format="%.1f", help=dim_full[c], width=max(58, width(labels[c])))
       for c in dim_cols},
}
if "interval" in labels:
    config[labels["interval"]] = st.column_config.TextColumn(width=width(labels["interval"]))
if table.empty:
    st.info(tr("rk.no_units"))
else:
    if everyone:
        event = st.dataframe(view, hide_index=True, placeholder="—", key="rk_table", on_select="rerun", selection_mode="single-row",
                             column_config=config, height=min(35 * (len(view) + 1) + 3, 720))
        st.caption(tr("rk.select_hint"))
        rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
        if rows:
            # forget the ticked row, or coming back to the rankings would jump to the profile again
            st.session_state.pop("rk_table", None)
            open_profile(table.iloc[rows[0]]["unit_code"])

        o1, o2 = st.columns([2, 1])
        codes = table["unit_code"].tolist()
        if st.session_state.get("rk_unit") not in codes:
            st.session_state["rk_unit"] = codes[0]
        target = o1.selectbox(tr("rk.open_unit"), codes, format_func=unit_names.get, key="rk_unit",
                              label_visibility="collapsed", persist_state="session")
        if o2.button(tr("rk.open"), key="rk_open_btn", icon=":material/account_box:"):
            open_profile(target)
    else:  # the published table, no link to another unit's profile
        st.dataframe(view, hide_index=True, placeholder="—", key="rk_table", column_config=config,
                     height=min(35 * (len(view) + 1) + 3, 720))
    if b.scheme:
        lists_cfg = b.scheme.section("lists")
        st.caption(rule_text(lists_cfg, lang()))
    notes = []
    for r in table.itertuples():
        uname = plain(unit_names.get(r.unit_code, r.unit_code))
        if r.veto:
            reason = getattr(r, f"veto_reason_{lang()}", None)
            reason = reason if isinstance(reason, str) and reason else r.veto_reason
            notes.append(tr("rk.note.veto", unit=uname, reason=plain(reason or "")))
        if r.alerts is not None and len(r.alerts):
            notes.append(tr("rk.note.alert", unit=uname, text=plain(("；" if zh else "; ").join(
                alert_text(c, alerts_cfg, lang()) for c in r.alerts))))
    if notes:
        st.markdown(f"**{tr('rk.notes')}**")
        st.markdown("\n".join(f"- {n}" for n in notes))
    if dim_cols:
        st.markdown(f"**{tr('rk.dims')}**")
        st.dataframe(dim_view, hide_index=True, placeholder="—", key="rk_dims_table", column_config=dim_config,
                     height=min(35 * (len(dim_view) + 1) + 3, 720))

# -- robustness ---------------------------------------------------------------------------------------------
st.subheader(tr("rk.robust.title"))
if period != "month":
    st.caption(tr("rk.robust.month_only"))
elif not robust_fits:
    st.caption(tr("rk.robust.current_only"))
elif robust is None:
    if st.button(tr("rk.robust.run", n=REPLICATES), key="rk_robust_btn", icon=":material/ssid_chart:"):
        bar = st.progress(0.0, text=tr("rk.robust.progress", done=0, total=REPLICATES))

        def report(done: float, total: int | None = None) -> None:
            # the engine reports a fraction done; a (done, total) pair is read as well
            share = done / max(total, 1) if total else float(done)
            bar.progress(min(share, 1.0), text=tr("rk.robust.progress", done=round(share * REPLICATES),
                                                  total=REPLICATES))

        queries.robustness(month, REPLICATES, progress=report)
        bar.empty()
        st.rerun()
else:
    rob = robust[robust["unit_code"].isin(totals["unit_code"])]
    st.plotly_chart(charts.rank_intervals(rob, unit_names, lang()), key="rk_interval_chart")
    st.caption(tr("rk.robust.note", n=REPLICATES))

# -- exports ---------------------------------------------------------------------------------------------------
if not auth.can("download"):  # every unit's reports: a unit's account downloads its own scorecard only
    st.stop()
st.subheader(tr("rk.exports"))
wh, lg = pg.wh, pg.lang
who = auth.current()  # the reports check it again (base.access "download")
# two by two: four buttons in a row cut their labels at 1280 px
e1, e2 = st.columns(2)
e3, e4 = st.columns(2)
# deferred: the file is made when the button is clicked, not on every rerun
e1.download_button(tr("rk.summary_pdf"), data=lambda: summary.summary_pdf(wh, month, period, lg, build=b, actor=who),
                   file_name=f"kaohe-summary-{b.period_label}.pdf", mime="application/pdf",
                   key="rk_summary_dl", icon=":material/picture_as_pdf:", on_click="ignore", width="stretch")
e1.download_button(tr("rk.bulletin_pdf"), data=lambda: bulletin.bulletin_pdf(wh, month, period, lg, build=b, actor=who),
                   file_name=f"kaohe-bulletin-{b.period_label}.pdf", mime="application/pdf",
                   key="rk_bulletin_dl", icon=":material/description:", on_click="ignore", width="stretch")
e2.download_button(tr("rk.excel"), data=lambda: excel.workbook(wh, month, period, lg, build=b, actor=who),
                   file_name=f"kaohe-{b.period_label}.xlsx", key="rk_excel_dl",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/table:", on_click="ignore", width="stretch")
# every unit's scorecard takes tens of seconds at city scale: made on request, with progress, kept
# for this month, period and language until the user downloads it
for col, kind, make, mime, icon in (
        (e3, "zip", batch.scorecards_zip, "application/zip", ":material/folder_zip:"),
        (e4, "pdf", batch.scorecards_merged_pdf, "application/pdf", ":material/picture_as_pdf:")):
    made_key = (kind, month, period, lg, fig.source, b.published_revision)
    made = st.session_state.get(f"_rk_{kind}")
    if made and made[0] == made_key:
        col.download_button(tr(f"rk.{kind}"), data=made[1], file_name=f"kaohe-scorecards-{b.period_label}.{kind}",
                            mime=mime, key=f"rk_{kind}_dl", icon=icon, on_click="ignore", width="stretch")
    elif col.button(tr(f"rk.{kind}_prepare"), key=f"rk_{kind}_btn", icon=icon, help=tr("rk.prepare_help"),
                    width="stretch"):
        bar = st.progress(0.0, text=tr("rk.zip_progress", done=0, total="…"))

        def progress(done: int, total: int, bar=bar) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=tr("rk.zip_progress", done=done, total=total))

        st.session_state[f"_rk_{kind}"] = (made_key, make(wh, month, lg, progress, period=period, build=b,
                                                                 actor=who))
        st.rerun()
