"""Every user-visible string, in Chinese (default) and English, looked up by message id.

The messages live in one gettext catalogue per language, base/locale/<lang>/LC_MESSAGES/kaohe.po,
read with Babel the first time a language is asked for. Nothing is registered by importing a
module: a message exists because it is in the catalogue, and tests/test_i18n_catalogue.py checks
that both languages have the same ids, no text is defined twice, and every id the code names exists.
"""

from __future__ import annotations

import csv
import functools
import string
from pathlib import Path

from babel.messages.pofile import read_po

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kaohe"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Message id -> text of one language's catalogue, with the aliases: ids the code builds from a
    name (f"import.pv.col.{name}") whose words are another id's, so the words are defined once."""
    messages = dict(definitions(lang))
    for alias, same_as in aliases().items():
        messages[alias] = messages[same_as]
    return messages


@functools.cache
def definitions(lang: str) -> dict[str, str]:
    """The messages written in one language's .po file (no aliases)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=lang) if m.id}


@functools.cache
def aliases() -> dict[str, str]:
    path = LOCALE_DIR / "aliases.csv"
    if not path.exists():
        return {}
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return {row["id"]: row["same_as"] for row in csv.DictReader(lines)}


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message `key` in `lang`, formatted with `params`."""
    lang = lang or DEFAULT_LANG  # the caller's language; none given is the default, never the environment's
    text = catalogue(lang if lang in LANGS else DEFAULT_LANG).get(key)
    if text is None:
        raise KeyError(f"unknown message key {key!r}")
    if not params:
        return text
    return _WORDS.format(text, **params) if "!r}" in text else text.format(**params)


class _Words(string.Formatter):
    """{x!r} in a message means "x quoted as a value": 'S01' for text, 5 for a number, never Python's repr
    (no escapes, no brackets of a list); a value that knows how it is quoted (`quoted`) says so itself."""

    def convert_field(self, value, conversion):
        if conversion != "r":
            return super().convert_field(value, conversion)
        if hasattr(value, "quoted"):
            return value.quoted
        if isinstance(value, str):
            return f"'{value}'"
        if isinstance(value, list | tuple):
            return ", ".join(map(str, value))
        return str(value)


_WORDS = _Words()


def has(key: str) -> bool:
    return key in catalogue(DEFAULT_LANG)


def t_or(key: str, default, lang: str | None = None):
    """The message `key` in `lang`, or `default` when there is no such message (a stored code, a
    column, with no words yet is shown as it is)."""
    return t(key, lang) if has(key) else default


def keys() -> list[str]:
    return sorted(catalogue(DEFAULT_LANG))


def pick(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Choose between a Chinese and an English name from data (unit or indicator names)."""
    if (lang or DEFAULT_LANG) == "en" and en:
        return en
    return zh or en or ""


# English for the catalogue's measurement units: (singular, plural, short for axes and tight tables).
UNITS_EN = {
    "件": ("case", "cases", "cases"), "次": ("time", "times", "times"), "人": ("person", "people", "people"),
    "起": ("incident", "incidents", "incidents"), "批次": ("batch", "batches", "batches"),
    "分": ("point", "points", "pts"), "分钟": ("minute", "minutes", "min"), "小时": ("hour", "hours", "h"),
    "天": ("day", "days", "days"),
    "件/万人": ("case per 10k residents", "cases per 10k residents", "per 10k residents"),
}


def sep(lang: str | None = None) -> str:
    """The separator of a list in running text: 、 in Chinese, a comma in English."""
    return "、" if (lang or DEFAULT_LANG) == "zh" else ", "


# Actors the system writes into the audit log itself; a person's name is shown as it is.
SYSTEM_ACTORS = ("system", "scheme", "dashboard", "unknown")


def actor_name(actor: str | None, lang: str | None = None) -> str:
    """Who did it, in words: the system's own actors are named, people keep their names."""
    if actor is None or actor != actor or str(actor).strip() == "":  # None or NaN
        return t("actor.unknown", lang)
    return t(f"actor.{actor}", lang) if actor in SYSTEM_ACTORS else str(actor)


def unit_en(unit: str | None, value: float | None = None, short: bool = False) -> str:
    """A catalogue unit in English: agreeing with `value` (1 -> singular), or its short form;
    '%' and other ASCII units as they are, '' for a Chinese unit with no English."""
    unit = unit or ""
    if unit in UNITS_EN:
        one, many, brief = UNITS_EN[unit]
        return brief if short else (one if value is not None and abs(float(value)) == 1 else many)
    return unit if unit.isascii() else ""


class Refusal(Exception):
    """A request refused before anything was written, as a message id and its parameters: the face puts it
    into words in its user's language (`text(lang)`), so the core never decides the language. `str()` is
    the default language. A list parameter is joined as running text (、 in Chinese, a comma in English);
    a callable one is asked for its words in the language (`lambda lang: periods.label(p, m, lang)`)."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key, self.params = key, params

    def text(self, lang: str | None = None) -> str:
        lang = lang if lang in LANGS else DEFAULT_LANG
        return t(self.key, lang, **{k: _param(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


def _param(value, lang: str):
    if callable(value):
        value = value(lang)
    if isinstance(value, list | tuple):
        return sep(lang).join(map(str, value))
    return value
