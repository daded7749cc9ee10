"""Kaohe dashboard entry: navigation and shared set-up only."""

import streamlit as st

from ui import queries, setup

st.set_page_config(page_title="考核 Kaohe", page_icon=":material/fact_check:", layout="wide")
setup.init_state()
setup.language_switch()
nav = setup.navigation()
setup.month_picker(queries.months())
setup.kind_picker()
st.sidebar.caption(setup.tr("sidebar.warehouse", path=setup.warehouse().path.name))
nav.run()
