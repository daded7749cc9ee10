"""The entry points pages, reports and the CLI call. They read the warehouse and return builds.

    current_scheme(wh, year=None, lang=None) -> Scheme
        the scheme stored in the warehouse that is in force for the year (kaohe.data.schemes: its
        active version, else the active one of the latest earlier year); refused in words
        (metrics.scheme.NoSchemeInForce) when none is stored. Every build below scores with it;
        the shipped files (metrics/schemes/default-<year>.json) are only a source to copy from.
    build(wh, month, period="month", scheme=None, lang=None, n_history=None) -> ScoreBuild
        refuses a period without any observation (ScoringError, 'scoring.no_data'); the build
        carries scheme_id, scheme_version, scheme_year, scheme_fingerprint, scheme_is_own_year and
        scheme_note(lang) ('scoring.scheme.used_for_other_year') when another year's scheme scored it
        month is the period's last month (quarter of 2026-09 = 2026-Q3; a quarter, year or
        year-to-date ending mid-period covers its months up to `month`). `n_history` periods
        are scored in the same pass (default 3: rank change and alerts); their totals, ranks
        and grades are in `ScoreBuild.history` (period, unit_code, peer_group, total, rank,
        n_in_group, grade, veto) — ask for n_history=12 to draw a year's trend from one build;
        `ScoreBuild.dimension_history` gives the dimension scores of the same periods (period,
        unit_code, peer_group, dimension, name_zh, name_en, weight, score, points, peer_median),
        made on first use from the arrays of that one pass (no build per month).
        `lang` only chooses the language of veto reasons and the ytd label; every other text
        comes in both (name_zh/name_en, rule_text_zh/_en, treatment_zh/_en, grade_zh/_en).
    build_with_inputs(wh, month, period="month", ...) -> (ScoreBuild, inputs)   the inputs it read, with
        `as_of` (the point of the input sequence they are of)
    replay(wh, steps) -> ScoreBuild          # run a log (ScoreBuild.steps) on the live inputs
    replay_publication(wh, month, period="month", revision=None, lang=None) -> ScoreBuild
        a published revision rebuilt exactly (its log on its inputs as of then): totals, ranks,
        grades and vetoes equal to the frozen ones after any later import, correction, rollback,
        adjustment or scheme edit; ReplayRefused (in words, no figures) when it cannot be
    published_figures(wh, month, period="month", lang=None) -> ScoreBuild | None
        the latest revision's figures (replay_publication), None when not published: what pages and
        reports show by default, `build` (the current figures) a choice away
    rank_history(wh, unit_code, last_month, n=12) -> DataFrame   month, total, rank, n_in_group, grade
    robustness(wh, month, replicates=1000, seed=0, progress=None, period="month") -> DataFrame
        unit_code, name_zh, name_en, peer_group, rank, n_in_group, median_rank, rank_p05, rank_p95
    entropy_weights(wh, month, period="month") -> DataFrame
        kind, indicator_code, scheme_weight (mean effective share), entropy_weight
    what_if(wh, month, changes, period="month") -> DataFrame   (the same chain, logged parameters changed)
        unit_code, name_zh, name_en, peer_group, total_official, rank_official, grade_official,
        total_whatif, rank_whatif, grade_whatif, total_delta, rank_delta (positive = moves up)
        changes: {"dimension_weights": {dim: w}, "indicator_weights": {code: w} (proportions,
        normalised), "rules": {code: {"rule": name, **params}}, "missing_policy": "zero"|...}
    publish(wh, month, actor, reason=None, period="month") -> int (revision; a second one needs a reason,
        which defaults to the correction reasons recorded for the month since the last revision;
        figures equal to the latest revision are refused, never a new revision; the checks and the
        write are one transaction, so concurrent publishers make one revision)
    revision_diff(wh, month, revision, period="month") -> DataFrame   unit_code, field, published, current
        (what changed against the revision before; empty for revision 1)
    publication_status(wh, month, period="month") -> dict
        published, revision, at, differs (the live results differ from the latest revision),
        actor, scheme_version
    published_state(wh, month, period="month") -> PublishedState   published, revision, at, actor, reason,
        differs, n_units, data_changed, scheme_changed; .label(lang), .notice(lang): what every page,
        PDF and export shows beside figures (never "published" for figures that are not)
    publication_diff(wh, month, period="month") -> DataFrame   unit_code, field, published, current
    revisions(wh, month, period="month") -> DataFrame
    add_adjustment(wh, unit_code, month, kind, points, reason, evidence, actor, correction_reason=None) -> int
        kind: bonus | deduction | veto; points >= 0 (a deduction's points are subtracted). A month
        already published (or held by a published quarter/year/ytd) needs `correction_reason`,
        else AdjustmentPublishedError (a ScoringError and a data.warehouse.PublishedMonthError).
    published_covering(wh, month) -> list[str]   publications freezing a month ('month 2026-09', ...)
    list_adjustments(wh, month=None, unit=None) -> DataFrame   (revoked ones too, with revoked_at;
        correction_reason for an item entered into a published month)
    revoke_adjustment(wh, adj_id, actor, reason) -> None

ScoreBuild (metrics.build) also has `explain(unit_code, lang=None)`, `unit(unit_code)` and,
beyond the agreed columns, totals carry peer_group_zh/peer_group_en and indicators carry
value_scored (after caps), capped, carried_from, months_ok, n_months.

Errors a user can cause raise ScoringError / PublishError / SchemeError (ValueError
subclasses, and data.warehouse.Refusal like every refusal of the warehouse) with a message in
the user's language; nothing is written when they are raised. No Streamlit here; the dashboard
caches on `wh.version()`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kaohe.base import access, i18n
from kaohe.base import months as mo
from kaohe.data import scoring_store as store
from kaohe.data.warehouse import PublishedMonthError, Refusal
from kaohe.metrics import build as build_mod
from kaohe.metrics import periods
from kaohe.metrics import publish as pub
from kaohe.metrics import scheme as scheme_mod
from kaohe.metrics.adjust import KINDS as ADJ_KINDS
from kaohe.metrics.build import ScoreBuild, compute
from kaohe.metrics.scheme import Scheme


class ScoringError(Refusal, ValueError):
    """A request the engine refuses, with a message in the user's language."""


class ReplayRefused(ScoringError):
    """A publication whose inputs cannot be reconstructed (or whose rebuild is not its frozen
    figures): the words say why; no figure is given."""


class AdjustmentPublishedError(ScoringError, PublishedMonthError):
    """An adjustment to a published month without a correction reason: a ScoringError with the
    user's message, and a PublishedMonthError (with `.months`) like a refused import."""

    def __init__(self, month: str, published: list[str]):
        # 'quarter 2026-09' -> '季度 2026-09' / 'quarter 2026-09'
        def shown(lang):
            return i18n.sep(lang).join(f"{i18n.t('scoring.period.' + p.split()[0], lang)} {p.split()[-1]}"
                                       for p in published)
        Refusal.__init__(self, "scoring.adjust.month_published", month=month, published=shown)
        self.months = [month]
        self.published = published


# -- schemes and builds -------------------------------------------------------------------------
def current_scheme(wh, year: str | None = None, lang: str | None = None) -> Scheme:
    """The scheme in force for a year: the active version stored in the warehouse for that year, else the
    active one of the latest earlier year (None: the latest year that has one). Refused in words
    (scheme.NoSchemeInForce) when the warehouse holds no active scheme."""
    store.ready(wh)
    return scheme_mod.in_force(wh, year, store.read_catalogue(wh), lang)


def build(wh, month: str, period: str = "month", scheme: Scheme | None = None, lang: str | None = None,
          n_history: int | None = None) -> ScoreBuild:
    """Score every unit for the period ending at `month` (quarter of 2026-09 = 2026-Q3)."""
    return build_with_inputs(wh, month, period, scheme, lang, n_history)[0]


def build_with_inputs(wh, month: str, period: str = "month", scheme: Scheme | None = None,
                      lang: str | None = None, n_history: int | None = None) -> tuple[ScoreBuild, dict]:
    """`build`, with the inputs it read (data.scoring_store.read_inputs: units, catalogue,
    observations, adjustments and `as_of`, the point of the input sequence they are of)."""
    mo.check(month)
    periods.check(period)
    # the reading window depends on the scheme (history for alerts, months a value may be
    # carried): take it from the stored scheme before reading (one query), validate after
    store.ready(wh)
    row = None if scheme is not None else scheme_mod.stored_raw(wh, month[:4], lang)
    data = scheme.data if scheme is not None else row["data"]
    n_hist = n_history or max(2, int((data.get("alerts") or {}).get("consecutive", 3)))
    log = build_mod.log_of(data, month, period, int(n_hist))
    inp = store.read_inputs(wh, *build_mod.read_window(log))
    _require_data(inp["observations"], month, period, lang)
    scheme = scheme or scheme_mod.from_stored(row, inp["catalogue"], lang)
    # scored once, whatever the language: `lang` only words the one-language fields (ScoreBuild.in_lang)
    b = compute(scheme, inp["units"], inp["catalogue"], inp["observations"], inp["adjustments"],
                month, period, n_history=n_hist)
    return b.in_lang(lang), inp


def _require_data(obs: pd.DataFrame, month: str, period: str, lang: str | None) -> None:
    """A period with no observation at all is refused (ScoringError 'scoring.no_data'): scored, it
    would put every unit at 0.00, tied first, all on the red list."""
    wanted = [int(m[:4]) * 12 + int(m[5:7]) - 1 for m in periods.months_of(period, month)]
    if obs.empty or not np.isin(obs["mi"].to_numpy(), wanted).any():
        raise ScoringError("scoring.no_data", month=lambda lg: periods.label(period, month, lg))


def replay(wh, steps: list[dict], lang: str | None = None) -> ScoreBuild:
    """Run a log (a build's `steps`) on the live inputs: the same chain, parameters and scheme."""
    log = build_mod.upgrade_log(steps)
    inp = store.read_inputs(wh, *build_mod.read_window(log))
    return build_mod.run(log, inp["units"], inp["catalogue"], inp["observations"], inp["adjustments"]).in_lang(lang)


def replay_publication(wh, month: str, period: str = "month", revision: int | None = None,
                       lang: str | None = None) -> ScoreBuild:
    """A published revision (the latest when not given) rebuilt exactly: its logged chain run on its
    inputs as of the point it read them (the units and catalogue it kept, the observations and
    adjustments of then), whatever was imported, corrected, rolled back, adjusted or revoked since,
    and whatever became of the scheme file. Its totals, ranks, grades and vetoes are the frozen ones.

    Refuses in words (ReplayRefused), giving no figure, when the inputs cannot be reconstructed:
    their checksum differs from the one stored, or the revision was published before the as-of
    point was kept (schema 6) and the data have changed since; and when the rebuild does not give
    the frozen figures."""
    mo.check(month)
    periods.check(period)
    store.ready(wh)
    def label(lg):
        return periods.label(period, month, lg)
    p = store.publication(wh, month, period, revision)
    if p is None:
        if revision is None:
            raise ReplayRefused("scoring.replay.unpublished", label=label)
        raise ReplayRefused("scoring.replay.none", label=label, rev=revision)
    rev = int(p["revision"])
    log = build_mod.upgrade_log(p["steps"])
    window = build_mod.read_window(log)
    if p["as_of_seq"] is not None and p["inputs"]:
        try:
            units, cat = store.inputs_from_text(p["inputs"])
            inp = store.read_inputs_as_of(wh, *window, p["as_of_seq"], units, cat)
            same = store.inputs_checksum(inp, p["inputs"]) == p["inputs_checksum"]
        except (ValueError, KeyError, TypeError):  # the kept units or catalogue no longer read
            same = False
        if not same:
            raise ReplayRefused("scoring.replay.altered", label=label, rev=rev)
    else:  # before schema 6: only while the data it read are still the data
        first = periods.months_of(period, month)[0]
        if p["data_checksum"] != store.data_checksum(wh, first, month):
            raise ReplayRefused("scoring.replay.no_as_of", label=label, rev=rev)
        inp = store.read_inputs(wh, *window)
    b = build_mod.run(log, inp["units"], inp["catalogue"], inp["observations"], inp["adjustments"]).in_lang(lang)
    d = pub.figure_diff(store.published_results(wh, month, period, rev), b.totals)
    if not d.empty:
        raise ReplayRefused("scoring.replay.differs", label=label, rev=rev, n=int(d["unit_code"].nunique()))
    b.published_revision = rev
    return b


def published_figures(wh, month: str, period: str = "month", lang: str | None = None) -> ScoreBuild | None:
    """The published figures of (month, period): the latest revision rebuilt by replay_publication
    (a ScoreBuild like `build`'s, every frame of it), or None when the period is not published.
    Raises ReplayRefused when that revision cannot be reproduced. Pages and reports show these by
    default and `build` (the current figures) as the choice beside them."""
    store.ready(wh)
    if store.publications(wh, month, period).empty:
        return None
    return replay_publication(wh, month, period, None, lang)


def rank_history(wh, unit_code: str, last_month: str, n: int = 12) -> pd.DataFrame:
    """The unit's monthly total, rank and grade over the last `n` months, scored in one pass."""
    b = build(wh, last_month, "month", n_history=n)
    h = b.history.loc[b.history["unit_code"].eq(unit_code)]
    return (h.rename(columns={"period": "month"})[["month", "total", "rank", "n_in_group", "grade"]]
            .sort_values("month").reset_index(drop=True))


# -- what-if and robustness ------------------------------------------------------------------------
def what_if(wh, month: str, changes: dict, period: str = "month") -> pd.DataFrame:
    """The official build against the same chain with some logged parameters changed, side by side.

    changes: "dimension_weights", "indicator_weights", "rules", "missing_policy" (see the module
    head), and "steps": {step: {param: value}} for any other parameter of the log (e.g.
    {"grade": {"quota": ...}}, {"adjust": {"bonus_cap": 5}})."""
    official, inp = build_with_inputs(wh, month, period)
    scheme_changes = {k: v for k, v in changes.items() if k != "steps"}
    alt_scheme = official.scheme.with_changes(scheme_changes) if scheme_changes else official.scheme
    n_hist = build_mod.selection(official.steps)["n_history"]
    log = build_mod.write_log(alt_scheme, month, period, n_hist)
    for step, params in (changes.get("steps") or {}).items():
        log = build_mod.change(log, step, **params)
        alt_scheme = None  # the log spells the scheme now: validated when run
    first = build_mod.read_window(log)[0]
    if first < build_mod.read_window(official.steps)[0]:  # carried values reach further back
        inp = store.read_inputs(wh, first, month)
    alt = build_mod.run(log, inp["units"], inp["catalogue"], inp["observations"], inp["adjustments"],
                        scheme=alt_scheme)
    return compare(official, alt)


def compare(official: ScoreBuild, alt: ScoreBuild) -> pd.DataFrame:
    a = official.totals[["unit_code", "name_zh", "name_en", "peer_group", "total", "rank", "grade"]]
    b = alt.totals[["unit_code", "total", "rank", "grade"]]
    out = a.merge(b, on="unit_code", suffixes=("_official", "_whatif"))
    out["total_delta"] = (out["total_whatif"] - out["total_official"]).round(2)
    out["rank_delta"] = out["rank_official"] - out["rank_whatif"]  # positive = moves up
    return out.sort_values(["peer_group", "rank_official", "unit_code"]).reset_index(drop=True)


def robustness(wh, month: str, replicates: int = 1000, seed: int = 0, progress=None,
               period: str = "month") -> pd.DataFrame:
    """Median rank and 90% rank interval per unit under perturbed weights and other normalisations."""
    from kaohe.metrics import robustness as rob

    b = build(wh, month, period)
    return rob.monte_carlo(b, replicates=replicates, seed=seed, progress=progress)


def entropy_weights(wh, month: str, period: str = "month") -> pd.DataFrame:
    """kind, indicator_code, scheme_weight, entropy_weight: the data-driven alternative beside the scheme."""
    from kaohe.metrics import robustness as rob

    return rob.entropy_table(build(wh, month, period))


# -- publishing ----------------------------------------------------------------------------------------
def publish(wh, month: str, actor, reason: str | None = None, period: str = "month", *,
            override_reason: str | None = None) -> int:
    """Publish (month, period): refused (access.Forbidden) before anything is read unless the actor may
    publish; the publication records the actor's login. While appeals of the period are open or its 公示
    runs, refused unless `override_reason` says why (metrics.publish, recorded in the notes)."""
    who = access.require(actor, "publish")
    return pub.publish(wh, month, who, reason, period, build=_pin_build, override_reason=override_reason)


def _pin_build(wh, month: str, period: str) -> tuple[ScoreBuild, dict]:
    return build_with_inputs(wh, month, period)


def publication_status(wh, month: str, period: str = "month") -> dict:
    return published_state(wh, month, period).as_dict()


def published_state(wh, month: str, period: str = "month"):
    """kaohe.metrics.publish.PublishedState: the latest revision of (month, period), whether the figures
    computed now differ from it (and whether data or the scheme's content changed), with
    `.label(lang)` for the figures' label and `.notice(lang)` for the notice to show beside them."""
    return pub.state(wh, month, period, build=_pin_build, current_scheme=current_scheme)


def publication_diff(wh, month: str, period: str = "month") -> pd.DataFrame:
    return pub.diff(wh, month, period, build=_pin_build)


def revision_diff(wh, month: str, revision: int, period: str = "month") -> pd.DataFrame:
    """What a revision changed against the one before it (field, published = before, current = after)."""
    if revision <= 1:
        return pd.DataFrame(columns=["unit_code", "field", "published", "current"])
    return pub.diff_revisions(wh, month, revision - 1, revision, period)


def revisions(wh, month: str, period: str = "month") -> pd.DataFrame:
    store.ready(wh)
    return store.publications(wh, month, period)


# -- adjustments -------------------------------------------------------------------------------------
def add_adjustment(wh, unit_code: str, month: str, kind: str, points: float, reason: str,
                   evidence: str | None, actor: str, correction_reason: str | None = None) -> int:
    """Record a bonus, deduction or veto item. In a month whose results are published (by itself or
    by a quarter, year or year-to-date publication holding it) the item is refused with
    AdjustmentPublishedError unless `correction_reason` says why; the reason is recorded and the
    next `publish` of that month makes a numbered revision with it. Refused (access.Forbidden) first
    unless the actor may adjust."""
    who = access.require(actor, "adjust")
    mo.check(month)
    if kind not in ADJ_KINDS:
        def known(lang):
            return i18n.sep(lang).join(f"{k}（{i18n.t('scoring.adjust.kind.' + k, lang)}）" if lang == "zh"
                                       else f"{k} ({i18n.t('scoring.adjust.kind.' + k, lang)})" for k in ADJ_KINDS)
        raise ScoringError("scoring.adjust.bad_kind", kind=kind, known=known)
    try:
        points = float(points or 0)
    except (TypeError, ValueError):
        raise ScoringError("scoring.adjust.bad_points") from None
    if not np.isfinite(points) or points < 0:
        raise ScoringError("scoring.adjust.bad_points")
    if not (reason or "").strip():
        raise ScoringError("scoring.adjust.no_reason")
    store.ready(wh)
    try:
        return store.add_adjustment(wh, unit_code, month, kind, points, reason.strip(), evidence, who,
                                    correction_reason=(correction_reason or "").strip() or None)
    except KeyError:
        raise ScoringError("scoring.adjust.unknown_unit", unit=unit_code) from None
    except PublishedMonthError:
        published = published_covering(wh, month)
        raise AdjustmentPublishedError(month, published) from None


def released(wh, month: str, period: str = "month") -> bool:
    """Whether (month, period) is published or on notice (公示): what an assessed unit may see."""
    from kaohe.data import appeals as appeal_store

    if wh is None:
        return False
    return published_state(wh, month, period).published or appeal_store.current_publicity(
        wh, month, period) is not None


def published_covering(wh, month: str) -> list[str]:
    """Publications ('period month') that freeze `month`; empty when it may change freely."""
    store.ready(wh)
    with wh.connect() as con:
        return store.published_covering(con, month)


def list_adjustments(wh, month: str | None = None, unit: str | None = None) -> pd.DataFrame:
    store.ready(wh)
    return store.list_adjustments(wh, month, unit)


def revoke_adjustment(wh, adj_id: int, actor: str, reason: str) -> None:
    who = access.require(actor, "adjust")
    if not (reason or "").strip():
        raise ScoringError("scoring.adjust.no_reason")
    store.ready(wh)
    try:
        store.revoke_adjustment(wh, int(adj_id), who, reason.strip())
    except KeyError:
        raise ScoringError("scoring.adjust.unknown_id", adj_id=adj_id) from None
    except ValueError:  # the store's own words are English; the user gets theirs
        raise ScoringError("scoring.adjust.already_revoked", adj_id=adj_id) from None


# -- one unit's figures ------------------------------------------------------------------------------------
@dataclass
class UnitFigures:
    """One unit's rows of a build (what its profile and scorecard show): totals (one row, or none when the
    unit was not scored), indicators, dimensions and adjustments."""

    unit_code: str
    totals: pd.DataFrame
    indicators: pd.DataFrame
    dimensions: pd.DataFrame
    adjustments: pd.DataFrame


def unit_figures(build: ScoreBuild, unit_code: str, *, actor, wh=None) -> UnitFigures:
    """The unit's figures of `build`, for `actor`: refused (access.Forbidden) unless the actor may view a
    unit's profile and, for a unit's account, `unit_code` is its own (a code from a URL, a selection or a
    replayed event is checked here, not by the page). A unit's account sees only released figures: a
    period published or on notice (公示) in `wh`; draft figures before that are the office's."""
    access.require_unit(actor, unit_code)
    if access.principal(actor).role == "unit" and not released(wh, build.month, build.period):
        raise access.Forbidden("access.unreleased", month=build.month)

    def mine(frame):
        if frame is None or frame.empty or "unit_code" not in frame.columns:
            return frame if frame is not None else pd.DataFrame()
        return frame[frame["unit_code"] == unit_code]

    return UnitFigures(str(unit_code), mine(build.totals), mine(build.indicators), mine(build.dimensions),
                       mine(build.adjustments))
