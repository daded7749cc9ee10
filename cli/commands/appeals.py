"""`kaohe publicity open|status` and `kaohe appeals list|decide`: 公示 and 申诉 at the command line (the local
administrator, kaohe.base.access). Units file appeals on the dashboard; `kaohe publish --override-reason`
publishes while appeals are open or before the 公示 deadline."""

from __future__ import annotations

from kaohe.base import settings
from kaohe.base.i18n import t
from kaohe.cli import UsageError, existing_warehouse, month_arg

PERIODS = ["month", "quarter", "year", "ytd"]
PERIOD_HELP = "考核周期 / period: month （默认 default）, quarter, year, ytd"


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("publicity", help="公示：开启、查看 / notice (公示) of draft results: open, status")
    s = p.add_subparsers(dest="publicity_command", metavar="ACTION")
    a = s.add_parser("open", help="开启某月公示，设定申诉截止日期 / put a month on notice with an appeal deadline")
    add_db_option(a)
    a.add_argument("--month", required=True, help="考核月份 / month, YYYY-MM")
    a.add_argument("--period", default="month", choices=PERIODS, help=PERIOD_HELP)
    g = a.add_mutually_exclusive_group()
    g.add_argument("--days", type=int, default=None,
                   help="公示天数（默认按考核办法，通常 5 天）/ days on notice (default: the scheme's, usually 5)")
    g.add_argument("--deadline", default=None, help="申诉截止日期 / the appeal deadline, YYYY-MM-DD")
    a.add_argument("--note", default=None, help="备注 / a note")
    a.set_defaults(func=cmd_publicity_open, writes=True)
    a = s.add_parser("status", help="正在公示的月份及申诉情况 / months on notice and their appeals")
    add_db_option(a)
    a.set_defaults(func=cmd_publicity_status)
    p.set_defaults(func=lambda args: _help(p))

    p = sub.add_parser("appeals", help="申诉：列出、处理 / appeals: list, decide")
    s = p.add_subparsers(dest="appeals_command", metavar="ACTION")
    a = s.add_parser("list", help="列出申诉 / list the appeals")
    add_db_option(a)
    a.add_argument("--status", default=None, choices=["open", "accepted", "rejected", "withdrawn"],
                   help="按状态筛选 / only this status")
    a.add_argument("--month", default=None, help="考核月份 / month, YYYY-MM")
    a.set_defaults(func=cmd_appeals_list)
    a = s.add_parser("decide", help="采纳或驳回一件申诉 / accept or reject an appeal")
    add_db_option(a)
    a.add_argument("id", type=int, help="申诉编号 / the appeal's number")
    g = a.add_mutually_exclusive_group(required=True)
    g.add_argument("--accept", action="store_true", help="采纳 / accept")
    g.add_argument("--reject", action="store_true", help="驳回 / reject")
    a.add_argument("--points", default=None, help="调整分值（采纳并调整时）/ points (an accept that changes a score)")
    a.add_argument("--kind", default=None, choices=["bonus", "deduction", "veto"],
                   help="调整类型 / kind of adjustment")
    a.add_argument("--reason", required=True, help="处理意见（申诉单位可见）/ the decision's reason (the unit reads it)")
    a.set_defaults(func=cmd_appeals_decide, writes=True)
    p.set_defaults(func=lambda args: _help(p))


def _help(parser) -> int:
    parser.print_help()
    return 2


def cmd_publicity_open(args) -> int:
    from kaohe.metrics import appeals

    wh = existing_warehouse(args.db)
    month = month_arg(args.month)
    row = appeals.open_publicity(wh, month, period=args.period, days=args.days, deadline=args.deadline,
                                 note=args.note, actor=settings.actor())
    print(t("ap.cli.opened", args.lang, month=month, deadline=str(row["deadline"])[:10]))
    return 0


def cmd_publicity_status(args) -> int:
    from kaohe.metrics import appeals

    wh = existing_warehouse(args.db)
    notices = appeals.open_notices(wh)
    if notices.empty:
        print(t("ap.cli.none_open", args.lang))
        return 0
    for r in notices.itertuples():
        st = appeals.status(wh, r.month, r.period)
        rows = appeals.list_appeals(wh, settings.actor(), month=r.month)
        n_open = int((rows["status"] == "open").sum())
        key = "ap.cli.status_passed" if st["passed"] else "ap.cli.status_line"
        print(t(key, args.lang, month=r.month, deadline=st["deadline"].isoformat(), n=len(rows), open=n_open))
    return 0


def cmd_appeals_list(args) -> int:
    from kaohe.cli.commands.scoring import _emit
    from kaohe.metrics import appeals

    wh = existing_warehouse(args.db)
    df = appeals.list_appeals(wh, settings.actor(), status=args.status, month=month_arg(args.month))
    if not df.empty:
        df = df[["id", "month", "unit_code", "indicator_code", "item", "reason", "evidence_name", "status",
                 "decision", "adj_id", "filed_by", "filed_at"]].copy()
        df["status"] = [t(f"ap.status.{s}", args.lang) for s in df["status"]]
        from kaohe.base import clock

        df["filed_at"] = [clock.local_text(v) for v in df["filed_at"]]
    _emit(df, "table", args.lang)
    return 0


def cmd_appeals_decide(args) -> int:
    from kaohe.metrics import appeals

    if args.reject and (args.points is not None or args.kind is not None):
        raise UsageError("ap.err.reject_points")
    wh = existing_warehouse(args.db)
    d = appeals.decide(wh, args.id, accept=bool(args.accept), reason=args.reason, points=args.points,
                       kind=args.kind, actor=settings.actor(), lang=args.lang)
    print(d.text(args.lang))
    return 0
