"""Bonus and deduction items, and the one-vote veto.

Adjustments are entered per unit and month by the assessment office; within a
period they are summed and capped by the scheme (bonus_cap, deduction_cap).
A veto comes from a trigger in the data (e.g. a confirmed concealed incident
report) or from a veto item entered with its reason; it caps the grade,
whatever the score.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kaohe.base import i18n
from kaohe.metrics import periods
from kaohe.metrics.engine import FIXED
from kaohe.metrics.scheme import VETO_OPS

KINDS = ("bonus", "deduction", "veto")
ADJ_COLUMNS = ["adj_id", "unit_code", "month", "kind", "points", "reason", "evidence", "actor",
               "created_at", "revoked_at", "revoked_by", "revoke_reason"]



def amount(v: float, unit: str | None, lang: str | None = None) -> str:
    """A value with its catalogue unit, as a person writes it: '97.2%', '1 起' / '1 incident'."""
    unit = unit if isinstance(unit, str) else ""
    num = f"{float(v):g}"
    u = i18n.unit_en(unit, float(v)) if (lang or i18n.DEFAULT_LANG) == "en" else unit
    if not u:
        return num
    return f"{num}{u}" if u == "%" else f"{num} {u}"


def condition(op: str, threshold: float, unit: str | None, lang: str | None = None) -> str:
    """A scheme's condition in words with the indicator's unit: '达到 1 起' / 'at least 1 incident'."""
    return i18n.t(f"scoring.cond.{op}", lang, threshold=amount(threshold, unit, lang))


def in_periods(adjustments: pd.DataFrame, period: str, ends: list[str]) -> pd.DataFrame:
    """Live (not revoked) adjustments, tagged with the period they fall in."""
    if adjustments is None or adjustments.empty:
        return pd.DataFrame(columns=[*ADJ_COLUMNS, "period"])
    live = adjustments.loc[adjustments["revoked_at"].isna()]
    return live.merge(periods.period_map(period, ends), on="month", how="inner")


def automatic(cells: pd.DataFrame, rules: list[dict], lang: str | None = None,
              worded: str | None = None) -> pd.DataFrame:
    """Bonus and deduction items the scheme itself gives for a value (e.g. survey score 95 or more: +1).

    `cells` has period, unit_code, indicator_code, name_zh, name_en, unit, status, value (the
    period's values). The rows look like entered adjustments, with actor 'scheme' (a code: shown
    with kaohe.i18n.actor_name) and no number; their evidence is in words, in both languages
    (evidence_zh/evidence_en; `evidence` in `lang`): '公众安全感满意度 97.2%，达到 95%'.
    With `worded`, only the items of that period get evidence (the periods before it are scored
    for ranks and alerts, and their items are never shown: their evidence is None).
    """
    lang = "en" if (lang or i18n.DEFAULT_LANG) == "en" else "zh"
    cols: dict[str, list] = {k: [] for k in ("unit_code", "month", "kind", "points", "reason", "evidence",
                                             "reason_zh", "reason_en", "evidence_zh", "evidence_en")}
    for rule in rules:
        hit = _pick(cells, rule["indicator"], rule["op"], float(rule["value"]))
        if hit.empty:
            continue
        words = {}
        period = hit["period"].to_numpy(dtype=object)
        shown = np.ones(len(hit), dtype=bool) if worded is None else (period == worded)
        for lg in ("zh", "en"):
            cond = condition(rule["op"], float(rule["value"]), _unit(hit), lg)
            words[lg] = [i18n.t("scoring.auto.evidence", lg, name=i18n.pick(z, e, lg) or rule["indicator"],
                                value=amount(v, u, lg), condition=cond) if keep else None
                         for z, e, v, u, keep in zip(_col(hit, "name_zh"), _col(hit, "name_en"), hit["value"],
                                                     _col(hit, "unit"), shown, strict=True)]
        n = len(hit)
        # the scheme words its items in both languages: an explanation in either needs no rebuild
        reason = {lg: i18n.pick(rule.get("reason_zh"), rule.get("reason_en"), lg) for lg in ("zh", "en")}
        for k, v in (("unit_code", hit["unit_code"].tolist()), ("month", period.tolist()),
                     ("kind", [rule["kind"]] * n), ("points", [float(rule["points"])] * n),
                     ("reason", [reason[lang]] * n), ("evidence", words[lang]),
                     ("reason_zh", [reason["zh"]] * n), ("reason_en", [reason["en"]] * n),
                     ("evidence_zh", words["zh"]), ("evidence_en", words["en"])):
            cols[k] += v
    out_cols = [*ADJ_COLUMNS, "period", "reason_zh", "reason_en", "evidence_zh", "evidence_en"]
    if not cols["unit_code"]:
        return pd.DataFrame(columns=out_cols)
    n = len(cols["unit_code"])
    text = {k: pd.Series(v, dtype=object) for k, v in cols.items() if k != "points"}
    return pd.DataFrame({
        **text, "adj_id": pd.array([pd.NA] * n, dtype="Int64"), "points": np.asarray(cols["points"], dtype=float),
        "actor": pd.Series(["scheme"] * n, dtype=object), "period": text["month"],
    }).reindex(columns=out_cols)


def _pick(cells: pd.DataFrame, indicator: str, op: str, threshold: float) -> pd.DataFrame:
    """The reported cells of `indicator` whose value meets the condition, in one take."""
    mask = ((cells["indicator_code"] == indicator) & (cells["status"] == "ok")).to_numpy(dtype=bool)
    mask = mask & VETO_OPS[op](cells["value"].to_numpy(dtype=float), threshold)
    return cells.iloc[np.flatnonzero(mask)]


def _col(frame: pd.DataFrame, name: str) -> list:
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


def _unit(hit: pd.DataFrame):
    return hit["unit"].iloc[0] if "unit" in hit.columns and len(hit) else None


def words(adj: pd.DataFrame) -> pd.DataFrame:
    """The items with their codes in words, in both languages, for every display: kind_zh/kind_en,
    actor_zh/actor_en (kaohe.i18n.actor_name), and reason_/evidence_ zh/en (an entered item's
    own text in both; a scheme item's in each language)."""
    new: dict[str, list] = {}
    kind_codes = adj["kind"].tolist()
    who = [a if isinstance(a, str) else None for a in adj["actor"].tolist()]  # NaN is nobody
    for lg in ("zh", "en"):
        # a few kinds and actors: each worded once
        kinds = {k: i18n.t_or(f"scoring.adjust.kind.{k}", k, lg) for k in set(kind_codes)}
        actors = {a: i18n.actor_name(a, lg) for a in set(who)}
        new[f"kind_{lg}"] = [kinds[k] for k in kind_codes]
        new[f"actor_{lg}"] = [actors[a] for a in who]
        for col in ("reason", "evidence"):
            own = adj[col].tolist() if col in adj.columns else [None] * len(adj)
            given = adj[f"{col}_{lg}"].tolist() if f"{col}_{lg}" in adj.columns else own
            new[f"{col}_{lg}"] = [g if isinstance(g, str) and g else o for g, o in zip(given, own, strict=True)]
    words_ = pd.DataFrame({k: pd.Series(v, dtype=object, index=adj.index) for k, v in new.items()}, index=adj.index)
    return pd.concat([adj.drop(columns=[c for c in new if c in adj.columns]), words_], axis=1)


def apply(totals: pd.DataFrame, adj: pd.DataFrame, bonus_cap: float | None,
          deduction_cap: float | None) -> pd.DataFrame:
    """bonus, deduction (capped, positive numbers) and total = base + bonus - deduction, floor 0."""
    b = np.zeros(len(totals), dtype=np.int64)
    d = np.zeros(len(totals), dtype=np.int64)
    if not adj.empty:
        pos = row_of(totals, adj["period"], adj["unit_code"])
        pts = np.rint(np.abs(adj["points"].fillna(0).to_numpy(dtype=float)) * FIXED).astype(np.int64)
        kind = adj["kind"].to_numpy(dtype=object)
        ok = pos >= 0
        for out, k in ((b, "bonus"), (d, "deduction")):
            sel = ok & (kind == k)
            np.add.at(out, pos[sel], pts[sel])
    out = totals.copy(deep=False)
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


def row_of(totals: pd.DataFrame, period, unit_code) -> np.ndarray:
    """The row of `totals` (one per period and unit) of each (period, unit_code) given; -1 if none."""
    tp, p_uniq = pd.factorize(totals["period"].to_numpy(dtype=object))
    tu, u_uniq = pd.factorize(totals["unit_code"].to_numpy(dtype=object))
    lookup = np.full(len(p_uniq) * len(u_uniq), -1, dtype=np.int64)
    lookup[tp * len(u_uniq) + tu] = np.arange(len(totals))
    ap = pd.Index(p_uniq).get_indexer(pd.Index(np.asarray(period, dtype=object)))
    au = pd.Index(u_uniq).get_indexer(pd.Index(np.asarray(unit_code, dtype=object)))
    ok = (ap >= 0) & (au >= 0)
    return np.where(ok, lookup[np.where(ok, ap * len(u_uniq) + au, 0)], -1)


def veto(totals: pd.DataFrame, scored: pd.DataFrame, adj: pd.DataFrame, triggers: list[dict],
         lang: str | None = None) -> pd.DataFrame:
    """veto (bool) and veto_reason (every reason, joined) per (period, unit); veto_reason_zh and
    veto_reason_en hold the same in each language (veto_reason is the one of `lang`)."""
    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    for trig in triggers:
        hit = _pick(scored, trig["indicator"], trig["op"], float(trig["value"]))
        units = _col(hit, "unit")
        for p, u, n_zh, n_en, v, un in zip(hit["period"], hit["unit_code"], hit["name_zh"], hit["name_en"],
                                           hit["value"], units, strict=True):  # a handful of events, not every unit
            texts = found.setdefault((p, u), {"zh": [], "en": []})
            for lg in ("zh", "en"):
                texts[lg].append(i18n.t(
                    "scoring.veto.trigger", lg, name=i18n.pick(n_zh, n_en, lg), value=amount(v, un, lg),
                    condition=condition(trig["op"], float(trig["value"]), un, lg),
                    reason=i18n.pick(trig.get("reason_zh"), trig.get("reason_en"), lg)))
    if adj is not None and not adj.empty:
        v = adj.loc[adj["kind"].eq("veto")]
        label = {lg: i18n.t("scoring.adjust.kind.veto", lg) for lg in ("zh", "en")}
        # an item typed as "一票否决:…" keeps one label, not "一票否决:一票否决:…"
        typed = {lg: re.compile(rf"^\s*{re.escape(word)}\s*[:：]\s*", re.IGNORECASE) for lg, word in label.items()}
        for p, u, r in zip(v["period"], v["unit_code"], v["reason"].fillna(""), strict=True):
            texts = found.setdefault((p, u), {"zh": [], "en": []})
            # the office's own words stay as entered; only the label is translated
            texts["zh"].append(f"{label['zh']}：{typed['zh'].sub('', r)}")
            texts["en"].append(f"{label['en']}: {typed['en'].sub('', r)}")
    reason = {lg: np.full(len(totals), None, dtype=object) for lg in ("zh", "en")}
    if found:
        pos = row_of(totals, [p for p, _ in found], [u for _, u in found])
        for k, texts in zip(pos, found.values(), strict=True):
            if k >= 0:
                reason["zh"][k] = "；".join(texts["zh"])
                reason["en"][k] = "; ".join(texts["en"])
    out = totals.copy(deep=False)
    lg = "en" if (lang or i18n.DEFAULT_LANG) == "en" else "zh"
    out["veto_reason"] = pd.Series(reason[lg], index=out.index, dtype=object)
    out["veto_reason_zh"] = pd.Series(reason["zh"], index=out.index, dtype=object)
    out["veto_reason_en"] = pd.Series(reason["en"], index=out.index, dtype=object)
    out["veto"] = out["veto_reason"].notna().to_numpy()
    return out
