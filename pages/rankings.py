"""排名 Rankings: per peer group score, rank, change, grade, dimensions, veto and adjustments,
rank intervals from the robustness run, exports; one click to a unit's profile."""

import streamlit as st

from kaohe import i18n
from metrics.rank import alert_text
from ui import analysis, charts, queries
from ui.setup import lang, name, open_profile, tr

i18n.register({
    "rk.title": ("排名", "Rankings"),
    "rk.period": ("考核期", "Period"),
    "rk.group": ("同类组", "Peer group"),
    "rk.sort": ("排序", "Sort by"),
    "rk.sort.rank": ("名次", "Rank"),
    "rk.sort.change": ("名次变化", "Rank change"),
    "rk.sort.code": ("单位代码", "Unit code"),
    "rk.grades": ("等次筛选", "Grades"),
    "rk.search": ("查找单位", "Find a unit"),
    "rk.caption": ("{scheme} · 方案版本 {version} · {period} · {status}",
                   "{scheme} · scheme version {version} · {period} · {status}"),
    "rk.status.published": ("已发布（第{revision}版）", "published (revision {revision})"),
    "rk.status.draft": ("草稿：尚未发布", "draft: not yet published"),
    "rk.status.differs": ("已发布，但当前数据与发布版本不同", "published, but the current data differ from it"),
    "rk.col.rank": ("名次", "Rank"),
    "rk.col.change": ("变化", "Change"),
    "rk.col.unit": ("单位", "Unit"),
    "rk.col.total": ("总分", "Total"),
    "rk.col.grade": ("等次", "Grade"),
    "rk.col.adjust": ("加减分", "Adjustments"),
    "rk.col.veto": ("一票否决", "Veto"),
    "rk.col.list": ("红黑榜", "List"),
    "rk.col.interval": ("名次区间（90%）", "Rank interval (90%)"),
    "rk.col.alerts": ("预警", "Alerts"),
    "rk.list.red": ("红榜", "Red list"),
    "rk.list.black": ("黑榜", "Black list"),
    "rk.select_hint": ("点击表格左侧的选择框，即可打开该单位的画像。", "Tick a row's box on the left to open that unit's profile."),
    "rk.open": ("打开单位画像", "Open the unit profile"),
    "rk.open_unit": ("单位", "Unit"),
    "rk.robust.title": ("名次稳健性", "How firm is each rank"),
    "rk.robust.note": ("随机扰动权重并换用其他标准化方法重算 {n} 次：圆点为正式名次，竖线为中位名次，横线为90%的名次区间。"
                       "区间越宽，名次越取决于方案的具体设定。",
                       "{n} recalculations with perturbed weights and other normalisations: the dot is the official "
                       "rank, the tick the median rank, the whisker the 90% interval. A wide interval means the rank "
                       "depends on the scheme's exact choices."),
    "rk.robust.run": ("计算名次区间（{n}次模拟）", "Compute rank intervals ({n} replicates)"),
    "rk.robust.progress": ("稳健性分析：{done}/{total}", "Robustness analysis: {done}/{total}"),
    "rk.robust.month_only": ("名次区间按月度结果计算。", "Rank intervals are computed for the monthly results."),
    "rk.exports": ("导出", "Exports"),
    "rk.summary_pdf": ("下载月度通报（PDF）", "Download the monthly summary (PDF)"),
    "rk.excel": ("下载Excel工作簿", "Download the Excel workbook"),
    "rk.zip_prepare": ("生成全部单位成绩单（ZIP）", "Make every unit's scorecard (ZIP)"),
    "rk.zip": ("下载成绩单ZIP", "Download the scorecards ZIP"),
    "rk.pdf_prepare": ("生成全部单位成绩单（合并PDF）", "Make every unit's scorecard (one PDF)"),
    "rk.pdf": ("下载合并成绩单PDF", "Download the merged scorecards PDF"),
    "rk.zip_progress": ("正在生成成绩单：{done}/{total}", "Making scorecards: {done}/{total}"),
    "rk.no_reports": ("报表模块尚未就绪。", "The report module is not available yet."),
    "rk.no_engine": ("评分引擎尚未就绪，暂时无法显示排名。", "The scoring engine is not available yet; rankings cannot be shown."),
    "rk.no_units": ("没有符合筛选条件的单位。", "No unit matches the filters."),
    "rk.no_month": ("{month} 没有可计分的数据。", "No scorable data for {month}."),
})

PERIODS = analysis.PERIODS
REPLICATES = 1000

st.title(tr("rk.title"))
all_months = queries.months()
if not all_months:
    st.info(tr("empty.warehouse"))
    st.stop()
if not queries.engine_ready():
    st.info(tr("rk.no_engine"))
    st.stop()

kind = st.session_state.get("kind", "street")
month = st.session_state.get("month") or all_months[-1]
units = queries.units(kind)
if units.empty:
    st.info(tr("empty.warehouse"))
    st.stop()
unit_names = {r["code"]: name(r) for _, r in units.iterrows()}
group_names = {r["peer_group"]: i18n.pick(r["peer_group_zh"], r["peer_group_en"], lang())
               for _, r in units.iterrows()}
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

try:
    b = queries.build(month, period, lang())
except Exception as exc:  # the engine refuses a month it cannot score: say so, do not crash
    st.info(tr("rk.no_month", month=month))
    st.caption(str(exc))
    st.stop()
status = queries.publication_status(month)
if status.get("published"):
    state = tr("rk.status.differs") if status.get("differs") else tr("rk.status.published",
                                                                       revision=status.get("revision"))
else:
    state = tr("rk.status.draft")
st.caption(tr("rk.caption", scheme=b.scheme.name(lang()) if b.scheme else b.scheme_id,
              version=b.scheme_version, period=b.period_label, status=state))

totals = b.totals[(b.totals["kind"] == kind) & (b.totals["peer_group"] == group)]
dims = b.dimensions[b.dimensions["unit_code"].isin(totals["unit_code"])]
robust = queries.robustness_cached(month, REPLICATES) if period == "month" else None
table = analysis.ranking_table(totals, dims, robust, lang())

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
dim_names = {f"dim_{r.dimension}": i18n.pick(r.name_zh, r.name_en, lang())
             for r in dims.drop_duplicates("dimension").itertuples()}
alerts_cfg = b.scheme.section("alerts") if b.scheme else {}
shown = table.assign(
    unit=table["unit_code"].map(unit_names),
    grade_text=table["grade_zh" if lang() == "zh" else "grade_en"],
    veto_text=table.apply(lambda r: (r["veto_reason"] or "✔") if r["veto"] else "", axis=1),
    list_text=table["list"].map(lambda v: tr(f"rk.list.{v}") if v in ("red", "black") else ""),
    alert_text=table["alerts"].map(lambda a: ";".join(alert_text(c, alerts_cfg, lang()) for c in (a or []))),
)
# the markers (list, veto, adjustments) before the dimension scores, so they are in view without scrolling
columns = ["rank", "change", "unit", "total", "grade_text", "list_text", "veto_text", "net_adjustment", *dim_cols,
           "alert_text"]
labels = {"rank": tr("rk.col.rank"), "change": tr("rk.col.change"), "unit": tr("rk.col.unit"),
          "total": tr("rk.col.total"), "grade_text": tr("rk.col.grade"), "net_adjustment": tr("rk.col.adjust"),
          "veto_text": tr("rk.col.veto"), "list_text": tr("rk.col.list"), "alert_text": tr("rk.col.alerts"),
          **dim_names}
if robust is not None and "rank_p05" in shown:
    shown["interval"] = shown.apply(lambda r: f"{int(r['rank_p05'])}–{int(r['rank_p95'])}"
                                    if r["rank_p05"] == r["rank_p05"] else "", axis=1)
    columns.insert(2, "interval")
    labels["interval"] = tr("rk.col.interval")
view = shown[columns].rename(columns=labels)
config = {
    labels["total"]: st.column_config.NumberColumn(format="%.2f"),
    labels["net_adjustment"]: st.column_config.NumberColumn(format="%+.2f"),
    **{labels[c]: st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f", width="small")
       for c in dim_cols},
}
if table.empty:
    st.info(tr("rk.no_units"))
else:
    event = st.dataframe(view, hide_index=True, key="rk_table", on_select="rerun", selection_mode="single-row",
                         column_config=config, height=min(38 * len(view) + 40, 720))
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

# -- robustness ---------------------------------------------------------------------------------------------
st.subheader(tr("rk.robust.title"))
if period != "month":
    st.caption(tr("rk.robust.month_only"))
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
st.subheader(tr("rk.exports"))
try:
    from reports import batch, excel, summary
except ImportError:
    st.caption(tr("rk.no_reports"))
else:
    from ui.setup import warehouse

    wh, lg = warehouse(), lang()
    e1, e2, e3, e4 = st.columns(4)
    # deferred: the file is made when the button is clicked, not on every rerun
    e1.download_button(tr("rk.summary_pdf"), data=lambda: summary.summary_pdf(wh, month, period, lg, build=b),
                       file_name=f"kaohe-summary-{b.period_label}.pdf", mime="application/pdf",
                       key="rk_summary_dl", icon=":material/picture_as_pdf:", on_click="ignore")
    e2.download_button(tr("rk.excel"), data=lambda: excel.workbook(wh, month, period, lg, build=b),
                       file_name=f"kaohe-{b.period_label}.xlsx", key="rk_excel_dl",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/table:", on_click="ignore")
    # every unit's scorecard takes tens of seconds at city scale: made on request, with progress, kept
    # for this month, period and language until the user downloads it
    for col, kind, make, mime, icon in (
            (e3, "zip", batch.scorecards_zip, "application/zip", ":material/folder_zip:"),
            (e4, "pdf", batch.scorecards_merged_pdf, "application/pdf", ":material/picture_as_pdf:")):
        made_key = (kind, month, period, lg)
        made = st.session_state.get(f"_rk_{kind}")
        if made and made[0] == made_key:
            col.download_button(tr(f"rk.{kind}"), data=made[1], file_name=f"kaohe-scorecards-{b.period_label}.{kind}",
                                mime=mime, key=f"rk_{kind}_dl", icon=icon, on_click="ignore")
        elif col.button(tr(f"rk.{kind}_prepare"), key=f"rk_{kind}_btn", icon=icon):
            bar = st.progress(0.0, text=tr("rk.zip_progress", done=0, total="…"))

            def progress(done: int, total: int, bar=bar) -> None:
                bar.progress(min(done / max(total, 1), 1.0), text=tr("rk.zip_progress", done=done, total=total))

            st.session_state[f"_rk_{kind}"] = (made_key, make(wh, month, lg, progress, period=period, build=b))
            st.rerun()
