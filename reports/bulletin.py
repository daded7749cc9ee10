"""The monthly 通报 as a 公文, laid out after GB/T 9704-2012.

A4 (210 × 297 mm), the text block 156 × 225 mm with its top edge 37 mm and its left edge 28 mm from the
paper's; every line of text inside it except the page numbers, which the standard sets 7 mm below it.
Page one: the issuing office's red header (发文机关标志) 35 mm below the block's top, the 文号 two lines
below it, a red line the block's width, then the title in a heavy Song face, the addressee, the body
(the 点评 of kaohe.metrics.commentary, one ranking table per peer group, the red and black lists with
scores, alerts), the signature and date, and on the last page the 版记 (抄送, 印发) between rules at the
foot of the block.

Faces (reports/fonts/make_bulletin_fonts.py): Noto Serif CJK SC Bold for the header and title (the open
face closest to 小标宋), LXGW WenKai for the body (an open 楷体; no open 仿宋 is packaged), the shipped
Noto Sans CJK SC Bold for first-level headings (黑体). All embedded as subsets. The office's fixed text
(header, issuer, 文号 pattern, addressee, closing, 抄送, 印发) comes from kaohe.data.office (a setting).
"""

from __future__ import annotations

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from kaohe.base import clock
from kaohe.data import office as office_store
from kaohe.metrics import analysis as stats
from kaohe.metrics import commentary as cm
from kaohe.metrics.rank import alert_text
from kaohe.reports import fonts
from kaohe.reports.context import load
from kaohe.reports.messages import t
from kaohe.reports.pdf import wrap_mode
from kaohe.reports.safe import pdf_text

# GB/T 9704-2012, in millimetres
PAGE_W, PAGE_H = 210.0, 297.0
LEFT, TOP, BLOCK_W, BLOCK_H = 28.0, 37.0, 156.0, 225.0
RIGHT = PAGE_W - LEFT - BLOCK_W  # 26
BOTTOM = PAGE_H - TOP - BLOCK_H  # 35
HEADER_DROP = 35.0  # 发文机关标志: its top edge this far below the block's top
PAGE_NO_DROP = 7.0  # page numbers: this far below the block
RED = (230, 0, 18)
INK = (0, 0, 0)

BODY_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
TABLE_PT = 10.5
NOTE_PT = 14.0  # 四号: 版记
LINE = BLOCK_H / 22  # 22 lines to a page

SERIF, KAI, SANS = "kaoheserif", "kaohekai", fonts.FAMILY
FONT_FILES = {(SERIF, "B"): fonts.DIR / "KaoheSerifSC-Bold.ttf", (KAI, ""): fonts.DIR / "KaoheKaiSC-Regular.ttf"}
NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    return ("十" if n < 20 else NUMERALS[n // 10 - 1] + "十") + (NUMERALS[n % 10 - 1] if n % 10 else "")


class Bulletin(FPDF):
    def __init__(self, lang: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.ui_lang = lang
        fonts.register(self)  # the sans, for 黑体 headings
        for (family, style), path in FONT_FILES.items():
            self.add_font(family, style, str(path))
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_creator("Kaohe")
        self.set_lang("zh-CN" if lang == "zh" else "en")
        self.c_margin = 0

    def footer(self) -> None:
        # GB/T 9704 7.5: "— 1 —", 4号, 7 mm below the block; odd pages right, even pages left, a char in
        self.set_font(KAI, "", NOTE_PT)
        self.set_text_color(*INK)
        self.set_y(TOP + BLOCK_H + PAGE_NO_DROP)
        text = t("bl.page", self.ui_lang, n=self.page_no())
        w = self.get_string_width(text)
        indent = NOTE_PT * 0.3528
        x = LEFT + BLOCK_W - w - indent if self.page_no() % 2 else LEFT + indent
        self.set_x(x)
        self.cell(w, 6, text)

    # -- text -----------------------------------------------------------------------------------
    def font(self, family: str, size: float, colour=INK) -> None:
        self.set_font(family, "B" if family in (SERIF, SANS) else "", size)
        self.set_text_color(*colour)

    def para(self, text: str, *, family: str = KAI, size: float = BODY_PT, indent: bool = True,
             align: str = "L", h: float = LINE) -> None:
        self.font(family, size)
        body = ("\u3000\u3000" if indent and self.ui_lang == "zh" else "") + pdf_text(text)
        self.multi_cell(BLOCK_W, h, body, align=align, wrapmode=wrap_mode(self.ui_lang), new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)

    def fitted_size(self, text: str, family: str, wanted: float, width: float = BLOCK_W) -> float:
        self.font(family, wanted)
        w = self.get_string_width(text)
        return wanted if w <= width else wanted * width / w * 0.98


def _date_text(lang: str) -> str:
    d = clock.today()
    if lang == "zh":  # 2026年3月5日 (GB/T 9704: Arabic numerals, no leading zeros)
        return t("bl.date", lang, y=d.year, m=d.month, d=d.day)
    return t("bl.date", lang, y=d.year, m=f"{d.month:02d}", d=f"{d.day:02d}")


def _change(change, lang: str) -> str:
    if change is None or change != change:
        return t("rank.new", lang)
    change = int(change)
    if change > 0:
        return t("bl.change.up", lang, n=change)
    if change < 0:
        return t("bl.change.down", lang, n=-change)
    return t("report.change.same", lang)


def bulletin_pdf(wh, month: str, period: str = "month", lang: str = "zh", build=None, *, actor) -> bytes:
    from kaohe.base import access

    access.require(actor, "download")  # every unit's results: a leader's or the office's
    ctx = load(wh, month, period, lang, build, history=False)
    office = office_store.load(wh, lang)
    doc = Bulletin(lang)
    render(doc, ctx, office)
    return bytes(doc.output())


def render(doc: Bulletin, ctx, office: dict) -> None:
    lang, b = ctx.lang, ctx.build
    zh = lang == "zh"
    period = ctx.period_short()
    title = t("bl.title", lang, period=period)
    doc.set_title(pdf_text(title))
    doc.add_page()
    # 发文机关标志: red, heavy Song, centred, its top 35 mm below the block's top
    header = pdf_text(office["header"])
    size = doc.fitted_size(header, SERIF, 40.0)
    doc.font(SERIF, size, RED)
    doc.set_y(TOP + HEADER_DROP)
    doc.cell(BLOCK_W, size * 0.3528 * 1.2, header, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # 文号, two lines below; the red line 4 mm under it, the block's width
    number = office["number"].format(abbr=office["abbr"], year=ctx.month[:4], seq=int(ctx.month[5:7]))
    doc.ln(LINE * 1.2)
    doc.font(KAI, BODY_PT)
    doc.cell(BLOCK_W, LINE * 0.7, pdf_text(number), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y = doc.get_y() + 4
    doc.set_draw_color(*RED)
    doc.set_line_width(0.6)
    doc.line(LEFT, y, LEFT + BLOCK_W, y)
    doc.set_y(y + LINE * 1.2)
    # title, then the addressee
    doc.font(SERIF, TITLE_PT)
    doc.multi_cell(BLOCK_W, TITLE_PT * 0.3528 * 1.5, pdf_text(title), align="C", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    doc.ln(LINE * 0.5)
    doc.para(office["addressee"], indent=False, align="L")
    doc.para(t("bl.opening", lang, period=ctx.period_text(), status=ctx.status_text()))
    alerts_cfg = b.scheme.section("alerts") if b.scheme else {}
    names = {c: ctx.unit_name(c) for c in b.totals["unit_code"]}
    for n, g in enumerate(ctx.groups(), start=1):
        heading = f"{_numeral(n)}、{ctx.group_name(g)}" if zh else f"{n}. {ctx.group_name(g)}"
        if doc.get_y() > TOP + BLOCK_H - 4 * LINE:
            doc.add_page()
        doc.para(heading, family=SANS, indent=zh)
        said = [s.text for s in cm.group(b, g, lang) if s.kind != "few_cases"]
        caveats = [s.text for s in cm.group(b, g, lang) if s.kind == "few_cases"][:1]
        if said:
            doc.para(("；" if zh else "; ").join(said) + ("。" if zh else "."))
        tot = b.totals[b.totals["peer_group"] == g].sort_values(["rank", "unit_code"])
        _table(doc, b, tot, names, lang)
        red, black = stats.lists_shown(tot)

        def listed(rows) -> str:
            return ("、" if zh else ", ").join(
                t("bl.listed", lang, unit=names[r.unit_code], total=f"{r.total:.2f}") for r in rows.itertuples()
            ) or t("ov.list_none", lang)

        doc.para(t("bl.lists", lang, red=listed(red), black=listed(black)))
        alerted = [r for r in tot.itertuples() if r.alerts is not None and len(r.alerts)]
        if alerted:
            doc.para(t("bl.alerts", lang, text=("；" if zh else "; ").join(
                f"{names[r.unit_code]}（{t('scoring.scheme.sep', lang).join(alert_text(c, alerts_cfg, lang) for c in r.alerts)}）"
                if zh else f"{names[r.unit_code]} ({', '.join(alert_text(c, alerts_cfg, lang) for c in r.alerts)})"
                for r in alerted)))
        for c in caveats:
            doc.para(c + ("。" if zh else "."))
    doc.para(office["closing"])
    # signature and date: right, four characters in
    doc.ln(LINE)
    if doc.get_y() > TOP + BLOCK_H - 2 * LINE:
        doc.add_page()
    pad = 4 * BODY_PT * 0.3528 if zh else 0
    for text in (office["issuer"], _date_text(lang)):
        doc.font(KAI, BODY_PT)
        w = min(doc.get_string_width(pdf_text(text)) + 0.5, BLOCK_W - pad)
        doc.set_x(LEFT + BLOCK_W - pad - w)
        doc.multi_cell(w, LINE, pdf_text(text), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _record(doc, office, lang)


def _table(doc: Bulletin, b, tot, names: dict, lang: str) -> None:
    widths = (12, 30, 16, 14, 18, 66) if lang == "zh" else (12, 32, 15, 21, 16, 60)
    heads = [t("report.col.rank", lang), t("report.col.unit", lang), t("report.col.total", lang),
             t("report.col.grade", lang), t("report.col.change", lang), t("bl.col.reason", lang)]
    doc.font(KAI, TABLE_PT)
    doc.set_draw_color(*INK)
    doc.set_line_width(0.2)
    doc.ln(1)
    with doc.table(col_widths=widths, width=BLOCK_W, line_height=TABLE_PT * 0.3528 * 1.45, text_align=(
            "CENTER", "LEFT", "RIGHT", "CENTER", "CENTER", "LEFT"), first_row_as_headings=True,
            headings_style=FontFace(family=SANS, emphasis="BOLD", size_pt=TABLE_PT), padding=0.8) as table:
        row = table.row()
        for h in heads:
            row.cell(pdf_text(h), align="C")
        for r in tot.itertuples():
            reason = cm.unit(b, r.unit_code, lang, n=1)[0].text
            row = table.row()
            for v in (str(int(r.rank)), names[r.unit_code], f"{r.total:.2f}",
                      r.grade_zh if lang == "zh" else r.grade_en, _change(r.rank_change, lang), reason):
                row.cell(pdf_text(v))
    doc.ln(2)


def _record(doc: Bulletin, office: dict, lang: str) -> None:
    """版记 at the foot of the last page's block: 抄送 and 印发 between a heavy rule at each end and a thin
    one between them (GB/T 9704 7.4)."""
    doc.font(KAI, NOTE_PT)
    h = NOTE_PT * 0.3528 * 1.6
    cc = pdf_text(t("bl.cc", lang, cc=office["cc"]))
    lines_cc = len(doc.multi_cell(BLOCK_W - 2 * 4.9, h, cc, dry_run=True, output="LINES"))
    need = (lines_cc + 1) * h + 4
    if doc.get_y() + need > TOP + BLOCK_H:
        doc.add_page()
    y = TOP + BLOCK_H - need
    doc.set_draw_color(*INK)
    doc.set_line_width(0.35)
    doc.line(LEFT, y, LEFT + BLOCK_W, y)
    doc.set_xy(LEFT + 4.9, y + 1)
    doc.multi_cell(BLOCK_W - 2 * 4.9, h, cc, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y2 = doc.get_y() + 0.5
    doc.set_line_width(0.25)
    doc.line(LEFT, y2, LEFT + BLOCK_W, y2)
    doc.set_xy(LEFT + 4.9, y2 + 0.5)
    printer = pdf_text(office["printer"])
    date = pdf_text(t("bl.printed", lang, date=_date_text(lang)))
    doc.cell(BLOCK_W - 2 * 4.9 - doc.get_string_width(date) - 2, h, doc_fit(doc, printer, BLOCK_W * 0.6))
    doc.set_x(LEFT + BLOCK_W - 4.9 - doc.get_string_width(date))
    doc.cell(doc.get_string_width(date), h, date, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_line_width(0.35)
    end = min(doc.get_y() + 0.5, TOP + BLOCK_H)
    doc.line(LEFT, end, LEFT + BLOCK_W, end)


def doc_fit(doc: Bulletin, text: str, width: float) -> str:
    while text and doc.get_string_width(text) > width:
        text = text[:-1]
    return text
