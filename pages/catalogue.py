"""指标目录 Indicator catalogue: the catalogue (retired indicators on request), its download, a catalogue
file with the preview of its changes and a confirm, and retiring an indicator (its history is kept).
Text from files is shown as text (table cells, ui.text.plain), never as markdown."""

import streamlit as st

from kaohe.base import access, i18n
from kaohe.base import months as mo
from kaohe.data import catalogue_admin as store
from kaohe.data.warehouse import Refusal
from kaohe.ingest import catalogue_file, limits
from kaohe.ingest.admin_table import FileRefused, labels
from kaohe.ui import admin, auth
from kaohe.ui.setup import may, page, refused, tr
from kaohe.ui.text import plain

pg = page("cat.title", needs="nothing")
wh, L = pg.wh, pg.lang
LABELS = labels(catalogue_file.LABELS, L)

admin.show_done("cat_done_msg")
catalogue = catalogue_file.export_frame(wh)
if may("catalogue", L):  # a role without the right "catalogue" reads and downloads it only
    tab_list, tab_upload, tab_retire = st.tabs([tr("cat.title"), tr("adm.upload"), tr("cat.form.retire")])
else:
    (tab_list,), tab_upload, tab_retire = st.tabs([tr("cat.title")]), None, None

with tab_list:
    show_retired = st.toggle(tr("cat.show_retired"), key="cat_show_retired")
    # retired by the month under way (one retired from a later month is still assessed)
    shown = catalogue if show_retired else catalogue[~catalogue["code"].isin(store.retired_in(catalogue, mo.running()))]
    if shown.empty:
        st.info(tr("cat.none"))
    else:
        table = shown.copy()
        table["applies_to"] = [tr(f"kind.{a}") if a != "both" else tr("cat.applies.both") for a in table["applies_to"]]
        table["direction"] = [tr(f"direction.{d}") for d in table["direction"]]
        st.dataframe(table.rename(columns=LABELS), hide_index=True, key="cat_table")
    st.download_button(tr("cat.download"), catalogue_file.export_bytes(wh, ".xlsx"), file_name="catalogue.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="cat_dl")

if tab_upload is not None:
    with tab_upload:
        admin.uploader_words("cat_upload", tr("import.page.drop"), limits.MAX_UPLOAD_BYTES / 2**20)
        upload = st.file_uploader(tr("adm.upload"), type=["csv", "tsv", "txt", "xlsx"], key="cat_upload")
        if upload is not None:
            data = upload.getvalue()
            try:
                preview = catalogue_file.prepare(data, upload.name, wh)
            except FileRefused as exc:
                st.error(plain(i18n.Refusal.text(exc, L)), icon=":material/error:")
                st.dataframe(admin.problems_table(exc, L), hide_index=True, key="cat_problems")
            else:
                st.subheader(tr("adm.preview"))
                st.text(preview.summary(L))
                if preview.writes:
                    st.dataframe(admin.preview_table(preview, L, LABELS), hide_index=True, key="cat_preview")
                    if st.button(tr("adm.confirm"), type="primary", key="cat_confirm_btn"):
                        try:  # checked again against the catalogue as it is now
                            n = catalogue_file.commit(catalogue_file.prepare(data, upload.name, wh), wh,
                                                      actor=auth.current())
                        except FileRefused as exc:
                            st.error(plain(exc.text(L)), icon=":material/error:")
                        else:
                            admin.done("cat_done_msg", tr("adm.committed", n=n))
                else:
                    st.info(tr("adm.nothing_to_do"))

if tab_retire is not None:
    with tab_retire:
        active = catalogue[catalogue["retired_from"].isna()]
        if active.empty:
            st.info(tr("cat.none"))
        else:
            names = {r["code"]: f"{r['code']} {i18n.pick(r['name_zh'], r['name_en'] if isinstance(r['name_en'], str) else None, L)}"
                     for r in active.to_dict("records")}
            st.session_state.setdefault("cat_retire_month", mo.running())
            with st.form("cat_retire_form"):
                code = st.selectbox(tr("report.col.indicator"), list(names), format_func=names.get, key="cat_retire_code")
                month = st.text_input(tr("cat.field.retired_from"), key="cat_retire_month")
                if st.form_submit_button(tr("cat.form.retire"), key="cat_retire_btn"):
                    try:
                        store.retire(wh, code, month=month.strip(), actor=auth.current())
                    except (Refusal, access.Forbidden) as exc:
                        refused(exc, stop=False)
                    else:
                        admin.done("cat_done_msg", tr("cat.retired", code=code, month=month.strip()))
