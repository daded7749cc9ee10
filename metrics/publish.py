"""Publishing (通报): freezing a month's results with the scheme version, and revisions.

The first publication is revision 1. Publishing again (after new data or a
changed adjustment) needs a reason and creates the next revision; every
revision stays readable and the differences are listed. Corrections to a
published month carry their own reason (an import's or an adjustment's
correction reason); when the revision is published without one, those reasons
are its reason.

A publication keeps the log of its build (the chain's parameters, scheme included), the point
of the input sequence it read (`as_of`), the units and catalogue it read, and a checksum of its
exact inputs, so `metrics.service.replay_publication` rebuilds it whatever changed since.

This module does not import the service: the build it freezes is made by a function passed in
(`build(wh, month, period) -> (ScoreBuild, inputs)`, the service's `build_with_inputs`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from kaohe.base import clock, i18n
from kaohe.data import scoring_store as store
from kaohe.data.warehouse import Refusal
from kaohe.metrics import periods

DIFF_FIELDS = ["total", "rank", "grade", "veto"]
RETRIES = 5


class PublishError(Refusal, ValueError):
    pass


DETAIL = ["indicator_code", "status", "value", "numerator", "denominator", "raw_score", "weight", "points"]


def _results(build) -> pd.DataFrame:
    """Totals, each with its indicator rows frozen as JSON, so a published score stays explainable."""
    t = build.totals.copy()
    ind = build.indicators[["unit_code", *DETAIL]]
    detail = {u: g[DETAIL].to_json(orient="values", double_precision=6) for u, g in ind.groupby("unit_code")}
    t["detail"] = t["unit_code"].map(detail)
    return t


def publish(wh, month: str, actor: str, reason: str | None = None, period: str = "month", *,
            build: Callable, override_reason: str | None = None) -> int:
    """Freeze the period's results as its next revision, or refuse in words (PublishError).

    The checks (data there, figures not equal to the latest revision, a reason for a revision)
    are made against the latest revision and the data the build read, and the write transaction
    checks that both are still the latest; when another publication or an import landed in
    between, the whole thing is checked again (a few times), so concurrent publishers make one
    revision and the other is told the figures are already published.

    The appeals gate (公示 → 申诉 → 发布): while an appeal of the period's months is open, or its 公示
    is open and the deadline not passed, publishing is refused in words unless `override_reason` says
    why (it is kept in the revision's notes). The notes also list the accepted appeals of those months
    whose adjustment changed the figures (id, unit, decision, adjustment); publishing closes the 公示."""
    periods.check(period)
    store.ready(wh)
    override = (override_reason or "").strip() or None
    for _ in range(RETRIES):
        # the gate is checked again on every try; the write checks, under its lock, that the open
        # appeals are still the ones counted here (else PublishConflict, and this loop comes round)
        notes, counted = _gate(wh, month, period, override)
        try:
            return _publish_once(wh, month, actor, reason, period, build, notes, counted)
        except store.PublishConflict:
            continue
    raise PublishError("scoring.publish.busy", month=month)


def _gate(wh, month: str, period: str, override: str | None) -> tuple[str | None, tuple[list[str], int]]:
    """The appeals gate's refusal, or the revision's notes (JSON text, None when there is nothing to say)
    and the open appeals counted (the months, how many)."""
    import json

    from kaohe.data import appeals as appeals_store

    months = periods.months_of(period, month)
    with wh.connect() as con:
        n_open = appeals_store.open_count_in(con, months)
    notice = appeals_store.current_publicity(wh, month, period)
    label = _label(period, month)
    if not override:
        if n_open:
            raise PublishError("ap.err.publish_open", label=label, n=n_open)
        if notice is not None and clock.today() <= pd.Timestamp(notice["deadline"]).date():
            raise PublishError("ap.err.publish_notice", label=label, deadline=str(notice["deadline"])[:10])
    changed = appeals_store.changed_figures(wh, months)
    notes: dict = {}
    if len(changed):
        notes["appeals"] = [{"id": int(r.id), "unit_code": str(r.unit_code), "month": str(r.month),
                             "decision": r.decision, "adj_id": int(r.adj_id), "kind": str(r.kind),
                             "points": float(r.points)} for r in changed.itertuples()]
    if override and (n_open or notice is not None):
        notes["override_reason"] = override
        notes["open_appeals"] = n_open
    return (json.dumps(notes, ensure_ascii=False) if notes else None), (months, n_open)


def _label(period: str, month: str):
    return lambda lang: periods.label(period, month, lang)


def _publish_once(wh, month, actor, reason, period, run_build, notes=None, counted=None) -> int:
    first = periods.months_of(period, month)[0]
    checksum = store.data_checksum(wh, first, month)
    if checksum.startswith("0:"):
        raise PublishError("scoring.publish.no_data", month=month)
    pubs = store.publications(wh, month, period)
    latest = 0 if pubs.empty else int(pubs["revision"].max())
    b, inputs = run_build(wh, month, period)
    if latest:
        # identical figures are never a new revision, reason or not
        if _diff(store.published_results(wh, month, period, latest), b.totals).empty:
            raise PublishError("scoring.publish.unchanged", month=month, rev=latest)
        if not (reason or "").strip():
            # corrections entered with their reason (adjustments, imports) speak for the revision
            reason = "; ".join(store.corrections_since_publication(wh, period, month,
                                                                   periods.months_of(period, month)))
        if not reason.strip():
            raise PublishError("scoring.publish.need_reason", month=month, rev=latest)
    return store.publish(wh, month, period, _results(b), scheme_id=b.scheme_id, scheme_version=b.scheme_version,
                         steps=b.steps, actor=actor, reason=(reason or "").strip() or None,
                         data_checksum=checksum, checksum_from=first, expected_latest=latest,
                         scheme_fingerprint=b.scheme_fingerprint, scheme_year=b.scheme_year,
                         notes=notes, open_appeals=counted, **pin(inputs))


def pin(inputs: dict) -> dict:
    """What a publication keeps of the inputs its build read: the point of the input sequence, the
    units and catalogue (JSON) and the checksum of all of them with the observations and adjustments."""
    if inputs.get("as_of") is None:
        return {}
    text = store.inputs_text(inputs)
    return {"as_of": inputs["as_of"], "inputs": text, "inputs_checksum": store.inputs_checksum(inputs, text)}


@dataclass(frozen=True)
class PublishedState:
    """What the figures of (month, period) are against the published ones; one answer for pages,
    the PDF head, exports and the CLI.

    published: a revision exists; revision/at/actor/reason: the latest one's.
    differs: the live figures (total, rank, grade or veto of some unit) differ from it;
    n_units: how many units differ; data_changed / scheme_changed: what changed since (the
    observations and adjustments read; the scheme's content fingerprint, or its version for a
    publication made before fingerprints). Use `label(lang)` as the figures' label and
    `notice(lang)` (None when there is nothing to say) wherever figures are shown."""

    month: str
    period: str
    published: bool
    revision: int | None = None
    at: object = None
    actor: str | None = None
    reason: str | None = None
    scheme_version: str | None = None
    differs: bool = False
    n_units: int = 0
    data_changed: bool = False
    scheme_changed: bool = False
    # which figures are shown beside this state: "current" (a build of today's data) or "published"
    # (the revision rebuilt: service.published_figures)
    shown: str = "current"

    def showing_published(self) -> PublishedState:
        """This state beside the published figures themselves (they are the revision, whatever the
        current data say)."""
        return replace(self, shown="published")

    def label(self, lang: str | None = None) -> str:
        if not self.published:
            return i18n.t("scoring.state.unpublished", lang)
        if self.differs and self.shown != "published":
            return i18n.t("scoring.state.live_differs", lang, rev=self.revision)
        key = "scoring.state.published_revised" if (self.revision or 0) > 1 else "scoring.state.published"
        return i18n.t(key, lang, rev=self.revision)

    def short(self, lang: str | None = None) -> str:
        """The state in a word or two, for a tile: 未发布 / 第 2 版 / 已变动."""
        if not self.published:
            return i18n.t("scoring.state.short.unpublished", lang)
        if self.differs and self.shown != "published":
            return i18n.t("scoring.state.short.differs", lang)
        return i18n.t("scoring.state.short.published", lang, rev=self.revision)

    def notice(self, lang: str | None = None) -> str | None:
        if not (self.published and self.differs):
            return None
        why = "both" if self.data_changed and self.scheme_changed else "scheme" if self.scheme_changed else "data"
        if self.shown == "published":
            return i18n.t("scoring.state.notice_published", lang, why=i18n.t(f"scoring.state.why.{why}", lang),
                          at=clock.local_text(self.at) if self.at is not None else "", rev=self.revision,
                          n=self.n_units)
        return i18n.t("scoring.state.notice", lang, why=i18n.t(f"scoring.state.why.{why}", lang),
                      at=clock.local_text(self.at) if self.at is not None else "", rev=self.revision,
                      n=self.n_units)

    def as_dict(self) -> dict:
        return {"published": self.published, "revision": self.revision, "at": self.at, "differs": self.differs,
                "actor": self.actor, "scheme_version": self.scheme_version, "reason": self.reason,
                "n_units": self.n_units, "data_changed": self.data_changed, "scheme_changed": self.scheme_changed,
                "shown": self.shown}


def state(wh, month: str, period: str = "month", *, build: Callable, current_scheme: Callable) -> PublishedState:
    """`build(wh, month, period)` -> (ScoreBuild, inputs); `current_scheme(wh, year)` -> Scheme."""
    periods.check(period)
    store.ready(wh)
    pubs = store.publications(wh, month, period)
    if pubs.empty:
        return PublishedState(month, period, False)
    last = pubs.iloc[-1]
    first = periods.months_of(period, month)[0]
    data_changed = last["data_checksum"] != store.data_checksum(wh, first, month)
    scheme = current_scheme(wh, month[:4])
    fp = last.get("scheme_fingerprint")
    known_fp = isinstance(fp, str) and bool(fp)
    scheme_changed = (fp != scheme.fingerprint) if known_fp else (last["scheme_version"] != scheme.version)
    n_units = 0
    if data_changed or scheme_changed or not known_fp:  # say it differs only if the results do
        d = diff(wh, month, period, build=build)
        n_units = int(d["unit_code"].nunique()) if not d.empty else 0
    reason = last["reason"] if isinstance(last["reason"], str) else None
    return PublishedState(month, period, True, int(last["revision"]), last["published_at"], last["actor"], reason,
                          last["scheme_version"], n_units > 0, n_units, bool(data_changed), bool(scheme_changed))


def diff(wh, month: str, period: str = "month", revision: int | None = None, *, build: Callable) -> pd.DataFrame:
    """Units whose total, rank, grade or veto differ between a published revision and the live build."""
    pub = store.published_results(wh, month, period, revision)
    if pub.empty:
        return pd.DataFrame(columns=["unit_code", "field", "published", "current"])
    return _diff(pub, build(wh, month, period)[0].totals)


def figure_diff(published: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """Where the frozen figures of a revision and a build's totals disagree (unit_code, field,
    published, current; empty when every unit's total to the cent, rank, grade and veto agree)."""
    return _diff(published, totals)


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
