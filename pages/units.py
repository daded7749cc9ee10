"""单位名录 Units: the register, a units file with the preview of its changes and a confirm, and the
reorganisations (rename, split, merge) recorded as lineage. Text from files and forms is shown as text
(table cells, ui.text.plain), never as markdown."""

import pandas as pd
import streamlit as st

from kaohe.base import access, i18n
from kaohe.base import months as mo
from kaohe.data import units as store
from kaohe.data.warehouse import Refusal
from kaohe.ingest import limits, units_file
from kaohe.ingest.admin_table import FileRefused, labels
from kaohe.ui import admin, auth
from kaohe.ui.setup import may, page, refused, tr
from kaohe.ui.text import plain

pg = page("units.title", needs="nothing")
wh, L = pg.wh, pg.lang
LABELS = labels(units_file.LABELS, L)

admin.show_done("un_done_msg")
register = store.unit_rows(wh)
can_edit = may("units", L)  # a role without the right "units" sees the register and its lineage only
if can_edit:
    tab_list, tab_upload, tab_reorg = st.tabs([tr("units.title"), tr("adm.upload"), tr("units.lineage_title")])
else:
    tab_list, tab_reorg = st.tabs([tr("units.title"), tr("units.lineage_title")])

with tab_list:
    if not register:
        st.info(tr("units.none"))
    else:
        table = pd.DataFrame(list(register.values()), columns=list(units_file.LABELS))
        table["kind"] = [tr(f"kind.{k}") for k in table["kind"]]
        st.dataframe(table.rename(columns=LABELS), hide_index=True, key="un_table")

if can_edit:
    with tab_upload:
        admin.uploader_words("un_upload", tr("import.page.drop"), limits.MAX_UPLOAD_BYTES / 2**20)
        upload = st.file_uploader(tr("adm.upload"), type=["csv", "tsv", "txt", "xlsx"], key="un_upload")
        if upload is not None:
            data = upload.getvalue()
            try:
                preview = units_file.prepare(data, upload.name, wh)
            except FileRefused as exc:
                st.error(plain(i18n.Refusal.text(exc, L)), icon=":material/error:")
                st.dataframe(admin.problems_table(exc, L), hide_index=True, key="un_problems")
            else:
                st.subheader(tr("adm.preview"))
                st.text(preview.summary(L))
                if preview.writes:
                    st.dataframe(admin.preview_table(preview, L, LABELS), hide_index=True, key="un_preview")
                    if st.button(tr("adm.confirm"), type="primary", key="un_confirm_btn"):
                        try:  # checked again against the register as it is now
                            n = units_file.commit(units_file.prepare(data, upload.name, wh), wh, actor=auth.current())
                        except (FileRefused, access.Forbidden) as exc:
                            st.error(plain(exc.text(L)), icon=":material/error:")
                        else:
                            admin.done("un_done_msg", tr("adm.committed", n=n))
                else:
                    st.info(tr("adm.nothing_to_do"))

codes = list(register)
names = {c: f"{c} {r['name_zh']}" if L == "zh" else f"{c} {r.get('name_en') or r['name_zh']}"
         for c, r in register.items()}

with tab_reorg:
    if not codes:
        st.info(tr("units.none"))
    else:
        for month_key in ("un_rename_month", "un_split_month", "un_merge_month"):
            st.session_state.setdefault(month_key, mo.running())  # the month under way, unless one was typed
        # renames, splits and merges are the office's (the core refuses anyone else)
        if can_edit:
            c_rename, c_split, c_merge = st.columns(3)
            with c_rename.form("un_rename_form"):
                st.markdown(f"**{tr('units.form.rename')}**")
                code = st.selectbox(tr("report.col.unit"), codes, format_func=names.get, key="un_rename_unit")
                new_zh = st.text_input(tr("units.form.name"), key="un_rename_name")
                new_en = st.text_input(tr("units.form.name_en"), key="un_rename_name_en")
                month = st.text_input(tr("units.field.active_from"), key="un_rename_month")
                if st.form_submit_button(tr("adm.submit"), key="un_rename_btn"):
                    try:
                        store.rename(wh, code, name_zh=new_zh, name_en=new_en or None, month=month.strip(),
                                     actor=auth.current())
                    except (Refusal, access.Forbidden) as exc:
                        refused(exc, stop=False)
                    else:
                        admin.done("un_done_msg", tr("units.renamed", code=code, name=new_zh.strip(), month=month.strip()))
            with c_split.form("un_split_form"):
                st.markdown(f"**{tr('units.form.split')}**")
                code = st.selectbox(tr("report.col.unit"), codes, format_func=names.get, key="un_split_unit")
                into = st.multiselect(tr("units.form.into"), codes, format_func=names.get, key="un_split_into")
                month = st.text_input(tr("units.field.active_from"), key="un_split_month")
                if st.form_submit_button(tr("adm.submit"), key="un_split_btn"):
                    try:
                        store.split(wh, code, into, month=month.strip(), actor=auth.current())
                    except (Refusal, access.Forbidden) as exc:
                        refused(exc, stop=False)
                    else:
                        admin.done("un_done_msg", tr("units.split_done", code=code, into=", ".join(into), month=month.strip()))
            with c_merge.form("un_merge_form"):
                st.markdown(f"**{tr('units.form.merge')}**")
                sources = st.multiselect(tr("units.form.sources"), codes, format_func=names.get, key="un_merge_sources")
                target = st.selectbox(tr("units.form.target"), codes, format_func=names.get, key="un_merge_target")
                month = st.text_input(tr("units.field.active_from"), key="un_merge_month")
                if st.form_submit_button(tr("adm.submit"), key="un_merge_btn"):
                    try:
                        store.merge(wh, sources, target, month=month.strip(), actor=auth.current())
                    except (Refusal, access.Forbidden) as exc:
                        refused(exc, stop=False)
                    else:
                        admin.done("un_done_msg", tr("units.merge_done", codes=", ".join(sources), into=target, month=month.strip()))
        st.subheader(tr("units.lineage_title"))
        code = st.selectbox(tr("report.col.unit"), codes, format_func=names.get, key="un_lineage_unit")
        links = store.lineage(wh, code)
        st.text("\n".join(units_file.lineage_line(link, L) for link in links) if links
                else tr("units.no_lineage", code=code))
