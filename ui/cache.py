"""One process-wide cache of score builds, bounded by bytes, least recently used out first.

Streamlit runs every session in a thread of one process, so the builds the dashboard shows are held
once for all sessions (a build is large and read-only: callers must not change it). The bound is in
bytes (base.settings.cache_bytes(), KAOHE_CACHE_MB), not in entries: at province scale one build is
tens of MB, and a count bound let the server hold gigabytes. Keys never hold the language: a build does
not depend on it, and `ScoreBuild.in_lang(lang)` gives the cheap one-language view on the way out
(made once per entry and language, kept beside the build, sharing its frames).

Thread safety: one lock guards the table; each key being computed has a lock of its own, so two
sessions asking for the same build at once compute it once (the second waits for the first), while
different builds compute side by side. A refusal of the core (a `Refused` raised by `compute`) is kept
like a value, so a page that shows it does not ask the engine again on every rerun; any other exception
is not kept.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

REFUSAL_BYTES = 1024  # what a kept refusal counts for


SAMPLE = 100  # values of an object column whose sizes stand for the whole column


def frame_bytes(frame: pd.DataFrame | pd.Series) -> int:
    """A frame's deep size, estimated: numbers and Arrow columns by their buffers, an object column by
    its pointers plus the mean size of SAMPLE evenly spaced values times its length. pandas'
    memory_usage(deep=True) walks every object and took 0.38 s per build at L; this takes milliseconds
    and is within a few percent on the engine's frames."""
    cols = frame.items() if isinstance(frame, pd.DataFrame) else [(None, frame)]
    total = int(frame.index.memory_usage(deep=False))
    for _, col in cols:
        n = len(col)
        if col.dtype == object and n:
            sample = col.to_numpy()[:: max(1, n // SAMPLE)][:SAMPLE].tolist()
            total += n * 8 + int(n * sum(map(sys.getsizeof, sample)) / len(sample))
        else:
            total += int(col.memory_usage(index=False, deep=False))
    return total


def footprint(obj, _seen: set | None = None, own: bool = True) -> int:
    """Bytes an object holds: its own `nbytes` when its type has one (ScoreBuild.nbytes) and `own`, else
    its frames (frame_bytes) and arrays, through a dataclass's fields, a tuple's or a dict's items, each
    object once (`_seen`: ids already counted). Scalars and strings count nothing: the bound is about
    frames."""
    seen = set() if _seen is None else _seen
    if obj is None or id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, pd.DataFrame | pd.Series):
        return frame_bytes(obj)
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if own and not isinstance(obj, type) and getattr(type(obj), "nbytes", None) is not None:
        return int(obj.nbytes)
    if isinstance(obj, list | tuple):
        return sum(footprint(x, seen, own) for x in obj)
    if isinstance(obj, dict):
        return sum(footprint(x, seen, own) for x in obj.values())
    if isinstance(obj, functools.partial):
        return footprint(obj.args, seen, own) + footprint(obj.keywords, seen, own)
    if callable(obj) and getattr(obj, "__closure__", None):
        # a part made on first use (ScoreBuild's dimension history) holds its arrays in a closure
        return sum(footprint(c.cell_contents, seen, own) for c in obj.__closure__
                   if _holds_data(c.cell_contents))
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return sum(footprint(v, seen, own) for v in vars(obj).values() if _holds_data(v))
    return 0


def _holds_data(v) -> bool:
    return isinstance(v, pd.DataFrame | pd.Series | np.ndarray | list | tuple | dict | functools.partial) or (
        callable(v) and not isinstance(v, type) and bool(getattr(v, "__closure__", None)))


def _libc():
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return lib if hasattr(lib, "malloc_trim") else None
    except OSError:  # not glibc (macOS, musl): nothing to trim
        return None


_LIBC = _libc()
# glibc: few arenas (Streamlit runs each script run in a new thread, and every arena kept its own freed
# memory) and a fixed mmap threshold (large arrays are mapped and unmapped, not left in a heap; the
# default threshold grows up to 32 MB after the first large free). Set once, when the dashboard starts.
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
if _LIBC is not None and hasattr(_LIBC, "mallopt"):
    _LIBC.mallopt(M_ARENA_MAX, 2)
    _LIBC.mallopt(M_MMAP_THRESHOLD, 1 << 20)


def release_memory(collect: bool = True) -> None:
    """Give freed memory back to the system: glibc keeps freed heap memory in each thread's arena
    (Streamlit runs every session in a thread of its own) and Arrow's pool (mimalloc) keeps what a
    DuckDB read converted; without this the server's resident size kept growing long after the cache
    let its builds go. `collect` runs the garbage collector first (after an eviction)."""
    if collect:
        gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
    pa.default_memory_pool().release_unused()


@dataclass
class _Entry:
    value: object
    nbytes: int
    refusal: BaseException | None = None
    views: dict = field(default_factory=dict)  # lang -> the one-language view


class ByteCache:
    """An LRU map bounded by the sum of its values' bytes; `get(key, compute)` computes a missing
    value once, whatever the number of threads asking for it.

    max_bytes: the bound, read on every insert when given as a callable (so a setting changed by a
    test or an operator applies without a restart). size: the bytes of a value (`footprint`).
    A value larger than the whole bound is returned but not kept. `refused`: the exception class
    kept like a value."""

    def __init__(self, max_bytes: int | Callable[[], int], size: Callable[[object], int] = footprint,
                 refused: type[BaseException] | tuple = ()):
        self._max = max_bytes
        self._size = size
        self._refused = refused
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.bytes = 0
        self.computed = 0  # how many times `compute` ran (for the tests and the bench)

    @property
    def max_bytes(self) -> int:
        return int(self._max() if callable(self._max) else self._max)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key) -> bool:
        return key in self._entries

    def keys(self) -> list:
        """Keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def peek(self, key):
        """The kept value of `key` (refusals raised), None when not kept; no work, no change of order."""
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else self._out(entry, None, None)

    def get(self, key: Hashable, compute: Callable[[], object], view: Callable[[object, str], object] | None = None,
            lang: str | None = None):
        """The value of `key`, computed by `compute()` if missing (once across threads); with `view`,
        `view(value, lang)` instead, made once per entry and language."""
        entry = self._hit(key)
        if entry is None:
            with self._lock:
                entry = self._hit_locked(key)
                if entry is None:
                    key_lock = self._computing.setdefault(key, threading.Lock())
            if entry is None:
                with key_lock:
                    entry = self._hit(key)  # another thread may have made it while this one waited
                    if entry is None:
                        entry = self._make(key, compute)
        return self._out(entry, view, lang)

    # -- internals ---------------------------------------------------------------------------------
    def _hit(self, key) -> _Entry | None:
        with self._lock:
            return self._hit_locked(key)

    def _hit_locked(self, key) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def _make(self, key, compute) -> _Entry:
        try:
            try:
                value = compute()
                entry = _Entry(value, self._size(value))
            except self._refused as exc:
                entry = _Entry(None, REFUSAL_BYTES, refusal=exc)
            finally:
                with self._lock:
                    self.computed += 1
            evicted = 0
            with self._lock:
                limit = self.max_bytes
                if entry.nbytes <= limit:
                    self._entries[key] = entry
                    self.bytes += entry.nbytes
                    if self.bytes > limit // 2:  # near the bound: sizes made stale by lazy parts matter
                        self._remeasure()
                    while self.bytes > limit and len(self._entries) > 1:
                        _, old = self._entries.popitem(last=False)
                        self.bytes -= old.nbytes
                        evicted += 1
            release_memory(collect=bool(evicted))  # a computation's reads leave freed memory in the pools
            return entry
        finally:
            with self._lock:
                self._computing.pop(key, None)

    def _remeasure(self) -> None:
        """Every kept entry measured again (under the lock): a build makes some parts on first use and
        its one-language views hold a few frames of their own, so sizes grow after an entry is kept."""
        total = 0
        for entry in self._entries.values():
            if entry.refusal is None:
                entry.nbytes = self._size(entry.value) + self._views_bytes(entry)
            total += entry.nbytes
        self.bytes = total

    @staticmethod
    def _views_bytes(entry: _Entry) -> int:
        """What the entry's views hold beyond the frames they share with the value."""
        if not entry.views:
            return 0
        seen: set = set()
        footprint(entry.value, seen, own=False)
        return sum(footprint(v, seen, own=False) for v in entry.views.values() if v is not entry.value)

    def _out(self, entry: _Entry, view, lang):
        if entry.refusal is not None:
            raise entry.refusal.with_traceback(None)  # the same object raised again: no growing traceback
        if view is None or entry.value is None:
            return entry.value
        shown = entry.views.get(lang)
        if shown is None:
            shown = view(entry.value, lang)
            with self._lock:
                shown = entry.views.setdefault(lang, shown)
        return shown
