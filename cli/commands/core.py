"""`kaohe init`, `kaohe sample`, `kaohe info`, `kaohe serve`."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from kaohe.base import i18n, settings
from kaohe.base.i18n import t
from kaohe.cli import existing_warehouse, month_arg


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("init", help="创建或迁移数据仓库，可载入示例区 / create or migrate the warehouse, "
                                    "optionally loading the sample district")
    add_db_option(p)
    p.add_argument("--no-sample", action="store_true", help="不载入示例区 / do not load the sample district")
    p.add_argument("--end", default=None, help="示例数据截止月份 / last month of the sample (YYYY-MM; "
                                               "default: last complete month)")
    p.add_argument("--months", type=int, default=36, help="示例月数 / months of sample data (36)")
    p.add_argument("--seed", type=int, default=None, help="随机种子 / generator seed")
    p.set_defaults(func=cmd_init, writes=True)

    p = sub.add_parser("sample", help="生成示例或基准数据 / generate sample or benchmark data")
    add_db_option(p)
    p.add_argument("--units", type=int, default=None, help="单位数 / number of units (default: the 30 of the sample district)")
    p.add_argument("--months", type=int, default=36, help="月数 / number of months")
    p.add_argument("--seed", type=int, default=None, help="随机种子 / generator seed")
    p.add_argument("--end", default=None, help="截止月份 / last month (YYYY-MM)")
    p.add_argument("-o", "--output", default=None,
                   help="写入 CSV 或 Parquet 文件 / write to a .csv or .parquet file")
    p.add_argument("--load", action="store_true", help="写入数据仓库（新建或空仓库） / load into the warehouse")
    p.set_defaults(func=cmd_sample, writes=True)

    p = sub.add_parser("info", help="数据仓库概况 / what the warehouse holds")
    add_db_option(p)
    p.add_argument("--format", choices=["text", "json"], default="text", help="输出格式 / output format")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("serve", help="启动看板 / start the dashboard")
    add_db_option(p)
    p.add_argument("--port", type=int, default=8501, help="端口 / port (8501)")
    p.add_argument("--host", default="localhost", help="地址 / address (localhost)")
    p.set_defaults(func=cmd_serve)


def cmd_init(args) -> int:
    from kaohe.data import sample
    from kaohe.data.setup import ensure_ready
    from kaohe.data.warehouse import Warehouse

    month_arg(args.end, "--end")
    wh = Warehouse(settings.db_path(args.db))  # init creates it: no existing_warehouse here
    rep = ensure_ready(wh, with_sample=not args.no_sample, end=args.end, n_months=args.months,
                       seed=args.seed or sample.DEFAULT_SEED)
    print(t("init.done", args.lang, path=wh.path, frm=rep.migrated[0], to=rep.migrated[1]))
    what = i18n.sep(args.lang).join(t(f"init.what.{w}", args.lang) for w in rep.loaded)  # the tables loaded, in words
    print(t("init.loaded", args.lang, what=what) if rep.loaded else t("init.nothing", args.lang))
    from kaohe.base import clock
    from kaohe.data import schemes

    if not schemes.active_years(wh):  # scoring refuses until a scheme is in force: say how to get one
        print(t("init.no_scheme", args.lang, year=str(clock.today().year)))
    first_admin(wh, args.lang)
    return 0


FIRST_ADMIN = "admin"


def first_admin(wh, lang: str, url: str | None = None) -> None:
    """A warehouse with no account gets the first administrator, `admin`, with a generated password, shown
    once with how to sign in and how to reset it; one with accounts gets a line on how to sign in."""
    from kaohe.auth import accounts

    if accounts.has_accounts(wh):
        print(t("init.signin_hint", lang))
        return
    password = accounts.generate_password()
    accounts.add(wh, FIRST_ADMIN, "admin", name=FIRST_ADMIN, password=password, actor=settings.actor())
    url = url or settings.dashboard_url()
    print(t("init.admin_created", lang, login=FIRST_ADMIN, password=password, url=url))


def cmd_sample(args) -> int:
    from kaohe.data import catalogue, sample
    from kaohe.data.warehouse import Warehouse

    month_arg(args.end, "--end")
    seed = args.seed or sample.DEFAULT_SEED
    started = time.perf_counter()
    units = sample.scaled_units(args.units, seed=seed)
    obs = sample.generate(units, catalogue.read_indicators(), end=args.end, n_months=args.months, seed=seed)
    target = args.output
    if target:
        path = Path(target)
        if path.suffix == ".parquet":
            obs.to_parquet(path, index=False)
        else:
            obs.to_csv(path, index=False, encoding="utf-8-sig")
    if args.load or not target:
        from kaohe.data.setup import SYSTEM_ACTOR, sample_record

        wh = Warehouse(settings.db_path(args.db))
        wh.migrate()
        # units, catalogue and observations in ONE transaction, after the checks (a published
        # month refuses the whole load: no unit is registered either)
        from kaohe.data.warehouse import PublishedMonthError

        try:
            wh.write_observations(obs, actor=SYSTEM_ACTOR, kind="sample", source_name=None,
                                  source_detail=sample_record(len(units), seed),
                                  units=units, indicators=catalogue.read_indicators())
        except PublishedMonthError as exc:
            print(t("cli.error", args.lang, reason=t("sample.published", args.lang, months=i18n.sep(args.lang).join(exc.months))), file=sys.stderr)
            print(t("cli.unchanged", args.lang), file=sys.stderr)
            return 1
        from kaohe.data import schemes

        if not schemes.active_years(wh):  # the sample district is scored with the shipped schemes
            schemes.store_shipped(wh, SYSTEM_ACTOR)
        target = f"{target + ' + ' if target else ''}{wh.path}"
    print(t("sample.written", args.lang, rows=len(obs), units=len(units), months=args.months,
            secs=time.perf_counter() - started, out=target))
    return 0


def cmd_info(args) -> int:
    lang = args.lang
    wh = existing_warehouse(args.db)
    info = wh.info()
    comp = wh.completeness()
    info["completeness"] = None if comp.empty else round(float(comp["reported"].sum() / comp["expected"].sum()), 4)
    if args.format == "json":
        print(json.dumps(info, ensure_ascii=False, indent=2, default=str))
        return 0
    sep = "，" if args.lang == "zh" else ", "
    units = sep.join(f"{t('kind.' + k, lang)} {n}" for k, n in sorted(info["units"].items(), reverse=True))
    status = sep.join(f"{t('status.' + s, lang)} {n}" for s, n in sorted(info["rows_by_status"].items()))
    lines = [
        (t("info.path", lang), info["path"]),
        (t("info.schema", lang), info["schema_version"]),
        (t("tr.units", lang), units or t("info.empty", lang)),
        (t("info.groups", lang), sep.join(
            f"{i18n.pick(info['peer_group_names'][g]['zh'], info['peer_group_names'][g]['en'], lang)} {n}"
            for g, n in info["peer_groups"].items())),
        (t("ov.indicators", lang), t("info.indicators_detail", lang, n=info["indicators"], neutral=info["neutral_indicators"])),
        (t("info.months", lang), t("info.months_detail", lang, n=info["months"], first=info["first_month"], last=info["last_month"])
         if info["months"] else t("info.empty", lang)),
        (t("info.rows", lang), t("info.rows_detail", lang, cur=info["rows_current"], all=info["rows_all"])),
        (t("info.status", lang), status or t("info.empty", lang)),
        (t("info.completeness", lang), f"{info['completeness']:.1%}" if info["completeness"] is not None else t("info.empty", lang)),
        (t("info.batches", lang), info["batches"]),
    ]
    width = max(len(k) for k, _ in lines) + (2 if lang == "en" else 0)
    for k, v in lines:
        print(f"{k:<{width}}  {v}")
    return 0


# The checkout's .streamlit/config.toml, as flags: an installed wheel has no such file beside it, and the
# dashboard must look and limit uploads the same wherever it is started.
SERVE_CONFIG = ["--client.toolbarMode", "viewer", "--server.maxUploadSize", "20",
                "--theme.primaryColor", "#0072B2", "--theme.base", "light", "--server.fileWatcherType", "none"]


def cmd_serve(args) -> int:
    # The dashboard ships inside the package (kaohe/app.py), so an installed wheel serves as a checkout does;
    # find_spec locates it without running it.
    app = Path(importlib.util.find_spec("kaohe.app").origin)
    env = dict(os.environ, KAOHE_DB=str(settings.db_path(args.db)))
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
           "--server.address", args.host, "--server.headless", "true",
           "--browser.gatherUsageStats", "false", *SERVE_CONFIG]
    # exec, not a child: a service manager's or a terminal's signal then reaches the server itself (a
    # child left behind by a terminated `kaohe serve` kept the port and the warehouse open)
    if hasattr(os, "execve") and os.name == "posix":
        os.execve(sys.executable, cmd, env)
    return subprocess.call(cmd, env=env)
