"""Cached reads for the pages, keyed on the warehouse's version so a new import shows at once."""

from __future__ import annotations

import functools
import os

import pandas as pd
import streamlit as st

from kaohe.base import settings
from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Refusal, Warehouse
from kaohe.metrics import build as build_mod
from kaohe.metrics import service
from kaohe.ui.cache import ByteCache, release_memory

# What the core refuses with a message for the user (metrics ScoringError such as no data for the
# period, SchemeError, PublishError ...): a page shows it in words (ui.setup.refused), never a traceback.
Refused = Refusal

# The one process-wide cache of builds, published figures and large frames, bounded by bytes (see below).
BUILDS = ByteCache(settings.cache_bytes, refused=Refused)


@st.cache_resource(show_spinner=False)
def _warehouse(path: str, seed_sample: bool) -> Warehouse:
    wh = Warehouse(path)
    ensure_ready(wh, with_sample=seed_sample, new_only=True)
    return wh


def warehouse() -> Warehouse:
    """The warehouse of this server: KAOHE_DB or the default file (base.settings); a file that did not exist
    yet is seeded with the sample (KAOHE_SAMPLE=0: never), one set up without it opens on the first screen."""
    seed = os.environ.get("KAOHE_SAMPLE", "1") != "0"
    return _warehouse(str(settings.db_path()), seed)


def _per_version(fn, cache):
    """`fn(wh, ...)` cached by `cache` per warehouse version; called as `fn(...)`."""

    @functools.wraps(fn)
    def by_version(_version, *args, **kwargs):
        try:
            return fn(warehouse(), *args, **kwargs)
        finally:
            release_memory(collect=False)  # what the read left in the allocators' pools goes back

    cached = cache(by_version)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        return cached(warehouse().version(), *args, **kwargs)

    return call


def versioned(fn):
    """Cache `fn(wh, ...)` per warehouse version; call it as `fn(...)`."""
    return _per_version(fn, st.cache_data(show_spinner=False, max_entries=128))


def versioned_shared(fn):
    """Like `versioned`, but every session shares the one result object (not a pickled copy): for small
    read-only results read on every rerun (name maps); callers must not change them. Builds are kept in
    BUILDS, bounded by bytes."""
    return _per_version(fn, st.cache_resource(show_spinner=False, max_entries=64))


def versioned_frames(fn):
    """Cache `fn(wh, ...)` per warehouse version in BUILDS, the one byte-bounded cache, shared by every
    session (no pickled copy per call): for frames that reach hundreds of thousands of rows at province
    scale (observations over a year), which st.cache_data kept by count (128 of them) and copied on
    every rerun. Callers must not change the frame they get (filtering and assign make new frames)."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        wh = warehouse()
        key = ("frame", fn.__qualname__, wh.build_version(), args, tuple(sorted(kwargs.items())))
        return BUILDS.get(key, lambda: fn(wh, *args, **kwargs))

    return call


@versioned
def info(wh) -> dict:
    return wh.info()


@versioned
def months(wh) -> list[str]:
    return wh.months()


@versioned
def units(wh, kind: str | None = None) -> pd.DataFrame:
    return wh.units(kind)


def _picked(zh: pd.Series, en: pd.Series, lang: str | None) -> list[str]:
    """i18n.pick over two columns at once."""
    zh_, en_ = zh.where(zh.notna() & zh.astype(bool), None), en.where(en.notna() & en.astype(bool), None)
    first, second = (en_, zh_) if lang == "en" else (zh_, en_)
    return first.fillna(second).fillna("").astype(str).tolist()


@versioned_shared
def unit_names(wh, kind: str | None, lang: str | None) -> dict[str, str]:
    """{unit code: name in `lang`} of the units of `kind` (every unit for None); shared, read-only."""
    u = wh.units(kind)
    return dict(zip(u["code"].tolist(), _picked(u["name_zh"], u["name_en"], lang), strict=True))


@versioned_shared
def group_names(wh, lang: str | None) -> dict[str, str]:
    """{peer group: its name in `lang`}; shared, read-only."""
    u = wh.units().drop_duplicates("peer_group")
    return dict(zip(u["peer_group"].tolist(), _picked(u["peer_group_zh"], u["peer_group_en"], lang), strict=True))


@versioned
def indicators(wh) -> pd.DataFrame:
    return wh.indicators()


@versioned
def indicators_in_use(wh) -> list[str]:
    return wh.indicators_in_use()


@versioned_frames
def completeness(wh, kind: str | None = None, month_from: str | None = None,
                 month_to: str | None = None) -> pd.DataFrame:
    return wh.completeness(kind=kind, month_from=month_from, month_to=month_to)


@versioned_frames
def indicator_series(wh, indicator: str, peer_group: str | None = None,
                     month_from: str | None = None, month_to: str | None = None) -> pd.DataFrame:
    return wh.indicator_series(indicator, peer_group=peer_group, month_from=month_from, month_to=month_to)


@versioned_frames
def observations(wh, units: tuple[str, ...] = (), indicators: tuple[str, ...] = (),
                 month_from: str | None = None, month_to: str | None = None) -> pd.DataFrame:
    return wh.observations(units=list(units) or None, indicators=list(indicators) or None,
                           month_from=month_from, month_to=month_to)


@versioned_frames
def period_observations(wh, month_from: str, month_to: str, kind: str | None = None) -> pd.DataFrame:
    """Current observations of a month range with each unit's kind and peer group."""
    obs = wh.observations(month_from=month_from, month_to=month_to)
    units_ = wh.units(kind)[["code", "kind", "peer_group"]].rename(columns={"code": "unit_code"})
    return obs.drop(columns=["is_current", "recorded_at"]).merge(units_, on="unit_code", how="inner")


# -- the scoring engine (metrics/) ----------------------------------------------------------------
# Imported outright at the top: an engine that fails to import is an error to see, never a missing feature.
# Builds live in ONE process-wide cache bounded by bytes (ui.cache.ByteCache, base.settings.cache_bytes),
# keyed on (warehouse version, which figures, month, period, n_history) and never on the language: the
# language is applied on the way out by ScoreBuild.in_lang (one cheap view per entry and language).
# An engine without ScoreBuild.in_lang makes its texts in the language it is given: the language is then
# part of the key (the fallback until metrics/ gives in_lang).
_IN_LANG = hasattr(build_mod.ScoreBuild, "in_lang")


def _in_lang(b, lang: str | None):
    return b.in_lang(lang) if b is not None and hasattr(b, "in_lang") else b


def _cached_build(figures: str, month: str, period: str, n_history: int | None, lang: str | None, make):
    wh = warehouse()
    key = (wh.build_version(), figures, month, period, n_history, None if _IN_LANG else lang)
    return BUILDS.get(key, lambda: make(wh, None if _IN_LANG else lang), view=_in_lang if _IN_LANG else None,
                      lang=lang)


def build(month: str, period: str = "month", lang: str | None = None):
    """The official score build of a month and period (ScoreBuild); texts in `lang`. Shared by every
    session: callers must not change it."""
    return _cached_build("current", month, period, None, lang,
                         lambda wh, lg: service.build(wh, month, period=period, lang=lg))


@versioned
def explain(wh, month: str, unit: str, period: str = "month", lang: str | None = None) -> pd.DataFrame:
    return build(month, period, lang).explain(unit, lang)


@versioned
def scheme(wh, year: str | None = None):
    return service.current_scheme(wh, year=year)


@versioned
def rank_history(wh, unit: str, last_month: str, n: int = 12) -> pd.DataFrame:
    return service.rank_history(wh, unit, last_month, n=n)


def history_build(month: str, n: int, lang: str | None = None):
    """One build scoring the `n` months to `month` in a single pass (totals and dimensions of each)."""
    return _cached_build("current", month, "month", n, lang,
                         lambda wh, lg: service.build(wh, month, "month", lang=lg, n_history=n))


def total_history(month: str, n: int) -> pd.DataFrame:
    """Every unit's monthly total, rank and grade over the `n` months to `month`, scored in one pass."""
    return history_build(month, n).history.rename(columns={"period": "month"}).reset_index(drop=True)


def dimension_history(month: str, n: int) -> pd.DataFrame:
    """Every unit's dimension scores over the `n` months to `month`, from the same one pass."""
    return history_build(month, n).dimension_history.rename(columns={"period": "month"})


def published_figures(month: str, period: str = "month", lang: str | None = None):
    """The published figures of (month, period) (metrics.service.published_figures: the latest revision
    rebuilt exactly, a ScoreBuild carrying `published_revision`), None when it is not published; raises
    the ReplayRefused (a Refused) when the revision cannot be reproduced. Kept in the same byte-bounded
    cache per warehouse version (a refusal too, so a page does not replay the revision on every rerun)."""
    return _cached_build("published", month, period, None, lang,
                         lambda wh, lg: service.published_figures(wh, month, period, lg))


@versioned
def published_state(wh, month: str, period: str = "month"):
    """kaohe.metrics.publish.PublishedState of (month, period): its label and notice for the figures shown."""
    return service.published_state(wh, month, period)


@versioned
def adjustments(wh, month: str | None = None, unit: str | None = None) -> pd.DataFrame:
    return service.list_adjustments(wh, month=month, unit=unit)


@versioned
def what_if(wh, month: str, changes_json: str) -> pd.DataFrame:
    """A what-if re-ranking (changes as canonical JSON, so the cache key is a string)."""
    import json

    return service.what_if(wh, month, json.loads(changes_json))


# Robustness runs take seconds and report progress, so they are kept in a small process-wide store
# keyed on the warehouse version (a progress callback cannot be part of an st.cache_data key).
_ROBUSTNESS: dict[tuple, pd.DataFrame] = {}


def robustness(month: str, replicates: int = 1000, progress=None) -> pd.DataFrame:
    """Monte Carlo rank intervals for every unit of the month, computed once per warehouse version."""
    key = (warehouse().version(), month, replicates)
    if key not in _ROBUSTNESS:
        if len(_ROBUSTNESS) > 16:
            _ROBUSTNESS.clear()
        _ROBUSTNESS[key] = service.robustness(warehouse(), month, replicates=replicates, seed=0,
                                               progress=progress)
    return _ROBUSTNESS[key]


def robustness_cached(month: str, replicates: int = 1000) -> pd.DataFrame | None:
    """The robustness result if it was computed already (no work)."""
    return _ROBUSTNESS.get((warehouse().version(), month, replicates))


@versioned
def month_batch_reports(wh, month: str) -> list[tuple[int, str | None, dict | None]]:
    """(batch id, source, stored validation report) of the committed batches behind a month's data."""
    import json

    ids = sorted(wh.observations(month_from=month, month_to=month)["batch_id"].dropna().unique().tolist())
    out = []
    for batch_id in ids:
        b = wh.batch(int(batch_id))
        if not b or b.get("status") != "committed":
            continue
        report = b.get("report")
        try:
            record = json.loads(report) if isinstance(report, str) and report else None
        except ValueError:
            record = None
        out.append((int(batch_id), b.get("source_name"), record))
    return out


@versioned
def unchecked_flags(wh, month: str) -> pd.DataFrame:
    """Plausibility warnings for the month's data from batches stored without an import report."""
    from kaohe.base import months as mo
    from kaohe.metrics import analysis as stats
    from kaohe.validation import plausibility

    unchecked = [batch_id for batch_id, _source, record in month_batch_reports(month) if record is None]
    obs = wh.observations(month_from=month, month_to=month)
    obs = obs[obs["batch_id"].isin(unchecked)]
    history = wh.observations(units=obs["unit_code"].unique().tolist() or None,
                              month_from=mo.add(month, -plausibility.WINDOW), month_to=mo.add(month, -1)) if len(obs) else obs
    return stats.unchecked_plausibility(obs, history, wh.units(), wh.indicators())
