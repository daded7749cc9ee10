"""点评: the sentences an office writes by hand in a 通报, made from templates and a build's figures.

Nothing here guesses: every sentence is a catalogue template (cm.*) filled with figures read from the
`ScoreBuild` (totals, dimensions, indicators, adjustments, history, dimension_history), and returned
with those figures (`Sentence.figures`, unrounded) so a test can trace each number back to the build.

Group level (`group`): who rose and who fell most and the dimension that moved them; the group's median
total and the dimension that moved it (or, with no previous period, the dimension that loses most at the
median); units at the bottom of the group several periods running (`build.history`; build with
n_history to look further back); rate indicators where a unit looks different from the group but has too
few cases for its interval to say so (`ci_low`/`ci_high`/`significance`).

Unit level (`unit`): a veto and its reason; the items that cost most points, in words
("诉求解决率 82.1%，低于目标 7.9 个百分点，失 7.9 分"); deductions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kaohe.base import i18n
from kaohe.metrics import rank as rank_mod

# A unit whose rate is this many percentage points from its group's, with an interval that still
# holds the group's rate, "looks different but has too few cases to call it".
FEW_CASES_GAP = 5.0
# An item is named as costing points only when it cost at least this much.
MIN_LOST = 0.05
USABLE = ("ok", "carried")


@dataclass(frozen=True)
class Sentence:
    """One sentence of commentary: its words, the unit it is about (None: the group), its peer group,
    what kind of sentence it is (the cm.* template's last part) and the figures it cites, unrounded."""

    text: str
    kind: str
    peer_group: str | None = None
    unit_code: str | None = None
    figures: dict = field(default_factory=dict)


# -- numbers as the sentences write them ----------------------------------------------------------------

def num(value: float, digits: int = 1) -> str:
    """82.1, 3, 0.5: `digits` decimals, a whole number without them."""
    value = float(value)
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):d}"
    return f"{value:.{digits}f}"


def points(value: float) -> str:
    """Points lost or gained: one decimal (失 7.9 分)."""
    return f"{float(value):.1f}"


def total(value: float) -> str:
    """A total: two decimals, as every page shows it."""
    return f"{float(value):.2f}"


def with_unit(value: float, unit: str | None, lang: str) -> str:
    """'82.1%' in both languages, '2批次' / '2 batches'."""
    unit = unit or ""
    text = num(value)
    if unit == "%":
        return f"{text}%"
    if lang == "en":
        en = i18n.unit_en(unit, value)
        return f"{text} {en}" if en else text
    return f"{text}{unit}"


def gap_unit(unit: str | None, value: float, lang: str) -> str:
    """The unit of a distance from a target: percentage points for a rate, else the indicator's unit."""
    if (unit or "") == "%":
        return i18n.t("cm.pp", lang)
    if lang == "en":
        return i18n.unit_en(unit, value)
    return unit or ""


def _name(row: dict, lang: str) -> str:
    return i18n.pick(row.get("name_zh"), row.get("name_en"), lang) or str(row.get("unit_code", ""))


def _unit_names(build, lang: str) -> dict[str, str]:
    return {r["unit_code"]: _name(r, lang) for r in build.totals[["unit_code", "name_zh", "name_en"]].to_dict(
        "records")}


# -- unit level ------------------------------------------------------------------------------------------

def lost_items(build, unit_code: str) -> pd.DataFrame:
    """The unit's indicators with the points each cost (weight × 100 − points), most first; only items
    that carry weight and cost at least MIN_LOST."""
    rows = build.indicators_of([unit_code])
    rows["lost"] = rows["weight"].astype(float) * 100.0 - rows["points"].astype(float)
    rows = rows.loc[rows["weight"].astype(float).gt(0) & rows["lost"].ge(MIN_LOST)]
    return rows.sort_values(["lost", "indicator_code"], ascending=[False, True], kind="stable")


def item_sentence(row: dict, lang: str) -> Sentence:
    """One item that cost points, in words."""
    item = _name(row, lang)
    lost = float(row["lost"])
    figs = {"indicator_code": row["indicator_code"], "lost": lost}
    if row["status"] not in USABLE or row["value"] is None or pd.isna(row["value"]):
        treatment = row.get(f"treatment_{lang}") or row.get("treatment_zh") or row["status"]
        text = i18n.t("cm.unit.missing", lang, item=item, treatment=treatment, lost=points(lost))
        return Sentence(text, "missing", row["peer_group"], row["unit_code"], figs)
    value, target = float(row["value"]), row["target"]
    figs["value"] = value
    shown = with_unit(value, row["unit"], lang)
    if target is not None and not pd.isna(target):
        target = float(target)
        gap = target - value if row["direction"] == "higher" else value - target
        if gap > 1e-9 and row["direction"] in ("higher", "lower"):
            figs.update(target=target, gap=gap)
            key = "cm.unit.below_target" if row["direction"] == "higher" else "cm.unit.above_target"
            text = i18n.t(key, lang, item=item, value=shown, gap=num(gap), gap_unit=gap_unit(row["unit"], gap, lang),
                          lost=points(lost))
            return Sentence(text, key.rsplit(".", 1)[1], row["peer_group"], row["unit_code"], figs)
    text = i18n.t("cm.unit.lost", lang, item=item, value=shown, lost=points(lost))
    return Sentence(text, "lost", row["peer_group"], row["unit_code"], figs)


def unit(build, unit_code: str, lang: str | None = None, n: int = 2) -> list[Sentence]:
    """The unit's commentary: its veto (first), the `n` items that cost most points, its deductions."""
    lang = lang or i18n.DEFAULT_LANG
    tot = build.unit(unit_code)
    group = tot["peer_group"]
    out: list[Sentence] = []
    if bool(tot["veto"]):
        reason = tot.get(f"veto_reason_{lang}") or tot.get("veto_reason") or ""
        out.append(Sentence(i18n.t("pf.veto", lang, reason=reason), "veto", group, unit_code,
                            {"veto": True}))
    for row in lost_items(build, unit_code).head(n).to_dict("records"):
        out.append(item_sentence(row, lang))
    adj = build.adjustments
    if adj is not None and not adj.empty:
        for a in adj.loc[adj["unit_code"].eq(unit_code) & adj["kind"].eq("deduction")].to_dict("records"):
            reason = a.get(f"reason_{lang}") or a.get("reason") or ""
            pts = abs(float(a["points"] or 0))
            out.append(Sentence(i18n.t("cm.unit.deduction", lang, reason=reason, points=points(pts)), "deduction",
                                group, unit_code, {"deduction": pts}))
    if not out:
        out.append(Sentence(i18n.t("cm.unit.none", lang), "none", group, unit_code, {}))
    return out


def reasons(build, unit_code: str, lang: str | None = None, n: int = 2) -> str:
    """The unit's commentary as one line (；-joined in Chinese)."""
    return ("；" if (lang or i18n.DEFAULT_LANG) == "zh" else "; ").join(s.text for s in unit(build, unit_code,
                                                                                              lang, n))


# -- group level -----------------------------------------------------------------------------------------

def previous_period(build) -> str | None:
    """The period before the build's own in its history (None when it scored only one)."""
    ends = sorted(set(build.history["period"])) if not build.history.empty else []
    before = [p for p in ends if p < build.month]
    return before[-1] if before else None


def _dimension_moves(build, unit_code: str, prev: str) -> pd.DataFrame:
    """Each dimension's points now, in the previous period, and the change."""
    now = build.dimensions.loc[build.dimensions["unit_code"].eq(unit_code), ["dimension", "name_zh", "name_en",
                                                                               "points"]]
    dh = build.dimension_history
    before = dh.loc[dh["period"].eq(prev) & dh["unit_code"].eq(unit_code), ["dimension", "points"]]
    out = now.merge(before, on="dimension", suffixes=("", "_prev"))
    out["delta"] = out["points"].astype(float) - out["points_prev"].astype(float)
    return out


def movers(build, peer_group: str, lang: str) -> list[Sentence]:
    """Who rose most and who fell most in the group, and the dimension that moved each."""
    tot = build.totals.loc[build.totals["peer_group"].eq(peer_group)]
    moved = tot.loc[tot["rank_change"].notna() & tot["rank_change"].ne(0)]
    prev = previous_period(build)
    out = []
    if moved.empty or prev is None:
        return out
    names = _unit_names(build, lang)
    for kind, pick in (("rose", moved.loc[moved["rank_change"].gt(0)]), ("fell", moved.loc[moved["rank_change"].lt(0)])):
        if pick.empty:
            continue
        up = kind == "rose"
        row = pick.sort_values(["rank_change", "rank"], ascending=[not up, True]).iloc[0]
        moves = _dimension_moves(build, row["unit_code"], prev)
        figs = {"rank": int(row["rank"]), "prev_rank": int(row["prev_rank"]), "places": abs(int(row["rank_change"]))}
        key = f"cm.group.{kind}"
        params = dict(unit=names[row["unit_code"]], rank=figs["rank"], prev=figs["prev_rank"], places=figs["places"])
        if not moves.empty:
            d = moves.sort_values("delta", ascending=not up).iloc[0]
            if (d["delta"] > 0) == up and abs(d["delta"]) >= MIN_LOST:
                figs.update(dimension=d["dimension"], delta=float(d["delta"]))
                key = f"cm.group.{kind}_why"
                params.update(dim=_name(d.to_dict(), lang), delta=points(abs(float(d["delta"]))))
        out.append(Sentence(i18n.t(key, lang, **params), kind, peer_group, row["unit_code"], figs))
    return out


def median_driver(build, peer_group: str, lang: str) -> list[Sentence]:
    """The group's median total; with a previous period, the dimension whose median points moved most,
    and always the dimension that loses most points at the median."""
    tot = build.totals.loc[build.totals["peer_group"].eq(peer_group)]
    if tot.empty:
        return []
    median = float(tot["total"].median())
    dims = build.dimensions.loc[build.dimensions["peer_group"].eq(peer_group)]
    med = dims.groupby("dimension", sort=False).agg(points=("points", "median"), weight=("weight", "median"),
                                                   name_zh=("name_zh", "first"), name_en=("name_en", "first"))
    out = []
    prev = previous_period(build)
    hist = build.history
    before = hist.loc[hist["period"].eq(prev) & hist["peer_group"].eq(peer_group)] if prev else hist.iloc[0:0]
    if prev and not before.empty:
        prev_median = float(before["total"].median())
        dh = build.dimension_history
        dprev = dh.loc[dh["period"].eq(prev) & dh["peer_group"].eq(peer_group)].groupby("dimension")["points"].median()
        both = med.join(dprev.rename("points_prev"), how="inner")
        if not both.empty:
            both["delta"] = both["points"] - both["points_prev"]
            d = both.reindex(both["delta"].abs().sort_values(ascending=False, kind="stable").index).iloc[0]
            figs = {"median": median, "prev_median": prev_median, "dimension": d.name,
                    "dim_median": float(d["points"]), "dim_prev_median": float(d["points_prev"])}
            text = i18n.t("cm.group.median_moved", lang, median=total(median), prev=total(prev_median),
                          dim=_name(d.to_dict(), lang), dnow=points(d["points"]), dprev=points(d["points_prev"]))
            out.append(Sentence(text, "median_moved", peer_group, None, figs))
    if not med.empty:
        med["lost"] = med["weight"].astype(float) * 100.0 - med["points"].astype(float)
        d = med.sort_values("lost", ascending=False, kind="stable").iloc[0]
        figs = {"median": median, "dimension": d.name, "dim_median": float(d["points"]),
                "dim_full": float(d["weight"]) * 100.0}
        text = i18n.t("cm.group.weakest_dimension", lang, median=total(median), dim=_name(d.to_dict(), lang),
                      points=points(d["points"]), full=points(figs["dim_full"]))
        out.append(Sentence(text, "weakest_dimension", peer_group, None, figs))
    return out


def bottom_streaks(build, peer_group: str, lang: str, at_least: int = 2) -> list[Sentence]:
    """Units in the group's bottom k (the scheme's alerts.bottom_n, shrunk with the group like the lists)
    for `at_least` periods or more running, up to the build's own period."""
    alerts = build.scheme.section("alerts") if build.scheme else {}
    bottom_n = int((alerts or {}).get("bottom_n", 3))
    hist = build.history.loc[build.history["peer_group"].eq(peer_group)].copy()
    if hist.empty:
        return []
    hist["k"] = rank_mod.list_size(hist["n_in_group"].to_numpy(), bottom_n)
    hist["low"] = (hist["n_in_group"] - hist["rank"] + 1) <= hist["k"]
    ends = sorted(set(hist["period"]))
    names = _unit_names(build, lang)
    out = []
    cur = hist.loc[hist["period"].eq(build.month)].sort_values("rank")
    for r in cur.to_dict("records"):
        if not r["low"]:
            continue
        mine = hist.loc[hist["unit_code"].eq(r["unit_code"])].set_index("period")
        n = 0
        for p in reversed(ends):
            if p in mine.index and bool(mine.at[p, "low"]):
                n += 1
            else:
                break
        if n >= at_least:
            figs = {"periods": n, "k": int(r["k"]), "rank": int(r["rank"]), "n_in_group": int(r["n_in_group"])}
            text = i18n.t("cm.group.bottom_streak", lang, unit=names[r["unit_code"]], n=n, k=figs["k"])
            out.append(Sentence(text, "bottom_streak", peer_group, r["unit_code"], figs))
    return out


def few_cases(build, peer_group: str, lang: str) -> list[Sentence]:
    """Rate indicators where some units sit FEW_CASES_GAP points or more from the group's rate but their
    95% interval still holds it: too few cases to call the difference."""
    ind = build.indicators
    rows = ind.loc[ind["peer_group"].eq(peer_group) & ind["status"].isin(USABLE) & ind["significance"].eq("similar")
                   & ind["weight"].astype(float).gt(0)]
    rows = rows.loc[(rows["value"].astype(float) - rows["peer_value"].astype(float)).abs().ge(FEW_CASES_GAP)]
    names = _unit_names(build, lang)
    out = []
    for code, g in rows.groupby("indicator_code", sort=False):
        g = g.sort_values("unit_code")
        first = g.iloc[0].to_dict()
        figs = {"indicator_code": code, "units": g["unit_code"].tolist(),
                "min_cases": float(g["denominator"].astype(float).min()),
                "gaps": dict(zip(g["unit_code"], (g["value"].astype(float) - g["peer_value"].astype(float)),
                                 strict=True))}
        text = i18n.t("cm.group.few_cases", lang, item=_name(first, lang),
                      units=i18n.sep(lang).join(names[u] for u in figs["units"]), min_n=num(figs["min_cases"]))
        out.append(Sentence(text, "few_cases", peer_group, None, figs))
    return out


def group(build, peer_group: str, lang: str | None = None) -> list[Sentence]:
    """The group's commentary, in the order a 通报 reads: moves, the median, the bottom, the caveats."""
    lang = lang or i18n.DEFAULT_LANG
    return [*movers(build, peer_group, lang), *median_driver(build, peer_group, lang),
            *bottom_streaks(build, peer_group, lang), *few_cases(build, peer_group, lang)]


def groups(build) -> list[str]:
    """The build's peer groups in the order the reports list them: streets before departments, then by each
    group's first unit in natural code order (S01 < S0013)."""
    tot = build.totals[["unit_code", "kind", "peer_group"]]
    key = tot.assign(_k=(tot["kind"] != "street").astype(int),
                     _n=tot["unit_code"].str.extract(r"(\d+)", expand=False).fillna("0").astype(int))
    return key.sort_values(["_k", "_n", "unit_code"]).drop_duplicates("peer_group")["peer_group"].tolist()


def everything(build, lang: str | None = None) -> list[Sentence]:
    """Every sentence of the build: each group's, then each of its units'."""
    out = []
    for g in groups(build):
        out += group(build, g, lang)
        for code in build.totals.loc[build.totals["peer_group"].eq(g), "unit_code"]:
            out += unit(build, code, lang)
    return out

