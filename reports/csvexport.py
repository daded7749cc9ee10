"""CSV that Excel opens correctly (UTF-8 with BOM) and that cannot smuggle in a formula."""

from __future__ import annotations

import pandas as pd

from kaohe.reports import safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return safe.frame(frame).to_csv(index=False).encode("utf-8-sig")


def rankings_csv(wh, month: str, period: str = "month", lang: str = "zh", build=None) -> bytes:
    """The ranking table of every peer group, one row per unit, for the period ending in `month`:
    headers and words in the reader's language (it is opened in Excel, not parsed), numbers as numbers.
    `kaohe rank --format csv` is the one for programs."""
    from kaohe.reports.context import load, veto_reason
    from kaohe.reports.messages import pick, t

    ctx = load(wh, month, period, lang, build, history=False)
    tot = ctx.build.totals.sort_values(["peer_group", "rank", "unit_code"])
    columns = {
        t("report.col.code", lang): tot["unit_code"],
        t("report.col.unit", lang): tot["unit_code"].map(ctx.unit_name),
        t("report.col.group", lang): tot["peer_group"].map(ctx.group_name),
        t("report.col.rank", lang): tot["rank"],
        t("report.col.n_in_group", lang): tot["n_in_group"],
        t("report.col.base", lang): tot["base_score"],
        t("report.bonus", lang): tot["bonus"],
        t("report.deduction", lang): tot["deduction"],
        t("report.col.total", lang): tot["total"],
        t("report.col.grade", lang): [pick(a, b, lang) for a, b in zip(tot["grade_zh"], tot["grade_en"], strict=True)],
        t("report.col.veto", lang): tot["veto"].map(lambda v: t("report.veto", lang) if bool(v) else None),
        t("report.adj.reason", lang): [veto_reason(r, lang) or None for r in tot.to_dict("records")],
        t("report.col.prev", lang): tot["prev_rank"],
        t("report.col.change", lang): tot["rank_change"],
        t("report.list.red", lang) + "/" + t("report.list.black", lang):
            tot["list"].map(lambda v: t(f"report.list.{v}", lang) if v in ("red", "black") else None),
    }
    return csv_bytes(pd.DataFrame({k: list(v) for k, v in columns.items()}).astype(
        {t(f"report.col.{c}", lang): "Int64" for c in ("rank", "n_in_group", "prev", "change")}))


def explanations_csv(wh, month: str, period: str = "month", lang: str = "zh", build=None) -> bytes:
    """Every unit's indicator table (value, rule, score, weight, points) for the period."""
    from kaohe.reports.context import load

    ctx = load(wh, month, period, lang, build, history=False)
    return csv_bytes(ctx.build.indicators)
