"""Kaohe dashboard entry: navigation and shared set-up only."""

import streamlit as st

from kaohe.ui import queries, routing, setup

# The tab's icon is a file Kaohe serves itself: a Material Symbols icon made the browser fetch an SVG
# from a font host, and district intranets have no way out.
st.set_page_config(page_title="考核 Kaohe", page_icon=str(routing.ICON), layout="wide")
# the district's own set-up: its units and its indicator catalogue (设置 / Set-up); no icon named here
# (this file names no icon at all: see the tab icon above)
for _row in (("pages/units.py", "units.title", None, "nav.section.setup", False),
             ("pages/catalogue.py", "cat.title", None, "nav.section.setup", False)):
    if _row not in routing.EXTRA_PAGES:
        routing.EXTRA_PAGES.append(_row)
setup.init_state()
setup.language_switch()
nav = routing.navigation()
setup.month_picker(queries.months())
setup.kind_picker()
setup.warehouse_caption()
nav.run()
