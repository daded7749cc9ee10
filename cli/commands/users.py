"""`kaohe users add|list|disable|enable|reset-password`: the accounts of the dashboard (auth/accounts.py).

A password is never an argument (it would sit in the shell's history and the process list): it is asked
twice at the terminal, or read from the first line of stdin with --password-stdin. The actor is the local
administrator (settings.actor(): KAOHE_USER or the login name), who holds every right.
"""

from __future__ import annotations

import getpass
import sys

from kaohe.base import i18n, settings
from kaohe.base.i18n import t
from kaohe.cli import UsageError, existing_warehouse


def register(sub) -> None:
    from kaohe.cli import add_db_option

    users = sub.add_parser("users", help="看板账号：添加、列出、停用、启用、重置密码 / dashboard accounts: add, list, "
                                         "disable, enable, reset a password")
    inner = users.add_subparsers(dest="users_command", metavar="ACTION")

    p = inner.add_parser("add", help="添加账号 / add an account")
    add_db_option(p)
    p.add_argument("login", help="登录名 / login")
    p.add_argument("--role", required=True, help="角色 / role: leader, evaluator, admin, unit")
    p.add_argument("--name", default="", help="姓名或称呼 / display name")
    p.add_argument("--source", action="append", default=[], help="考核员的数据来源（可重复） / an evaluator's source (repeatable)")
    p.add_argument("--office", action="append", default=[], help="考核员的责任科室（可重复） / an evaluator's office (repeatable)")
    p.add_argument("--unit", default=None, help="单位账号的单位代码 / a unit account's unit code")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 / read the password from stdin")
    p.set_defaults(func=cmd_add, writes=True)

    p = inner.add_parser("list", help="列出账号 / list the accounts")
    add_db_option(p)
    p.set_defaults(func=cmd_list)

    for action, helptext in (("disable", "停用账号 / disable an account"), ("enable", "启用账号 / enable an account")):
        p = inner.add_parser(action, help=helptext)
        add_db_option(p)
        p.add_argument("login", help="登录名 / login")
        p.set_defaults(func=cmd_disable if action == "disable" else cmd_enable, writes=True)

    p = inner.add_parser("reset-password", help="重置密码 / reset a password")
    add_db_option(p)
    p.add_argument("login", help="登录名 / login")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 / read the password from stdin")
    p.set_defaults(func=cmd_reset, writes=True)

    users.set_defaults(func=lambda args: (users.print_help(), 2)[1])


def read_password(args) -> str:
    """The new password: the first line of stdin (--password-stdin), else asked twice at the terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(t("users.password_prompt", args.lang))
    second = getpass.getpass(t("users.password_again", args.lang))
    if first != second:
        raise UsageError("users.password_mismatch")
    return first


def cmd_add(args) -> int:
    from kaohe.auth import accounts

    wh = existing_warehouse(args.db)
    password = read_password(args)
    row = accounts.add(wh, args.login, args.role, name=args.name, password=password, sources=args.source,
                       offices=args.office, unit_code=args.unit, actor=settings.actor())
    print(t("users.added", args.lang, login=row["login"], role=t(f"access.role.{row['role']}", args.lang)))
    return 0


def scope_text(row, lang: str) -> str:
    parts = list(row["sources"]) + list(row["offices"]) + ([row["unit_code"]] if row["unit_code"] else [])
    return i18n.sep(lang).join(parts)


def cmd_list(args) -> int:
    from kaohe.auth import accounts

    lang = args.lang
    frame = accounts.list_accounts(existing_warehouse(args.db), actor=settings.actor())
    if frame.empty:
        print(t("users.none", lang))
        return 0
    rows = [(r["login"], r["name"] or "", t(f"access.role.{r['role']}", lang), scope_text(r, lang),
             t("acct.state.disabled" if r["disabled"] else "acct.state.active", lang))
            for r in frame.to_dict("records")]
    heads = tuple(t(k, lang) for k in ("signin.login", "acct.col.name", "acct.col.role", "acct.col.scope", "acct.col.state"))
    widths = [max(_width(x) for x in col) for col in zip(heads, *rows, strict=False)]
    for line in (heads, *rows):
        print("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(line, widths, strict=True)).rstrip())
    return 0


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def cmd_disable(args) -> int:
    from kaohe.auth import accounts

    accounts.disable(existing_warehouse(args.db), args.login, actor=settings.actor())
    print(t("users.disabled", args.lang, login=args.login))
    return 0


def cmd_enable(args) -> int:
    from kaohe.auth import accounts

    accounts.enable(existing_warehouse(args.db), args.login, actor=settings.actor())
    print(t("users.enabled", args.lang, login=args.login))
    return 0


def cmd_reset(args) -> int:
    from kaohe.auth import accounts

    wh = existing_warehouse(args.db)
    accounts.account(wh, args.login, actor=settings.actor())  # an unknown login before asking for a password
    accounts.reset_password(wh, args.login, read_password(args), actor=settings.actor())
    print(t("users.reset", args.lang, login=args.login))
    return 0
