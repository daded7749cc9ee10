"""账号 Accounts (office admin): who may sign in, with which role and scope; add an account, disable or
enable one, reset a password. Every action goes through auth/accounts.py with the signed-in person as the
actor, so the core refuses anyone else however the page was reached."""

import pandas as pd
import streamlit as st

from kaohe.auth import accounts
from kaohe.base import access, clock, i18n
from kaohe.data import accounts as store
from kaohe.data.warehouse import Refusal
from kaohe.ui import auth
from kaohe.ui.setup import lang, page, tr

pg = page("acct.title", needs="nothing", caption_key="acct.caption")
who = auth.current()
try:
    frame = accounts.list_accounts(pg.wh, actor=who)
except access.Forbidden as exc:
    st.error(exc.text(lang()))
    st.stop()


def _words(row) -> dict:
    scope = i18n.sep(lang()).join([*row["sources"], *row["offices"], *([row["unit_code"]] if row["unit_code"] else [])])
    return {
        tr("signin.login"): row["login"], tr("acct.col.name"): row["name"] or "",
        tr("acct.col.role"): tr(f"access.role.{row['role']}"), tr("acct.col.scope"): scope,
        tr("acct.col.state"): tr("acct.state.disabled" if row["disabled"] else "acct.state.active"),
        tr("acct.col.created"): f"{clock.local_text(row['created_at'])} {row['created_by']}",
        tr("acct.col.updated"): (f"{clock.local_text(row['updated_at'])} {row['updated_by']}"
                                 if row["updated_by"] else ""),
    }


for message in st.session_state.pop("acct_done", []):
    st.success(message)
st.dataframe(pd.DataFrame([_words(r) for r in frame.to_dict("records")]), hide_index=True,
             width="stretch")

st.subheader(tr("acct.add"))
role = st.selectbox(tr("acct.col.role"), options=list(access.ROLES), index=0, key="acct_role",
                    format_func=lambda r: tr(f"access.role.{r}"))
with st.form("acct_add_form", clear_on_submit=False):
    login = st.text_input(tr("signin.login"), key="acct_login")
    name = st.text_input(tr("acct.col.name"), key="acct_name")
    sources = offices = ()
    unit = None
    if role == "evaluator":
        sources = st.multiselect(tr("acct.sources"), options=store.known_sources(pg.wh), key="acct_sources")
        offices = st.multiselect(tr("acct.offices"), options=store.known_offices(pg.wh), key="acct_offices")
    elif role == "unit":
        units = pg.all_units
        names = {r["code"]: f"{r['code']} {i18n.pick(r.get('name_zh'), r.get('name_en'), lang())}"
                 for r in units.to_dict("records")}
        unit = st.selectbox(tr("acct.unit"), options=list(names), format_func=names.get, key="acct_unit",
                            index=None)
    password = st.text_input(tr("signin.password"), type="password", key="acct_password",
                             autocomplete="new-password")
    again = st.text_input(tr("acct.password_again"), type="password", key="acct_password2",
                          autocomplete="new-password")
    add = st.form_submit_button(tr("acct.add"), type="primary")
if add:
    if password != again:
        st.error(tr("users.password_mismatch"))
    else:
        try:
            row = accounts.add(pg.wh, login, role, name=name, password=password, sources=sources,
                               offices=offices, unit_code=unit, actor=who)
        except Refusal as exc:
            st.error(exc.text(lang()))
        else:
            st.session_state["acct_done"] = [tr("users.added", login=row["login"],
                                                role=tr(f"access.role.{row['role']}"))]
            st.rerun()

if not frame.empty:
    st.subheader(tr("acct.manage"))
    chosen = st.selectbox(tr("acct.pick"), options=list(frame["login"]), key="acct_pick")
    row = frame.set_index("login").loc[chosen]
    left, right = st.columns(2)
    with left:
        if bool(row["disabled"]):
            if st.button(tr("acct.enable_btn"), key="acct_enable_btn"):
                try:
                    accounts.enable(pg.wh, chosen, actor=who)
                except Refusal as exc:
                    st.error(exc.text(lang()))
                else:
                    st.session_state["acct_done"] = [tr("users.enabled", login=chosen)]
                    st.rerun()
        elif st.button(tr("acct.disable_btn"), key="acct_disable_btn"):
            try:
                accounts.disable(pg.wh, chosen, actor=who)
            except Refusal as exc:
                st.error(exc.text(lang()))
            else:
                st.session_state["acct_done"] = [tr("users.disabled", login=chosen)]
                st.rerun()
    with right, st.form("acct_reset_form", clear_on_submit=True):
        new = st.text_input(tr("signin.password"), type="password", key="acct_new_password",
                            autocomplete="new-password")
        new_again = st.text_input(tr("acct.password_again"), type="password", key="acct_new_password2",
                                  autocomplete="new-password")
        reset = st.form_submit_button(tr("acct.reset"))
    if reset:
        if new != new_again:
            st.error(tr("users.password_mismatch"))
        else:
            try:
                accounts.reset_password(pg.wh, chosen, new, actor=who)
            except Refusal as exc:
                st.error(exc.text(lang()))
            else:
                st.session_state["acct_done"] = [tr("users.reset", login=chosen)]
                st.rerun()
