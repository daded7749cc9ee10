"""Signing in through the office's identity provider (Streamlit's st.login, OIDC): the face's side of
auth/oidc.py. The sign-in gate (ui/auth.py) calls the four functions below:

    if (who := oidc.current_principal(wh)): signed in
    else: the password form, and oidc.offer(lang) beside it

The server turns it on with an `[auth]` section in its secrets file (Streamlit's own: redirect_uri,
cookie_secret, client_id, client_secret, server_metadata_url, or a named `[auth.NAME]` provider), and maps
the provider's claims to roles with `[kaohe.oidc]` in the same file or KAOHE_OIDC_* variables. A secrets
file outside the checkout: `streamlit run app.py --secrets.files /etc/kaohe/secrets.toml`. See docs/oidc.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitAPIException

from kaohe.auth.oidc import OidcSettings, principal_from_claims
from kaohe.base import i18n
from kaohe.base.access import Principal

# what Streamlit adds to st.user besides the provider's claims
_NOT_CLAIMS = frozenset({"is_logged_in", "origin", "provider", "tokens"})


def _secrets_table(*path: str) -> Mapping | None:
    """A table of the server's secrets (`_secrets_table("kaohe", "oidc")`), None when there is no secrets file
    or no such table."""
    try:
        node: object = st.secrets
        for key in path:
            if not isinstance(node, Mapping) or key not in node:
                return None
            node = node[key]
    except (FileNotFoundError, KeyError):  # no secrets file at all (StreamlitSecretNotFoundError)
        return None
    return node if isinstance(node, Mapping) else None


def settings() -> OidcSettings:
    """The claim mapping: the secrets' [kaohe.oidc] over KAOHE_OIDC_* variables."""
    table = _secrets_table("kaohe", "oidc")
    return OidcSettings.load(_plain(table) if table is not None else None, os.environ)


def _plain(value):
    """Streamlit's AttrDict tables as plain dicts (group_roles is a nested table)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _provider() -> str | None:
    """The provider st.login is given: [kaohe.oidc] provider, else the one [auth.NAME] table when [auth]
    names no client itself, else None (the [auth] section's own client)."""
    chosen = settings().provider
    if chosen:
        return chosen
    auth = _secrets_table("auth") or {}
    if auth.get("client_id"):
        return None
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and v.get("client_id")]
    return named[0] if len(named) == 1 else None


def enabled() -> bool:
    """Whether an identity provider is configured for this server: its secrets hold an [auth] section."""
    return bool(_secrets_table("auth"))


def _logged_in() -> bool:
    try:
        return bool(st.user.get("is_logged_in"))
    except (StreamlitAPIException, AttributeError, KeyError, RuntimeError):  # outside a run, no auth: nobody
        return False


def _lang() -> str:
    from kaohe.ui import language

    return language.lang()


def offer(lang: str) -> None:
    """On the sign-in form: the button that sends the visitor to the identity provider. Not drawn when no
    provider is configured, nor when the provider signed in someone Kaohe refused (current_principal has
    offered the sign-out instead)."""
    if not enabled() or _logged_in():
        return
    if st.button(i18n.t("oidc.button", lang), key="kaohe_oidc_login_btn", type="secondary"):
        st.login(_provider())


def claims() -> dict:
    """The provider's claims of the signed-in person (st.user without what Streamlit adds)."""
    return {k: v for k, v in st.user.to_dict().items() if k not in _NOT_CLAIMS}


def current_principal(wh) -> Principal | None:
    """The person the identity provider signed in, mapped to a role; None when nobody is signed in there.
    When Kaohe refuses them (no role, a disabled account ...) the refusal is shown in words, with the
    provider's sign-out, and the answer is None."""
    if not enabled() or not _logged_in():
        return None
    try:
        return principal_from_claims(wh, claims(), settings=settings())
    except i18n.Refusal as refusal:
        lang = _lang()
        st.error(i18n.t("oidc.refused_title", lang))
        st.text(refusal.text(lang))  # names from the provider are shown as text
        if st.button(i18n.t("oidc.sign_out", lang), key="kaohe_oidc_refused_logout_btn"):
            st.logout()
        return None


def sign_out() -> None:
    """End the identity provider's session too (st.logout), when there is one."""
    if enabled() and _logged_in():
        st.logout()
