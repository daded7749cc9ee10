"""Layout primitives on fpdf2: a page frame, headings, key figures, tables, bars and line charts.

Charts are drawn as PDF vectors (lines, rectangles, text), so they print sharply and need no
browser or image library. Every piece of text passes through `safe.pdf_text`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from kaohe.base import clock
from kaohe.reports import fonts
from kaohe.reports.messages import t
from kaohe.reports.safe import pdf_text

INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (206, 212, 218)
ACCENT = (23, 78, 140)
PANEL = (241, 244, 248)
GOOD = (46, 125, 50)
BAD = (198, 40, 40)
WARN = (230, 150, 0)
# Significance fills, after the public-health profiles: better green, similar amber, worse red.
SIG_FILL = {"better": (200, 230, 201), "similar": (255, 236, 179), "worse": (255, 205, 210)}
# missing is violet so it cannot be taken for "similar" amber; n/a is grey
STATUS_FILL = {"na": (233, 236, 239), "missing": (225, 212, 240), "carried": (225, 235, 245)}
SERIES = [(23, 78, 140), (230, 120, 20), (46, 125, 50), (142, 68, 173), (198, 40, 40)]


def wrap_mode(lang: str) -> WrapMode:
    # Chinese has no spaces between words: break anywhere, or a long name overflows its cell.
    return WrapMode.CHAR if lang == "zh" else WrapMode.WORD


def nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering lo..hi."""
    import math

    span = max(hi - lo, 1e-9)
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks, v = [], first
    while v <= hi + step * 0.5:
        ticks.append(round(v, 10))
        v += step
    return ticks


def int_ticks(lo: float, hi: float, n: int = 6) -> list[int]:
    """Whole-number ticks from lo to hi inclusive (ranks 1..N): both ends and round steps between.

    1..8 gives 1 2 4 6 8, 1..6 every rank, 1..12 gives 1 2 4 .. 12 (a step that leaves the
    last round tick too close to N drops that tick rather than crowding N).
    """
    a, b = int(round(lo)), int(round(hi))
    if b <= a:
        return [a]
    raw = (b - a) / n
    step = next(m * 10 ** e for e in range(7) for m in (1, 2, 5) if m * 10 ** e >= raw)
    inner = [v for v in range(step * (a // step + 1), b, step) if v - a >= step / 2 and b - v >= step / 2]
    return [a, *inner, b]


@dataclass
class Col:
    title: str
    width: float  # mm
    align: str = "L"


class Doc(FPDF):
    """An A4 page frame: a running title and status at the top, page numbers at the foot."""

    def __init__(self, lang: str = "zh", running: str = "", status: str = ""):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.ui_lang = lang
        self.running = pdf_text(running)
        self.status_text = pdf_text(status)
        fonts.register(self)
        self.set_margins(12, 14, 12)
        self.set_auto_page_break(True, margin=13)
        self.set_creator("Kaohe")
        self.set_lang("zh-CN" if lang == "zh" else "en")
        self.set_title(self.running)
        self.generated = clock.now().strftime("%Y-%m-%d %H:%M")
        # In a merged batch every unit's pages are numbered from 1, without a document total.
        self.merged = False
        self.unit_start = 1
        self.density: dict = {}  # the scorecard's layout level (reports.scorecard.DENSITY)

    # -- frame ------------------------------------------------------------------------
    def header(self) -> None:
        self.set_y(6)
        self.style(7, color=MUTED)
        # the status whole (当前数据（与已发布的第 N 版不同） is long), the running title in what is left
        status_w = min(self.get_string_width(pdf_text(self.status_text)) + 1, self.epw * 0.55)
        self.cell(self.epw - status_w, 4, self.fit(self.running, self.epw - status_w - 2), new_x=XPos.RIGHT)
        self.cell(status_w, 4, self.fit(self.status_text, status_w), align="R",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, 10.5, self.w - self.r_margin, 10.5)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-10)
        self.style(7, color=MUTED)
        self.cell(self.epw / 2, 4, t("report.generated", self.ui_lang, at=self.generated))
        if self.merged:
            text = t("report.page_short", self.ui_lang, page=self.page_no() - self.unit_start + 1)
        else:
            text = t("report.page", self.ui_lang, page=self.page_no(), pages="{nb}")
        self.cell(self.epw / 2, 4, text, align="R")

    # -- text -------------------------------------------------------------------------
    def style(self, size: float, bold: bool = False, color=INK) -> None:
        self.set_font(fonts.FAMILY, "B" if bold else "", size)
        self.set_text_color(*color)

    def para(self, text: str, size: float = 8, *, color=INK, bold: bool = False, h: float | None = None,
             w: float = 0, x: float | None = None) -> None:
        self.style(size, bold, color)
        if x is not None:
            self.set_x(x)
        self.multi_cell(w, h or size * 0.5, pdf_text(text, keep_newlines=True),
                        wrapmode=wrap_mode(self.ui_lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, text: str, size: float = 10.5, keep: float = 25) -> None:
        """A section title with a short accent bar; keeps at least `keep` mm below it on the page
        (pass a small table's height so the table is not split from its title or across pages)."""
        if self.get_y() + max(keep, 25) > self.page_break_trigger:
            self.add_page()
        self.ln(1.5)
        y = self.get_y()
        self.set_fill_color(*ACCENT)
        self.rect(self.l_margin, y + 0.8, 1.2, size * 0.38, style="F")
        self.set_x(self.l_margin + 2.5)
        self.style(size, bold=True, color=ACCENT)
        self.cell(0, size * 0.5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.8)

    def fit(self, text: str, width: float) -> str:
        """`text` shortened with an ellipsis to fit `width` at the current font."""
        text = pdf_text(text)
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    # -- key figures --------------------------------------------------------------------
    def figures(self, items: Sequence[tuple[str, str, tuple | None]], h: float = 15) -> None:
        """A row of boxes, each a small label over a large figure (optionally coloured)."""
        n = len(items)
        gap = 2.5
        w = (self.epw - gap * (n - 1)) / n
        y = self.get_y()
        for i, (label, figure, color) in enumerate(items):
            x = self.l_margin + i * (w + gap)
            self.set_fill_color(*PANEL)
            self.rect(x, y, w, h, style="F")
            self.set_xy(x + 2, y + 1.5)
            self.style(7, color=MUTED)
            self.cell(w - 4, 3.5, self.fit(label, w - 4))
            self.set_xy(x + 2, y + 5.5)
            self.style(15 if len(figure) < 9 else 11, bold=True, color=color or INK)
            self.cell(w - 4, 8, self.fit(figure, w - 4))
        self.set_xy(self.l_margin, y + h + 2)

    # -- tables -------------------------------------------------------------------------
    def table_rows(self, cols: Sequence[Col], rows: Sequence[Sequence[str]], *, size: float = 7.2,
                   fills: Sequence[Sequence[tuple | None]] | None = None, bold_rows: set[int] | None = None,
                   max_lines: int = 2, zebra: bool = True) -> None:
        """A table whose rows grow to `max_lines` lines; the header repeats after a page break."""
        line_h = size * 0.46
        pad = 0.9

        def draw_header() -> None:
            self.style(size, bold=True, color=(255, 255, 255))
            self.set_fill_color(*ACCENT)
            x, y = self.l_margin, self.get_y()
            hh = line_h + 2 * pad
            for c in cols:
                self.rect(x, y, c.width, hh, style="F")
                self.set_xy(x + pad, y + pad)
                self.cell(c.width - 2 * pad, line_h, self.fit(c.title, c.width - 2 * pad), align=c.align)
                x += c.width
            self.set_xy(self.l_margin, y + hh)

        def lines_of(i: int, row: Sequence[str]) -> list[list[str]]:
            self.style(size, bold=bool(bold_rows and i in bold_rows))
            cells = []
            for c, text in zip(cols, row, strict=True):
                text = pdf_text(text)
                if self.get_string_width(text) <= c.width - 2 * pad - 0.2:
                    cells.append([text])  # fits on one line: skip fpdf2's (slow) line breaking
                    continue
                lines = self.multi_cell(c.width - 2 * pad, line_h, text, dry_run=True,
                                        output="LINES", wrapmode=wrap_mode(self.ui_lang))
                if len(lines) > max_lines:
                    lines = lines[: max_lines - 1] + [self.fit(lines[max_lines - 1] + "…", c.width - 2 * pad)]
                cells.append(lines or [""])
            return cells

        laid = [lines_of(i, row) for i, row in enumerate(rows)]
        heights = [max(len(c) for c in cells) * line_h + 2 * pad for cells in laid]
        draw_header()
        for i, cells in enumerate(laid):
            bold = bool(bold_rows and i in bold_rows)
            hh = heights[i]
            # a bold (group header) row keeps the first row of its group below it on the page
            need = hh + (heights[i + 1] if bold and i + 1 < len(heights) else 0)
            if self.get_y() + need > self.page_break_trigger:
                self.add_page()
                draw_header()
            x, y = self.l_margin, self.get_y()
            for j, (c, lines) in enumerate(zip(cols, cells, strict=True)):
                fill = fills[i][j] if fills and fills[i][j] else ((248, 249, 250) if zebra and i % 2 else None)
                if fill:
                    self.set_fill_color(*fill)
                    self.rect(x, y, c.width, hh, style="F")
                self.set_xy(x + pad, y + pad)
                self.style(size, bold=bold)
                for k, line in enumerate(lines):
                    self.set_xy(x + pad, y + pad + k * line_h)
                    self.cell(c.width - 2 * pad, line_h, line, align=c.align)
                x += c.width
            self.set_draw_color(*RULE)
            self.set_line_width(0.1)
            self.line(self.l_margin, y + hh, self.l_margin + sum(c.width for c in cols), y + hh)
            self.set_xy(self.l_margin, y + hh)
        self.ln(1)

    # -- charts -------------------------------------------------------------------------
    def bars(self, items: Sequence[tuple[str, float | None, float | None, str]], *, vmax: float = 100,
             label_w: float = 38, value_w: float = 26, bar_h: float = 4.2, gap: float = 1.6,
             legend: tuple[str, str, str] | None = None) -> None:
        """Horizontal bars (label, value, reference marker, value text): e.g. score vs peer median."""
        x0 = self.l_margin + label_w
        track = self.epw - label_w - value_w
        y = self.get_y()
        for label, v, ref, text in items:
            self.style(7.5)
            self.set_xy(self.l_margin, y)
            self.cell(label_w - 2, bar_h, self.fit(label, label_w - 2))
            self.set_fill_color(*PANEL)
            self.rect(x0, y, track, bar_h, style="F")
            if v is not None:
                frac = max(0.0, min(1.0, v / vmax))
                colour = GOOD if ref is None or v >= ref else WARN
                self.set_fill_color(*colour)
                self.rect(x0, y + 0.5, track * frac, bar_h - 1, style="F")
            if ref is not None:
                rx = x0 + track * max(0.0, min(1.0, ref / vmax))
                self.set_draw_color(*INK)
                self.set_line_width(0.5)
                self.line(rx, y - 0.6, rx, y + bar_h + 0.6)
            self.set_xy(x0 + track + 1.5, y)
            self.style(7.5, bold=True)
            self.cell(value_w - 1.5, bar_h, pdf_text(text))
            y += bar_h + gap
        if legend:  # (above, below, marker)
            self.set_xy(x0, y)
            self.swatch(GOOD, legend[0])
            self.swatch(WARN, legend[1])
            mx = self.get_x() + 1
            self.set_draw_color(*INK)
            self.set_line_width(0.5)
            self.line(mx, y, mx, y + 3.4)
            self.set_xy(mx + 1.5, y)
            self.style(6.5, color=MUTED)
            self.cell(60, 3.6, pdf_text(legend[2]))
            y += 4.5
        self.set_xy(self.l_margin, y + 1)

    def line_chart(self, x: float, y: float, w: float, h: float, labels: Sequence[str],
                   series: Sequence[tuple[str, Sequence[float | None], tuple]], *, title: str = "",
                   ymin: float | None = None, ymax: float | None = None, invert: bool = False,
                   integer: bool = False, fmt: Callable[[float], str] | None = None,
                   end_fmt: Callable[[float], str] | None = None) -> None:
        """A line chart in the box (x, y, w, h); `invert` puts small values on top (ranks).

        `fmt` writes the axis ticks, `end_fmt` (default `fmt`) the value printed by each line's end.
        """
        fmt = fmt or ((lambda v: f"{v:.0f}") if integer else (lambda v: f"{v:.1f}"))
        end_fmt = end_fmt or fmt
        vals = [v for _, s, _ in series for v in s if v is not None]
        top = y
        if title:
            self.style(8, bold=True)
            self.set_xy(x, y)
            self.cell(w, 4, self.fit(title, w))
            y, h = y + 5, h - 5
        legend_x = legend_y = None
        if len(series) > 1:  # the legend goes above the plot, clear of the lines
            self.style(8, bold=True)
            title_w = self.get_string_width(pdf_text(title)) + 4 if title else 0
            self.style(6)
            legend_w = sum(self.get_string_width(pdf_text(name)) + 7 for name, _s, _c in series)
            if title and title_w + legend_w <= w:  # right-aligned on the title line
                legend_x, legend_y = x + w - legend_w, top + 0.6
            else:  # a line of its own
                legend_x, legend_y = x, y
                y, h = y + 4, h - 4
        # each line's last value is written just right of its end point, where no line can run
        ends = [next(v for v in reversed(sv) if v is not None) for _n, sv, _c in series
                if any(v is not None for v in sv)] if len(series) <= 2 else []
        self.style(6.5, bold=True)
        end_w = max((self.get_string_width(end_fmt(v)) for v in ends), default=0)
        left, bottom, right = 9.0, 5.0, 2.0 + (end_w + 1.5 if ends else 0)
        px, py, pw, ph = x + left, y + 1, w - left - right, h - bottom - 1
        self.set_draw_color(*RULE)
        self.set_line_width(0.15)
        self.rect(px, py, pw, ph)
        if not vals:
            self.style(7, color=MUTED)
            self.set_xy(px, py + ph / 2 - 2)
            self.cell(pw, 4, t("report.no_data", self.ui_lang), align="C")
            return
        lo = min(vals) if ymin is None else ymin
        hi = max(vals) if ymax is None else ymax
        if hi - lo < 1e-9:
            lo, hi = lo - 1, hi + 1
        pad = 0 if (ymin is not None and ymax is not None) else (hi - lo) * 0.12
        lo, hi = lo - pad, hi + pad
        if integer:  # ranks: a little air above 1 and below N so end points are not on the frame
            pad, lo, hi = 0.3, lo - 0.3, hi + 0.3

        def ypos(v: float) -> float:
            f = (v - lo) / (hi - lo)
            return py + (f if invert else 1 - f) * ph

        n = len(labels)
        step = pw / max(n - 1, 1)

        def xpos(i: int) -> float:
            return px + (i * step if n > 1 else pw / 2)

        ticks = int_ticks(lo + pad, hi - pad) if integer else nice_ticks(lo, hi)
        if not integer:
            lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
        self.set_dash_pattern(dash=0.6, gap=0.6)
        for tv in ticks:
            ty = ypos(tv)
            self.line(px, ty, px + pw, ty)
        self.set_dash_pattern()
        self.style(6, color=MUTED)
        for tv in ticks:
            self.set_xy(x, ypos(tv) - 1.5)
            self.cell(left - 1, 3, fmt(tv), align="R")
        every = max(1, (n + 5) // 6)
        for i, lab in enumerate(labels):
            # every k-th label, and the last one unless it would touch the one before
            if (i % every == 0 and (n - 1 - i >= every or i == n - 1)) or i == n - 1:
                self.set_xy(xpos(i) - 7, py + ph + 0.6)
                self.cell(14, 3, pdf_text(lab), align="C")
        placed: list[float] = []
        for _name, s, colour in series:
            self.set_draw_color(*colour)
            self.set_fill_color(*colour)
            self.set_line_width(0.45)
            run: list[tuple[float, float]] = []
            for i, v in enumerate(s):
                if v is None:
                    if len(run) > 1:
                        self.polyline(run)
                    run = []
                    continue
                run.append((xpos(i), ypos(v)))
            if len(run) > 1:
                self.polyline(run)
            for i, v in enumerate(s):
                if v is not None:
                    self.circle(xpos(i), ypos(v), 0.6, style="F")
            last = max((i for i, v in enumerate(s) if v is not None), default=None)
            if last is not None and ends:  # more end labels than two would crowd each other
                placed.append(self._end_label(xpos(last), ypos(s[last]), end_fmt(s[last]), colour, placed))
        if legend_x is not None:  # above the plot, clear of the lines
            self.style(6, color=INK)
            names = [pdf_text(name) for name, _s, _c in series]
            widths = [self.get_string_width(name) + 1 for name in names]
            lx, ly = legend_x, legend_y
            for name, wname, (_n, _s, colour) in zip(names, widths, series, strict=True):
                self.set_fill_color(*colour)
                self.rect(lx, ly + 0.9, 3, 1.2, style="F")
                self.style(6, color=INK)
                self.set_xy(lx + 3.5, ly)
                self.cell(wname, 3, name)
                lx += wname + 6

    def _end_label(self, x: float, y: float, text: str, colour: tuple, placed: list[float]) -> float:
        """`text` just right of the point (x, y), moved down clear of a label already at that height."""
        for other in placed:
            if abs(y - other) < 3:
                y = other + 3
        self.style(6.5, bold=True, color=colour)
        self.set_xy(x + 0.8, y - 1.5)
        self.cell(self.get_string_width(text) + 1, 3, text)
        return y

    def swatch(self, colour: tuple, label: str, w: float = 3.2) -> None:
        """A small legend entry at the current position."""
        x, y = self.get_x(), self.get_y()
        self.set_fill_color(*colour)
        self.rect(x, y + 0.5, w, 2.6, style="F")
        self.set_xy(x + w + 1, y)
        self.style(6.5, color=MUTED)
        text = pdf_text(label)
        self.cell(self.get_string_width(text) + 4, 3.6, text)
