"""Bonus and deduction items, and the one-vote veto.

Adjustments are entered per unit and month by the assessment office; within a
period they are summed and capped by the scheme (bonus_cap, deduction_cap).
A veto comes from a trigger in the data (e.g. a confirmed concealed incident
report) or from a veto item entered with its reason; it caps the grade,
whatever the score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe import i18n
from metrics import periods
from metrics.engine import FIXED
from metrics.scheme import VETO_OPS

KINDS = ("bonus", "deduction", "veto")
ADJ_COLUMNS = ["adj_id", "unit_code", "month", "kind", "points", "reason", "evidence", "actor",
               "created_at", "revoked_at", "revoked_by", "revoke_reason"]

i18n.register({
    "scoring.adjust.kind.bonus": ("加分", "bonus"),
    "scoring.adjust.kind.deduction": ("扣分", "deduction"),
    "scoring.adjust.kind.veto": ("一票否决", "veto"),
    "scoring.veto.trigger": ("{name}为{value}(触发条件:{op}{threshold}):{reason}",
                             "{name} is {value} (trigger {op} {threshold}): {reason}"),
})


def in_periods(adjustments: pd.DataFrame, period: str, ends: list[str]) -> pd.DataFrame:
    """Live (not revoked) adjustments, tagged with the period they fall in."""
    if adjustments is None or adjustments.empty:
        return pd.DataFrame(columns=[*ADJ_COLUMNS, "period"])
    live = adjustments.loc[adjustments["revoked_at"].isna()]
    return live.merge(periods.period_map(period, ends), on="month", how="inner")


def apply(totals: pd.DataFrame, adj: pd.DataFrame, bonus_cap: float | None,
          deduction_cap: float | None) -> pd.DataFrame:
    """bonus, deduction (capped, positive numbers) and total = base + bonus - deduction, floor 0."""
    keys = ["period", "unit_code"]
    if adj.empty:
        sums = pd.DataFrame(columns=[*keys, "bonus4", "deduction4"])
    else:
        pts = np.rint(np.abs(adj["points"].fillna(0).to_numpy(dtype=float)) * FIXED).astype(np.int64)
        a = adj[keys].assign(bonus4=np.where(adj["kind"].eq("bonus"), pts, 0),
                             deduction4=np.where(adj["kind"].eq("deduction"), pts, 0))
        sums = a.groupby(keys, sort=False)[["bonus4", "deduction4"]].sum().reset_index()
    out = totals.merge(sums, on=keys, how="left")
    b = out["bonus4"].fillna(0).to_numpy(dtype=np.int64)
    d = out["deduction4"].fillna(0).to_numpy(dtype=np.int64)
    out["bonus_claimed"] = b / FIXED
    out["deduction_claimed"] = d / FIXED
    if bonus_cap is not None:
        b = np.minimum(b, int(round(bonus_cap * FIXED)))
    if deduction_cap is not None:
        d = np.minimum(d, int(round(deduction_cap * FIXED)))
    total4 = np.maximum(out["base4"].to_numpy(dtype=np.int64) + b - d, 0)
    out["bonus4"], out["deduction4"], out["total4"] = b, d, total4
    out["bonus"], out["deduction"] = b / FIXED, d / FIXED
    # published totals have two decimals, rounded half up; ranks and grades use them
    out["total_cents"] = (total4 + FIXED // 200) // (FIXED // 100)
    out["total"] = out["total_cents"] / 100.0
    return out


def veto(totals: pd.DataFrame, scored: pd.DataFrame, adj: pd.DataFrame, triggers: list[dict],
         lang: str | None = None) -> pd.DataFrame:
    """veto (bool) and veto_reason (every reason, joined) per (period, unit)."""
    keys = ["period", "unit_code"]
    reasons = []
    for trig in triggers:
        rows = scored.loc[scored["indicator_code"].eq(trig["indicator"]) & scored["status"].eq("ok")]
        hit = rows.loc[VETO_OPS[trig["op"]](rows["value"].to_numpy(dtype=float), float(trig["value"]))]
        if hit.empty:
            continue
        reason = i18n.pick(trig.get("reason_zh"), trig.get("reason_en"), lang)
        names = hit["name_zh"] if (lang or i18n.default_lang()) == "zh" else hit["name_en"]
        text = [i18n.t("scoring.veto.trigger", lang, name=n, value=f"{v:g}", op=trig["op"],
                       threshold=f"{float(trig['value']):g}", reason=reason)
                for n, v in zip(names, hit["value"], strict=True)]
        reasons.append(pd.DataFrame({"period": hit["period"].to_numpy(), "unit_code": hit["unit_code"].to_numpy(),
                                     "reason": text}))
    if adj is not None and not adj.empty:
        v = adj.loc[adj["kind"].eq("veto")]
        if not v.empty:
            label = i18n.t("scoring.adjust.kind.veto", lang)
            reasons.append(pd.DataFrame({"period": v["period"].to_numpy(), "unit_code": v["unit_code"].to_numpy(),
                                         "reason": [f"{label}:{r}" for r in v["reason"].fillna("")]}))
    out = totals.copy()
    if reasons:
        r = pd.concat(reasons, ignore_index=True)
        joined = r.groupby(keys, sort=False)["reason"].agg("; ".join).reset_index()
        out = out.merge(joined.rename(columns={"reason": "veto_reason"}), on=keys, how="left")
    else:
        out["veto_reason"] = None
    out["veto"] = out["veto_reason"].notna()
    out["veto_reason"] = out["veto_reason"].astype(object).where(out["veto"], None)
    return out
