"""Kaohe dashboard entry: navigation and shared set-up only."""

import streamlit as st

from ui import queries, routing, setup
from ui.text import plain

# The tab's icon is a file Kaohe serves itself: a ":material/...:" icon made the browser fetch an SVG
# from a font host, and district intranets have no way out.
st.set_page_config(page_title="考核 Kaohe", page_icon=str(routing.ICON), layout="wide")
setup.init_state()
setup.language_switch()
nav = routing.navigation()
setup.month_picker(queries.months())
setup.kind_picker()
st.sidebar.caption(setup.tr("sidebar.warehouse", path=plain(setup.warehouse().path.name)))
nav.run()
