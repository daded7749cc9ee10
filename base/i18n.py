"""Every user-visible string, in Chinese (default) and English.

Each module keeps its own table of messages and registers it here, so that a
feature's strings live beside the feature; `t()` looks them up by key.
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

_MESSAGES: dict[str, tuple[str, str]] = {}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """Add a module's messages; a key registered twice with other text is a bug."""
    for key, pair in messages.items():
        if key in _MESSAGES and _MESSAGES[key] != pair:
            raise ValueError(f"message key {key!r} registered twice with different text")
        if len(pair) != 2:
            raise ValueError(f"message {key!r} needs (zh, en)")
        _MESSAGES[key] = pair


def default_lang() -> str:
    lang = os.environ.get("KAOHE_LANG", DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **params: object) -> str:
    """The message `key` in `lang`, formatted with `params`."""
    lang = lang or default_lang()
    pair = _MESSAGES.get(key)
    if pair is None:
        raise KeyError(f"unknown message key {key!r}")
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in _MESSAGES


def t_or(key: str, default, lang: str | None = None):
    """The message `key` in `lang`, or `default` when there is no such message (a stored code, a
    column, with no words yet is shown as it is)."""
    return t(key, lang) if key in _MESSAGES else default


def keys() -> list[str]:
    return sorted(_MESSAGES)


def pick(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Choose between a Chinese and an English name from data (unit or indicator names)."""
    lang = lang or default_lang()
    if lang == "en" and en:
        return en
    return zh or en or ""


register(
    {
        "app.title": ("考核", "Kaohe"),
        "app.subtitle": ("基层治理绩效考核", "Grassroots governance assessment"),
        "lang.label": ("语言", "Language"),
        "kind.street": ("街道/乡镇", "Streets and towns"),
        "kind.department": ("部门", "Departments"),
        "kind.all": ("全部", "All"),
        "kind.label": ("单位类型", "Unit kind"),
        "month.label": ("考核月份", "Month"),
        "direction.higher": ("越高越好", "higher is better"),
        "direction.lower": ("越低越好", "lower is better"),
        "direction.neutral": ("背景指标（不排名）", "context (never ranked)"),
        "status.ok": ("有效", "reported"),
        "status.na": ("不适用", "not applicable"),
        "status.missing": ("缺报", "missing"),
        "actor.system": ("系统初始化", "system set-up"),
        "actor.scheme": ("考核方案（自动计分）", "the scheme (automatic)"),
        "actor.dashboard": ("看板用户", "dashboard user"),
        "actor.unknown": ("未署名", "not named"),
        "warehouse.busy": (
            "数据仓库正被另一个进程写入（例如命令行导入），请稍后重试。",
            "The warehouse is being written by another process (for example a command-line import); try again shortly.",
        ),
    }
)


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
    return "、" if (lang or default_lang()) == "zh" else ", "


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
