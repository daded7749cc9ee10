"""All scorecards of a month: one ZIP of PDFs, or one merged PDF, with progress reports.

The month's build and twelve months of history are computed once and shared. The ZIP is
rendered in a process pool when there are enough units to repay starting one (fpdf2 is pure
Python, so threads would not help); the merged PDF is one document, so the font is embedded
once rather than 343 times.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from kaohe.reports import fonts, scorecard
from kaohe.reports.context import Context, load, period_label
from kaohe.reports.messages import t

Progress = Callable[[int, int], None] | None
POOL_MIN_UNITS = 40  # below this, starting worker processes costs more than it saves

_WORKER_CTX: Context | None = None


def _units(ctx: Context) -> list[str]:
    tot = ctx.build.totals
    order = {g: i for i, g in enumerate(ctx.groups())}
    tot = tot.assign(_g=tot["peer_group"].map(order)).sort_values(["_g", "rank", "unit_code"])
    return tot["unit_code"].tolist()


def _filename(ctx: Context, code: str) -> str:
    # Unit names come from uploads: keep letters (including hanzi), digits, - and _ only.
    name = re.sub(r"[^\w\-]+", "_", ctx.unit_name(code)).strip("_")[:40]
    when = ctx.month if ctx.period == "month" else re.sub(r"[^\w\-]+", "_", period_label(ctx.period, ctx.month))
    return f"{when}_{code}_{name}.pdf" if name else f"{when}_{code}.pdf"


def _render_one(ctx: Context, code: str) -> bytes:
    return bytes(scorecard.fit_pages(ctx, code).output())


def _init_worker(ctx: Context) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


def _worker(code: str) -> tuple[str, bytes]:
    assert _WORKER_CTX is not None
    return code, _render_one(_WORKER_CTX, code)


def workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def render_all(ctx: Context, progress: Progress = None, processes: int | None = None):
    """Yield (unit_code, pdf bytes) in report order, calling progress(done, total) after each."""
    codes = _units(ctx)
    total = len(codes)
    processes = workers() if processes is None else processes
    if processes > 1 and total >= POOL_MIN_UNITS:
        fonts.warm()  # workers are forked: they inherit the parsed fonts instead of parsing them again
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_init_worker, initargs=(ctx,)) as pool:
            for done, item in enumerate(pool.map(_worker, codes, chunksize=4), 1):
                if progress:
                    progress(done, total)
                yield item
        return
    for done, code in enumerate(codes, 1):
        pdf = _render_one(ctx, code)
        if progress:
            progress(done, total)
        yield code, pdf


def scorecards_zip(wh, month: str, lang: str = "zh", progress: Progress = None, *, period: str = "month",
                   build=None, processes: int | None = None, actor) -> bytes:
    """Every unit's scorecard for `month` as separate PDFs in one ZIP."""
    from kaohe.base import access

    access.require(actor, "download")  # every unit's scorecards: a leader's or the office's
    ctx = load(wh, month, period, lang, build)
    ctx.district = scorecard.district_shapes(wh)  # the small map on each scorecard
    buf = io.BytesIO()
    # PDFs are compressed already; storing them saves time and loses almost nothing.
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for code, pdf in render_all(ctx, progress, processes):
            zf.writestr(_filename(ctx, code), pdf)
    return buf.getvalue()


def scorecards_merged_pdf(wh, month: str, lang: str = "zh", progress: Progress = None, *,
                          period: str = "month", build=None, actor) -> bytes:
    """Every unit's scorecard in one PDF, each starting on a new page, with an outline entry per unit."""
    from kaohe.base import access

    access.require(actor, "download")  # every unit's scorecards: a leader's or the office's
    ctx = load(wh, month, period, lang, build)
    ctx.district = scorecard.district_shapes(wh)  # the small map on each scorecard
    doc = scorecard.new_doc(ctx)
    doc.merged = True
    codes = _units(ctx)
    for done, code in enumerate(codes, 1):
        doc.unit_start = doc.page_no() + 1
        # Pages cannot be taken back out of a shared document, so each unit is first drawn on scratch
        # paper to pick its layout (its commentary and adjustments' reasons can be long).
        level = scorecard.density_for(ctx, code)
        scorecard.render(doc, ctx, code, level)
        if progress:
            progress(done, len(codes))
    return bytes(doc.output())


def progress_line(lang: str) -> Callable[[int, int], None]:
    """A progress callback for the command line: one line per tenth, and the last."""
    import sys

    def report(done: int, total: int) -> None:
        step = max(1, total // 10)
        if done % step == 0 or done == total:
            print(t("report.progress", lang, done=done, total=total), file=sys.stderr, flush=True)

    return report
