"""ui.text.plain: user text inside markdown stays text."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from kaohe.ui.text import plain

HOSTILE = "[请点此复核](http://evil.example/login) ![t](http://evil.example/beacon.png) <b>x</b> *y* $z$"


def _script(text: str) -> str:
    return f"import streamlit as st\nfrom ui.text import plain\nst.markdown(plain({text!r}))\n"


def test_plain_escapes_every_markup_character():
    out = plain(HOSTILE)
    assert "\\[" in out and "\\]" in out and "\\(" in out and "\\!" in out and "\\<" in out


@pytest.mark.parametrize("text", [HOSTILE, "东湖街道\u200b", "a\x1b[31mred"])
def test_escaped_text_runs_in_a_page(text):
    at = AppTest.from_string(_script(text)).run()
    assert not at.exception
    shown = at.markdown[0].value
    assert "\u200b" not in shown and "\x1b" not in shown


@pytest.mark.parametrize("text", ["http://evil.example/login", "www.evil.example", "phish@evil.example"])
def test_bare_links_are_broken_by_an_invisible_joiner(text):
    out = plain(text)
    assert "\u2060" in out
    assert out.replace("\u2060", "").replace("\\", "") == text
