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


def _css_text(text: str) -> str:
    """Our own message as a CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def uploader_words(key_prefix: str, drop_text: str, limit_mb: float) -> None:
    """Streamlit's uploader in the reader's language, as on the import page: its English button, hint and
    size error replaced by our words (CSS scoped to the uploaders whose key starts with `key_prefix`;
    no script)."""
    scope = f'[class*="st-key-{key_prefix}"]'
    st.html(f"""<style>
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {_css_text(tr("import.page.browse"))}; font-size: 0.875rem; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {_css_text(drop_text)}; font-size: 0.875rem; }}
{scope} [data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"] + div {{ font-size: 0; }}
{scope} [data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"] + div::after {{
  content: {_css_text(tr("import.page.chip_too_large", limit=limit_mb))}; font-size: 0.75rem; }}
</style>""")
