"""The session's language: what a new session starts in (the server's KAOHE_LANG, else Chinese) and what
this session chose. Below every other ui module (setup, auth, oidc all ask here), so none of them needs
another to know the language."""

from __future__ import annotations

import os

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kaohe.base import i18n

_LAST_LANG: list[str] = []


def server_lang() -> str:
    """The language a new session starts in: KAOHE_LANG of this server (read here, in the face), else Chinese."""
    chosen = os.environ.get("KAOHE_LANG", i18n.DEFAULT_LANG)
    return chosen if chosen in i18n.LANGS else i18n.DEFAULT_LANG


def lang() -> str:
    """The session's language. Outside a script run (AppTest formats a widget's options after the run)
    it is the language of the last run, not the default."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return _LAST_LANG[0] if _LAST_LANG else server_lang()
    value = st.session_state.get("lang") or server_lang()
    _LAST_LANG[:] = [value]
    return value
