"""A tiny stand-in for the dashboard's sign-in gate (ui/auth.py), for tests/test_oidc.py's browser walk until
the password gate lands: it calls ui/oidc.py's four functions the way the gate does. If the identity
provider signed in someone Kaohe knows, it shows who (name, login, role) and what the role may do; else the
sign-in form with the provider's button. KAOHE_DB names the warehouse, KAOHE_LANG the language."""

import os

import streamlit as st

from kaohe.base import access, i18n
from kaohe.data.warehouse import Warehouse
from kaohe.ui import oidc
from kaohe.ui.text import plain

lang = os.environ.get("KAOHE_LANG", "zh")
wh = Warehouse(os.environ["KAOHE_DB"])

who = oidc.current_principal(wh)
if who is not None:
    st.title(plain(who.display))  # the provider's text, shown as text
    st.text(f"login: {who.login}")
    st.text(f"role: {i18n.t(f'access.role.{who.role}', lang)}")
    st.text(f"via: {who.via}")
    if who.unit_code:
        st.text(f"unit: {who.unit_code}")
    rights = [r for r in access.RIGHTS if who.can(r)]
    st.text("rights: " + ", ".join(rights))
    if st.button("sign out", key="gate_sign_out_btn"):
        oidc.sign_out()
else:
    st.title("Kaohe")
    with st.form("gate_form"):
        st.text_input("login", key="gate_login")
        st.text_input("password", type="password", key="gate_password")
        st.form_submit_button("sign in")
    oidc.offer(lang)
