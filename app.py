"""Kaohe dashboard entry: navigation and shared set-up only."""

import html

import streamlit as st

from kaohe.ui import queries, routing, setup

# The tab's icon is a file Kaohe serves itself: a Material Symbols icon made the browser fetch an SVG
# from a font host, and district intranets have no way out.
st.set_page_config(page_title="考核 Kaohe", page_icon=str(routing.ICON), layout="wide")
setup.init_state()
setup.language_switch()
nav = routing.navigation()
setup.month_picker(queries.months())
setup.kind_picker()
# the file's name as text (a markdown caption would link a name like www.x.duckdb)
st.sidebar.html('<p style="font-size:0.875rem;color:rgba(49,51,63,0.6)">'
                + html.escape(setup.tr("sidebar.warehouse", path=setup.warehouse().path.name)) + "</p>")
nav.run()
