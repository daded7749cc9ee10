"""The monthly summary for leadership: who leads and lags in each peer group, and what changed.

Order follows a 通报: key figures and charts, then each group's ranking, red and black lists,
alerts, and the largest moves since the previous period.
"""

from __future__ import annotations

import pandas as pd

from kaohe.base import i18n
from kaohe.reports import fmt
from kaohe.reports.context import Context, load, veto_reason
from kaohe.reports.messages import pick, summary_title, t, veto_note
from kaohe.reports.pdf import ACCENT, BAD, INK, MUTED, PANEL, SERIES, Col, Doc, nice_ticks
from kaohe.reports.scorecard import GRADE_COLOUR, district_shapes, head_notes, small_map

GRADES = ["excellent", "good", "pass", "fail"]
MOVE_PLACES = 2  # a change of at least this many places is listed under "changes"


def summary_pdf(wh, month: str, period: str = "month", lang: str = "zh", build=None, *, actor) -> bytes:
    """Every unit's results for `month` as one PDF: for an actor who may download reports (base.access)."""
    from kaohe.base import access

    access.require(actor, "download")
    ctx = load(wh, month, period, lang, build)
    ctx.district = district_shapes(wh)  # the small map of the streets by grade (None: no boundaries)
    doc = Doc(lang, f"{summary_title(ctx.period, ctx.lang)} · {ctx.period_short()}",
              f"{ctx.scheme_text()} · {ctx.status_text()}")
    doc.alias_nb_pages()
    render(doc, ctx)
    return bytes(doc.output())


def _unit_label(ctx: Context, row) -> str:
    return f"{ctx.unit_name(row['unit_code'])}"


def render(doc: Doc, ctx: Context) -> None:
    lang = ctx.lang
    tot = ctx.build.totals
    doc.add_page()
    doc.style(17, bold=True)
    doc.cell(0, 8, doc.fit(f"{summary_title(ctx.period, ctx.lang)}  {ctx.period_short()}", doc.epw),
             new_x="LMARGIN", new_y="NEXT")
    doc.para("   ".join([ctx.scheme_text(), ctx.status_text(),
                         t("report.summary.units", lang, n=len(tot), groups=len(ctx.groups()))]), 8, color=MUTED)
    head_notes(doc, ctx)
    doc.ln(1)
    counts = tot["grade"].value_counts()
    doc.figures([(pick(_grade_name(tot, g, "zh"), _grade_name(tot, g, "en"), lang), str(int(counts.get(g, 0))),
                  GRADE_COLOUR.get(g)) for g in GRADES] +
                [(t("report.veto", lang), str(int(tot["veto"].fillna(False).astype(bool).sum())), BAD)], h=14)
    doc.heading(t("report.summary.charts", lang))
    _charts(doc, ctx)
    _map(doc, ctx)
    _trend(doc, ctx)
    _lists(doc, ctx)
    _alerts(doc, ctx)
    _changes(doc, ctx)
    doc.heading(t("report.summary.rankings", lang))
    for g in ctx.groups():
        _ranking(doc, ctx, g)


def _grade_name(tot: pd.DataFrame, grade: str, lang: str) -> str:
    rows = tot[tot["grade"] == grade]
    col = "grade_zh" if lang == "zh" else "grade_en"
    if not rows.empty and isinstance(rows.iloc[0].get(col), str):
        return rows.iloc[0][col]
    return {"zh": {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"},
            "en": {"excellent": "Excellent", "good": "Good", "pass": "Pass", "fail": "Fail"}}[lang][grade]


# -- charts ------------------------------------------------------------------------------
def _charts(doc: Doc, ctx: Context) -> None:
    """Left: each group's range of totals with its median; right: grades per group, stacked."""
    lang = ctx.lang
    tot = ctx.build.totals
    groups = ctx.groups()
    y0 = doc.get_y()
    half = (doc.epw - 6) / 2
    row_h = 6.5
    label_w = 26 if lang == "zh" else 33
    # range chart
    doc.style(8, bold=True)
    doc.set_xy(doc.l_margin, y0)
    doc.cell(half, 4, doc.fit(t("report.summary.group_totals", lang), half))
    vals = pd.to_numeric(tot["total"], errors="coerce")
    # a tenth of the range spare at each end: the min and max are written outside their bar
    lo_v, hi_v = (float(vals.min()), float(vals.max())) if vals.notna().any() else (0.0, 100.0)
    spare = max(hi_v - lo_v, 1.0) * 0.12
    ticks = nice_ticks(lo_v - spare, hi_v + spare)
    lo, hi = ticks[0], ticks[-1]
    x0, track = doc.l_margin + label_w, half - label_w - 2
    y = y0 + 6
    for g in groups:
        s = pd.to_numeric(tot.loc[tot["peer_group"] == g, "total"], errors="coerce").dropna()
        doc.style(7)
        doc.set_xy(doc.l_margin, y)
        doc.cell(label_w - 1, row_h - 1.5, doc.fit(ctx.group_name(g), label_w - 1))
        doc.set_fill_color(*PANEL)
        doc.rect(x0, y, track, row_h - 1.5, style="F")
        if not s.empty:
            def xp(v, _x0=x0, _track=track):
                return _x0 + _track * (v - lo) / (hi - lo)
            doc.set_fill_color(150, 180, 215)
            doc.rect(xp(s.min()), y + 0.8, max(xp(s.max()) - xp(s.min()), 0.4), row_h - 3.1, style="F")
            doc.set_draw_color(*ACCENT)
            doc.set_line_width(0.7)
            doc.line(xp(s.median()), y - 0.3, xp(s.median()), y + row_h - 1.2)
            doc.style(5.8, color=MUTED)
            doc.set_xy(xp(s.min()) - 9, y)
            doc.cell(8.5, row_h - 1.5, fmt.num(s.min(), 1), align="R")
            doc.set_xy(xp(s.max()) + 0.5, y)
            doc.cell(9, row_h - 1.5, fmt.num(s.max(), 1))
        y += row_h
    doc.style(6, color=MUTED)
    for v in ticks:
        doc.set_xy(x0 + track * (v - lo) / (hi - lo) - 5, y)
        doc.cell(10, 3, f"{v:g}", align="C")
    bottom = y + 4
    # grade stack
    gx = doc.l_margin + half + 6
    doc.style(8, bold=True)
    doc.set_xy(gx, y0)
    doc.cell(half, 4, doc.fit(t("report.summary.grades", lang), half))
    x1, track2 = gx + label_w, half - label_w - 2
    y = y0 + 6
    for g in groups:
        sub = tot[tot["peer_group"] == g]
        n = max(len(sub), 1)
        doc.style(7)
        doc.set_xy(gx, y)
        doc.cell(label_w - 1, row_h - 1.5, doc.fit(ctx.group_name(g), label_w - 1))
        x = x1
        for grade in GRADES:
            k = int((sub["grade"] == grade).sum())
            if not k:
                continue
            w = track2 * k / n
            doc.set_fill_color(*GRADE_COLOUR[grade])
            doc.rect(x, y, w, row_h - 1.5, style="F")
            if w > 4:
                doc.style(6.5, bold=True, color=(255, 255, 255))
                doc.set_xy(x, y)
                doc.cell(w, row_h - 1.5, str(k), align="C")
            x += w
        y += row_h
    doc.set_xy(x1, y)
    for grade in GRADES:
        doc.swatch(GRADE_COLOUR[grade], _grade_name(tot, grade, lang))
    doc.set_xy(doc.l_margin, max(bottom, y + 4) + 2)


def _trend(doc: Doc, ctx: Context) -> None:
    """Each peer group's median total over the last twelve months: is the district improving?"""
    hist = ctx.history
    if hist is None or hist.empty:
        return
    months = sorted(hist["month"].unique())
    med = hist.assign(total=pd.to_numeric(hist["total"], errors="coerce")).merge(
        ctx.build.totals[["unit_code", "peer_group"]], on="unit_code", how="inner")
    med = med.groupby(["peer_group", "month"])["total"].median()
    series = []
    for i, g in enumerate(ctx.groups()):
        vals = [None if (g, m) not in med.index or pd.isna(med[(g, m)]) else float(med[(g, m)]) for m in months]
        series.append((ctx.group_name(g), vals, SERIES[i % len(SERIES)]))
    y = doc.get_y()
    doc.line_chart(doc.l_margin, y, doc.epw, 52, months, series,
                   title=t("report.summary.trend", ctx.lang))
    doc.set_xy(doc.l_margin, y + 54)


# -- lists, alerts, changes ------------------------------------------------------------------
def _lists(doc: Doc, ctx: Context) -> None:
    lang = ctx.lang
    tot = ctx.build.totals
    doc.heading(t("report.summary.lists", lang))
    cols = [Col(t("report.col.group", lang), 30), Col(t("report.list.red", lang), (doc.epw - 30) / 2),
            Col(t("report.list.black", lang), (doc.epw - 30) / 2)]
    rows, fills = [], []
    sep = i18n.sep(lang)
    for g in ctx.groups():
        sub = tot[tot["peer_group"] == g].sort_values(["rank", "unit_code"])
        red = sub[sub["list"] == "red"]
        black = sub[sub["list"] == "black"].sort_values(["rank", "unit_code"], ascending=[False, True])
        rows.append([ctx.group_name(g),
                     sep.join(f"{_unit_label(ctx, r)} {fmt.num(r['total'])}" for _, r in red.iterrows()) or fmt.DASH,
                     sep.join(f"{_unit_label(ctx, r)} {fmt.num(r['total'])}" for _, r in black.iterrows())
                     or fmt.DASH])
        fills.append([None, (232, 245, 233), (255, 235, 238)])
    doc.table_rows(cols, rows, fills=fills, size=7, max_lines=4, zebra=False)
    rule = list_rule(ctx)
    if rule:
        doc.para(rule, 6.5, color=MUTED)


def list_rule(ctx: Context) -> str | None:
    """The red/black-list rule of the build's scheme in words (metrics.rank.rule_text)."""
    from kaohe.metrics.rank import rule_text

    scheme = getattr(ctx.build, "scheme", None)
    if scheme is None:
        return None
    return rule_text(scheme.section("lists", {}) or {}, ctx.lang)


def _alert_texts(ctx: Context, value) -> list[str]:
    """Alert codes from the engine in words; the veto is listed separately, with its reason."""
    from kaohe.metrics.rank import alert_text

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    codes = [value] if isinstance(value, str) else list(value)
    scheme = getattr(ctx.build, "scheme", None)
    cfg = scheme.section("alerts", {}) if scheme is not None else {}
    return [alert_text(str(c), cfg, ctx.lang) for c in codes if str(c) and str(c) != "veto"]


def _alerts(doc: Doc, ctx: Context) -> None:
    lang = ctx.lang
    tot = ctx.build.totals
    doc.heading(t("report.summary.alerts", lang))
    rows = []
    for _, r in tot.sort_values(["peer_group", "rank"]).iterrows():
        texts = _alert_texts(ctx, r.get("alerts"))
        if bool(r.get("veto")):
            texts = [veto_note(veto_reason(r, lang), lang)] + texts
        for text in texts:
            rows.append([ctx.group_name(r["peer_group"]), _unit_label(ctx, r), text])
    if not rows:
        doc.para(t("report.summary.no_alerts", lang), 7.5, color=MUTED)
        return
    doc.table_rows([Col(t("report.col.group", lang), 30), Col(t("report.col.unit", lang), 40),
                    Col(t("report.col.alert", lang), doc.epw - 70)], rows, size=7, max_lines=3)


def _changes(doc: Doc, ctx: Context) -> None:
    lang = ctx.lang
    tot = ctx.build.totals.copy()
    tot["rank_change"] = pd.to_numeric(tot["rank_change"], errors="coerce")
    moved = tot[tot["rank_change"].abs() >= MOVE_PLACES].copy()
    # a short list stays on one page with its title (rows are about 5 mm; at most 16 of them)
    doc.heading(t("report.summary.changes" if ctx.period == "month" else "report.summary.changes_period", lang),
                keep=12 + 5 * min(len(moved) + 1, 17))
    if moved.empty:
        doc.para(t("report.summary.no_changes", lang), 7.5, color=MUTED)
        return
    moved["abs"] = moved["rank_change"].abs()
    moved = moved.sort_values(["abs", "peer_group", "unit_code"], ascending=[False, True, True]).head(16)
    rows, fills = [], []
    for _, r in moved.iterrows():
        up = r["rank_change"] > 0
        rows.append([ctx.group_name(r["peer_group"]), _unit_label(ctx, r), fmt.rank(r["prev_rank"], None),
                     fmt.rank(r["rank"], r["n_in_group"]), fmt.change(r["rank_change"]), fmt.num(r["total"])])
        fills.append([None, None, None, None, (232, 245, 233) if up else (255, 235, 238), None])
    doc.table_rows([Col(t("report.col.group", lang), 30), Col(t("report.col.unit", lang), 60),
                    Col(t("report.col.prev", lang), 25, "R"), Col(t("report.col.rank", lang), 25, "R"),
                    Col(t("report.col.change", lang), 20, "R"), Col(t("report.col.total", lang), doc.epw - 160, "R")],
                   rows, fills=fills, size=7)


# -- rankings ----------------------------------------------------------------------------
def _map(doc: Doc, ctx: Context) -> None:
    """The streets and towns on the district's map, each in its grade's colour, with the grades' key and
    the number of units of each."""
    shapes = getattr(ctx, "district", None)
    tot = ctx.build.totals
    streets = tot[tot["kind"] == "street"]
    if shapes is None or streets.empty:
        return
    w, h = 58.0, 46.0
    if doc.get_y() + h + 8 > doc.page_break_trigger:
        doc.add_page()
    lang = ctx.lang
    doc.style(8, bold=True)
    doc.cell(0, 5, doc.fit(t("report.summary.map", lang), doc.epw), new_x="LMARGIN", new_y="NEXT")
    y0 = doc.get_y()
    fills = {r.unit_code: GRADE_COLOUR.get(r.grade, INK) for r in streets.itertuples()}
    small_map(doc, shapes, doc.l_margin, y0, w, h, fills)
    doc.set_xy(doc.l_margin + w + 6, y0 + 2)
    for g in GRADES:
        n = int((streets["grade"] == g).sum())
        doc.set_x(doc.l_margin + w + 6)
        doc.swatch(GRADE_COLOUR[g], f"{pick(_grade_name(tot, g, 'zh'), _grade_name(tot, g, 'en'), lang)}  {n}")
        doc.ln(5)
    doc.set_y(y0 + h + 2)


def _ranking(doc: Doc, ctx: Context, group: str) -> None:
    lang = ctx.lang
    tot = ctx.build.totals
    sub = tot[tot["peer_group"] == group].sort_values(["rank", "unit_code"])
    if doc.get_y() + 30 > doc.page_break_trigger:
        doc.add_page()
    doc.style(9, bold=True, color=INK)
    doc.cell(0, 5, doc.fit(f"{ctx.group_name(group)}（{len(sub)}）" if lang == "zh"
                           else f"{ctx.group_name(group)} ({len(sub)})", doc.epw), new_x="LMARGIN", new_y="NEXT")
    # 点评: who moved and why, the median, the bottom (kaohe.metrics.commentary)
    from kaohe.metrics import commentary as cm

    said = [s.text for s in cm.group(ctx.build, group, lang) if s.kind != "few_cases"]
    if said:
        doc.para(("；" if lang == "zh" else "; ").join(said) + ("。" if lang == "zh" else "."), 7.5, color=MUTED)
    # narrow number columns leave the unit column room for a long English bureau name
    widths = {"rank": 11, "base": 16, "adj": 15, "total": 16, "grade": 18, "change": 15, "veto": 16, "list": 14}
    cols = [Col(t("report.col.rank", lang), widths["rank"], "R"),
            Col(t("report.col.unit", lang), doc.epw - sum(widths.values())),
            Col(t("report.col.base", lang), widths["base"], "R"), Col(t("report.col.adj", lang), widths["adj"], "R"),
            Col(t("report.col.total", lang), widths["total"], "R"), Col(t("report.col.grade", lang), widths["grade"]),
            Col(t("report.col.change", lang), widths["change"], "R"), Col(t("report.col.veto", lang), widths["veto"]),
            Col(t("report.col.list", lang), widths["list"])]
    rows, fills = [], []
    for _, r in sub.iterrows():
        adj = float(r["bonus"] or 0) - abs(float(r["deduction"] or 0))
        lst = r.get("list") if isinstance(r.get("list"), str) else None
        rows.append([fmt.rank(r["rank"], None), f"{_unit_label(ctx, r)}  {r['unit_code']}",
                     fmt.num(r["base_score"]), fmt.signed(adj) if adj else "0.00", fmt.num(r["total"]),
                     pick(r.get("grade_zh"), r.get("grade_en"), lang), fmt.change(r["rank_change"]),
                     t("report.veto", lang) if bool(r.get("veto")) else "",
                     t(f"report.list.{lst}_short", lang) if lst in ("red", "black") else ""])
        fill = [None] * 9
        if lst == "red":
            fill[8] = (232, 245, 233)
        elif lst == "black":
            fill[8] = (255, 235, 238)
        if bool(r.get("veto")):
            fill[7] = (255, 205, 210)
        fills.append(fill)
    doc.table_rows(cols, rows, fills=fills, size=7, max_lines=1)
    doc.ln(1)

