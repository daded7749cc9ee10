"""The words and cells the pages show for the core's frames: rank arrows, period labels, table cells,
the explanation and adjustments as shown, the weights tree's labels. The statistics behind them are in
the core (kaohe.metrics.analysis); nothing is computed here.
"""

from __future__ import annotations

import pandas as pd

from kaohe.base import i18n
from kaohe.metrics import analysis as stats
from kaohe.metrics import periods

# The engine's periods (metrics.periods.PERIODS), named for every page that offers them.
PERIODS = list(periods.PERIODS)


def rank_delta(change) -> int | None:
    """A rank change as a metric delta: places moved up, None when unchanged or there is no previous rank."""
    if change is None or pd.isna(change) or int(change) == 0:
        return None
    return int(change)


def arrow(change, lang: str = "zh") -> str:
    """A rank change as an arrow and places: ▲2 (moved up), ▼1, — (same), 新/new (no previous rank)."""
    if change is None or pd.isna(change):
        return i18n.t("rank.new", lang)
    change = int(change)
    return f"▲{change}" if change > 0 else (f"▼{-change}" if change < 0 else "—")


def ranking_table(totals: pd.DataFrame, dims: pd.DataFrame, robust: pd.DataFrame | None = None,
                  lang: str = "zh") -> pd.DataFrame:
    """The rankings of one peer group as shown: the core's table (metrics.analysis.ranking_table) with each
    rank change as an arrow (`change`)."""
    out = stats.ranking_table(totals, dims, robust)
    out["change"] = [arrow(c, lang) for c in out["rank_change"]]
    return out


def weights_tree(table: pd.DataFrame, dim_label: dict[str, str], ind_label: dict[str, str],
                 hover: dict[str, str]) -> pd.DataFrame:
    """Sunburst rows (id, parent, label, value in % of the total, hover) from `scheme_table`."""
    dims = table.groupby("dimension", sort=False)["weight"].sum()
    def esc(text):  # plotly reads HTML in labels: a name from a file is shown as written
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    rows = [{"id": d, "parent": "", "label": f"{esc(dim_label.get(d, d))}<br>{w:.0f}%", "value": w, "hover": ""}
            for d, w in dims.items()]
    rows += [{"id": f"{r.dimension}/{r.indicator_code}", "parent": r.dimension,
              "label": esc(ind_label.get(r.indicator_code, r.indicator_code)), "value": r.weight,
              "hover": esc(hover.get(r.indicator_code, ""))} for r in table.itertuples()]
    return pd.DataFrame(rows)


# -- words for what the engine stores as codes --------------------------------------------------------------

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


def period_label(period: str, month: str, lang: str = "zh") -> str:
    """The period as shown: 2026-10, 2026-Q4, 2026, 2026年1-10月 (metrics.periods.label); a quarter or year
    not yet over says how far it reaches: 2026-Q4（截至10月） / 2026-Q4 (to October)."""
    label = periods.label(period, month, lang)
    m = int(month[5:7])
    if period in ("month", "ytd") or (period == "quarter" and m % 3 == 0) or (period == "year" and m == 12):
        return label
    return i18n.t("period.partial", lang, label=label, month=MONTHS_EN[m - 1] if lang == "en" else m)


def zh_semicolons(text, lang: str = "zh") -> str:
    """'' for None/NaN; in Chinese, a half-width ';' as '；'. The core still joins some explanation texts
    with ';' in Chinese (metrics/engine.py capped treatment, metrics/explain.py grade and rank notes):
    remove this once it writes '；' there itself."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    text = str(text)
    return text.replace("; ", "；").replace(";", "；") if lang == "zh" else text


def adjustments_view(adj: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """A unit's adjustments as shown, in the core's words (build.adjustments carries kind_/actor_/reason_/
    evidence_ zh/en, metrics.adjust.words): month, kind, points, reason, evidence, actor."""
    def col(name):
        own = adj[f"{name}_{lang}"] if f"{name}_{lang}" in adj.columns else adj.get(name)
        return [v if isinstance(v, str) and v else "—" for v in own]

    out = pd.DataFrame({
        "month": adj["month"].astype(str),
        "kind": col("kind"),
        "points": adj["points"].astype(float),
        "reason": col("reason"),
        "evidence": col("evidence"),
        "actor": col("actor"),
    })
    return out.reset_index(drop=True)


def cell(value, status=None, lang: str = "zh", fmt=None) -> str:
    """A number as shown in a table cell: a not-applicable or missing value in words, nothing as —."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        if status in ("na", "missing"):
            return i18n.t(f"status.{status}", lang)
        return "—"
    return fmt(value) if fmt else f"{value}"


def _num(value: float) -> str:
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def explain_view(exp: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The engine's explanation as shown: every number a text cell, a not-applicable or missing indicator in
    words (不适用 / 缺报) where it has no value or score, an empty cell where a row has nothing of its own
    (a dimension has no value, the total no weight), never None or nan. Columns: item, value, rule,
    raw_score, weight, points, note."""
    marks = {"dimension": "■ ", "base": "∑ ", "total": "∑ "}
    rows = []
    for r in exp.to_dict("records"):
        level, status = r.get("level"), r.get("status")
        indicator = level == "indicator"

        def num(key, fmt, _r=r, _ind=indicator, _status=status):
            v = _r.get(key)
            if v is None or v is pd.NA or (isinstance(v, float) and v != v):
                return analysis_status(_status, lang) if _ind else ""
            return fmt(float(v))

        if level == "rank":
            value = f"{int(r['value'])}" if pd.notna(r.get("value")) else ""
        elif level == "grade":
            value = str(status) if isinstance(status, str) else ""
        else:
            value = num("value", _num)
        rows.append({
            "item": marks.get(level, "") + str(r.get("item") or ""),
            "value": value,
            "rule": zh_semicolons(r.get("rule"), lang),
            "raw_score": num("raw_score", lambda v: f"{v:.2f}"),
            "weight": num("weight", lambda v: f"{v * 100:.2f}%") if indicator or level == "dimension" else "",
            "points": num("points", lambda v: f"{v:.4f}") if level not in ("veto", "grade", "rank") else "",
            "note": zh_semicolons(r.get("note"), lang),
        })
    return pd.DataFrame(rows, columns=["item", "value", "rule", "raw_score", "weight", "points", "note"])


def analysis_status(status, lang: str = "zh") -> str:
    """不适用 / 缺报 for an indicator without a number, — otherwise."""
    if status in ("na", "missing"):
        return i18n.t(f"status.{status}", lang)
    return "—"
