"""Kaohe dashboard entry: navigation and shared set-up only."""

import streamlit as st

from kaohe.ui import queries, routing, setup

# The tab's icon is a file Kaohe serves itself: a Material Symbols icon made the browser fetch an SVG
# from a font host, and district intranets have no way out.
st.set_page_config(page_title="考核 Kaohe", page_icon=str(routing.ICON), layout="wide")
setup.init_state()
setup.language_switch()
# pages of issue 17: the meeting view (browse) and the district's boundaries (data)
for row in (("pages/meeting.py", "mt.title", ":material/co_present:", "nav.section.browse", False),
            ("pages/boundaries.py", "bd.title", ":material/map:", "nav.section.data", False)):
    if row not in routing.EXTRA_PAGES:
        routing.EXTRA_PAGES.append(row)
nav = routing.navigation()
setup.month_picker(queries.months())
setup.kind_picker()
setup.warehouse_caption()
nav.run()
