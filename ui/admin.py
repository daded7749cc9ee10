"""What the set-up pages (units, catalogue) share: a refused file's problems and a file's preview as
tables, and a change said after the page is drawn again."""

import pandas as pd
import streamlit as st

from kaohe.base import i18n
from kaohe.ui.setup import tr
from kaohe.ui.text import plain


def problems_table(exc, lang: str) -> pd.DataFrame:
    """A refused file's problems (ingest.admin_table.FileRefused): row, column, what to fix."""
    return pd.DataFrame({tr("val.col.row"): [p.row if p.row is not None else "" for p in exc.problems],
                         tr("val.col.column"): [p.column or "" for p in exc.problems],
                         tr("val.col.problem"): [i18n.t(p.key, lang, **p.params) for p in exc.problems]})


def preview_table(preview, lang: str, labels: dict) -> pd.DataFrame:
    """A file's changes before they are written: code, what, field, before, after."""
    rows = preview.table(lang, labels)
    return pd.DataFrame(rows, columns=["code", "what", "field", "before", "after"]).rename(columns={
        "code": tr("report.col.code"), "what": tr("adm.col.what"), "field": tr("adm.col.field"),
        "before": tr("adm.col.before"), "after": tr("adm.col.after")})


def done(key: str, message: str) -> None:
    """Said after the page is drawn again (show_done), so that the list shown already holds the change."""
    st.session_state[key] = message
    st.rerun()


def show_done(key: str) -> None:
    if st.session_state.get(key):
        st.success(plain(st.session_state.pop(key)), icon=":material/check_circle:")
