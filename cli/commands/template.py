"""`kaohe template --month M [--source S] [--office O] -o FILE.xlsx`: a blank import workbook.

The workbook holds the units active in the month and the indicators in use then that the source system
(or owning office) reports, the month filled in, and a notes sheet (reports.template). Filled in, it
imports with `kaohe import`. An unknown source or office, or a month without an active unit, is refused
in words and no file is written.
"""

from __future__ import annotations

from pathlib import Path

from kaohe.base.i18n import t
from kaohe.cli import existing_warehouse


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("template", help="生成某月的空白导入模板（XLSX）/ write a blank import template for a month "
                                        "(XLSX)")
    add_db_option(p)
    p.add_argument("--month", required=True, help="统计月份 / the month (YYYY-MM)")
    p.add_argument("--source", default=None, help="只含该来源系统的指标（如 12345热线）/ only the indicators of "
                                                 "this source system")
    p.add_argument("--office", default=None, help="只含该责任科室的指标 / only the indicators of this owning office")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="输出文件 / the file to write")
    p.set_defaults(func=cmd_template, writes=True)


def cmd_template(args) -> int:
    from kaohe.cli import UsageError, month_arg
    from kaohe.reports import template

    month = month_arg(args.month)
    out = Path(args.output)
    if out.suffix.lower() != ".xlsx":
        raise UsageError("tpl.suffix", path=out)
    wh = existing_warehouse(args.db)
    data = template.template(wh.units(), wh.indicators(), month, source=args.source, office=args.office,
                             lang=args.lang)
    out.write_bytes(data)
    print(t("tpl.written", args.lang, path=out, month=month))
    return 0
