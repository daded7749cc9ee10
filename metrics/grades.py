"""Grades (等次) by score bands, optionally limited by quotas, and capped by a veto."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kaohe.base import i18n

ORDER = ("excellent", "good", "pass", "fail")  # best first



def quota_places(share: float, n: np.ndarray) -> np.ndarray:
    """Places a quota gives a group of n: share x n rounded half up (20% of 4 units is 1 place)."""
    return np.floor(share * np.asarray(n, dtype=float) + 0.5 + 1e-9).astype(int)


def assign(totals: pd.DataFrame, bands: list[dict], quota: dict | None = None,
           veto_cap: str = "fail", lang: str | None = None) -> pd.DataFrame:
    """grade, grade_zh, grade_en, grade_by_score and grade_note (in `lang`; grade_note_zh and
    grade_note_en in each language).

    Needs total, rank, n_in_group and veto. A quota is cumulative: {"excellent": 0.2,
    "good": 0.5} lets the top 20% of a group be excellent and the top 50% be good or
    better. A unit beyond a quota falls to the next grade, where the next quota applies
    again (so quotas are applied best grade first, whatever their order in the file).
    Pure quota grading is a single band {"grade": "excellent", "min": 0} with quotas.
    A veto caps the grade at `veto_cap`.
    """
    total = totals["total"].to_numpy(dtype=float)
    idx = np.full(len(totals), len(ORDER) - 1)
    for band in sorted(bands, key=lambda b: b["min"]):  # the highest band reached wins
        idx = np.where(total >= float(band["min"]) - 1e-9, ORDER.index(band["grade"]), idx)
    by_score = idx.copy()
    note = {lg: np.full(len(totals), None, dtype=object) for lg in ("zh", "en")}
    rank = totals["rank"].to_numpy()
    n = totals["n_in_group"].to_numpy()
    for grade, share in sorted((quota or {}).items(), key=lambda q: ORDER.index(q[0])):
        g = ORDER.index(grade)
        places = quota_places(share, n)
        over = (idx == g) & (rank > places)
        idx = np.where(over, g + 1, idx)
        for i in np.flatnonzero(over):
            for lg in note:
                note[lg][i] = i18n.t("scoring.grade.quota_note", lg, grade=i18n.t(f"scoring.grade.{grade}", lg),
                                     share=share, n=int(places[i]))
    cap = ORDER.index(veto_cap)
    idx = np.where(totals["veto"].to_numpy(dtype=bool), np.maximum(idx, cap), idx)
    codes = np.array(ORDER, dtype=object)
    zh = np.array([i18n.t(f"scoring.grade.{g}", "zh") for g in ORDER], dtype=object)
    en = np.array([i18n.t(f"scoring.grade.{g}", "en") for g in ORDER], dtype=object)
    obj = lambda a: pd.Series(a, index=totals.index, dtype=object)  # noqa: E731
    lg = "en" if (lang or i18n.DEFAULT_LANG) == "en" else "zh"
    return totals.assign(grade=obj(codes[idx]), grade_by_score=obj(codes[by_score]), grade_note=obj(note[lg]),
                         grade_note_zh=obj(note["zh"]), grade_note_en=obj(note["en"]),
                         grade_zh=obj(zh[idx]), grade_en=obj(en[idx]))
