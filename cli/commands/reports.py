"""`kaohe scorecard`, `kaohe scorecards`, `kaohe summary`, `kaohe export`: PDFs and the workbook."""

from __future__ import annotations

import sys
from pathlib import Path

from kaohe.base import i18n, settings
from kaohe.reports import messages as _messages  # noqa: F401 - registers the "report." strings

PERIODS = ["month", "quarter", "year", "ytd"]


HELP = {
    "unit": "单位代码 / unit code (e.g. S01)",
    "month": "考核月份 / month (YYYY-MM；默认为已有数据的最近月份 / default: last month with data)",
    "period": "考核期 / period: month | quarter | year | ytd （默认 default month）",
    "out": "输出文件 / output file",
    "format_zip": "zip（每单位一个 PDF / one PDF per unit）或 pdf（合并 / merged）",
    "processes": "并行进程数 / worker processes （默认 default: CPU count）",
    "current": "按当前数据出具（默认：已发布的期次用已发布的结果）/ the current figures (default: a published "
               "period shows its published figures)",
}


def _parser(sub, name: str, help_text: str, description: str, func, *, period: bool = True):
    """A report command with the options they share: --db, --month, --period, -o."""
    from kaohe.cli import add_db_option

    p = sub.add_parser(name, help=help_text, description=description)
    add_db_option(p)
    p.add_argument("--month", default=None, help=HELP["month"])
    if period:
        p.add_argument("--period", choices=PERIODS, default="month", help=HELP["period"])
    p.add_argument("-o", "--output", required=True, help=HELP["out"])
    p.add_argument("--current", action="store_true", help=HELP["current"])
    p.set_defaults(func=func)
    return p


def register(sub) -> None:
    p = _parser(sub, "scorecard", "单位成绩单 PDF / one unit's scorecard PDF",
                "单位成绩单 PDF（A4，不超过两页）/ one unit's scorecard PDF (A4, at most two pages)", cmd_scorecard)
    p.add_argument("--unit", required=True, help=HELP["unit"])

    p = _parser(sub, "scorecards", "全部单位成绩单（ZIP 或合并 PDF）/ every unit's scorecard (ZIP or merged PDF)",
                "全部单位成绩单，按分类和名次排列；进度输出到标准错误 / every unit's scorecard, "
                "in group and rank order; progress goes to stderr", cmd_scorecards)
    p.add_argument("--format", choices=["zip", "pdf"], default=None,
                   help=HELP["format_zip"] + " （默认按文件后缀 / default: from the file suffix）")
    p.add_argument("--processes", type=int, default=None, help=HELP["processes"])

    _parser(sub, "summary", "月度考核通报 PDF / the monthly summary PDF for leadership",
            "月度考核通报：分类排名、红黑榜、预警、图表、较上月变化 / monthly summary: "
            "rankings by group, red and black lists, alerts, charts, changes", cmd_summary)

    _parser(sub, "export", "导出 Excel 工作簿或 CSV / export the Excel workbook or CSV",
            "Excel：各分类排名、指标矩阵、得分说明；.csv 后缀导出排名表（UTF-8 BOM）/ "
            "Excel: rankings per group, indicator matrix, explanations; a .csv suffix "
            "writes the ranking table (UTF-8 with BOM)", cmd_export)


def _open(args):
    """The warehouse and month of a report. A month (or the warehouse) without data is refused
    as every other command refuses it (metrics.service.ScoringError, exit code 1, one line)."""
    from kaohe.cli import existing_warehouse, month_arg
    from kaohe.metrics import periods, service

    wh = existing_warehouse(args.db)
    month = month_arg(args.month)
    available = wh.months()
    if month is None:
        if not available:
            raise service.ScoringError("report.no_observations")
        month = available[-1]
    period = getattr(args, "period", "month")
    if not set(periods.months_of(period, month)) & set(available):
        raise service.ScoringError("scoring.no_data", month=lambda lg: periods.label(period, month, lg))
    return wh, month


def _figures(args, wh, month):
    """The build a report shows: a published period's published figures (the latest revision
    rebuilt exactly) unless --current; None (the report builds the current figures) otherwise.
    A revision that cannot be rebuilt is refused in words, with the way to the current figures."""
    from kaohe.metrics import service

    if getattr(args, "current", False):
        return None
    lang = args.lang
    try:
        return service.published_figures(wh, month, getattr(args, "period", "month"), lang)
    except service.ReplayRefused:
        print(i18n.t("report.cli.use_current", lang), file=sys.stderr)
        raise


def _say_state(args, wh, month, build=None) -> int:
    """Beside every report file: what its figures are against the published ones, in words
    (metrics.service.published_state), so a drifted figure is never handed on silently."""
    from kaohe.metrics import service

    state = service.published_state(wh, month, getattr(args, "period", "month"))
    if getattr(build, "published_revision", None) is not None:
        state = state.showing_published()
    lang = args.lang
    if build is not None:
        name = (build.scheme.name(lang) if build.scheme is not None else "") or build.scheme_id
        version = build.scheme_version
    else:
        sch = service.current_scheme(wh, month[:4], lang)
        name, version = sch.name(lang) or sch.id, sch.version
    print(i18n.t("scheme.used", lang, name=name, version=version))
    if state.published:  # a draft is labelled a draft inside the file itself
        print(state.notice(lang) or state.label(lang))
    return 0


def _write(path: str, data: bytes, lang: str) -> int:
    out = Path(path)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(i18n.t("report.written", lang, path=out, size=max(1, len(data) // 1024)))
    return 0


def cmd_scorecard(args) -> int:
    lang = args.lang
    from kaohe.cli import UsageError
    from kaohe.reports.scorecard import scorecard_pdf

    wh, month = _open(args)
    if args.unit not in set(wh.units()["code"]):
        raise UsageError("report.unknown_unit", unit=args.unit)
    b = _figures(args, wh, month)
    _write(args.output, scorecard_pdf(wh, args.unit, month, args.period, lang, b, current=args.current, actor=settings.actor()), args.lang)
    return _say_state(args, wh, month, b)


def cmd_scorecards(args) -> int:
    lang = args.lang
    from kaohe.reports import batch

    wh, month = _open(args)
    fmt = args.format or ("pdf" if args.output.lower().endswith(".pdf") else "zip")
    progress = batch.progress_line(lang)
    b = _figures(args, wh, month)
    if fmt == "pdf":
        data = batch.scorecards_merged_pdf(wh, month, lang, progress, period=args.period, build=b, actor=settings.actor())
    else:
        data = batch.scorecards_zip(wh, month, lang, progress, period=args.period, build=b,
                                    processes=args.processes, actor=settings.actor())
    sys.stderr.flush()
    _write(args.output, data, args.lang)
    return _say_state(args, wh, month, b)


def cmd_summary(args) -> int:
    from kaohe.reports.summary import summary_pdf

    wh, month = _open(args)
    b = _figures(args, wh, month)
    _write(args.output, summary_pdf(wh, month, args.period, args.lang, b, actor=settings.actor()), args.lang)
    return _say_state(args, wh, month, b)


def cmd_export(args) -> int:
    lang = args.lang
    wh, month = _open(args)
    b = _figures(args, wh, month)
    if args.output.lower().endswith(".csv"):
        from kaohe.reports.csvexport import rankings_csv

        _write(args.output, rankings_csv(wh, month, args.period, lang, b), args.lang)
        return _say_state(args, wh, month, b)
    from kaohe.reports.excel import workbook

    _write(args.output, workbook(wh, month, args.period, lang, b, actor=settings.actor()), args.lang)
    return _say_state(args, wh, month, b)
