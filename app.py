"""Kaohe dashboard entry: navigation and shared set-up only."""

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
setup.warehouse_caption()
nav.run()
