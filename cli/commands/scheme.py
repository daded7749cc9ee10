"""`kaohe scheme ...`: the yearly scoring schemes a district keeps in its warehouse (versioned; one active
version a year scores its months).

    kaohe scheme validate FILE                 every problem of a scheme file, item by item (nothing written)
    kaohe scheme import FILE [--activate]      store it as a new version of its year (a draft, or active)
    kaohe scheme export --year Y [--version V] -o FILE.json|.xlsx
    kaohe scheme diff A B                      A, B: YEAR:VERSION or a file
    kaohe scheme list
    kaohe scheme activate VERSION [--year Y]
    kaohe scheme copy --from 2026|default --to 2027 [--activate]

A refused file is listed problem by problem and nothing is written (exit code 1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kaohe.base import clock, i18n, settings
from kaohe.base.i18n import t
from kaohe.cli import existing_warehouse


def register(sub) -> None:
    from kaohe.cli import add_db_option

    p = sub.add_parser("scheme", help="考核方案：校验、导入、导出、比较、列出、生效、复制 / scoring schemes: validate, "
                                      "import, export, diff, list, activate, copy")
    add_db_option(p)
    s = p.add_subparsers(dest="scheme_command", metavar="ACTION")
    a = s.add_parser("validate", help="校验方案文件（JSON/XLSX），不写入 / check a scheme file (JSON/XLSX), "
                                      "writes nothing")
    a.add_argument("file", metavar="FILE")
    a.set_defaults(func=cmd_validate)
    a = s.add_parser("import", help="导入方案文件为其年度的新版本 / store a scheme file as a new version of its year")
    a.add_argument("file", metavar="FILE")
    a.add_argument("--activate", action="store_true", help="导入后即生效 / make it the year's active version")
    a.add_argument("--note", default=None, help="说明 / a note")
    a.set_defaults(func=cmd_import, writes=True)
    a = s.add_parser("export", help="导出方案 / export a scheme")
    a.add_argument("--year", required=True, help="年度 / year")
    a.add_argument("--version", default=None, help="版本（默认为生效版本）/ version (default: the active one)")
    a.add_argument("-o", "--output", required=True, metavar="FILE", help=".json 或 .xlsx / .json or .xlsx")
    a.set_defaults(func=cmd_export)
    a = s.add_parser("diff", help="比较两个方案 / compare two schemes")
    a.add_argument("a", metavar="A", help="年度:版本 或文件 / YEAR:VERSION or a file")
    a.add_argument("b", metavar="B", help="年度:版本 或文件 / YEAR:VERSION or a file")
    a.set_defaults(func=cmd_diff)
    a = s.add_parser("list", help="列出已存的方案版本 / list the stored versions")
    a.add_argument("--format", choices=("table", "csv", "json"), default="table", help="输出格式 / output format")
    a.set_defaults(func=cmd_list)
    a = s.add_parser("activate", help="使某一版本生效 / make a version the active one of its year")
    a.add_argument("version", metavar="VERSION")
    a.add_argument("--year", default=None, help="年度（版本号不唯一时）/ year (when the version is not unique)")
    a.set_defaults(func=cmd_activate, writes=True)
    a = s.add_parser("copy", help="复制方案到新年度 / copy a scheme to a new year")
    a.add_argument("--from", dest="source", required=True, help="年度或 default / a year, or default")
    a.add_argument("--to", dest="target", required=True, help="新年度 / the new year")
    a.add_argument("--activate", action="store_true", help="复制后即生效 / make the copy active")
    a.set_defaults(func=cmd_copy, writes=True)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _read(path_text: str, lang: str) -> dict:
    from kaohe.cli import UsageError
    from kaohe.metrics import scheme_admin

    path = Path(path_text)
    if not path.is_file():
        raise UsageError("import.no_file", path=path)
    return scheme_admin.read_file(path, path.name, lang)


def _refused(name: str, problems: list[str], lang: str, *, writes: bool) -> int:
    print(t("scheme.invalid_file", lang, name=name), file=sys.stderr)
    for line in problems:
        print("  - " + line, file=sys.stderr)
    if writes:
        print(t("cli.unchanged", lang), file=sys.stderr)
    return 1


def _problems(exc, lang: str) -> list[str]:
    from kaohe.metrics.scheme import SchemeError

    return exc.problems_in(lang) if isinstance(exc, SchemeError) else [exc.text(lang)]


def cmd_validate(args) -> int:
    from kaohe.data.warehouse import Refusal
    from kaohe.metrics import scheme_admin

    lang = args.lang
    wh = existing_warehouse(args.db)
    name = Path(args.file).name
    try:
        data = _read(args.file, lang)
    except Refusal as exc:  # not JSON, too large ...: said as the file's problems
        return _refused(name, _problems(exc, lang), lang, writes=False)
    problems = scheme_admin.check(data, wh, lang)
    if problems:
        return _refused(name, problems, lang, writes=False)
    print(t("scheme.valid", lang, name=i18n.pick(data.get("name_zh"), data.get("name_en"), lang) or data.get("id"),
            year=data.get("year"), version=data.get("version")))
    return 0


def cmd_import(args) -> int:
    from kaohe.metrics import scheme_admin
    from kaohe.metrics.scheme import SchemeError

    lang = args.lang
    wh = existing_warehouse(args.db)
    name = Path(args.file).name
    try:
        data = _read(args.file, lang)
        if scheme_admin.already_stored(wh, data):  # the very same content: nothing new to store
            year, version = str(data["year"]), str(data["version"])
            if args.activate and scheme_admin.get(wh, year, version)["status"] != "active":
                scheme_admin.activate(wh, year, version, actor=settings.actor(), lang=lang)
                print(t("scheme.activated", lang, year=year, version=version))
            else:
                print(t("scheme.same", lang, year=year, version=version))
            return 0
        year, version = scheme_admin.import_scheme(wh, data, actor=settings.actor(), source_name=name,
                                                   activate=args.activate, note=args.note, lang=lang)
    except SchemeError as exc:
        return _refused(name, _problems(exc, lang), lang, writes=True)
    row = scheme_admin.get(wh, year, version)
    print(t("scheme.imported", lang, year=year, version=version,
            status=scheme_admin.status_word(row["status"], lang)))
    return 0


def _ref(wh, ref: str, lang: str) -> dict:
    """A scheme named on the command line: a file, or YEAR:VERSION of a stored one."""
    from kaohe.cli import UsageError
    from kaohe.metrics import scheme_admin

    if Path(ref).is_file():
        return scheme_admin.read_file(Path(ref), Path(ref).name, lang)
    year, sep, version = ref.partition(":")
    if not sep or not year or not version:
        raise UsageError("scheme.bad_ref", ref=ref)
    return scheme_admin.get(wh, year, version)["data"]


def cmd_export(args) -> int:
    from kaohe.cli import UsageError
    from kaohe.metrics import scheme_admin

    lang = args.lang
    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise UsageError("scheme.export_suffix", path=out)
    wh = existing_warehouse(args.db)
    row = scheme_admin.get(wh, args.year, args.version)
    if suffix == ".xlsx":
        from kaohe.reports import scheme_book

        data = scheme_book.workbook(row["data"], lang=lang)
    else:
        data = (json.dumps(row["data"], ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(t("scheme.exported", lang, year=row["year"], version=row["version"], path=out))
    return 0


def cmd_diff(args) -> int:
    from kaohe.metrics import scheme_diff

    lang = args.lang
    wh = existing_warehouse(args.db)
    a, b = _ref(wh, args.a, lang), _ref(wh, args.b, lang)
    lines = scheme_diff.words(scheme_diff.diff(a, b), lang)
    if not lines:
        print(t("scheme.diff_none", lang))
        return 0
    for line in lines:
        print(line)
    return 0


def cmd_list(args) -> int:
    import pandas as pd

    from kaohe.cli import plain_frame
    from kaohe.metrics import scheme_admin

    lang = args.lang
    wh = existing_warehouse(args.db)
    df = scheme_admin.versions(wh)
    if df.empty:
        print(t("scheme.none", lang))
        return 0
    if args.format == "csv":
        sys.stdout.write(df.to_csv(index=False))
        return 0
    if args.format == "json":
        print(json.dumps(json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso")),
                         ensure_ascii=False, indent=1))
        return 0
    shown = df[["year", "version", "status", "source_name", "created_at", "created_by", "activated_at", "note"]].copy()
    shown["status"] = [scheme_admin.status_word(s, lang) for s in shown["status"]]
    for col in ("created_at", "activated_at"):
        shown[col] = [clock.local_text(v) if v is not None and not pd.isna(v) else "" for v in shown[col]]
    shown["created_by"] = [i18n.actor_name(a, lang) if isinstance(a, str) and a else "" for a in shown["created_by"]]
    shown = shown.astype(object).where(shown.notna(), "")
    shown.columns = [t(f"scheme.col.{c}", lang) for c in shown.columns]
    with pd.option_context("display.width", 200, "display.unicode.east_asian_width", True):
        print(plain_frame(shown).to_string(index=False))
    return 0


def cmd_activate(args) -> int:
    from kaohe.metrics import scheme_admin

    lang = args.lang
    wh = existing_warehouse(args.db)
    year = scheme_admin.year_of_version(wh, args.version, args.year)
    row = scheme_admin.get(wh, year, args.version)
    if row["status"] == "active":
        print(t("scheme.already_active", lang, year=year, version=args.version))
        return 0
    before = scheme_admin.activate(wh, year, args.version, actor=settings.actor(), lang=lang)
    print(t("scheme.activated", lang, year=year, version=args.version))
    if before:
        print(t("scheme.activated_before", lang, before=before))
    return 0


def cmd_copy(args) -> int:
    from kaohe.metrics import scheme_admin

    lang = args.lang
    wh = existing_warehouse(args.db)
    version = scheme_admin.copy(wh, args.source, args.target, actor=settings.actor(), activate=args.activate,
                                lang=lang)
    row = scheme_admin.get(wh, args.target, version)
    source = (row["source_name"] or args.source)
    print(t("scheme.copied", lang, source=source, year=args.target, version=version,
            status=scheme_admin.status_word(row["status"], lang)))
    return 0
