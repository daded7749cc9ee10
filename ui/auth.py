"""The signed-in person of this browser session (the face's side of base/access.py), and the gate.

The session's Principal lives in st.session_state[SESSION_KEY]; the sign-in form (this module's gate)
puts it there and nothing else does. Pages never decide rights themselves: they pass `current()` to the
core as the actor, and ask `can(right)` only to leave out a control the core would refuse anyway.

`gate(wh)` runs first on every script run (app.py): a session signed in with a password is checked
against its row in the warehouse each time (idle or absolute limit reached, account disabled, password
reset: signed out, with words); a browser that signed in before (the `kaohe_session` cookie) is signed in
again from it; else the identity provider (ui/oidc.py) is asked; else the sign-in form is drawn and the run
stops there, so an unsigned visitor at any page's URL sees the form and nothing else.

The cookie holds a random token; the warehouse keeps only its sha256 (auth/accounts.py). It is set by a
small script in a components.html frame (same origin as the dashboard), path=/, SameSite=Strict,
Secure over https, for the absolute limit of a session; a script cannot make it HttpOnly.
"""

from __future__ import annotations

import json

import streamlit as st

from kaohe.base import access, clock
from kaohe.base.access import Principal

SESSION_KEY = "kaohe_principal"
TOKEN_KEY = "kaohe_session_token"      # the session token of a password sign-in (not a widget)
COOKIE = "kaohe_session"
_NOTICE = "kaohe_signin_notice"        # a message key to show on the form (why the session ended)
_COOKIE_SET = "kaohe_cookie_set"       # a token whose cookie is to be written on the next run
_COOKIE_CLEAR = "kaohe_cookie_clear"   # the cookie is to be removed on the next run
_DROPPED = "kaohe_dropped_tokens"      # tokens this session ended: the browser may still send them
_CHECKED = "kaohe_session_checked"     # (warehouse version, when) of the last check that found it holding
RECHECK_SECONDS = 30


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


# -- the gate --------------------------------------------------------------------------------------------------
def _lang() -> str:
    from kaohe.ui import language

    return language.lang()


def _cookie_token() -> str | None:
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token or token in st.session_state.get(_DROPPED, ()):
        return None
    return token


def _address() -> str | None:
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _checked_lately(wh) -> bool:
    """Whether this session's row was found holding less than RECHECK_SECONDS ago with the warehouse file
    unchanged since: then the run need not open the file only to check it again (a rerun that hits the
    caches reads nothing). Disabling the account, resetting its password or ending the session writes the
    file, so it takes effect on the next run; only an absolute limit may be overrun by RECHECK_SECONDS."""
    memo = st.session_state.get(_CHECKED)
    if not memo or memo[0] != wh.version():
        return False
    return (clock.utcnow() - memo[1]).total_seconds() < RECHECK_SECONDS


def _signed_in(who: Principal, token: str | None) -> Principal:
    st.session_state[SESSION_KEY] = who
    if token:
        st.session_state[TOKEN_KEY] = token
    return who


def _drop(reason: str | None) -> None:
    """Forget the session's Principal and token; the form will say `reason` (a message key) if given."""
    st.session_state.pop(_CHECKED, None)
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        st.session_state[_DROPPED] = [*st.session_state.get(_DROPPED, []), token]
        st.session_state[_COOKIE_CLEAR] = True
    st.session_state.pop(SESSION_KEY, None)
    if reason:
        st.session_state[_NOTICE] = reason


def resolve(wh) -> Principal | None:
    """Who this run is, checked afresh; None when nobody is signed in (the form is due)."""
    from kaohe.auth import accounts
    from kaohe.ui import oidc

    who = st.session_state.get(SESSION_KEY)
    if isinstance(who, Principal):
        token = st.session_state.get(TOKEN_KEY)
        if token:  # a password sign-in: its session row decides, and the account is read again
            if _checked_lately(wh):
                return who
            state = accounts.check_session(wh, token)
            if state.principal is not None:
                st.session_state[_CHECKED] = (wh.version(), clock.utcnow())
                return _signed_in(state.principal, token)
            _drop(f"signin.reason.{state.reason}")
            return None
        if who.via == "oidc" and oidc.enabled():
            again = oidc.current_principal(wh)
            if again is None:
                _drop("signin.reason.ended")
                return None
            return _signed_in(again, None)
        return who  # put there without a token (the tests sign in as a role this way)
    who = _unsigned()
    if who is not None:
        return who
    token = _cookie_token()
    if token:
        state = accounts.check_session(wh, token)
        if state.principal is not None:
            return _signed_in(state.principal, token)
        st.session_state[_DROPPED] = [*st.session_state.get(_DROPPED, []), token]
        st.session_state[_COOKIE_CLEAR] = True
        if state.reason in ("idle", "expired", "disabled"):
            st.session_state[_NOTICE] = f"signin.reason.{state.reason}"
    if oidc.enabled():
        who = oidc.current_principal(wh)
        if who is not None:
            return _signed_in(who, None)
    return None


def gate(wh) -> Principal | None:
    """The signed-in Principal of this run, or None: then app.py draws the sign-in form alone
    (`sign_in_form`) and stops the run."""
    who = resolve(wh)
    _write_cookie()
    return who


def sign_in_form(wh) -> None:
    """The form: login, password, submit; a refusal in words; the identity provider's button under it."""
    from kaohe.auth import accounts
    from kaohe.base.i18n import t
    from kaohe.ui import oidc

    lang = _lang()
    st.title(t("signin.title", lang), anchor="kaohe-signin")  # the browser tests' helper knows the form by it
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.info(t(notice, lang))
    with st.form("signin_form", clear_on_submit=False, enter_to_submit=True):
        login = st.text_input(t("signin.login", lang), key="signin_login", autocomplete="username")
        password = st.text_input(t("signin.password", lang), type="password", key="signin_password",
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("signin.submit", lang), type="primary")
    if submitted:
        if not (login or "").strip() or not password:
            st.error(t("signin.empty", lang))
        else:
            try:
                who = accounts.sign_in(wh, login, password, address=_address())
            except accounts.SignInRefused as exc:
                st.error(exc.text(lang))
            else:
                token = accounts.open_session(wh, who)
                _signed_in(who, token)
                st.session_state[_COOKIE_SET] = token
                st.rerun()
    if not accounts.has_accounts(wh) and not oidc.enabled():
        st.caption(t("signin.no_accounts", lang))
    if oidc.enabled():
        oidc.offer(lang)


def _write_cookie() -> None:
    """Write or remove the session cookie in the browser (a same-origin frame's script), once."""
    from kaohe.auth import accounts

    token = st.session_state.pop(_COOKIE_SET, None)
    clear = st.session_state.pop(_COOKIE_CLEAR, False)
    if not token and not clear:
        return
    max_age = 0 if not token else int(accounts.absolute_limit().total_seconds())
    value = token or ""
    script = (
        "<script>(function(){var s=location.protocol==='https:'?'; Secure':'';"
        f"parent.document.cookie={json.dumps(COOKIE)}+'='+{json.dumps(value)}+"
        f"'; path=/; max-age={max_age}; SameSite=Strict'+s;}})();</script>")
    with st.sidebar:  # st.iframe: an HTML string runs in a same-origin frame (components.html's successor)
        st.iframe(script, height=1, width=1)


def sidebar(who: Principal, wh) -> None:
    """Who is signed in (name, role in words) and the sign-out button."""
    from kaohe.base.i18n import t

    lang = _lang()
    st.sidebar.caption(t("signin.who", lang, name=who.display, role=t(f"access.role.{who.role}", lang)))
    if who.via == access.LOCAL:  # not signed in through the form (a local administrator): nothing to end
        return
    if st.sidebar.button(t("signin.sign_out", lang), key="signout_btn", icon=":material/logout:"):
        sign_out(wh)


def sign_out(wh) -> None:
    """End the session (its row, the cookie, the identity provider's) and show the form again."""
    from kaohe.auth import accounts
    from kaohe.ui import oidc

    token = st.session_state.get(TOKEN_KEY)
    if token:
        accounts.end_session(wh, token)
    if oidc.enabled():
        oidc.sign_out()
    _drop("signin.signed_out")
    st.session_state[_COOKIE_CLEAR] = True
    st.rerun()
