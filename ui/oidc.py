"""Signing in through the office's identity provider (Streamlit's st.login, OIDC). Interface only until
the OIDC work lands: not configured, so the sign-in form offers passwords alone."""

from __future__ import annotations

from kaohe.base.access import Principal


def enabled() -> bool:
    """Whether an identity provider is configured for this server."""
    return False


def offer(lang: str) -> None:
    """On the sign-in form: the button that sends the visitor to the identity provider."""


def current_principal(wh) -> Principal | None:
    """The person the identity provider signed in, mapped to a role; None when nobody is signed in there."""
    return None


def sign_out() -> None:
    """End the identity provider's session too (st.logout), when there is one."""
