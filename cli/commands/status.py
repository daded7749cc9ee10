"""`kaohe status`: how far the district's set-up has come — units, catalogue, the year's scheme, data, a
published month — each done or not, and for each missing step the command to run next.

Exit code 0 whether or not steps are missing (it only reports); 2 for a warehouse that does not exist.
"""

from __future__ import annotations

from kaohe.base.i18n import t
from kaohe.cli import existing_warehouse


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("status", help="设置进度：单位、指标目录、考核办法、数据、发布，及下一步命令 / set-up "
                                      "progress: units, catalogue, scheme, data, publication, and the next commands")
    add_db_option(p)
    p.add_argument("--month", default=None, help="查看的考核月份（默认任一月份）/ the month to look at (default: any "
                                                 "month)")
    p.set_defaults(func=cmd_status)


def cmd_status(args) -> int:
    from kaohe.cli import month_arg
    from kaohe.metrics import readiness

    lang = args.lang
    month = month_arg(args.month)
    wh = existing_warehouse(args.db)
    state = readiness.status(wh, month=month, lang=lang)
    print(t("ready.cli.title", lang, path=wh.path))
    for n, step in enumerate(state.steps, 1):
        mark = t("ready.cli.done" if step.done else "ready.cli.missing", lang)
        print(t("ready.cli.step", lang, n=n, mark=mark, title=step.title(lang), text=step.text))
        for i, command in enumerate(step.commands):
            print("      " + t("ready.cli.run" if i == 0 else "ready.cli.or", lang, command=command))
        if step.key in ("units", "catalogue") and step.commands:
            print("      " + t("ready.cli.yes", lang))
    print(state.summary())
    return 0
