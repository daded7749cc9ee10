"""Ranks within peer groups, change against the previous period, red and black lists, alerts.

Equal totals (to the published two decimals) share a rank: 1, 2, 2, 4
("相同分数排名不分先后").

The red and black lists (message 'scoring.list.rule' states the rule for the summary and the
scheme page):
  * k = the scheme's N (lists.red, lists.black; 5 by default), but never more than a third of
    the group (a group of 6 has lists of 2);
  * red = units whose rank is k or better, black = units whose rank from the bottom is k or
    better: a tie at the boundary is listed whole;
  * a vetoed unit is never on the red list;
  * a unit that would be on both lists (only when ties spread over both ends, e.g. every unit
    of a group at the same score) is on neither: the scores do not tell it from either end.
So no unit is ever on both lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe.base import i18n


def rank(totals: pd.DataFrame) -> pd.DataFrame:
    """rank (1 = best, ties share the lowest), rank_from_bottom, n_in_group per (period, peer_group)."""
    p, _ = pd.factorize(totals["period"].to_numpy(dtype=object))
    g, groups = pd.factorize(totals["peer_group"].to_numpy(dtype=object))
    key = p * max(len(groups), 1) + g
    cents = totals["total_cents"].to_numpy(dtype=np.int64)
    size = np.bincount(key)
    out = totals.copy(deep=False)
    out["rank"] = _min_rank(-cents, key, size)
    out["rank_from_bottom"] = _min_rank(cents, key, size)
    out["n_in_group"] = size[key]
    return out


def _min_rank(x: np.ndarray, key: np.ndarray, size: np.ndarray) -> np.ndarray:
    """1-based rank of x within its key, smallest first, ties at the lowest (method="min"), by one sort."""
    order = np.lexsort((x, key))
    ks, xs = key[order], x[order]
    start = np.r_[0, np.cumsum(size)[:-1]]
    pos = np.arange(len(x)) - start[ks]
    new = np.r_[True, (ks[1:] != ks[:-1]) | (xs[1:] != xs[:-1])]
    first = pos[new][np.cumsum(new) - 1]
    out = np.empty(len(x), dtype=np.int64)
    out[order] = first + 1
    return out


def list_size(n: np.ndarray, wanted: int) -> np.ndarray:
    """Top/bottom N, but never more than a third of a small group, so the two lists cannot meet."""
    return np.minimum(wanted, np.asarray(n) // 3)


def list_membership(rank_top: np.ndarray, rank_bottom: np.ndarray, n: np.ndarray, vetoed: np.ndarray,
                    lists: dict) -> tuple[np.ndarray, np.ndarray]:
    """(red, black) boolean arrays under the rule in this module's docstring; never both True."""
    top = np.asarray(rank_top) <= list_size(n, int(lists.get("red", 5)))
    bottom = np.asarray(rank_bottom) <= list_size(n, int(lists.get("black", 5)))
    red_candidate = top & ~np.asarray(vetoed, dtype=bool)
    both = red_candidate & bottom
    return red_candidate & ~both, bottom & ~both


def rule_text(lists: dict, lang: str | None = None) -> str:
    """The list rule in words ('scoring.list.rule') with the scheme's N."""
    return i18n.t("scoring.list.rule", lang, red=int(lists.get("red", 5)), black=int(lists.get("black", 5)))


def changes(current: pd.DataFrame, history: pd.DataFrame, prev_period: str | None, lists: dict,
            alerts: dict, periods_in_order: list[str]) -> pd.DataFrame:
    """prev_rank, rank_change (positive = moved up), list ('red' | 'black' | None) and alerts for `current`.

    `history` holds ranked totals of the earlier periods (and may include `current`'s).
    """
    out = current.copy(deep=False)
    units = pd.Index(out["unit_code"].to_numpy())
    h_unit = units.get_indexer(history["unit_code"].to_numpy())
    h_period = history["period"].to_numpy()
    prev = np.full(len(out), -1, dtype=np.int64)
    if prev_period is not None:
        sel = (h_period == prev_period) & (h_unit >= 0)
        prev[h_unit[sel]] = history["rank"].to_numpy()[sel]
    out["prev_rank"] = pd.array(np.where(prev > 0, prev, 0), dtype="Int64")
    out.loc[prev <= 0, "prev_rank"] = pd.NA
    out["rank_change"] = (out["prev_rank"] - out["rank"]).astype("Int64")
    n = out["n_in_group"].to_numpy()
    rank_now = out["rank"].to_numpy()
    red, black = list_membership(rank_now, out["rank_from_bottom"].to_numpy(), n,
                                 out["veto"].to_numpy(dtype=bool), lists)
    lst = np.full(len(out), None, dtype=object)
    lst[black] = "black"
    lst[red] = "red"
    out["list"] = pd.Series(lst, index=out.index, dtype=object)

    bottom_n = int(alerts.get("bottom_n", 3))
    run = int(alerts.get("consecutive", 3))
    fall = int(alerts.get("fall_places", 3))
    window = periods_in_order[-run:]
    streak = np.zeros(len(out), dtype=np.int64)
    if len(window) == run:
        # "bottom three" shrinks with the group like the lists, or a group of four would be all bottom
        low = (history["rank_from_bottom"].to_numpy() <= list_size(history["n_in_group"].to_numpy(), bottom_n))
        sel = np.isin(h_period, window) & low & (h_unit >= 0)
        streak = np.bincount(h_unit[sel], minlength=len(out))
    in_streak = streak >= run
    fell = out["rank_change"].fillna(0).to_numpy(dtype=np.int64) < -fall
    vetoed = out["veto"].to_numpy(dtype=bool)
    # one of eight combinations per unit: looked up, not indexed unit by unit
    combos = [[c for c, bit in zip(("bottom_streak", "rank_fall", "veto"), (1, 2, 4), strict=True) if k & bit]
              for k in range(8)]
    which = in_streak.astype(np.int64) + 2 * fell + 4 * vetoed
    out["alerts"] = pd.Series([list(combos[k]) for k in which.tolist()], index=out.index, dtype=object)
    return out


def alert_text(code: str, alerts: dict, lang: str | None = None) -> str:
    if code == "bottom_streak":
        return i18n.t("scoring.alert.bottom_streak", lang, n=alerts.get("consecutive", 3), k=alerts.get("bottom_n", 3))
    if code == "rank_fall":
        return i18n.t("scoring.alert.rank_fall", lang, k=alerts.get("fall_places", 3))
    return i18n.t(f"scoring.alert.{code}", lang)
