"""开始 Get started: the first screen of a warehouse with no units or no data. It loads the sample
district, or lists the steps of setting up a district of one's own (metrics.readiness), each done or
missing, with a link to the page that does it. Reachable from the 设置 / Set-up section at any time."""

import streamlit as st

from kaohe.base import access
from kaohe.data.warehouse import Refusal
from kaohe.metrics import readiness
from kaohe.ui import auth
from kaohe.ui.setup import may, page
from kaohe.ui.text import plain

pg = page("start.title", needs="nothing", caption_key="start.caption")
wh, lg = pg.wh, pg.lang

state = readiness.status(wh, lang=lg)
if state.empty:
    st.info(pg.tr("start.empty"), icon=":material/info:")
else:
    st.success(pg.tr("start.has_data"), icon=":material/check_circle:")
    st.page_link("pages/overview.py", label=pg.tr("ov.title"), icon=":material/dashboard:")

# -- (a) the sample district ----------------------------------------------------------------------------
st.subheader(pg.tr("start.sample.title"))
st.caption(pg.tr("start.sample.caption"))
# loading the sample is the office's; the core checks it again (data.setup)
if may("settings", lg) and st.button(pg.tr("start.sample.button"), key="start_sample_btn",
                                     icon=":material/download:", disabled=not state.empty):
        try:
            with st.spinner(pg.tr("start.sample.loading")):
                readiness.load_sample(wh, actor=auth.current())
        except (Refusal, access.Forbidden) as exc:  # the warehouse holds a district of its own: nothing was written
            st.error(plain(exc.text(lg)), icon=":material/error:")
        else:
            st.session_state["start_loaded"] = True
            st.rerun()
if st.session_state.pop("start_loaded", False):
    st.success(pg.tr("start.sample.done"), icon=":material/check_circle:")
    st.page_link("pages/overview.py", label=pg.tr("ov.title"), icon=":material/dashboard:")

# -- (b) a district of one's own ------------------------------------------------------------------------
st.subheader(pg.tr("start.own.title"))
st.caption(pg.tr("start.own.caption"))
st.markdown(plain(state.summary()))
for n, step in enumerate(state.steps, 1):
    with st.container(border=True):
        mark = pg.tr("ready.cli.done" if step.done else "ready.cli.missing")
        icon = ":material/check_circle:" if step.done else ":material/radio_button_unchecked:"
        st.markdown(f"{icon} **{n}. {plain(step.title(lg))}** · {plain(mark)}")
        st.markdown(plain(step.text))  # may name indicator codes a district's file brought: plain text
        if step.commands:
            st.caption(pg.tr("start.shell"))
            st.code("\n".join(step.commands), language="bash")
        st.page_link(step.page, label=pg.tr(f"start.go.{step.key}"), icon=":material/arrow_forward:")
