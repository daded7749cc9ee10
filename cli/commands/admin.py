"""`kaohe units ...` and `kaohe catalogue ...`: a district's own unit register and indicator catalogue.

An import shows what it would change (added, changed field by field, unchanged, kept) and writes only
with --yes. A refused file is listed problem by problem and nothing is written (exit code 1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kaohe.base import settings
from kaohe.base.i18n import t
from kaohe.cli import existing_warehouse

FORMATS = ("table", "csv", "json")


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("units", help="单位名录：导入、列出、更名、拆分、合并 / the unit register: import, list, "
                                     "rename, split, merge")
    add_db_option(p)
    s = p.add_subparsers(dest="units_command", metavar="ACTION")
    a = s.add_parser("import", help="导入单位名录文件（CSV/XLSX）/ import a units file (CSV/XLSX)")
    _file_options(a)
    a.set_defaults(func=cmd_units_import, writes=True)
    a = s.add_parser("list", help="列出单位 / list the units")
    a.add_argument("--kind", choices=("street", "department"), default=None, help="单位类型 / unit kind")
    a.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    a.set_defaults(func=cmd_units_list)
    a = s.add_parser("rename", help="单位更名（代码不变）/ rename a unit (its code stays)")
    a.add_argument("code", metavar="CODE")
    a.add_argument("--name", required=True, help="新中文名称 / new Chinese name")
    a.add_argument("--name-en", default=None, help="新英文名称 / new English name")
    a.add_argument("--from", dest="month", required=True, help="起始月份 / from month (YYYY-MM)")
    a.set_defaults(func=cmd_units_rename, writes=True)
    a = s.add_parser("split", help="一个单位拆分为多个 / split a unit into several")
    a.add_argument("code", metavar="CODE")
    a.add_argument("--into", required=True, help="新单位代码，逗号分隔（须先登记）/ new codes, comma-separated "
                                                 "(registered first)")
    a.add_argument("--from", dest="month", required=True, help="起始月份 / from month (YYYY-MM)")
    a.set_defaults(func=cmd_units_split, writes=True)
    a = s.add_parser("merge", help="多个单位合并为一个 / merge several units into one")
    a.add_argument("codes", metavar="A,B")
    a.add_argument("--into", required=True, help="合并后的单位代码（须先登记，或为其中之一）/ the code they become "
                                                 "(registered first, or one of them)")
    a.add_argument("--from", dest="month", required=True, help="起始月份 / from month (YYYY-MM)")
    a.set_defaults(func=cmd_units_merge, writes=True)
    a = s.add_parser("lineage", help="单位沿革 / where a unit came from and what it became")
    a.add_argument("code", metavar="CODE")
    a.set_defaults(func=cmd_units_lineage)

    p = sub.add_parser("catalogue", help="指标目录：导入、列出、导出、停用 / the indicator catalogue: import, list, "
                                         "export, retire")
    add_db_option(p)
    s = p.add_subparsers(dest="catalogue_command", metavar="ACTION")
    a = s.add_parser("import", help="导入指标目录文件（CSV/XLSX）/ import a catalogue file (CSV/XLSX)")
    _file_options(a)
    a.set_defaults(func=cmd_catalogue_import, writes=True)
    a = s.add_parser("list", help="列出指标 / list the indicators")
    a.add_argument("--all", action="store_true", help="包括已停用指标 / retired indicators too")
    a.add_argument("--format", choices=FORMATS, default="table", help="输出格式 / output format")
    a.set_defaults(func=cmd_catalogue_list)
    a = s.add_parser("export", help="导出指标目录 / export the catalogue")
    a.add_argument("-o", "--output", required=True, metavar="FILE", help=".csv 或 .xlsx / .csv or .xlsx")
    a.set_defaults(func=cmd_catalogue_export)
    a = s.add_parser("retire", help="停用指标（保留历史）/ retire an indicator (its history is kept)")
    a.add_argument("code", metavar="CODE")
    a.add_argument("--from", dest="month", required=True, help="停用起始月份 / retired from month (YYYY-MM)")
    a.set_defaults(func=cmd_catalogue_retire, writes=True)


def _file_options(a) -> None:
    a.add_argument("file", metavar="FILE", help="CSV 或 XLSX 文件 / a CSV or XLSX file")
    a.add_argument("--yes", action="store_true", help="确认并写入（默认只显示变更）/ commit (by default the "
                                                      "changes are only shown)")
    a.add_argument("--sheet", default=None, help="Excel 工作表名称（默认第一个）/ Excel sheet name (default: first)")


def _import(args, module) -> int:
    from kaohe.cli import UsageError
    from kaohe.ingest.admin_table import FileRefused
    from kaohe.ingest.limits import MAX_CLI_BYTES

    lang = args.lang
    path = Path(args.file)
    if not path.is_file():
        raise UsageError("import.no_file", path=path)
    wh = existing_warehouse(args.db)
    try:
        preview = module.prepare(path.read_bytes(), path.name, wh, max_bytes=MAX_CLI_BYTES, sheet=args.sheet)
    except FileRefused as exc:
        print(exc.text(lang), file=sys.stderr)
        print(t("cli.unchanged", lang), file=sys.stderr)
        return 1
    labels = field_labels(module, lang)
    print(preview.summary(lang))
    for line in preview.lines(lang, labels):
        print("  " + line)
    if not preview.writes:
        print(t("adm.nothing_to_do", lang))
        return 0
    if not args.yes:
        print(t("adm.need_yes", lang))
        return 0
    n = module.commit(preview, wh, actor=settings.actor())
    print(t("adm.committed", lang, n=n))
    return 0


def field_labels(module, lang: str) -> dict[str, str]:
    from kaohe.ingest.admin_table import labels

    return labels(module.LABELS, lang)


def _print(df, fmt: str, lang: str) -> None:
    from kaohe.cli import plain_frame

    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        print(json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1))
    else:
        print(plain_frame(df.astype(object).where(df.notna(), "")).to_string(index=False))


def cmd_units_import(args) -> int:
    from kaohe.ingest import units_file

    return _import(args, units_file)


def cmd_units_list(args) -> int:
    wh = existing_warehouse(args.db)
    df = wh.units(args.kind)
    if df.empty:
        print(t("units.none", args.lang))
        return 0
    if args.format == "table":
        from kaohe.ingest import units_file

        df["kind"] = [t(f"kind.{k}", args.lang) for k in df["kind"]]
        df = df.rename(columns=field_labels(units_file, args.lang))
    _print(df, args.format, args.lang)
    return 0


def cmd_units_rename(args) -> int:
    from kaohe.data import units

    wh = existing_warehouse(args.db)
    units.rename(wh, args.code, name_zh=args.name, name_en=args.name_en, month=args.month, actor=settings.actor())
    print(t("units.renamed", args.lang, code=args.code, name=args.name, month=args.month))
    return 0


def cmd_units_split(args) -> int:
    from kaohe.data import units

    wh = existing_warehouse(args.db)
    into = units.split(wh, args.code, args.into, month=args.month, actor=settings.actor())
    print(t("units.split_done", args.lang, code=args.code, into=", ".join(into), month=args.month))
    return 0


def cmd_units_merge(args) -> int:
    from kaohe.data import units

    wh = existing_warehouse(args.db)
    froms = units.merge(wh, args.codes, args.into, month=args.month, actor=settings.actor())
    print(t("units.merge_done", args.lang, codes=", ".join(froms), into=args.into, month=args.month))
    return 0


def cmd_units_lineage(args) -> int:
    from kaohe.data import units

    wh = existing_warehouse(args.db)
    links = units.lineage(wh, args.code)
    if not links:
        print(t("units.no_lineage", args.lang, code=args.code))
        return 0
    from kaohe.ingest.units_file import lineage_line

    for link in links:
        print(lineage_line(link, args.lang))
    return 0


def cmd_catalogue_import(args) -> int:
    from kaohe.ingest import catalogue_file

    return _import(args, catalogue_file)


def cmd_catalogue_list(args) -> int:
    from kaohe.base import months as mo
    from kaohe.data.catalogue_admin import retired_in
    from kaohe.ingest import catalogue_file

    wh = existing_warehouse(args.db)
    df = catalogue_file.export_frame(wh)
    if not args.all:  # retired by the month under way (one retired from a later month is still assessed)
        df = df[~df["code"].isin(retired_in(df, mo.running()))]
    if df.empty:
        print(t("cat.none", args.lang))
        return 0
    if args.format == "table":
        df = df[["code", "name_zh", "name_en", "dimension_zh", "applies_to", "unit", "direction", "kind",
                 "source_system", "owner_office", "retired_from"]]
        df = df.rename(columns=field_labels(catalogue_file, args.lang))
    _print(df, args.format, args.lang)
    return 0


def cmd_catalogue_export(args) -> int:
    from kaohe.cli import UsageError
    from kaohe.ingest import catalogue_file

    out = Path(args.output)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("cat.export_suffix", path=out)
    wh = existing_warehouse(args.db)
    out.write_bytes(catalogue_file.export_bytes(wh, out.suffix.lower()))
    print(t("cat.exported", args.lang, path=out))
    return 0


def cmd_catalogue_retire(args) -> int:
    from kaohe.data import catalogue_admin

    wh = existing_warehouse(args.db)
    catalogue_admin.retire(wh, args.code, month=args.month, actor=settings.actor())
    print(t("cat.retired", args.lang, code=args.code, month=args.month))
    return 0
