"""Kaohe dashboard entry: the sign-in gate, navigation and shared set-up only."""

import streamlit as st

from kaohe.ui import auth, queries, routing, setup

# The tab's icon is a file Kaohe serves itself: a Material Symbols icon made the browser fetch an SVG
# from a font host, and district intranets have no way out.
st.set_page_config(page_title="考核 Kaohe", page_icon=str(routing.ICON), layout="wide")
setup.init_state()
# Nobody unsigned gets past this block: the form (and only the form) is drawn and the run stops.
who = auth.gate(queries.warehouse())
if who is None:
    # every page, not listed: the URL asked for stays the page to open once signed in, and nothing of
    # it is drawn (no sidebar pages, no month picker) until then
    routing.navigation(None, hidden=True)
    setup.language_switch()
    auth.sign_in_form(queries.warehouse())
    st.stop()
setup.language_switch()
nav = routing.navigation(who)
setup.month_picker(queries.months())
setup.kind_picker()
setup.warehouse_caption()
auth.sidebar(who, queries.warehouse())
nav.run()
