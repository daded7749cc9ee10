"""`kaohe import`, `kaohe batches`, `kaohe rollback`: the import pipeline on the command line.

Exit codes: 0 landed (or would land, with --dry-run); 1 refused (the report is
printed, nothing is written); 2 usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kaohe.base import i18n, settings
from kaohe.base.i18n import t
from kaohe.cli import existing_warehouse, words

SHOW_LINES = 60


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("import", help="导入考核数据文件（CSV/TSV/XLSX）/ import assessment files (CSV/TSV/XLSX)",
                       description="导入考核数据文件：读取、校验，无错误时整批写入 / "
                                   "import files: read, validate, and land each whole or not at all")
    add_db_option(p)
    p.add_argument("files", nargs="+", metavar="FILE", help="要导入的文件 / files to import")
    p.add_argument("--month", default=None, help="数据月份（文件中没有时）/ month of the data when the file "
                                                 "has none (YYYY-MM)")
    p.add_argument("--sheet", default=None, help="Excel 工作表名称（默认第一个）/ Excel sheet name (default: first)")
    p.add_argument("--dry-run", action="store_true", help="只校验不写入 / validate only, write nothing")
    p.add_argument("--accept-warnings", action="store_true",
                   help="确认警告并导入（记录在批次中）/ accept the warnings and import (recorded with the batch)")
    p.add_argument("--reason", default=None, help="更正已发布月份的理由 / reason for correcting a published month")
    p.add_argument("--report", default=None, metavar="PATH",
                   help="把完整报告写入 .csv 或 .xlsx / write the full report to a .csv or .xlsx file")
    p.add_argument("--max-mb", type=float, default=200, help="文件大小上限 MB / size limit in MB (200)")
    p.set_defaults(func=cmd_import, writes=True)

    p = sub.add_parser("batches", help="列出导入批次 / list import batches")
    add_db_option(p)
    p.add_argument("--limit", type=int, default=50, help="最多列出 / at most this many (50)")
    p.set_defaults(func=cmd_batches)

    p = sub.add_parser("rollback", help="整批回滚一个导入批次 / roll back a whole import batch")
    add_db_option(p)
    p.add_argument("batch_id", type=int, metavar="ID", help="批次号 / batch id")
    p.add_argument("--reason", default=None, help="回滚理由（批次含多个月或涉及已发布月份时必填；与批次一并保存）/ "
                                                  "reason (required for a batch of several months or a published "
                                                  "month; kept with the batch)")
    p.set_defaults(func=cmd_rollback, writes=True)


def _warm_gx():
    """Import Great Expectations and build the suites in a thread while the file is read and normalised
    (it takes seconds; the first validation waits for it, under gx_runner's own lock). Only the commands
    that validate come here: `kaohe info`, `rank`, `export` never import GX."""
    import threading

    from kaohe.validation import gx_runner

    thread = threading.Thread(target=gx_runner.warm_up, name="gx-warm-up", daemon=True)
    thread.start()
    return thread


def cmd_import(args) -> int:
    from kaohe.cli import UsageError, month_arg

    month_arg(args.month)
    paths = [Path(f) for f in args.files]
    for path in paths:
        if not path.is_file():
            raise UsageError("import.no_file", path=path)
    wh = existing_warehouse(args.db)
    warming = _warm_gx()
    try:
        return _import_files(args, paths, wh)
    finally:  # a file refused before validation: let the import finish rather than end mid-import
        warming.join()


def _import_files(args, paths, wh) -> int:
    lang = args.lang
    from kaohe.ingest import pipeline

    worst = 0
    for path in paths:
        prep = pipeline.prepare(path.read_bytes(), path.name, wh, month=args.month, sheet=args.sheet,
                                max_bytes=int(args.max_mb * 2**20), correction=bool(args.reason))
        _print_understanding(prep, lang)
        if args.report:
            _write_report(prep, Path(args.report), len(paths) > 1, lang)
        if prep.blocked:
            print(t("import.rejected", lang, name=path.name, summary=prep.report.summary_line(lang)), file=sys.stderr)
            _print_lines(prep, lang)
            worst = max(worst, 1)
            continue
        if prep.needs_confirmation and not args.accept_warnings:
            _print_lines(prep, lang)
            print(t("import.need_accept", lang, name=path.name), file=sys.stderr)
            worst = max(worst, 1)
            continue
        if args.dry_run:
            _print_lines(prep, lang, errors_and_warnings_only=True)
            print(t("import.dry_run_ok", lang, name=path.name, **{k: v for k, v in prep.counts().items()
                                                           if k in ("rows", "ok", "missing", "na")}))
            continue
        try:
            res = pipeline.commit(prep, wh, actor=settings.actor(), accept_warnings=args.accept_warnings,
                                  reason=args.reason)
        except pipeline.ImportRefused:
            print(t("import.rejected", lang, name=path.name, summary=prep.report.summary_line(lang)), file=sys.stderr)
            _print_lines(prep, lang)
            worst = max(worst, 1)
            continue
        print(t("import.landed", lang, name=path.name, batch_id=res.batch_id, rows=res.rows_written,
                revised=res.revised, months=i18n.sep(lang).join(res.months)))
    return worst


def _print_understanding(prep, lang: str) -> None:
    from kaohe.ingest.preview import describe

    pairs = describe(prep, lang)
    if pairs:
        print(prep.name)
        for label, text in pairs:
            print(f"  {label}: {text}")


def _print_lines(prep, lang, errors_and_warnings_only: bool = False) -> None:
    report = prep.report
    lines = report.lines(lang, limit=SHOW_LINES + report.infos)
    if errors_and_warnings_only:
        lines = lines[: report.errors + report.warnings]
    for line in lines[:SHOW_LINES]:
        print("  " + line, file=sys.stderr)
    total = len(report.problems)
    if total > SHOW_LINES:
        print("  " + t("import.more_lines", lang, n=total - SHOW_LINES), file=sys.stderr)


def _write_report(prep, path: Path, several: bool, lang) -> None:
    if several:
        path = path.with_name(f"{path.stem}-{Path(prep.name).stem}{path.suffix}")
    from kaohe.reports import validation_export

    path.write_bytes(validation_export.file_bytes(prep.report, path, lang))
    print(t("import.report_written", lang, path=path), file=sys.stderr)


def cmd_batches(args) -> int:
    lang = args.lang
    wh = existing_warehouse(args.db)
    df = wh.batches().head(args.limit)
    if df.empty:
        print(t("batches.empty", lang))
        return 0
    from kaohe.ingest.preview import batch_table

    table = batch_table(df, lang)
    # who acted, in words (the system's own actors are named); people keep their names
    for code in ("actor", "rolled_back_by"):
        col = t(f"import.batches.col.{code}", lang)
        if col in table.columns:
            table[col] = [i18n.actor_name(a, lang) if isinstance(a, str) and a else "" for a in df[code]]
    if "rollback_reason" in df.columns and df["rollback_reason"].notna().any():
        table[t("import.rollback_reason", lang)] = df["rollback_reason"].fillna("").tolist()
    yes_no = (t("scoring.cli.yes", lang), "")
    col = t("import.batches.col.warnings_accepted", lang)
    table[col] = [yes_no[0] if v else yes_no[1] for v in table[col]]
    from kaohe.cli import plain_frame

    print(plain_frame(table).to_string(index=False))
    return 0


def cmd_rollback(args) -> int:
    from kaohe.data.warehouse import Refusal

    wh = existing_warehouse(args.db)
    try:
        n = wh.rollback_batch(args.batch_id, actor=settings.actor(), reason=args.reason)
    except Refusal as exc:  # unknown, already rolled back, several months or a published month without
        print(t("cli.error", args.lang, reason=words(exc, args.lang)), file=sys.stderr)  # a reason: the warehouse's words, nothing changed
        print(t("cli.unchanged", args.lang), file=sys.stderr)
        return 1
    print(t("rollback.done", args.lang, batch_id=args.batch_id, n=n))
    return 0
