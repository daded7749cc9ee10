"""Accounts and signing in: password hashing, rate limits, the identity provider's claims mapped to
roles. Core layer: no Streamlit; the rights themselves are base/access.py."""
