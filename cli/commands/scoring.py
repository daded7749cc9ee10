"""`kaohe rank`, `kaohe explain`, `kaohe publish`, `kaohe revisions`, `kaohe replay`, `kaohe adjust`,
`kaohe robustness`."""

from __future__ import annotations

import json
import sys

import pandas as pd

from kaohe.base import i18n, settings
from kaohe.base.i18n import t
from kaohe.cli import UsageError, existing_warehouse, month_arg, words

PERIOD_HELP = "考核周期 / period: month （默认 default）, quarter, year, ytd"
FORMAT_HELP = "输出格式 / output format: table （默认 default）, csv, json"


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("rank", help="同类组内考核排名 / scores and ranks within peer groups")
    add_db_option(p)
    p.add_argument("--month", required=True, help="考核月份（周期最后一个月）/ month (the period's last), YYYY-MM")
    p.add_argument("--group", default=None, help="只看一个同类组 / one peer group only (e.g. urban)")
    p.add_argument("--period", default="month", choices=["month", "quarter", "year", "ytd"], help=PERIOD_HELP)
    p.add_argument("--format", default="table", choices=["table", "csv", "json"], help=FORMAT_HELP)
    p.set_defaults(func=cmd_rank)

    p = sub.add_parser("explain", help="单位得分逐项说明 / how a unit's score was made, item by item")
    add_db_option(p)
    p.add_argument("--unit", required=True, help="单位代码 / unit code (e.g. S01)")
    p.add_argument("--month", required=True, help="考核月份 / month, YYYY-MM")
    p.add_argument("--period", default="month", choices=["month", "quarter", "year", "ytd"], help=PERIOD_HELP)
    p.add_argument("--format", default="table", choices=["table", "csv", "json"], help=FORMAT_HELP)
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("publish", help="发布（冻结）当月结果；再次发布为修订版 / publish (freeze) a month's "
                                       "results; publishing again makes a numbered revision")
    add_db_option(p)
    p.add_argument("--month", required=True, help="考核月份 / month, YYYY-MM")
    p.add_argument("--period", default="month", choices=["month", "quarter", "year", "ytd"], help=PERIOD_HELP)
    p.add_argument("--reason", default=None, help="更正理由（修订版必填，默认为已登记的更正理由）/ correction reason "
                                                  "(required for a revision; defaults to the corrections on record)")
    p.add_argument("--override-reason", default=None,
                   help="仍有申诉未处理或公示未到期时仍要发布的理由 / why publish while appeals are open or "
                        "before the notice (公示) deadline")
    p.set_defaults(func=cmd_publish, writes=True)

    p = sub.add_parser("revisions", help="已发布版本及与当前结果的差异 / published revisions and what differs now")
    add_db_option(p)
    p.add_argument("--month", required=True, help="考核月份 / month, YYYY-MM")
    p.add_argument("--period", default="month", choices=["month", "quarter", "year", "ytd"], help=PERIOD_HELP)
    p.set_defaults(func=cmd_revisions)

    p = sub.add_parser("replay", help="按记录重现已发布的某一版结果 / rebuild a published revision exactly "
                                      "from its record")
    add_db_option(p)
    p.add_argument("--month", required=True, help="考核月份 / month, YYYY-MM")
    p.add_argument("--period", default="month", choices=["month", "quarter", "year", "ytd"], help=PERIOD_HELP)
    p.add_argument("--revision", type=int, required=True, help="版次 / revision (1 = the first publication)")
    p.add_argument("--format", default="table", choices=["table", "csv", "json"], help=FORMAT_HELP)
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("adjust", help="加分、扣分、一票否决事项 / bonus, deduction and veto items")
    add_db_option(p)
    asub = p.add_subparsers(dest="adjust_command", metavar="ACTION")
    a = asub.add_parser("add", help="登记一项 / record an item")
    a.add_argument("--unit", required=True, help="单位代码 / unit code")
    a.add_argument("--month", required=True, help="所属月份 / month, YYYY-MM")
    # no argparse choices: a wrong kind is refused by the core in the user's words (exit 1), not in
    # argparse's English
    a.add_argument("--kind", required=True, metavar="{bonus,deduction,veto}",
                   help="类型 / kind: bonus 加分， deduction 扣分， veto 一票否决")
    a.add_argument("--points", type=float, default=0.0, help="分值（正数）/ points (positive; 0 for a veto)")
    a.add_argument("--reason", required=True, help="理由 / reason")
    a.add_argument("--evidence", default=None, help="依据（文号、链接）/ evidence (document number, link)")
    a.add_argument("--correction", "--correction-reason", dest="correction", default=None,
                   help="更正理由（该月结果已发布时必填）/ correction reason (required once the month is published)")
    a.set_defaults(func=cmd_adjust_add, writes=True)
    a = asub.add_parser("list", help="列出 / list items")
    a.add_argument("--month", default=None, help="月份 / month, YYYY-MM")
    a.add_argument("--unit", default=None, help="单位代码 / unit code")
    a.add_argument("--format", default="table", choices=["table", "csv", "json"], help=FORMAT_HELP)
    a.set_defaults(func=cmd_adjust_list)
    a = asub.add_parser("revoke", help="撤销一项（保留记录）/ revoke an item (kept on record)")
    a.add_argument("id", type=int, help="调整项编号 / item number")
    a.add_argument("--reason", required=True, help="撤销理由 / reason")
    a.set_defaults(func=cmd_adjust_revoke, writes=True)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    p = sub.add_parser("robustness", help="排名稳健性（权重与标准化方法的蒙特卡洛模拟）/ rank robustness "
                                          "(Monte Carlo over weights and normalisations)")
    add_db_option(p)
    p.add_argument("--month", required=True, help="考核月份 / month, YYYY-MM")
    p.add_argument("--replicates", type=int, default=1000, help="模拟次数 / replicates (1000)")
    p.add_argument("--seed", type=int, default=0, help="随机种子 / seed (0)")
    p.add_argument("--format", default="table", choices=["table", "csv", "json"], help=FORMAT_HELP)
    p.set_defaults(func=cmd_robustness)


def _emit(df: pd.DataFrame, fmt: str, lang: str) -> None:
    if fmt == "csv":  # names and reasons came from uploaded files: no formulas for a spreadsheet
        from kaohe.reports import safe

        safe.frame(df).to_csv(sys.stdout, index=False)
    elif fmt == "json":
        # missing numbers as null: NaN is not JSON
        clean = df.astype(object).where(df.notna(), None) if not df.empty else df
        print(json.dumps(clean.to_dict(orient="records"), ensure_ascii=False, indent=1, default=_jsonable,
                         allow_nan=False))
    else:
        from kaohe.cli import plain_frame

        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.unicode.east_asian_width", True):
            # text from data made plain before the columns are measured, so they still line up
            print(plain_frame(df).to_string(index=False) if not df.empty else t("scoring.cli.none", lang))


def _words(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table as printed for a person: heads, kinds, fields, grades and yes/no in the user's language."""
    out = df.copy()
    if "name_zh" in out.columns:  # one name column, in the user's language
        out.insert(int(out.columns.get_loc("name_zh")), "name",
                   [i18n.pick(z, e, lang) for z, e in zip(out["name_zh"], out["name_en"], strict=True)])
        out = out.drop(columns=["name_zh", "name_en"])
    if "kind" in out.columns:
        out["kind"] = [i18n.t_or(f"scoring.adjust.kind.{k}", k, lang) for k in out["kind"]]
    from kaohe.base import clock

    for col in ("published_at", "created_at", "revoked_at"):  # stored in UTC, read in the office's time
        if col in out.columns:
            out[col] = [clock.local_text(v) if v is not None and not pd.isna(v) else None for v in out[col]]
    for col in ("actor", "revoked_by"):  # the system's own actors in words; people keep their names
        if col in out.columns:
            out[col] = [i18n.actor_name(a, lang) if isinstance(a, str) and a else None for a in out[col]]
    if "period" in out.columns:
        out["period"] = [i18n.t_or(f"scoring.period.{p}", p, lang) for p in out["period"]]
    if "field" in out.columns:  # a difference: the field and its two values in words
        for col in ("published", "current"):
            out[col] = [_value_words(f, v, lang) for f, v in zip(df["field"], df[col], strict=True)]
        out["field"] = [t(f"scoring.cli.f.{f}", lang) for f in df["field"]]
    out = out.astype(object).where(out.notna(), "")  # nothing there is blank, not NaN, None or NaT
    out.columns = [i18n.t_or(f"scoring.cli.h.{c}", c, lang) for c in out.columns]
    return out


def _value_words(field: str, v, lang: str):
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if field == "grade":
        return t(f"scoring.grade.{v}", lang)
    if field == "veto":
        return t("scoring.cli.yes", lang) if bool(v) else t("scoring.cli.no", lang)
    return v


def _jsonable(v):
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, float) and v != v or v is pd.NA:
        return None
    return str(v)


def cmd_rank(args) -> int:
    lang = args.lang
    from kaohe.metrics import rank as rank_mod
    from kaohe.metrics import service

    wh = existing_warehouse(args.db)
    b = service.build(wh, month_arg(args.month), args.period, lang=args.lang)
    tot = b.totals
    if args.group:
        known = sorted(tot["peer_group"].unique())
        if args.group not in known:
            raise UsageError("scoring.cli.unknown_group", group=args.group, known=list(known))
        tot = tot.loc[tot["peer_group"].eq(args.group)]
    if args.format != "table":  # data on stdout; what the figures are goes to stderr, in words
        print(scheme_line(b, args.lang), file=sys.stderr)
        note = b.scheme_note(args.lang)
        if note:
            print(note, file=sys.stderr)
        state = service.published_state(wh, b.month, b.period)
        print(state.notice(args.lang) or state.label(args.lang), file=sys.stderr)
        out = tot.copy()
        out.insert(0, "period", b.period_label)
        out["alerts"] = [",".join(a) for a in out["alerts"]] if args.format == "csv" else out["alerts"]
        _emit(out, args.format, args.lang)
        return 0
    alerts = b.scheme.section("alerts")
    print(t("scoring.cli.title", lang, label=b.period_label, scheme=b.scheme.name(lang) or b.scheme_id,
            version=b.scheme_version))
    _print_context(wh, b, lang)
    for group, g in tot.groupby("peer_group", sort=False):
        print()
        print(t("scoring.cli.group", lang, group=i18n.pick(g["peer_group_zh"].iat[0], g["peer_group_en"].iat[0], lang)
                or group))
        notes = []
        for r in g.itertuples(index=False):
            bits = [t(f"scoring.list.{r.list}", lang)] if r.list else []
            bits += [rank_mod.alert_text(a, alerts, lang) for a in r.alerts if a != "veto"]
            if r.veto:
                bits.append(f"{t('scoring.adjust.kind.veto', lang)}: {r.veto_reason}")
            notes.append("; ".join(bits))
        view = pd.DataFrame({
            t("report.col.rank", lang): g["rank"].to_numpy(),
            t("report.col.unit", lang): [f"{c} {i18n.pick(z, e, lang)}" for c, z, e in
                                        zip(g["unit_code"], g["name_zh"], g["name_en"], strict=True)],
            t("report.col.total", lang): [f"{v:.2f}" for v in g["total"]],
            t("scoring.cli.col.base", lang): [f"{v:.2f}" for v in g["base_score"]],
            t("rk.col.adjust", lang): [f"{b_ - d:+.2f}" if (b_ or d) else "" for b_, d in
                                       zip(g["bonus"], g["deduction"], strict=True)],
            t("report.col.grade", lang): g["grade_zh"] if lang == "zh" else g["grade_en"],
            # no rank in the previous period (a new unit, or the first period in the data): new, not a change
            t("scoring.cli.col.change", lang): [t("rank.new", lang) if pd.isna(p) else f"{int(c):+d}"
                                          for p, c in zip(g["prev_rank"], g["rank_change"], strict=True)],
            t("scoring.cli.col.note", lang): notes,
        })
        _emit(view, "table", args.lang)
    return 0


def scheme_line(b, lang) -> str:
    """The scheme a build was scored with, by name and version (every scoring command says it)."""
    name = (b.scheme.name(lang) if b.scheme is not None else "") or b.scheme_id
    return t("scheme.used", lang, name=name, version=b.scheme_version)


def _print_context(wh, b, lang) -> None:
    """What the figures are: the scheme of another year when the month has none, and where they
    stand against the published ones (metrics.service.published_state), as the pages say it."""
    from kaohe.metrics import service

    note = b.scheme_note(lang)
    if note:
        print(note)
    state = service.published_state(wh, b.month, b.period)
    print(state.label(lang))
    if state.notice(lang):
        print(state.notice(lang))


def cmd_explain(args) -> int:
    from kaohe.metrics import service

    wh = existing_warehouse(args.db)
    b = service.build(wh, month_arg(args.month), args.period, lang=args.lang)
    try:
        table = b.explain(args.unit, args.lang)
    except KeyError:
        raise UsageError("scoring.explain.unknown_unit", unit=args.unit) from None
    if args.format == "table":
        u = b.unit(args.unit)
        print(t("scoring.cli.explain_title", args.lang, unit=f"{args.unit} {i18n.pick(u['name_zh'], u['name_en'], args.lang)}",
                label=b.period_label))
        print(scheme_line(b, args.lang))
        _print_context(wh, b, args.lang)
        _emit(_explain_view(table, args.lang), "table", args.lang)
    else:
        print(scheme_line(b, args.lang), file=sys.stderr)
        _emit(table, args.format, args.lang)
    return 0


def _explain_view(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The explanation as printed: numbers formatted, codes (level, status) and heads in words."""
    shown = table.copy()
    is_rank = shown["level"].eq("rank")
    for col, fmt in (("value", "{:.2f}"), ("raw_score", "{:.2f}"), ("weight", "{:.2%}"), ("points", "{:.4f}")):
        shown[col] = [fmt.format(v) if pd.notna(v) else "" for v in shown[col]]
    shown.loc[is_rank, "value"] = [f"{v:.0f}" for v in table.loc[is_rank, "value"]]
    shown["level"] = [i18n.t_or(f"scoring.cli.lv.{v}", v, lang) for v in shown["level"]]
    shown["status"] = [i18n.t_or(f"scoring.cli.st.{v}", v, lang) for v in shown["status"]]
    shown = shown.fillna("")
    shown.columns = [i18n.t_or(f"scoring.cli.x.{c}", c, lang) for c in shown.columns]
    return shown


def cmd_publish(args) -> int:
    from kaohe.metrics import appeals, service
    from kaohe.metrics.publish import PublishError

    wh = existing_warehouse(args.db)
    month = month_arg(args.month)
    try:  # through the appeals gate (metrics.appeals.publish): --override-reason passes it, recorded
        rev = appeals.publish(wh, month, actor=settings.actor(), reason=args.reason,
                              override_reason=args.override_reason, period=args.period)
    except PublishError as exc:  # a refusal the user can act on: their language, no class name
        print(t("cli.error", args.lang, reason=words(exc, args.lang)), file=sys.stderr)
        print(t("cli.unchanged", args.lang), file=sys.stderr)
        return 1
    print(t("scoring.cli.published", args.lang, month=month, rev=rev))
    last = service.revisions(wh, month, args.period).iloc[-1]
    print(_published_scheme_line(wh, last, args.lang))
    if rev > 1:  # a revision lists its reason and what it changed
        print(t("scoring.cli.rev_reason", args.lang, reason=last["reason"]))
        print(t("scoring.cli.rev_changes", args.lang, rev=rev, prev=rev - 1))
        _emit(_words(service.revision_diff(wh, month, rev, args.period), args.lang), "table", args.lang)
    return 0


def _published_scheme_line(wh, pub_row, lang) -> str:
    """The scheme a publication recorded, by its stored name and version."""
    from kaohe.data import schemes

    year, version = pub_row.get("scheme_year"), str(pub_row["scheme_version"])
    row = schemes.get(wh, str(year), version) if isinstance(year, str) and year else None
    data = row["data"] if row else {}
    name = i18n.pick(data.get("name_zh"), data.get("name_en"), lang) or pub_row["scheme_id"]
    return t("scheme.used", lang, name=name, version=version)


def cmd_revisions(args) -> int:
    from kaohe.metrics import service

    wh = existing_warehouse(args.db)
    month = month_arg(args.month)
    revs = service.revisions(wh, month, args.period)
    if revs.empty:
        print(t("scoring.cli.no_revisions", args.lang, month=month))
        return 0
    # checksums and fingerprints are for the machine; the scheme is named by its version
    _emit(_words(revs.drop(columns=["data_checksum", "scheme_fingerprint", "scheme_year", "scheme_id"],
                           errors="ignore"), args.lang), "table", args.lang)
    from kaohe.metrics import publish as pub

    for rev in revs["revision"].tolist()[1:]:
        changed = pub.diff_revisions(wh, month, rev - 1, rev, args.period)
        print()
        print(t("scoring.cli.rev_changes", args.lang, rev=rev, prev=rev - 1))
        _emit(_words(changed, args.lang), "table", args.lang)
    diff = service.publication_diff(wh, month, args.period)
    if not diff.empty:
        print()
        print(t("scoring.cli.differs", args.lang))
        _emit(_words(diff, args.lang), "table", args.lang)
    return 0


REPLAY_COLUMNS = ["unit_code", "name_zh", "name_en", "peer_group", "total", "rank", "n_in_group", "grade", "veto",
                  "veto_reason"]


def cmd_replay(args) -> int:
    """A published revision rebuilt from its log and its inputs as of then (the frozen figures, after
    any later change), or a refusal in words with exit code 1 and no figure."""
    lang = args.lang
    from kaohe.metrics import service

    wh = existing_warehouse(args.db)
    month = month_arg(args.month)
    b = service.replay_publication(wh, month, args.period, args.revision, lang)  # ReplayRefused: exit 1
    out = b.totals.reindex(columns=REPLAY_COLUMNS).copy()
    out.insert(0, "revision", args.revision)
    out.insert(0, "period", args.period)
    out.insert(0, "month", month)
    if args.format != "table":
        print(scheme_line(b, lang), file=sys.stderr)
        out["total"] = [round(float(v), 2) for v in out["total"]]
        _emit(out, args.format, args.lang)
        return 0
    rev = service.revisions(wh, month, args.period)
    at = rev.loc[rev["revision"].eq(args.revision), "published_at"]
    from kaohe.base import clock

    print(t("scoring.cli.replay_title", lang, label=b.period_label, rev=args.revision,
            at=clock.local_text(at.iloc[0]) if not at.empty else ""))
    shown = out[["unit_code", "name_zh", "name_en", "peer_group", "rank", "total", "grade", "veto"]].copy()
    shown["total"] = [f"{v:.2f}" for v in shown["total"]]
    shown["grade"] = [t(f"scoring.grade.{g}", lang) for g in shown["grade"]]
    shown["veto"] = [t("scoring.cli.yes", lang) if v else "" for v in shown["veto"]]
    groups = b.totals.drop_duplicates("peer_group").set_index("peer_group")
    shown["peer_group"] = [i18n.pick(groups.at[g, "peer_group_zh"], groups.at[g, "peer_group_en"], lang) or g
                           for g in shown["peer_group"]]
    shown = _words(shown, args.lang).rename(columns={"total": t("report.col.total", lang), "grade": t("report.col.grade", lang),
                                          "veto": t("scoring.cli.f.veto", lang)})
    _emit(shown, "table", args.lang)
    print(scheme_line(b, lang))
    return 0


def cmd_adjust_add(args) -> int:
    from kaohe.metrics import service

    wh = existing_warehouse(args.db)
    month = month_arg(args.month)
    try:
        adj_id = service.add_adjustment(wh, args.unit, month, args.kind, args.points, args.reason,
                                        args.evidence, settings.actor(), correction_reason=args.correction)
    except service.ScoringError as exc:  # a published month, a bad kind or points, an unknown unit
        print(t("cli.error", args.lang, reason=words(exc, args.lang)), file=sys.stderr)
        if isinstance(exc, service.AdjustmentPublishedError):
            print(t("scoring.cli.correction_hint", args.lang), file=sys.stderr)
        print(t("cli.unchanged", args.lang), file=sys.stderr)
        return 1
    print(t("scoring.cli.adj_added", args.lang, adj_id=adj_id))
    if args.correction and service.published_covering(wh, month):
        print(t("scoring.adjust.published", args.lang, month=month))
    return 0


def cmd_adjust_list(args) -> int:
    from kaohe.metrics import service

    df = service.list_adjustments(existing_warehouse(args.db), month_arg(args.month) if args.month else None, args.unit)
    _emit(_words(df, args.lang) if args.format == "table" else df, args.format, args.lang)
    return 0


def cmd_adjust_revoke(args) -> int:
    from kaohe.metrics import service

    try:
        service.revoke_adjustment(existing_warehouse(args.db), args.id, settings.actor(), args.reason)
    except service.ScoringError as exc:
        print(t("cli.error", args.lang, reason=words(exc, args.lang)), file=sys.stderr)
        print(t("cli.unchanged", args.lang), file=sys.stderr)
        return 1
    print(t("scoring.cli.adj_revoked", args.lang, adj_id=args.id))
    return 0


def cmd_robustness(args) -> int:
    from kaohe.metrics import service

    wh = existing_warehouse(args.db)
    month = month_arg(args.month)
    res = service.robustness(wh, month, replicates=args.replicates, seed=args.seed)
    sch = service.current_scheme(wh, month[:4], args.lang)
    line = t("scheme.used", args.lang, name=sch.name(args.lang) or sch.id, version=sch.version)
    if args.format == "table":
        print(t("scoring.cli.robust_title", args.lang, label=month, n=args.replicates))
        print(line)
        res = _words(res, args.lang)
    else:
        print(line, file=sys.stderr)
    _emit(res, args.format, args.lang)
    return 0
