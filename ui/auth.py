"""The signed-in person of this browser session (the face's side of base/access.py).

The session's Principal lives in st.session_state[SESSION_KEY]; the sign-in form (this module's gate)
puts it there and nothing else does. Pages never decide rights themselves: they pass `current()` to the
core as the actor, and ask `can(right)` only to leave out a control the core would refuse anyway.
"""

from __future__ import annotations

import streamlit as st

from kaohe.base import access
from kaohe.base.access import Principal

SESSION_KEY = "kaohe_principal"


def _unsigned() -> Principal | None:
    """Who a session is before anybody signs in: nobody. (The tests' conftest makes it a local
    administrator for page tests that are not about signing in.)"""
    return None


def current() -> Principal | None:
    """The session's signed-in Principal, else None."""
    who = st.session_state.get(SESSION_KEY)
    return who if isinstance(who, Principal) else _unsigned()


def can(right: str) -> bool:
    who = current()
    return who is not None and access.can(who, right)
