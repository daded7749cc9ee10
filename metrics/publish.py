"""Publishing (通报): freezing a month's results with the scheme version, and revisions.

The first publication is revision 1. Publishing again (after new data or a
changed adjustment) needs a reason and creates the next revision; every
revision stays readable and the differences are listed. Corrections to a
published month carry their own reason (an import's or an adjustment's
correction reason); when the revision is published without one, those reasons
are its reason.
"""

from __future__ import annotations

import pandas as pd

from data import scoring_store as store
from kaohe import i18n
from metrics import periods

i18n.register({
    "scoring.publish.need_reason": ("{month}已发布（第{rev}版）；重新发布须说明更正理由（--reason）",
                                    "{month} is already published (revision {rev}); a new revision needs a "
                                    "correction reason (--reason)"),
    "scoring.publish.no_data": ("{month}没有任何观测数据，不能发布", "{month} has no observations; nothing to publish"),
    "scoring.publish.unchanged": ("{month}的结果与第{rev}版相同，无需重新发布",
                                  "{month}'s results equal revision {rev}; nothing to publish"),
})

DIFF_FIELDS = ["total", "rank", "grade", "veto"]


class PublishError(ValueError):
    pass


DETAIL = ["indicator_code", "status", "value", "numerator", "denominator", "raw_score", "weight", "points"]


def _results(build) -> pd.DataFrame:
    """Totals, each with its indicator rows frozen as JSON, so a published score stays explainable."""
    t = build.totals.copy()
    ind = build.indicators[["unit_code", *DETAIL]]
    detail = {u: g[DETAIL].to_json(orient="values", double_precision=6) for u, g in ind.groupby("unit_code")}
    t["detail"] = t["unit_code"].map(detail)
    return t


def publish(wh, month: str, actor: str, reason: str | None = None, period: str = "month") -> int:
    from metrics.service import build as run_build

    periods.check(period)
    store.ready(wh)
    first = periods.months_of(period, month)[0]
    if store.data_checksum(wh, first, month).startswith("0:"):
        raise PublishError(i18n.t("scoring.publish.no_data", month=month))
    b = run_build(wh, month, period)
    pubs = store.publications(wh, month, period)
    if not pubs.empty:
        rev = int(pubs["revision"].max())
        if not (reason or "").strip():
            # corrections entered with their reason (adjustments, imports) speak for the revision
            reason = "; ".join(store.corrections_since_publication(wh, period, month,
                                                                   periods.months_of(period, month)))
        if not reason.strip():
            raise PublishError(i18n.t("scoring.publish.need_reason", month=month, rev=rev))
        if _diff(store.published_results(wh, month, period, rev), b.totals).empty:
            raise PublishError(i18n.t("scoring.publish.unchanged", month=month, rev=rev))
    return store.publish(wh, month, period, _results(b), scheme_id=b.scheme_id, scheme_version=b.scheme_version,
                         steps=b.steps, actor=actor, reason=reason,
                         data_checksum=store.data_checksum(wh, first, month))


def status(wh, month: str, period: str = "month") -> dict:
    store.ready(wh)
    pubs = store.publications(wh, month, period)
    if pubs.empty:
        return {"published": False, "revision": None, "at": None, "differs": False, "actor": None,
                "scheme_version": None}
    last = pubs.iloc[-1]
    first = periods.months_of(period, month)[0]
    from metrics.service import current_scheme

    differs = (last["data_checksum"] != store.data_checksum(wh, first, month)
               or last["scheme_version"] != current_scheme(wh, month[:4]).version)
    if differs:  # the inputs or the scheme changed; say so only if the results do
        differs = not diff(wh, month, period).empty
    return {"published": True, "revision": int(last["revision"]), "at": last["published_at"],
            "differs": bool(differs), "actor": last["actor"], "scheme_version": last["scheme_version"]}


def diff(wh, month: str, period: str = "month", revision: int | None = None) -> pd.DataFrame:
    """Units whose total, rank, grade or veto differ between a published revision and the live build."""
    from metrics.service import build as run_build

    pub = store.published_results(wh, month, period, revision)
    if pub.empty:
        return pd.DataFrame(columns=["unit_code", "field", "published", "current"])
    return _diff(pub, run_build(wh, month, period).totals)


def diff_revisions(wh, month: str, rev_a: int, rev_b: int, period: str = "month") -> pd.DataFrame:
    a = store.published_results(wh, month, period, rev_a)
    b = store.published_results(wh, month, period, rev_b)
    return _diff(a, b)


def _diff(published: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    a = published.set_index("unit_code")
    b = current.set_index("unit_code")
    rows = []
    for unit in sorted(set(a.index) | set(b.index)):
        for f in DIFF_FIELDS:
            va = a[f].get(unit) if unit in a.index else None
            vb = b[f].get(unit) if unit in b.index else None
            if not _same(va, vb):
                rows.append({"unit_code": unit, "field": f, "published": va, "current": vb})
    return pd.DataFrame(rows, columns=["unit_code", "field", "published", "current"])


def _same(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and pd.isna(a)) or (isinstance(b, float) and pd.isna(b)):
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return round(float(a), 2) == round(float(b), 2)
    return a == b
