"""Schemes a district keeps in its warehouse, for the faces (the `kaohe scheme` commands and the scheme
page): check, import, activate, copy to a new year, save a what-if as a draft, list, and the scheme that
scores a month. No Streamlit.

Every function that writes takes `actor`; every one that words takes `lang`. A refusal is a
kaohe.data.warehouse.Refusal (SchemeError for a scheme's own problems, item by item, re-worded in any
language by `text(lang)`), raised before anything is written.
"""

from __future__ import annotations

import copy as _copy
import json
import re
from pathlib import Path

import pandas as pd

from kaohe.base import access, i18n
from kaohe.data import schemes as store
from kaohe.data import scoring_store
from kaohe.data.warehouse import Refusal
from kaohe.metrics import scheme as scheme_mod
from kaohe.metrics.scheme import Scheme, SchemeError

MAX_SCHEME_BYTES = 8 * 2**20  # a real scheme is a few dozen KB; a workbook of one a few hundred


class SchemeRefused(Refusal, ValueError):
    """A request about stored schemes refused before anything was written."""


def _catalogue(wh) -> pd.DataFrame:
    scoring_store.ready(wh)
    return scoring_store.read_catalogue(wh)


def _year_of(data) -> str | None:
    year = data.get("year") if isinstance(data, dict) else None
    return str(year) if isinstance(year, str | int) and str(year) else None


def _validated(wh, data, lang: str | None) -> Scheme:
    """The scheme validated against the warehouse's catalogue (SchemeError, every problem, otherwise);
    it must say its year and version."""
    if not isinstance(data, dict):
        raise SchemeError("?", [i18n.t("scheme.not_object", lang)], lang)
    scheme = scheme_mod.load_dict(data, _catalogue(wh), lang)
    if not _year_of(data):
        raise SchemeRefused("scheme.no_year")
    return scheme


# -- reading -----------------------------------------------------------------------------------------------
def check(data: dict, wh, lang: str | None = None) -> list[str]:
    """Every problem of a scheme against the warehouse's catalogue, in words in `lang`; [] when valid."""
    try:
        _validated(wh, data, lang)
    except SchemeError as exc:
        return exc.problems_in(lang)
    except Refusal as exc:
        return [exc.text(lang)]
    return []


def versions(wh) -> pd.DataFrame:
    """year, version, status, fingerprint, source_name, note, created_at/by, activated_at/by."""
    return store.versions(wh)


def scheme_of_month(wh, month: str, lang: str | None = None) -> Scheme:
    """The scheme that scores `month`: the active version of its year, else of the latest earlier year."""
    return scheme_mod.in_force(wh, month[:4], _catalogue(wh), lang)


def get(wh, year: str, version: str | None = None) -> dict:
    """A stored version's row (`data` the scheme); version None: the year's active one."""
    row = store.active(wh, year) if version is None else store.get(wh, year, version)
    if row is None:
        if version is None:
            raise SchemeRefused("scheme.no_active", year=year)
        raise SchemeRefused("scheme.unknown_version", year=year, version=version)
    return row


def read_file(source, name: str, lang: str | None = None, wh=None) -> dict:
    """A scheme file as a dict: JSON, or an Excel workbook (a name ending .xlsx). `source`: a path or
    the file's bytes. Its size is bounded before it is parsed; a file that does not read is refused in
    words (SchemeError naming the file). With `wh`, a workbook is validated against its catalogue here,
    so that each problem names the sheet and row it is on."""
    from kaohe.ingest.limits import MiB

    if isinstance(source, bytes | bytearray):
        size = len(source)
        if size > MAX_SCHEME_BYTES:
            raise SchemeRefused("val.file_too_large", size_mb=size / MiB, limit_mb=MAX_SCHEME_BYTES / MiB)
        raw = bytes(source)
    else:
        path = Path(source)
        size = path.stat().st_size
        if size > MAX_SCHEME_BYTES:
            raise SchemeRefused("val.file_too_large", size_mb=size / MiB, limit_mb=MAX_SCHEME_BYTES / MiB)
        raw = path.read_bytes()
    if name.lower().endswith(".xlsx"):
        from kaohe.metrics import scheme_file

        if wh is not None:
            return scheme_file.load_workbook(raw, _catalogue(wh), lang, name=name,
                                             max_bytes=MAX_SCHEME_BYTES).data
        return scheme_file.read_workbook(raw, lang, name=name)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SchemeError(name, [i18n.t("scoring.scheme.not_utf8", lang)], lang) from None
    except json.JSONDecodeError as exc:
        raise SchemeError(name, [i18n.t("scoring.scheme.not_json", lang, line=exc.lineno, column=exc.colno)],
                          lang) from None
    if not isinstance(data, dict):
        raise SchemeError(name, [i18n.t("scheme.not_object", lang)], lang)
    return data


# -- writing -----------------------------------------------------------------------------------------------
def import_scheme(wh, data: dict, *, actor: str, source_name: str | None = None, activate: bool = False,
                  note: str | None = None, lang: str | None = None) -> tuple[str, str]:
    """Store a scheme as a new version of its year (a draft, or active with `activate`). The same
    (year, version) with the same content writes nothing (SchemeRefused 'scheme.same' is NOT raised:
    `(year, version)` is returned and `imported_nothing` tells); with other content it is refused."""
    access.require(actor, "scheme")
    _validated(wh, data, lang)
    year, version = _year_of(data), str(data["version"])
    have = store.get(wh, year, version)
    if have is not None:
        if have["fingerprint"] != store.fingerprint(data):
            raise SchemeRefused("scheme.version_exists", year=year, version=version)
        if activate and have["status"] != "active":
            store.activate(wh, year, version, actor=actor)
        return year, version
    store.put(wh, year, version, data, actor=actor, status="active" if activate else "draft",
              source_name=source_name, note=note)
    return year, version


def already_stored(wh, data: dict) -> bool:
    """The scheme is stored already, with this very content (an import of it writes nothing)."""
    year, version = _year_of(data), data.get("version") if isinstance(data, dict) else None
    if not year or version is None:
        return False
    have = store.get(wh, year, str(version))
    return have is not None and have["fingerprint"] == store.fingerprint(data)


def activate(wh, year: str, version: str, *, actor: str, lang: str | None = None) -> str | None:
    """Make a stored version its year's active one (validated against today's catalogue first); the
    previous active one becomes superseded. Returns the version that was active before."""
    access.require(actor, "scheme")
    row = get(wh, year, version)
    scheme_mod.load_dict(row["data"], _catalogue(wh), lang, year=str(year))
    return store.activate(wh, str(year), str(version), actor=actor)


def year_of_version(wh, version: str, year: str | None = None) -> str:
    """The year of a version given alone (refused when no year or several years have it)."""
    if year:
        return str(year)
    v = store.versions(wh)
    years = sorted(set(v.loc[v["version"].astype(str) == str(version), "year"]))
    if len(years) == 1:
        return years[0]
    if not years:
        m = re.match(r"^(\d{4})", str(version))
        if m:
            return m.group(1)
        raise SchemeRefused("scheme.unknown_version_any", version=version)
    raise SchemeRefused("scheme.version_ambiguous", version=version, years=years)


def _next_version(wh, year: str) -> str:
    v = store.versions(wh)
    have = set(v.loc[v["year"].astype(str) == str(year), "version"].astype(str))
    n = 1
    while f"{year}.{n}" in have:
        n += 1
    return f"{year}.{n}"


def _source(wh, from_year: str, to_year: str) -> dict:
    if str(from_year) == "default":
        years = store.shipped_years()
        if not years:
            raise SchemeRefused("scheme.no_default")
        earlier = [y for y in years if y <= str(to_year)]
        return store.shipped(earlier[-1] if earlier else years[0])
    row = store.active(wh, str(from_year))
    if row is None:
        raise SchemeRefused("scheme.no_active", year=from_year)
    return row["data"]


def copy(wh, from_year: str, to_year: str, *, actor: str, activate: bool = False, lang: str | None = None) -> str:
    """A new version of `to_year` made from the active scheme of `from_year` ("default": the shipped scheme
    of the nearest earlier year): its year, id, names and version set for the new year. Returns the version."""
    access.require(actor, "scheme")
    to_year = str(to_year)
    if not re.fullmatch(r"(19|20)\d\d", to_year):
        raise SchemeRefused("scheme.bad_year", value=to_year)
    src = _source(wh, from_year, to_year)
    data = _copy.deepcopy(src)
    old_year = str(src.get("year", ""))
    data["year"] = to_year
    data["version"] = _next_version(wh, to_year)
    if old_year and old_year in str(data.get("id", "")):
        data["id"] = str(data["id"]).replace(old_year, to_year)
    for key in ("name_zh", "name_en"):
        if old_year and isinstance(data.get(key), str):
            data[key] = data[key].replace(old_year, to_year)
    _validated(wh, data, lang)
    source = f"default-{old_year}.json" if str(from_year) == "default" else f"{from_year}:{src.get('version')}"
    store.put(wh, to_year, data["version"], data, actor=actor, status="active" if activate else "draft",
              source_name=source, note=None)
    return data["version"]


def save_draft(wh, scheme_data: dict, *, actor: str, note: str | None = None, lang: str | None = None) -> str:
    """A what-if kept: a new draft version of the scheme's year (its version numbered after the year's
    others). Returns the version."""
    access.require(actor, "scheme")
    data = _copy.deepcopy(scheme_data)
    year = _year_of(data)
    if not year:
        raise SchemeRefused("scheme.no_year")
    data["version"] = _next_version(wh, year)
    _validated(wh, data, lang)
    store.put(wh, year, data["version"], data, actor=actor, status="draft", note=note)
    return data["version"]


def status_word(status: str, lang: str | None) -> str:
    return i18n.t(f"scheme.status.{status}", lang)
