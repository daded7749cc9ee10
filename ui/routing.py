"""Every page runs inside app.py's shell, including the first deep link a fresh server receives.

Streamlit decides once per process whether an app "uses the pages directory" (the folder exists) and
runs such an app's first script the pre-`st.navigation` way: a deep link like `/rankings` then runs
`pages/rankings.py` alone, with no language, month or kind controls and a sidebar of raw file names,
and every later session too until somebody opens the root. Kaohe always routes through app.py, so the
first import of `ui` says so and reruns; the rerun keeps the page (a page's hash is its url path).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def route_through_app() -> None:
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx() is not None:  # imported by a running page, not by a plain test or the CLI
        st.rerun()
