"""One unit's scorecard: what an assessed unit receives, A4, at most two pages.

Page one answers "what is my score and why": total, rank, grade, veto and adjustments, the
dimensions against the peer median, then the indicator table. The trend and the notes on
missing data and sources follow. Every number is the engine's, formatted by `reports.fmt`.
"""

from __future__ import annotations

import re

import pandas as pd

from kaohe.base import i18n
from kaohe.reports import fmt
from kaohe.reports.context import (
    Context,
    actor_text,
    adjustment_actor,
    adjustment_kind,
    adjustment_reason,
    issue_facts,
    load,
    local_date,
    veto_reason,
)
from kaohe.reports.messages import pick, t, veto_note
from kaohe.reports.pdf import BAD, GOOD, INK, MUTED, SERIES, SIG_FILL, STATUS_FILL, WARN, Col, Doc
from kaohe.reports.safe import pdf_text

GRADE_COLOUR = {"excellent": GOOD, "good": (23, 78, 140), "pass": WARN, "fail": BAD}


def scorecard_pdf(wh, unit_code: str, month: str, period: str = "month", lang: str = "zh",
                  build=None, *, current: bool = False, actor) -> bytes:
    """The scorecard of `unit_code` for the period ending in `month`, as PDF bytes.

    A published period shows its published figures (the latest revision rebuilt exactly,
    metrics.service.published_figures; refused in words, ReplayRefused, when it cannot be), an
    unpublished one the current figures; `current=True` asks for the current figures whatever
    was published. A `build` given is shown as it is.

    `actor` (base.access, required): a unit's account gets its own unit's scorecard only; nobody signed in
    (None) none; a plain name is the local administrator. The scorecard names the issuing office and the local issue date and, while the
    period is on notice (公示), the appeal channel and deadline; an unpublished one is marked 公示稿."""
    from kaohe.base import access

    access.require_unit(actor, unit_code)
    if build is None and not current:
        from kaohe.metrics import service

        build = service.published_figures(wh, month, period, lang)
    ctx = load(wh, month, period, lang, build, units=[unit_code])
    ctx.district = district_shapes(wh)  # the small map (None: no boundaries, no map)
    issue_facts(ctx, wh)
    if unit_code not in set(ctx.build.totals["unit_code"]):
        raise KeyError(t("report.unknown_unit", lang, unit=unit_code))
    return bytes(fit_pages(ctx, unit_code).output())


def new_doc(ctx: Context, unit_code: str | None = None) -> Doc:
    running = t("report.scorecard", ctx.lang)
    if unit_code:
        running += f" · {ctx.unit_name(unit_code)} · {ctx.period_text()}"
    doc = Doc(ctx.lang, running, f"{ctx.scheme_text()} · {ctx.status_text()}")
    doc.alias_nb_pages()
    return doc


# Layouts from roomy to compact; a scorecard that would run past two pages is drawn again with the
# next one (many adjustments with long reasons, long English rule texts). Each of the two roomier layouts
# is tried first with the 点评 and the small map ("said", "map") and then without them, so the commentary
# never costs a scorecard a line of its rules.
_LEVELS = [
    {"lost": 5, "trend_h": 48, "table": 0.0, "rule_lines": 3, "adj_lines": 3},
    {"lost": 3, "trend_h": 40, "table": -0.3, "rule_lines": 2, "adj_lines": 2},
    {"lost": 0, "trend_h": 34, "table": -0.6, "rule_lines": 2, "adj_lines": 1},
]
DENSITY = [
    {**_LEVELS[0], "said": 2, "map": True}, {**_LEVELS[0], "said": 0, "map": False},
    {**_LEVELS[1], "said": 1, "map": False}, {**_LEVELS[1], "said": 0, "map": False},
    {**_LEVELS[2], "said": 0, "map": False},
]
MAX_PAGES = 2


def fit_pages(ctx: Context, unit_code: str) -> Doc:
    """A finished single-unit document of at most two pages (the most roomy layout that fits)."""
    for level in range(len(DENSITY)):
        doc = new_doc(ctx, unit_code)
        render(doc, ctx, unit_code, level)
        if doc.page_no() <= MAX_PAGES:
            break
    return doc


def density_for(ctx: Context, unit_code: str) -> int:
    """The layout level `fit_pages` would choose, found by drawing without writing the file."""
    for level in range(len(DENSITY) - 1):
        doc = new_doc(ctx, unit_code)
        render(doc, ctx, unit_code, level)
        if doc.page_no() <= MAX_PAGES:
            return level
    return len(DENSITY) - 1


def render(doc: Doc, ctx: Context, unit_code: str, level: int = 0) -> None:
    """Draw the scorecard of one unit into `doc`, starting on a new page."""
    doc.density = DENSITY[level]
    lang = ctx.lang
    b = ctx.build
    tot = b.totals.set_index("unit_code").loc[unit_code]
    doc.style(7)
    doc.running = doc.fit(f"{t('report.scorecard', lang)} · {ctx.unit_name(unit_code)} · {ctx.period_text()}",
                          doc.epw * 0.68)
    doc.add_page()
    if doc.merged:
        doc.start_section(pdf_text(f"{unit_code} {ctx.unit_name(unit_code)}"))
    _header(doc, ctx, unit_code, tot)
    _commentary(doc, ctx, unit_code, tot)
    _adjustments(doc, ctx, unit_code, tot)
    _dimensions(doc, ctx, unit_code)
    _lost(doc, ctx, unit_code)
    _indicators(doc, ctx, unit_code)
    _trend(doc, ctx, unit_code)
    _notes(doc, ctx, unit_code)


def _header(doc: Doc, ctx: Context, unit_code: str, tot: pd.Series) -> None:
    lang = ctx.lang
    doc.style(17, bold=True)
    title = ctx.unit_name(unit_code)
    if _draft(ctx):
        mark = t("ap.sc.draft", lang)
        title += f"（{mark}）" if lang == "zh" else f" ({mark})"
    doc.cell(0, 8, doc.fit(title, doc.epw), new_x="LMARGIN", new_y="NEXT")
    facts = [
        f"{t('report.col.unit', lang)} {unit_code}",
        f"{t('report.group', lang)} {ctx.group_name(tot['peer_group'])}",
        f"{t('report.month', lang)} {ctx.period_text()}",
        ctx.scheme_text(),
        ctx.status_text(),
    ]
    doc.para("   ".join(facts), 8, color=MUTED)
    if ctx.issuer or ctx.issued:
        doc.para(t("ap.sc.issuer", lang, issuer=ctx.issuer, date=ctx.issued), 8, color=MUTED)
    if ctx.appeal_note:
        doc.para(ctx.appeal_note, 8.5, color=WARN, bold=True)
    head_notes(doc, ctx)
    doc.ln(1.5)
    grade_colour = GRADE_COLOUR.get(str(tot.get("grade")), INK)
    change = tot.get("rank_change")
    change_colour = None if fmt.missing(change) or change == 0 else (GOOD if change > 0 else BAD)
    rank_text = (t("report.rank_of", lang, rank=int(tot["rank"]), n=int(tot["n_in_group"]))
                 if not fmt.missing(tot.get("rank")) else fmt.DASH)
    doc.figures([
        (t("report.total", lang), fmt.num(tot["total"]), None),
        (t("report.rank", lang), rank_text, None),
        (t("report.change", lang), _change_text(tot, lang), change_colour),
        (t("report.col.grade", lang), pick(tot.get("grade_zh"), tot.get("grade_en"), lang), grade_colour),
    ])
    # base + bonus - deduction = total, spelled out so the reader can check the sum
    line = (f"{t('report.base', lang)} {fmt.num(tot['base_score'])}   "
            f"{t('report.bonus', lang)} {_plus(tot['bonus'])}   "
            f"{t('report.deduction', lang)} {_minus(tot['deduction'])}   "
            f"= {t('report.total', lang)} {fmt.num(tot['total'])}")
    lst = tot.get("list")
    if isinstance(lst, str) and lst in ("red", "black"):
        mark = t("report.list." + lst, lang)
        line += f"   【{mark}】" if lang == "zh" else f"   [{mark}]"
    doc.para(line, 8)
    if bool(tot.get("veto")):
        doc.para(veto_note(veto_reason(tot, lang), lang), 8.5, color=BAD, bold=True)


def _draft(ctx: Context) -> bool:
    """Figures not (yet) published: the scorecard is a 公示稿 / draft."""
    if getattr(ctx.build, "published_revision", None) is not None:
        return False
    return not (ctx.status or {}).get("published")


def district_shapes(wh) -> dict | None:
    """The district's boundaries for the small maps (kaohe.metrics.geo.district), None when there are none."""
    from kaohe.metrics import geo

    return geo.district(wh)


MAP_W, MAP_H = 30.0, 26.0


def small_map(doc: Doc, shapes: dict, x: float, y: float, w: float, h: float, fills: dict[str, tuple],
              marked: str | None = None) -> None:
    """The district's shapes drawn into the box (x, y, w, h) in mm, each filled with `fills[code]` (grey when
    absent), `marked` outlined in heavy black; longitude and latitude at equal scale."""
    import math

    def outer(geom: dict) -> list[list]:
        coords = geom.get("coordinates") or []
        return [coords[0]] if geom.get("type") == "Polygon" and coords else [p[0] for p in coords if p]

    feats = [(f["properties"]["code"], outer(f["geometry"])) for f in shapes.get("features", [])]
    pts = [p for _, rs in feats for r in rs for p in r]
    if not pts:
        return
    lon0, lon1 = min(p[0] for p in pts), max(p[0] for p in pts)
    lat0, lat1 = min(p[1] for p in pts), max(p[1] for p in pts)
    kx = math.cos(math.radians((lat0 + lat1) / 2))  # a degree of longitude is shorter than one of latitude
    span_x, span_y = max((lon1 - lon0) * kx, 1e-9), max(lat1 - lat0, 1e-9)
    scale = min(w / span_x, h / span_y)
    ox = x + (w - span_x * scale) / 2
    oy = y + (h - span_y * scale) / 2

    def xy(p) -> tuple[float, float]:
        return ox + (p[0] - lon0) * kx * scale, oy + (lat1 - p[1]) * scale

    doc.set_draw_color(255, 255, 255)
    doc.set_line_width(0.3)
    for code, rs in feats:
        doc.set_fill_color(*fills.get(code, (222, 226, 230)))
        for r in rs:
            doc.polygon([xy(p) for p in r], style="DF")
    if marked is not None:
        doc.set_draw_color(0, 0, 0)
        doc.set_line_width(0.8)
        for code, rs in feats:
            if code == marked:
                for r in rs:
                    doc.polygon([xy(p) for p in r], style="D")
    doc.set_line_width(0.2)


def _commentary(doc: Doc, ctx: Context, unit_code: str, tot: pd.Series) -> None:
    """点评: the unit's sentences (kaohe.metrics.commentary) beside the small map with the unit marked."""
    from kaohe.metrics import commentary as cm

    lang = ctx.lang
    said = [s.text for s in cm.unit(ctx.build, unit_code, lang, n=2) if s.kind != "veto"]
    said += [s.text for s in cm.group(ctx.build, tot["peer_group"], lang) if s.unit_code == unit_code]
    said = said[:doc.density.get("said", 3)]  # a compact layout says less
    shapes = getattr(ctx, "district", None) if doc.density.get("map", True) else None
    mapped = shapes is not None and tot.get("kind") == "street" and any(
        f["properties"]["code"] == unit_code for f in shapes.get("features", []))
    if not said and not mapped:
        return  # a compact layout, or nothing to say
    y0 = doc.get_y() + 1
    text_w = doc.epw - (MAP_W + 4 if mapped else 0)
    if mapped:
        fills = {f["properties"]["code"]: (222, 226, 230) for f in shapes["features"]}
        fills[unit_code] = GRADE_COLOUR.get(str(tot.get("grade")), INK)
        small_map(doc, shapes, doc.l_margin + text_w + 4, y0, MAP_W, MAP_H, fills, marked=unit_code)
    doc.set_xy(doc.l_margin, y0)
    doc.style(9.5, bold=True)
    doc.cell(text_w, 5, doc.fit(t("pf.commentary", lang), text_w), new_x="LMARGIN", new_y="NEXT")
    for text in said:
        doc.para(("· " if lang == "zh" else "- ") + text, 8, w=text_w)
    if mapped:
        doc.set_y(max(doc.get_y(), y0 + MAP_H + 1))


def head_notes(doc: Doc, ctx: Context) -> None:
    """Beside the scheme and the status: the scheme of another year, and figures that differ from
    the published ones (so a PDF never passes current figures off as the published ones)."""
    note = ctx.scheme_note()
    if note:
        doc.para(note, 7.5, color=WARN)
    notice = ctx.status_notice()
    if notice:
        doc.para(notice, 7.5, color=BAD, bold=True)


def _change_text(tot: pd.Series, lang: str) -> str:
    change, prev = tot.get("rank_change"), tot.get("prev_rank")
    if fmt.missing(change):
        return fmt.DASH
    head = t("report.change.same", lang) if int(change) == 0 else fmt.change(change)
    if fmt.missing(prev):
        return head
    # a full-width bracket needs no blank before it
    return f"{head}{'' if lang == 'zh' else ' '}{t('report.change.prev', lang, prev=int(prev))}"


def _plus(v) -> str:
    """A bonus: "+2.00", or "0.00" when there is none (not "+0.00")."""
    return fmt.num(0) if fmt.missing(v) or float(v) == 0 else f"+{fmt.num(v)}"


def _minus(v) -> str:
    """A deduction as subtracted: "−1.50", or "0.00" when there is none (not "−0.00")."""
    return fmt.num(0) if fmt.missing(v) or float(v) == 0 else f"−{fmt.num(abs(float(v)))}"


def _text(v) -> str:
    return "" if fmt.missing(v) else str(v)


def _adjustments(doc: Doc, ctx: Context, unit_code: str, tot: pd.Series) -> None:
    adj = getattr(ctx.build, "adjustments", None)
    rows = adj[adj["unit_code"] == unit_code] if adj is not None and not adj.empty else None
    if rows is None or rows.empty:
        if not bool(tot.get("veto")):
            doc.para(t("report.no_adjustments", ctx.lang), 7.5, color=MUTED)
        return
    lang = ctx.lang
    doc.heading(t("report.adjustments", lang), 9.5)
    cols = [Col(t("report.adj.kind", lang), 16), Col(t("report.adj.points", lang), 16, "R"),
            Col(t("report.adj.reason", lang), 86), Col(t("report.adj.evidence", lang), 42),
            Col(t("report.adj.by", lang), doc.epw - 160)]
    body = []
    for _, r in rows.iterrows():
        kind = str(r.get("kind", ""))
        body.append([adjustment_kind(r, lang),
                     {"bonus": _plus, "deduction": _minus}.get(kind, lambda _v: fmt.DASH)(r.get("points")),
                     adjustment_reason(r, lang), ctx.evidence_text(r), adjustment_actor(r, lang)])
    doc.table_rows(cols, body, size=7 + doc.density["table"], max_lines=doc.density["adj_lines"])


def _dimensions(doc: Doc, ctx: Context, unit_code: str) -> None:
    lang = ctx.lang
    dims = ctx.build.dimensions
    dims = dims[dims["unit_code"] == unit_code]
    doc.heading(t("report.dimensions", lang))
    items = []
    for _, d in dims.iterrows():
        score = None if fmt.missing(d["score"]) else float(d["score"])
        med = None if fmt.missing(d.get("peer_median")) else float(d["peer_median"])
        text = t("report.dim.points", lang, score=fmt.num(d["score"]), median=fmt.num(d.get("peer_median")),
                 weight=fmt.weight(d["weight"]))
        items.append((pick(d.get("name_zh"), d.get("name_en"), lang), score, med, text))
    doc.bars(items, value_w=58 if lang == "en" else 52, legend=(t("report.dim.legend_above", lang), t("report.dim.legend_below", lang),
                                       t("report.dim.legend_median", lang)))


def _lost(doc: Doc, ctx: Context, unit_code: str) -> None:
    """The items that cost the most points: weight x 100 minus the points earned."""
    lang = ctx.lang
    ind = indicator_rows(ctx, unit_code)
    ind = ind.assign(lost=ind["weight"].astype(float) * 100 - ind["points"].astype(float))
    ind = ind[ind["lost"] > 0.005].sort_values(["lost", "indicator_code"], ascending=[False, True])
    ind = ind.head(doc.density["lost"])
    if ind.empty:
        return
    doc.heading(t("report.lost", lang), 9.5)
    w = doc.epw
    cols = [Col(t("report.col.indicator", lang), 58), Col(t("report.col.value", lang), 24, "R"),
            Col(t("report.col.score", lang), 20, "R"), Col(t("report.col.weight", lang), 20, "R"),
            Col(t("report.col.points", lang), 20, "R"), Col(t("report.col.lost", lang), w - 142, "R")]
    rows = []
    for _, r in ind.iterrows():
        status = str(r.get("status"))
        value = (t(f"report.status_short.{status}", lang) if status in ("na", "missing")
                 else fmt.shown(r["value"], ctx.indicator_unit(r["indicator_code"]), lang))
        rows.append([ctx.indicator_name(r["indicator_code"]), value, fmt.num(r["raw_score"]),
                     fmt.weight_column(r["weight"]), fmt.num(r["points"]), fmt.num(r["lost"])])
    doc.table_rows(cols, rows, size=7, max_lines=1)


def indicator_rows(ctx: Context, unit_code: str) -> pd.DataFrame:
    return ctx.build.indicators_of([unit_code])


def _indicators(doc: Doc, ctx: Context, unit_code: str) -> None:
    lang = ctx.lang
    ind = indicator_rows(ctx, unit_code)
    doc.heading(t("report.indicators", lang))
    w = doc.epw
    cols = [Col(t("report.col.indicator", lang), 36), Col(t("report.col.value", lang), 17, "R"),
            Col(t("report.col.fraction", lang), 22, "R"), Col(t("report.col.target", lang), 13, "R"),
            Col(t("report.col.rule", lang), w - 36 - 17 - 22 - 13 - 15 - 14 - 14),
            Col(t("report.col.score", lang), 15, "R"), Col(t("report.col.weight", lang), 14, "R"),
            Col(t("report.col.points", lang), 14, "R")]
    rows, fills, dim_rows = [], [], set()
    names = {r["dimension"]: pick(r.get("name_zh"), r.get("name_en"), lang)
             for _, r in ctx.build.dimensions[ctx.build.dimensions["unit_code"] == unit_code].iterrows()}
    for dim, group in ind.groupby("dimension", sort=False):
        dim_rows.add(len(rows))
        rows.append([names.get(dim, dim), "", "", "", "", "", "", ""])
        fills.append([(226, 232, 240)] * 8)
        for _, r in group.iterrows():
            code = r["indicator_code"]
            status = str(r.get("status"))
            unit = ctx.indicator_unit(code)
            if status in ("na", "missing"):
                value = t(f"report.status_short.{status}", lang)
            else:
                value = fmt.shown(r["value"], unit, lang)
                if status == "carried":
                    value += "*"
            frac = (f"{fmt.count(r['numerator'])}/{fmt.count(r['denominator'])}"
                    if not fmt.missing(r.get("denominator")) and status != "na" else "")
            rule = pick(_text(r.get("rule_text_zh")), _text(r.get("rule_text_en")), lang)
            rows.append([ctx.indicator_name(code), value, frac, fmt.shown(r.get("target"), unit, lang), rule,
                         fmt.num(r.get("raw_score")), fmt.weight_column(r.get("weight")), fmt.num(r.get("points"))])
            sig = r.get("significance")
            row_fill = [None] * 8
            if isinstance(sig, str) and sig in SIG_FILL:
                row_fill[1] = SIG_FILL[sig]
            if status in STATUS_FILL:
                row_fill[1] = STATUS_FILL[status]
            fills.append(row_fill)
    # English rule texts run longer: a smaller size keeps three lines of them within two pages
    doc.table_rows(cols, rows, fills=fills, bold_rows=dim_rows, size=(6.8 if lang == "zh" else 6.3) + doc.density["table"],
                   max_lines=doc.density["rule_lines"],
                   zebra=False)
    doc.set_x(doc.l_margin)
    for key in ("better", "similar", "worse"):
        doc.swatch(SIG_FILL[key], t(f"report.sig.{key}", lang))
    doc.swatch(STATUS_FILL["missing"], t("report.status_short.missing", lang))
    doc.swatch(STATUS_FILL["na"], t("report.status_short.na", lang))
    doc.ln(4)
    doc.para(t("report.sig.note", lang), 6.5, color=MUTED)


def _trend(doc: Doc, ctx: Context, unit_code: str) -> None:
    lang = ctx.lang
    hist = ctx.history
    if hist is None or hist.empty:
        return
    h = hist[hist["unit_code"] == unit_code].sort_values("month")
    if h.empty:
        return
    ch = doc.density["trend_h"]
    if doc.get_y() + ch + 10 > doc.page_break_trigger:
        doc.add_page()
    # a quarter's or year's card still shows the monthly totals and ranks: the title says so
    doc.heading(t("report.trend" if ctx.period == "month" else "report.trend.monthly", lang))
    labels = list(h["month"])
    totals = [None if fmt.missing(v) else float(v) for v in h["total"]]
    ranks = [None if fmt.missing(v) else float(v) for v in h["rank"]]
    n_max = int(pd.to_numeric(h["n_in_group"], errors="coerce").max() or 1)
    y = doc.get_y()
    half = (doc.epw - 6) / 2
    doc.line_chart(doc.l_margin, y, half, ch, labels, [(t("report.total", lang), totals, SERIES[0])],
                   title=t("report.total", lang), fmt=lambda v: f"{v:g}", end_fmt=fmt.num)
    doc.line_chart(doc.l_margin + half + 6, y, half, ch, labels,
                   [(t("report.trend.rank", lang), ranks, SERIES[1])], title=t("report.trend.rank", lang),
                   ymin=1, ymax=max(n_max, 2), invert=True, integer=True)
    doc.set_xy(doc.l_margin, y + ch + 2)


def _notes(doc: Doc, ctx: Context, unit_code: str) -> None:
    lang = ctx.lang
    ind = indicator_rows(ctx, unit_code)
    doc.heading(t("report.notes", lang), 9.5)
    notes = []
    sep = i18n.sep(lang)
    na = ind[ind["status"] == "na"]
    if not na.empty:
        notes.append(t("report.note.na", lang, items=sep.join(ctx.indicator_name(c) for c in na["indicator_code"])))
    missing = ind[ind["status"] == "missing"]
    if not missing.empty:
        # the engine words a treatment as "缺报:按实际计0分"; the note says "缺报" already
        label = re.compile(rf"^\s*{re.escape(t('report.status_short.missing', lang))}\s*[:：]\s*", re.IGNORECASE)
        treatments = sorted({label.sub("", pick(_text(r.get("treatment_zh")), _text(r.get("treatment_en")), lang))
                             for _, r in missing.iterrows()} - {""})
        notes.append(t("report.note.missing", lang, items=sep.join(ctx.indicator_name(c)
                                                                   for c in missing["indicator_code"]),
                       treatment=" ".join(treatments)))
    carried = ind[ind["status"] == "carried"]
    if not carried.empty:
        notes.append(t("report.note.carried", lang, items=sep.join(ctx.indicator_name(c)
                                                                   for c in carried["indicator_code"])))
    if missing.empty and carried.empty:
        notes.append(t("report.note.none_missing", lang))
    notes.append(t("report.note.explain", lang))
    notes.append(t("report.note.sources", lang, items=_sources(ctx, unit_code)))
    for i, n in enumerate(notes, 1):
        doc.para(f"{i}. {n}", 7, color=INK)
        doc.ln(0.5)


def _sources(ctx: Context, unit_code: str) -> str:
    ids = ctx.unit_batches.get(unit_code, [])
    if not ids or ctx.batches.empty:
        return fmt.DASH
    bt = ctx.batches.set_index("batch_id")
    parts = []
    for i in ids[:8]:
        if i not in bt.index:
            continue
        r = bt.loc[i]
        parts.append(t("report.note.batch", ctx.lang, id=i, source=ctx.batch_source(r),
                       at=local_date(r["created_at"]), actor=actor_text(r.get("actor"), ctx.lang)))
    if len(ids) > 8:
        parts.append(t("report.more", ctx.lang, n=len(ids) - 8))
    return ("; " if ctx.lang == "en" else "；").join(parts)
