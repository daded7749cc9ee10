"""`kaohe`: the command line. Each file in `kaohe/commands/` adds its own subcommands.

Exit codes: 0 success, 1 the operation was refused or failed (one line says why),
2 a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.cli import commands

# Text from files and forms reaches the terminal only as text: no terminal escapes (ESC sequences,
# other C0 and C1 controls), no bidi overrides or isolates, no zero-width characters. Newline and tab
# are kept (they are the printers' own layout).
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[@-Z\\-_])"
                      r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c\u180e]")


def plain(text) -> str:
    """`text` (from data: a name, a reason, a file's cell) safe to print on a terminal."""
    return _CONTROLS.sub("", _ESCAPES.sub("", str(text)))


def plain_frame(df):
    """A frame with every text cell (and heading) made plain, for printing."""
    out = df.copy()
    out.columns = [plain(c) if isinstance(c, str) else c for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("string"):
            out[col] = [plain(v) if isinstance(v, str) else v for v in out[col]]
    return out


class _PlainStream:
    """stdout/stderr for the length of one command: everything printed passes through `plain`,
    so no printer can let a unit's name drive the terminal."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(plain(text) if isinstance(text, str) else text)

    def __getattr__(self, name):
        return getattr(self._stream, name)

BILINGUAL_HELP = {
    "db": "数据仓库文件 / warehouse file (default: $KAOHE_DB or ~/.local/share/kaohe/kaohe.duckdb)",
    "lang": "输出语言 / output language: zh （默认 default） or en",
}


class UsageError(i18n.Refusal):
    """Raised by a command for bad arguments (a message id and its parameters): exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kaohe",
        description="考核 Kaohe — 基层治理绩效考核 / grassroots governance performance assessment",
    )
    parser.add_argument("--lang", choices=i18n.LANGS, default=None, help=BILINGUAL_HELP["lang"])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help=BILINGUAL_HELP["db"])


def month_arg(text: str | None, option: str = "--month") -> str | None:
    """A month given on the command line, checked (None passes: the option was left out)."""
    from kaohe.base import months

    if text is not None and not months.is_month(text):
        raise UsageError("cli.bad_month", option=option, text=text)
    return text


def existing_warehouse(db: str | None):
    """The warehouse a command reads, migrated to this release; a usage error when there is none."""
    from kaohe.base import settings
    from kaohe.data.warehouse import Warehouse

    wh = Warehouse(settings.db_path(db))
    if not wh.exists():
        raise UsageError("cli.no_wh", path=wh.path)
    wh.migrate()
    return wh


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    # the language of this call: --lang, else KAOHE_LANG, else Chinese; the commands pass it on
    args.lang = lang_of(args.lang)
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _PlainStream(out), _PlainStream(err)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = out, err


def words(exc: BaseException, lang: str) -> str:
    """What a refusal says, in the command's language (a Refusal is put into words here, at the face)."""
    return exc.text(lang) if isinstance(exc, i18n.Refusal) else str(exc)


def lang_of(chosen: str | None) -> str:
    """The command line's language: --lang, else the environment's KAOHE_LANG, else Chinese. Read here, in
    the face; the core is always told."""
    lang = chosen or os.environ.get("KAOHE_LANG") or i18n.DEFAULT_LANG
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


def _run(args) -> int:
    from kaohe.data.warehouse import Refusal, WarehouseBusy

    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(t("cli.error", args.lang, reason=exc.text(args.lang)), file=sys.stderr)
        return 2
    except WarehouseBusy:
        print(t("warehouse.busy", args.lang), file=sys.stderr)
        return 1
    except Refusal as exc:  # refused in words before anything was written
        print(t("cli.error", args.lang, reason=words(exc, args.lang)), file=sys.stderr)
        if getattr(args, "writes", False):  # a command that would have written says it did not
            print(t("cli.unchanged", args.lang), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return 0
    except Exception as exc:  # one line, not a traceback, for the person at the terminal
        print(t("cli.failed", args.lang, reason=str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
