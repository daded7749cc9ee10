"""Cached reads for the pages, keyed on the warehouse's version so a new import shows at once."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from ui.setup import warehouse


def versioned(fn):
    """Cache `fn(wh, ...)` per warehouse version; call it as `fn(...)`."""

    @functools.wraps(fn)
    def by_version(_version, *args, **kwargs):
        return fn(warehouse(), *args, **kwargs)

    cached = st.cache_data(show_spinner=False, max_entries=128)(by_version)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        return cached(warehouse().version(), *args, **kwargs)

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


@versioned
def indicators(wh) -> pd.DataFrame:
    return wh.indicators()


@versioned
def completeness(wh, kind: str | None = None, month_from: str | None = None,
                 month_to: str | None = None) -> pd.DataFrame:
    return wh.completeness(kind=kind, month_from=month_from, month_to=month_to)


@versioned
def indicator_series(wh, indicator: str, peer_group: str | None = None,
                     month_from: str | None = None, month_to: str | None = None) -> pd.DataFrame:
    return wh.indicator_series(indicator, peer_group=peer_group, month_from=month_from, month_to=month_to)


@versioned
def observations(wh, units: tuple[str, ...] = (), indicators: tuple[str, ...] = (),
                 month_from: str | None = None, month_to: str | None = None) -> pd.DataFrame:
    return wh.observations(units=list(units) or None, indicators=list(indicators) or None,
                           month_from=month_from, month_to=month_to)
