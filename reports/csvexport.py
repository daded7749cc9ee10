"""CSV that Excel opens correctly (UTF-8 with BOM) and that cannot smuggle in a formula."""

from __future__ import annotations

import pandas as pd

from reports import safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return safe.frame(frame).to_csv(index=False).encode("utf-8-sig")


def rankings_csv(wh, month: str, period: str = "month", lang: str = "zh", build=None) -> bytes:
    """The ranking table of every peer group, one row per unit, for the period ending in `month`."""
    from reports.context import load, veto_reason
    from reports.messages import pick

    ctx = load(wh, month, period, lang, build, history=False)
    tot = ctx.build.totals.sort_values(["peer_group", "rank", "unit_code"]).copy()
    tot.insert(1, "name", tot["unit_code"].map(ctx.unit_name))
    tot["group_name"] = tot["peer_group"].map(ctx.group_name)
    tot["grade_text"] = [pick(a, b, lang) for a, b in zip(tot["grade_zh"], tot["grade_en"], strict=True)]
    tot["veto_reason"] = [veto_reason(r, lang) or None for r in tot.to_dict("records")]
    keep = ["unit_code", "name", "peer_group", "group_name", "rank", "n_in_group", "base_score", "bonus",
            "deduction", "total", "grade", "grade_text", "veto", "veto_reason", "prev_rank", "rank_change", "list"]
    return csv_bytes(tot[[c for c in keep if c in tot.columns]])


def explanations_csv(wh, month: str, period: str = "month", lang: str = "zh", build=None) -> bytes:
    """Every unit's indicator table (value, rule, score, weight, points) for the period."""
    from reports.context import load

    ctx = load(wh, month, period, lang, build, history=False)
    return csv_bytes(ctx.build.indicators)
