"""The dashboard's one cache of score builds (ui.cache.ByteCache behind ui.queries.build): bounded by
bytes, least recently used out first, one build for both languages, a new warehouse version misses,
and two sessions asking at once compute once."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from kaohe.base import settings
from kaohe.metrics import build as build_mod
from kaohe.ui import queries
from kaohe.ui.cache import ByteCache, footprint

MB = 2**20


class FakeBuild:
    """A build of known size whose one-language view says its language."""

    def __init__(self, name: str, nbytes: int, lang: str | None = None):
        self.name, self._nbytes, self.lang = name, nbytes, lang

    @property
    def nbytes(self) -> int:
        return self._nbytes

    def in_lang(self, lang):
        return FakeBuild(self.name, self._nbytes, lang)


def test_the_byte_bound_holds_and_the_least_recently_used_goes_first():
    cache = ByteCache(10 * MB)
    for name in "abcd":
        cache.get(name, lambda n=name: FakeBuild(n, 3 * MB))
    assert cache.bytes <= 10 * MB
    assert cache.keys() == ["b", "c", "d"]  # a went first
    cache.get("b", lambda: pytest.fail("b is kept"))  # b used: now the most recent
    cache.get("e", lambda: FakeBuild("e", 3 * MB))
    assert cache.keys() == ["d", "b", "e"]  # c, the least recently used, went
    cache.get("f", lambda: FakeBuild("f", 9 * MB))
    assert cache.keys() == ["f"] and cache.bytes == 9 * MB
    big = cache.get("g", lambda: FakeBuild("g", 11 * MB))  # larger than the bound: given, not kept
    assert big.name == "g" and "g" not in cache and cache.bytes <= 10 * MB


def test_the_bound_is_the_setting(monkeypatch):
    monkeypatch.setenv("KAOHE_CACHE_MB", "64")
    assert settings.cache_bytes() == 64 * MB
    for bad in ("", "none", "-3", "0"):
        monkeypatch.setenv("KAOHE_CACHE_MB", bad)
        assert settings.cache_bytes() == settings.CACHE_MB_DEFAULT * MB
    monkeypatch.setenv("KAOHE_CACHE_MB", "1")
    cache = ByteCache(settings.cache_bytes)
    cache.get("a", lambda: FakeBuild("a", MB // 2))
    cache.get("b", lambda: FakeBuild("b", MB // 2))
    cache.get("c", lambda: FakeBuild("c", MB // 2))
    assert cache.keys() == ["b", "c"]


def test_footprint_measures_frames_when_there_is_no_nbytes():
    frame = pd.DataFrame({"code": [f"S{i:04d}" for i in range(1000)], "x": np.arange(1000.0)})

    class Plain:
        def __init__(self):
            self.totals, self.history, self.label = frame, frame, "2026-10"

    assert footprint(FakeBuild("a", 1234)) == 1234
    assert footprint(Plain()) == footprint(frame) > 1000 * 8  # the one frame held twice counts once


def test_one_view_per_language_shares_the_one_build():
    cache = ByteCache(10 * MB)
    zh = cache.get("k", lambda: FakeBuild("k", MB), view=lambda b, lg: b.in_lang(lg), lang="zh")
    en = cache.get("k", lambda: pytest.fail("computed twice"), view=lambda b, lg: b.in_lang(lg), lang="en")
    assert (zh.lang, en.lang, cache.computed, cache.bytes) == ("zh", "en", 1, MB)
    assert cache.get("k", None, view=lambda b, lg: b.in_lang(lg), lang="en") is en  # the view is kept


def test_concurrent_first_calls_compute_once():
    cache = ByteCache(100 * MB)
    calls = []
    start = threading.Barrier(6)

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return FakeBuild("k", MB)

    got = []

    def session():
        start.wait()
        got.append(cache.get("k", slow))

    threads = [threading.Thread(target=session) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 1 and cache.computed == 1
    assert len(got) == 6 and all(b is got[0] for b in got)


def test_different_keys_compute_side_by_side():
    cache = ByteCache(100 * MB)
    inside = threading.Barrier(2, timeout=5)  # both computations must be running at the same time

    def make(name):
        inside.wait()
        return FakeBuild(name, MB)

    threads = [threading.Thread(target=cache.get, args=(n, lambda n=n: make(n))) for n in "ab"]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(cache.keys()) == ["a", "b"]


def test_a_refusal_is_kept_and_other_errors_are_not():
    class No(Exception):
        pass

    cache = ByteCache(10 * MB, refused=No)

    def refuse():
        raise No("no data")

    for _ in range(3):
        with pytest.raises(No):
            cache.get("r", refuse)
    assert cache.computed == 1

    def boom():
        raise RuntimeError("bug")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            cache.get("b", boom)
    assert cache.computed == 3 and "b" not in cache


# -- ui.queries: the dashboard's builds ------------------------------------------------------------------
@pytest.fixture
def fake_engine(app_db, monkeypatch):
    """queries.build over a fake engine that counts its builds and has in_lang."""
    made = []

    def fake_build(wh, month, period="month", lang=None, n_history=None, **_):
        made.append((month, period, n_history, lang))
        return FakeBuild(f"{month}/{period}/{n_history}", MB)

    monkeypatch.setattr(queries.service, "build", fake_build)
    monkeypatch.setattr(queries, "_IN_LANG", True)
    monkeypatch.setattr(queries, "BUILDS", ByteCache(64 * MB, refused=queries.Refused))
    return made


def test_one_build_for_both_languages(fake_engine):
    zh = queries.build("2026-10", "month", "zh")
    en = queries.build("2026-10", "month", "en")
    assert (zh.lang, en.lang) == ("zh", "en")
    assert fake_engine == [("2026-10", "month", None, None)]  # built once, with no language
    queries.history_build("2026-10", 12)
    queries.build("2026-09", "month", "en")
    assert len(fake_engine) == 3 and len(queries.BUILDS) == 3


def test_a_new_warehouse_version_misses(fake_engine, app_db):
    queries.build("2026-10", "month", "zh")
    queries.build("2026-10", "month", "zh")
    assert len(fake_engine) == 1
    before = queries.warehouse().version()
    app_db.upsert_units(app_db.units().head(1), actor="test")  # any write is a new version
    assert queries.warehouse().version() != before
    queries.build("2026-10", "month", "zh")
    assert len(fake_engine) == 2


def test_the_real_build_is_shared_across_languages(app_db, monkeypatch):
    monkeypatch.setattr(queries, "BUILDS", ByteCache(256 * MB, refused=queries.Refused))
    zh = queries.build("2026-10", "month", "zh")
    en = queries.build("2026-10", "month", "en")
    assert queries.BUILDS.computed == (1 if hasattr(build_mod.ScoreBuild, "in_lang") else 2)
    assert zh.totals["total"].tolist() == en.totals["total"].tolist()
    assert 0 < queries.BUILDS.bytes <= 256 * MB
    if hasattr(build_mod.ScoreBuild, "in_lang"):
        assert zh.period_label != en.period_label or zh.period_label.startswith("2026-10")


def test_a_kept_build_that_grows_is_measured_again():
    """A build makes parts on first use (ScoreBuild.indicators): the bound holds over what it holds now."""
    cache = ByteCache(10 * MB)
    a = cache.get("a", lambda: FakeBuild("a", 3 * MB))
    cache.get("b", lambda: FakeBuild("b", 3 * MB))
    a._nbytes = 8 * MB  # its lazy part was made
    cache.get("c", lambda: FakeBuild("c", MB))
    assert cache.keys() == ["b", "c"] and cache.bytes == 4 * MB
