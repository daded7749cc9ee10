"""The explanation of one unit's score: value -> rule -> indicator score -> weight -> points ->
dimension -> base -> adjustments -> total -> veto -> grade -> rank.

The `points` column adds up: indicator points sum to each dimension and to the
base score; base plus the adjustment rows (caps included) is the total before
rounding; the total row is that rounded half up to two decimals. All in the
engine's fixed point, so the sums are exact.
"""

from __future__ import annotations

import pandas as pd

from kaohe.base import i18n
from kaohe.metrics import rank as rank_mod
from kaohe.metrics.engine import FIXED

COLUMNS = ["level", "dimension", "code", "item", "value", "status", "rule", "raw_score", "weight", "points",
           "note"]



def explain(build, unit_code: str, lang: str | None = None) -> pd.DataFrame:
    lang = lang or i18n.DEFAULT_LANG
    tot = build.totals.loc[build.totals["unit_code"].eq(unit_code)]
    if tot.empty:
        raise KeyError(i18n.t("scoring.explain.unknown_unit", lang, unit=unit_code))
    tot = tot.iloc[0]
    fx = build.fixed.loc[build.fixed["unit_code"].eq(unit_code)].iloc[0]
    zh = lang == "zh"
    rows: list[dict] = []
    ind = build.indicators_of([unit_code])
    dims = build.dimensions.loc[build.dimensions["unit_code"].eq(unit_code)]
    # plain records, not itertuples: the frames hold text as objects, and row access on them is slow
    lg = "zh" if zh else "en"
    by_dim: dict[str, list[dict]] = {}
    for r in ind[["dimension", "indicator_code", f"name_{lg}", "value", "status", f"rule_text_{lg}", "raw_score",
                  "weight", "points", f"treatment_{lg}"]].to_dict("records"):
        by_dim.setdefault(r["dimension"], []).append(r)
    for d in dims[["dimension", f"name_{lg}", "score", "weight", "points"]].to_dict("records"):
        for r in by_dim.get(d["dimension"], []):
            rows.append({
                "level": "indicator", "dimension": d["dimension"], "code": r["indicator_code"],
                "item": r[f"name_{lg}"], "value": r["value"], "status": r["status"],
                "rule": r[f"rule_text_{lg}"], "raw_score": r["raw_score"],
                "weight": r["weight"], "points": r["points"], "note": r[f"treatment_{lg}"],
            })
        rows.append({"level": "dimension", "dimension": d["dimension"], "code": d["dimension"],
                     "item": d[f"name_{lg}"], "raw_score": d["score"], "weight": d["weight"],
                     "points": d["points"]})
    rows.append({"level": "base", "item": i18n.t("scoring.explain.base", lang), "points": fx["base4"] / FIXED})
    adj = build.adjustments
    if adj is not None and not adj.empty:
        for a in adj.loc[adj["unit_code"].eq(unit_code)].to_dict("records"):
            sign = {"bonus": 1, "deduction": -1}.get(a["kind"], 0)
            # a scheme's own items are worded in both languages; the office's entries as entered
            reason = _text(a.get(f"reason_{lang}")) or a["reason"]
            evidence = _text(a.get(f"evidence_{lang}")) or _text(a.get("evidence")) or "-"
            actor = i18n.t("scoring.explain.by_scheme", lang) if a["actor"] == "scheme" else i18n.actor_name(
                a["actor"], lang)
            # an entered item is named by its number; the scheme's own items by nothing but their words
            rows.append({"level": a["kind"], "code": f"#{a['adj_id']}" if pd.notna(a["adj_id"]) else None,
                         "item": reason,
                         "points": sign * abs(float(a["points"] or 0)) if sign else 0.0,
                         "note": i18n.t("scoring.explain.evidence", lang, evidence=evidence, actor=actor)})
    caps = build.scheme.section("adjustments") if build.scheme else {}
    over_b = round(fx["bonus_claimed"] * FIXED) - int(fx["bonus4"])
    if over_b:
        rows.append({"level": "cap", "item": i18n.t("scoring.explain.cap_bonus", lang, cap=caps.get("bonus_cap")),
                     "points": -over_b / FIXED})
    over_d = round(fx["deduction_claimed"] * FIXED) - int(fx["deduction4"])
    if over_d:
        rows.append({"level": "cap", "points": over_d / FIXED,
                     "item": i18n.t("scoring.explain.cap_deduction", lang, cap=caps.get("deduction_cap"))})
    unclipped = int(fx["base4"]) + int(fx["bonus4"]) - int(fx["deduction4"])
    if unclipped < 0:
        rows.append({"level": "cap", "item": i18n.t("scoring.explain.floor", lang), "points": -unclipped / FIXED})
    rows.append({"level": "total", "item": i18n.t("scoring.explain.total", lang), "points": float(tot["total"]),
                 "note": f"{int(fx['total4']) / FIXED:.4f} → {float(tot['total']):.2f}"})
    rows.append({"level": "veto", "item": i18n.t("report.veto", lang),
                 "note": (_text(tot.get(f"veto_reason_{lang}")) or tot["veto_reason"]) if tot["veto"]
                 else i18n.t("scoring.explain.no_veto", lang)})
    by_score = i18n.t(f"scoring.grade.{fx['grade_by_score']}", lang)
    notes = [i18n.t("scoring.explain.grade_by_score", lang, grade=by_score)]
    note = _text(fx.get(f"grade_note_{lang}")) or _text(fx["grade_note"])
    if note:
        notes.append(note)
    if tot["veto"] and tot["grade"] != fx["grade_by_score"]:
        notes.append(i18n.t("scoring.explain.grade_veto", lang, grade=tot["grade_zh"] if zh else tot["grade_en"]))
    rows.append({"level": "grade", "code": tot["grade"], "item": i18n.t("report.col.grade", lang),
                 "status": tot["grade_zh"] if zh else tot["grade_en"], "note": ("；" if zh else "; ").join(notes)})
    alerts = build.scheme.section("alerts") if build.scheme else {}
    alert_words = [rank_mod.alert_text(a, alerts, lang) for a in tot["alerts"]]
    rows.append({"level": "rank", "item": i18n.t("scoring.explain.rank", lang), "value": float(tot["rank"]),
                 "note": ("；" if zh else "; ").join([i18n.t("scoring.explain.rank_note", lang, group=i18n.pick(
                                           tot["peer_group_zh"], tot["peer_group_en"], lang) or tot["peer_group"],
                                           n=int(tot["n_in_group"])), *alert_words])})
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def _text(v) -> str | None:
    return v if isinstance(v, str) and v else None
