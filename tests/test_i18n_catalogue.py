"""The message catalogues (base/locale/<lang>/LC_MESSAGES/kaohe.po): one per language, the same ids in both,
nothing registered by importing a module, every id the code names exists, no text defined twice, and
Chinese in full-width punctuation (，；：（）！？) as official documents write it; English keeps ASCII."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kaohe.base import i18n

ROOT = Path(__file__).resolve().parents[1]
HALF = re.compile(r"[,;:()!?]")
CJK = re.compile(r"[\u3400-\u9fff]")
SOURCES = sorted(p for p in ROOT.glob("*.py")) + sorted(
    p for d in ("base", "cli", "data", "ingest", "validation", "metrics", "reports", "ui", "pages")
    for p in (ROOT / d).rglob("*.py"))
ID = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_?]+)+$")
LOOKUPS = {"t", "tr", "_t", "t_or", "has"}  # the functions that take a message id first


def half_width_marks(text: str) -> list[str]:
    """The half-width marks in a Chinese text, outside {placeholders}, 14:05 times and 1,000 numbers."""
    bare = re.sub(r"\{[^{}]*\}", "", text)
    bare = re.sub(r"(?<=\d)[:,](?=\d)", "", bare)
    bare = re.sub(r"`[^`]*`", "", bare)  # a command quoted for the reader to type
    return HALF.findall(bare)


def test_both_languages_have_the_same_ids_and_no_empty_text():
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    assert set(zh) == set(en)
    assert len(zh) > 500
    assert not [k for k in zh if not zh[k].strip() or not en[k].strip()]


def test_placeholders_agree_between_the_languages():
    def fields(text):
        """The placeholders, a name given in both languages ({unit_zh} / {unit_en}) counted as one."""
        return {re.sub(r"_(zh|en)$", "", f) for _, f, _, _ in string.Formatter().parse(text) if f}

    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    assert not {k: (fields(zh[k]), fields(en[k])) for k in zh if fields(zh[k]) != fields(en[k])}


def test_a_quoted_value_is_never_a_python_repr():
    """{unit!r} in a message quotes the value in words ('S01', '东湖街道', 5), never Python's repr."""
    assert i18n._WORDS.format("unit {u!r}, {n!r}, {xs!r}", u="东湖街道", n=5, xs=["a", "b"]) == "unit '东湖街道', 5, a, b"
    assert "\\u" not in i18n._WORDS.format("{u!r}", u="东湖\n")


def test_no_message_is_registered_by_importing_a_module():
    assert not hasattr(i18n, "register")
    calls = [f"{p.relative_to(ROOT)}:{n.lineno}" for p in SOURCES for n in ast.walk(ast.parse(p.read_text()))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "register"
             and isinstance(n.func.value, ast.Name) and n.func.value.id == "i18n"]
    assert not calls


def named_ids() -> dict[str, str]:
    """Every message id the code passes as a literal to t()/tr()/has() (first argument)."""
    found = {}
    for p in SOURCES:
        for n in ast.walk(ast.parse(p.read_text())):
            if not (isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Constant)
                    and isinstance(n.args[0].value, str)):
                continue
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if name in LOOKUPS and ID.match(n.args[0].value):
                found[n.args[0].value] = f"{p.relative_to(ROOT)}:{n.lineno}"
    return found


def test_every_id_the_code_names_is_in_the_catalogue():
    ids = named_ids()
    assert len(ids) > 300
    missing = {k: where for k, where in ids.items() if k not in i18n.catalogue("zh")}
    # has() asks whether an optional message exists: a miss there is the point of asking
    assert not {k: w for k, w in missing.items() if "has(" not in k}


def test_aliases_point_at_a_message_and_are_not_messages_themselves():
    for alias, same_as in i18n.aliases().items():
        assert alias not in i18n.definitions("zh") and alias not in i18n.definitions("en"), alias
        assert same_as in i18n.definitions("zh") and same_as in i18n.definitions("en"), (alias, same_as)


def test_no_message_is_defined_twice_in_either_language():
    zh, en = i18n.definitions("zh"), i18n.definitions("en")
    seen: dict[tuple[str, str], str] = {}
    twice = {}
    for k in sorted(zh):
        pair = (zh[k], en[k])
        if pair in seen:
            twice[k] = seen[pair]
        seen.setdefault(pair, k)
    assert not twice, f"{len(twice)} messages repeat another id's text: {twice}"


def test_every_chinese_message_uses_full_width_punctuation():
    zh = i18n.catalogue("zh")
    bad = {k: v for k, v in zh.items() if CJK.search(v) and half_width_marks(v)}
    assert not bad, bad


def test_the_language_is_the_callers():
    assert i18n.t("kind.all", "en") == "All" and i18n.t("kind.all", "zh") == "全部"
    with pytest.raises(KeyError):
        i18n.t("no.such.message", "zh")


@pytest.mark.parametrize(("text", "marks"), [
    ("文件有 {n} 项错误，未导入", []), ("时间 14:05，共 1,000 行", []), ("错误:{x}", [":"]),
    ("分值{x:.1f}分（封顶）", []), ("请运行 `kaohe init --no-sample`", []),
])
def test_the_check_itself(text, marks):
    assert half_width_marks(text) == marks


def test_the_core_never_reads_the_language_from_the_environment():
    """KAOHE_LANG is read by the faces (the CLI, the dashboard's first session state) and nowhere below:
    an error raised for a web session is worded in that session's language, not the server's."""
    below = [p for d in ("base", "data", "ingest", "validation", "metrics", "reports") for p in (ROOT / d).rglob("*.py")]
    assert not [str(p.relative_to(ROOT)) for p in below if "KAOHE_LANG" in p.read_text(encoding="utf-8")]
    assert not hasattr(i18n, "default_lang")


def test_a_refusal_is_worded_in_the_language_asked_for(monkeypatch):
    monkeypatch.setenv("KAOHE_LANG", "en")  # the environment says nothing to the core
    exc = i18n.Refusal("data.published_months", months=["2026-09", "2026-10"])
    assert str(exc).startswith("2026-09、2026-10")
    assert exc.text("en").startswith("results for 2026-09, 2026-10 are published")
