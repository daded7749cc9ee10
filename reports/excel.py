"""The month's results as an Excel workbook: rankings per peer group, the indicator matrix
(values and scores), the explanation table, adjustments and an "about" sheet.

Numbers are written as numbers with number formats (never as pre-formatted text), headers are
frozen, scores carry a red-amber-green colour scale, and every text cell goes through
`safe.cell` so a unit name like "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kaohe.base import clock
from kaohe.reports import fmt
from kaohe.reports.context import (
    Context,
    actor_text,
    adjustment_actor,
    adjustment_kind,
    adjustment_reason,
    load,
    veto_reason,
)
from kaohe.reports.messages import pick, summary_title, t
from kaohe.reports.safe import cell as safe_cell
from kaohe.reports.safe import clean

HEADER_FILL = PatternFill("solid", fgColor="174E8C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SCORE = "0.00"
INT = "0"
COUNT = "#,##0"
WEIGHT = "0.00%"  # a weight is a share of the total (0.072): Excel shows 7.20%
SCALE = dict(start_type="num", start_value=0, start_color="F8696B", mid_type="num", mid_value=60,
             mid_color="FFEB84", end_type="num", end_value=100, end_color="63BE7B")


@dataclass
class Column:
    key: str
    title: str
    number_format: str | None = None
    width: float = 12
    scale: bool = False  # 0-100 colour scale


def _value(v):
    """A cell value: NaN and NA become empty cells, numpy scalars plain Python, text neutralised."""
    if fmt.missing(v) and not isinstance(v, str):
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, list | tuple):
        v = "; ".join(str(x) for x in v)
    return safe_cell(v)


def write_table(ws, frame: pd.DataFrame, columns: list[Column], *, start_row: int = 1) -> None:
    """Header row, data, number formats, widths, a frozen header, an autofilter and colour scales."""
    for j, c in enumerate(columns, 1):
        h = ws.cell(row=start_row, column=j, value=safe_cell(c.title))
        h.fill, h.font = HEADER_FILL, HEADER_FONT
        h.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = c.width
    for i, rec in enumerate(frame.to_dict("records"), start_row + 1):
        for j, c in enumerate(columns, 1):
            cell = ws.cell(row=i, column=j, value=_value(rec.get(c.key)))
            if c.number_format:
                cell.number_format = c.number_format
    last = start_row + len(frame)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=3 if len(columns) > 3 else 1)
    if len(frame):
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(columns))}{last}"
        for j, c in enumerate(columns, 1):
            if c.scale:
                col = get_column_letter(j)
                ws.conditional_formatting.add(f"{col}{start_row + 1}:{col}{last}", ColorScaleRule(**SCALE))


def _sheet_title(text: str, used: set[str]) -> str:
    # Excel forbids []:*?/\ and control characters in sheet names, and an apostrophe at either end,
    # and limits them to 31 characters (group names come from uploaded unit lists).
    base = re.sub(r"[\[\]:*?/\\]", "_", clean(text)).strip("'")[:31] or "Sheet"
    title, k = base, 2
    while title.lower() in used:
        title = f"{base[:28]}~{k}"
        k += 1
    used.add(title.lower())
    return title


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    # itertuples needs identifier-like column names
    return frame.rename(columns=lambda c: re.sub(r"\W", "_", str(c)))


def _rankings(wb, ctx: Context, used: set[str]) -> None:
    lang = ctx.lang
    tot = ctx.build.totals.copy()
    tot["name"] = tot["unit_code"].map(ctx.unit_name)
    tot["group_name"] = tot["peer_group"].map(ctx.group_name)
    tot["grade_text"] = [pick(a, b, lang) for a, b in zip(tot["grade_zh"], tot["grade_en"], strict=True)]
    tot["list_text"] = tot["list"].map(lambda v: t(f"report.list.{v}", lang) if v in ("red", "black") else None)
    tot["veto_text"] = tot["veto"].map(lambda v: t("report.veto", lang) if bool(v) else None)
    tot["veto_reason_text"] = [veto_reason(r, lang) or None for r in tot.to_dict("records")]
    dims = ctx.build.dimensions.pivot_table(index="unit_code", columns="dimension", values="score",
                                            aggfunc="first", sort=False)
    dim_names = ctx.build.dimensions.drop_duplicates("dimension").set_index("dimension")
    cols = [Column("rank", t("report.col.rank", lang), INT, 7), Column("unit_code", t("report.col.code", lang), None, 9),
            Column("name", t("report.col.unit", lang), None, 22),
            Column("base_score", t("report.col.base", lang), SCORE, 10),
            Column("bonus", t("report.bonus", lang), SCORE, 8), Column("deduction", t("report.deduction", lang), SCORE, 8),
            Column("total", t("report.col.total", lang), SCORE, 10, scale=True),
            Column("grade_text", t("report.col.grade", lang), None, 9),
            Column("prev_rank", t("report.col.prev", lang), INT, 9),
            Column("rank_change", t("report.col.change", lang), "+0;-0;0", 8),
            Column("veto_text", t("report.col.veto", lang), None, 8),
            Column("veto_reason_text", t("report.adj.reason", lang), None, 24),
            Column("list_text", t("report.list.red", lang) + "/" + t("report.list.black", lang), None, 10)]
    dim_cols = {}
    for d in dims.columns:
        key = re.sub(r"\W", "_", f"dim_{d}")
        tot[key] = tot["unit_code"].map(dims[d])
        name = pick(dim_names.loc[d].get("name_zh"), dim_names.loc[d].get("name_en"), lang) \
            if d in dim_names.index else str(d)
        dim_cols[d] = Column(key, name, SCORE, 11, scale=True)
    groups_dims = ctx.build.dimensions.groupby("peer_group", sort=False)["dimension"].unique()
    for g in ctx.groups():
        ws = wb.create_sheet(_sheet_title(f"{t('rk.title', lang)}-{ctx.group_name(g)}", used))
        sub = tot[tot["peer_group"] == g].sort_values(["rank", "unit_code"])
        # only the dimensions this group is assessed on (streets and departments differ)
        own = [dim_cols[d] for d in groups_dims.get(g, []) if d in dim_cols]
        write_table(ws, sub, cols + own, start_row=_head_lines(ws, ctx) + 1)


NOTICE_FONT = Font(bold=True, color="C62828")
NOTE_FONT = Font(color="9A6700")


def head_lines(ctx: Context) -> list[tuple[str, Font]]:
    """What must stand above the figures: that they differ from the published ones, and that the
    scheme is of another year."""
    out = []
    notice = ctx.status_notice()
    if notice:
        out.append((notice, NOTICE_FONT))
    note = ctx.scheme_note()
    if note:
        out.append((note, NOTE_FONT))
    return out


def _head_lines(ws, ctx: Context) -> int:
    """Write `head_lines` at the top of a sheet, a visible line each; how many rows they took."""
    lines = head_lines(ctx)
    for i, (text, font) in enumerate(lines, 1):
        c = ws.cell(row=i, column=1, value=safe_cell(text))
        c.font = font
    return len(lines)


def _matrix(wb, ctx: Context, used: set[str], field: str, title: str, number_format: str, scale: bool) -> None:
    lang = ctx.lang
    ind = ctx.build.indicators
    wide = ind.pivot_table(index="unit_code", columns="indicator_code", values=field, aggfunc="first",
                           sort=False)
    order = ind.drop_duplicates("indicator_code")["indicator_code"].tolist()
    wide = wide.reindex(columns=[c for c in order if c in wide.columns])
    tot = ctx.build.totals.set_index("unit_code")
    frame = pd.DataFrame({"unit_code": wide.index, "name": [ctx.unit_name(u) for u in wide.index],
                          "group": [ctx.group_name(tot.loc[u, "peer_group"]) if u in tot.index else ""
                                    for u in wide.index]})
    cols = [Column("unit_code", t("report.col.code", lang), None, 9),
            Column("name", t("report.col.unit", lang), None, 20), Column("group", t("report.col.group", lang), None, 12)]
    for c in wide.columns:
        key = f"i_{c}"
        frame[key] = wide[c].to_numpy()
        cols.append(Column(key, f"{ctx.indicator_name(c)}\n{c}", number_format, 12, scale=scale))
    ws = wb.create_sheet(_sheet_title(title, used))
    write_table(ws, _safe_frame(frame), cols)
    ws.row_dimensions[1].height = 42
    ws.freeze_panes = "D2"


def _explain(wb, ctx: Context, used: set[str]) -> None:
    lang = ctx.lang
    ind = ctx.build.indicators.copy()
    ind["name"] = ind["unit_code"].map(ctx.unit_name)
    ind["indicator"] = ind["indicator_code"].map(ctx.indicator_name)
    ind["status_text"] = ind["status"].map(lambda s: t(f"report.status_short.{s}", lang)
                                           if s in ("na", "missing", "carried") else "")
    ind["rule_text"] = [pick(a, b, lang) for a, b in zip(ind["rule_text_zh"], ind["rule_text_en"], strict=True)]
    ind["treatment"] = [pick(a, b, lang) if isinstance(a, str) or isinstance(b, str) else None
                        for a, b in zip(ind["treatment_zh"], ind["treatment_en"], strict=True)]
    dims = ctx.build.dimensions.drop_duplicates("dimension").set_index("dimension")
    ind["dimension_name"] = ind["dimension"].map(
        lambda d: pick(dims.loc[d].get("name_zh"), dims.loc[d].get("name_en"), lang) if d in dims.index else d)
    ind["sig_text"] = ind["significance"].map(lambda s: t(f"report.sig.{s}", lang) if isinstance(s, str) else None)
    cols = [Column("unit_code", t("report.col.code", lang), None, 9),
            Column("name", t("report.col.unit", lang), None, 16),
            Column("dimension_name", t("report.col.dimension", lang), None, 10),
            Column("indicator_code", t("report.col.indicator_code", lang), None, 14),
            Column("indicator", t("report.col.indicator", lang), None, 18),
            Column("status_text", t("report.col.status", lang), None, 8),
            Column("value", t("report.col.value", lang), SCORE, 10),
            Column("numerator", t("report.col.numerator", lang), COUNT, 10),
            Column("denominator", t("report.col.denominator", lang), COUNT, 11),
            Column("ci_low", t("report.col.ci_low", lang), SCORE, 10),
            Column("ci_high", t("report.col.ci_high", lang), SCORE, 10),
            Column("peer_value", t("report.col.peer", lang), SCORE, 9),
            Column("sig_text", t("report.col.significance", lang), None, 14),
            Column("target", t("report.col.target", lang), "General", 8),
            Column("rule_text", t("report.col.rule", lang), None, 36),
            Column("raw_score", t("report.col.score", lang), SCORE, 9, scale=True),
            Column("weight", t("report.col.weight_share", lang), WEIGHT, 8),
            Column("points", t("report.col.points", lang), "0.0000", 9),
            Column("treatment", t("report.col.treatment", lang), None, 30)]
    ws = wb.create_sheet(_sheet_title(t("report.sheet.explain", lang), used))
    write_table(ws, _safe_frame(ind), cols)


def _adjustments(wb, ctx: Context, used: set[str]) -> None:
    adj = getattr(ctx.build, "adjustments", None)
    ws = wb.create_sheet(_sheet_title(t("report.sheet.adjust", ctx.lang), used))
    if adj is None or adj.empty:
        ws.cell(row=1, column=1, value=t("report.no_adjustments", ctx.lang))
        return
    lang = ctx.lang
    records = adj.to_dict("records")
    adj = adj.assign(name=adj["unit_code"].map(ctx.unit_name),
                     reason_text=[adjustment_reason(r, lang) for r in records],
                     evidence_text=[ctx.evidence_text(r) or None for r in records],
                     kind_text=[adjustment_kind(r, lang) for r in records],
                     actor_text=[adjustment_actor(r, lang) for r in records],
                     # stored in UTC; the office reads its own time (a naive datetime: Excel has no zones)
                     local_at=[_local(r.get("created_at")) for r in records])
    cols = [Column("unit_code", t("report.col.code", lang), None, 9), Column("name", t("report.col.unit", lang), None, 18),
            Column("month", t("report.col.month", lang), None, 9), Column("kind_text", t("report.adj.kind", lang), None, 8),
            Column("points", t("report.adj.points", lang), SCORE, 8),
            Column("reason_text", t("report.adj.reason", lang), None, 36),
            Column("evidence_text", t("report.adj.evidence", lang), None, 24),
            Column("actor_text", t("report.adj.by", lang), None, 12),
            Column("local_at", t("report.col.at", lang), "yyyy-mm-dd hh:mm", 17)]
    write_table(ws, adj, cols)


def _scheme_name(ctx: Context) -> str:
    """The scheme by its name in the reader's language and its version (its id is for programs)."""
    scheme = getattr(ctx.build, "scheme", None)
    name = scheme.name(ctx.lang) if scheme is not None else ""
    return " ".join(x for x in (name or getattr(ctx.build, "scheme_id", ""),
                                str(getattr(ctx.build, "scheme_version", "") or "")) if x)


def _about(wb, ctx: Context, used: set[str]) -> None:
    lang = ctx.lang
    ws = wb.active
    ws.title = _sheet_title(t("report.sheet.about", lang), used)
    rows = [(summary_title(ctx.period, lang), ctx.period_text()), (t("report.month", lang), ctx.month),
            (t("sc.title", lang), _scheme_name(ctx)),
            (t("ov.publication", lang), ctx.status_text())]
    rows += [(text, "") for text, _font in head_lines(ctx)]
    rows += [(t("report.note.explain", lang), ""), (t("report.sig.note", lang), "")]
    used_batches = sorted({b for ids in ctx.unit_batches.values() for b in ids})
    bt = ctx.batches.set_index("batch_id") if not ctx.batches.empty else None
    for b in used_batches:
        if bt is not None and b in bt.index:
            r = bt.loc[b]
            rows.append((t("report.sources", lang),
                         f"#{b} {ctx.batch_source(r)} · {clock.local_text(r.get('created_at'))} · "
                         f"{actor_text(r.get('actor'), lang)}"))
    for i, (k, v) in enumerate(rows, 1):
        ws.cell(row=i, column=1, value=safe_cell(k)).font = Font(bold=True)
        ws.cell(row=i, column=2, value=safe_cell(v))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40


def _local(ts):
    """A stored UTC time as a naive local datetime for a cell; no time, no value."""
    value = clock.local(ts)
    return None if value is None else value.replace(tzinfo=None)


def workbook(wh, month: str, period: str = "month", lang: str = "zh", build=None, *, actor) -> bytes:
    """The workbook for the period ending in `month`, as .xlsx bytes."""
    from kaohe.base import access

    access.require(actor, "download")  # every unit's results: a leader's or the office's
    ctx = load(wh, month, period, lang, build, history=False)
    wb = Workbook()
    used: set[str] = set()
    _about(wb, ctx, used)
    _rankings(wb, ctx, used)
    _matrix(wb, ctx, used, "value", t("report.sheet.matrix", lang), "0.00", False)
    _matrix(wb, ctx, used, "raw_score", f"{t('report.sheet.matrix', lang)}-{t('report.col.score', lang)}",
            SCORE, True)
    _explain(wb, ctx, used)
    _adjustments(wb, ctx, used)
    wb.move_sheet(wb.active, offset=len(wb.sheetnames))  # the about sheet goes last; rankings open first
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
