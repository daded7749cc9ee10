"""`kaohe bulletin`: the monthly 通报 as a 公文 (GB/T 9704 layout), a PDF."""

from __future__ import annotations


def register(sub) -> None:
    from kaohe.cli.commands.reports import _parser

    _parser(sub, "bulletin", "考核通报公文 PDF / the bulletin as an official document (PDF)",
            "考核通报公文：红色版头、文号、标题、点评、各类排名表、红黑榜、抄送印发（GB/T 9704 版式；版头、"
            "抄送等文字取自本区设置）/ the bulletin as an official document after GB/T 9704: red header, "
            "document number, title, commentary, a ranking table per peer group, red and black lists, copy "
            "line (the office's fixed text is the district's setting)", cmd_bulletin)


def cmd_bulletin(args) -> int:
    from kaohe.base import settings
    from kaohe.cli.commands.reports import _figures, _open, _say_state, _write
    from kaohe.reports.bulletin import bulletin_pdf

    wh, month = _open(args)
    b = _figures(args, wh, month)
    _write(args.output, bulletin_pdf(wh, month, args.period, args.lang, b, actor=settings.actor()), args.lang)
    return _say_state(args, wh, month, b)
