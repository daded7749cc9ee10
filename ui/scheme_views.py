"""The scheme page's management parts (pages/scheme.py): the stored versions (activate with a confirm,
download as XLSX and JSON, the diff against the active one of the year), a scheme file's upload with
its preview then a confirm, and a new year's scheme copied from the default or from an earlier year.
Only calls to the core (metrics.scheme_admin, metrics.scheme_diff, reports.scheme_book); text from a
file is shown as text (st.text, table cells), never markdown."""

from __future__ import annotations

import json
import re

import pandas as pd
import streamlit as st

from kaohe.base import clock, i18n
from kaohe.data.schemes import SYSTEM_ACTOR
from kaohe.metrics import scheme_admin, scheme_diff
from kaohe.ui import admin, auth, queries
from kaohe.ui.setup import lang, name, refusal_text, tr
from kaohe.ui.text import plain

DONE = "sc_done_msg"


def _when(ts) -> str:
    return clock.local_text(ts) if ts is not None and not pd.isna(ts) else ""


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _who(value) -> str:
    """Who stored or activated a version: the shipped schemes stored at set-up are the system's, said in words."""
    text = _text(value)
    return tr("actor.system") if text == SYSTEM_ACTOR else text


def indicator_names() -> dict[str, str]:
    return {r["code"]: name(r) for _, r in queries.indicators().iterrows()}


def diff_lines(a: dict, b: dict) -> list[str]:
    """What changes from scheme `a` to scheme `b`, one line each, in the session's language."""
    return scheme_diff.words(scheme_diff.diff(a, b), lang(), a=a, b=b, names=indicator_names())


def show_lines(lines: list[str]) -> None:
    """Lines made from file text: shown as text, never markdown."""
    st.text("\n".join(lines))


def diff_against_active(wh, data: dict, *, upload: bool = False) -> None:
    """`data` against the active scheme of its year, in words (or that the year has none: for a file
    being imported, that it would be the year's first)."""
    year = str(data.get("year", ""))
    try:
        active = scheme_admin.get(wh, year)
    except i18n.Refusal as exc:
        st.info(tr("sc.first_of_year", year=year) if upload else plain(refusal_text(exc)), icon=":material/info:")
        return
    st.markdown(f"**{tr('sc.diff_title', year=year, version=plain(active['version']))}**")
    show_lines(diff_lines(active["data"], data))


def scheme_label(row) -> str:
    return f"{row['year']} · {row['version']} · {scheme_admin.status_word(row['status'], lang())}"


# -- the versions --------------------------------------------------------------------------------------------
def versions_section(wh, versions: pd.DataFrame) -> None:
    if versions.empty:
        st.caption(tr("scheme.none"))
        return
    L = lang()
    rows = [scheme_admin.get(wh, r.year, r.version) for r in versions.itertuples()]
    table = pd.DataFrame({
        tr("scheme.col.year"): versions["year"].astype(str),
        tr("scheme.col.version"): versions["version"].astype(str),
        tr("sc.col.name"): [i18n.pick(r["data"].get("name_zh"), r["data"].get("name_en"), L) or "" for r in rows],
        tr("scheme.col.status"): [scheme_admin.status_word(s, L) for s in versions["status"]],
        tr("scheme.col.created_by"): [_who(v) for v in versions["created_by"]],
        tr("scheme.col.created_at"): [_when(v) for v in versions["created_at"]],
        tr("sc.col.activated_by"): [_who(v) for v in versions["activated_by"]],
        tr("scheme.col.activated_at"): [_when(v) for v in versions["activated_at"]],
        tr("scheme.col.source_name"): [_text(v) for v in versions["source_name"]],
        tr("scheme.col.note"): [_text(v) for v in versions["note"]],
    })
    st.dataframe(table, hide_index=True, key="sc_versions_table")

    keys = [f"{r.year}:{r.version}" for r in versions.itertuples()]
    by_key = dict(zip(keys, rows, strict=True))
    if st.session_state.get("sc_version") not in keys:
        active = [k for k, r in by_key.items() if r["status"] == "active"]
        st.session_state["sc_version"] = active[-1] if active else keys[-1]
    chosen = st.selectbox(tr("sc.pick_version"), keys, format_func=lambda k: scheme_label(by_key[k]),
                          key="sc_version", persist_state="session")
    row = by_key[chosen]
    year, version, data = str(row["year"]), str(row["version"]), row["data"]
    stem = re.sub(r"[^\w.-]+", "_", f"scheme-{year}-{version}")  # a version from a file names no path

    d1, d2, d3 = st.columns([1, 1, 1.4])
    d1.download_button(tr("sc.download_xlsx"), key="sc_xlsx_dl", icon=":material/download:",
                       data=_workbook(json.dumps(data, sort_keys=True, ensure_ascii=False), L),
                       file_name=f"{stem}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    d2.download_button(tr("sc.download_json"), key="sc_json_dl", icon=":material/download:",
                       data=json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                       file_name=f"{stem}.json", mime="application/json")
    if row["status"] == "active":
        d3.success(tr("sc.is_active", year=year), icon=":material/check_circle:")
    elif auth.can("scheme"):  # activating is the office's (the core refuses anyone else)
        pending = st.session_state.get("sc_activate_pending")
        if d3.button(tr("sc.activate"), key="sc_activate_btn", icon=":material/published_with_changes:"):
            st.session_state["sc_activate_pending"] = pending = chosen
        if pending == chosen:
            st.warning(tr("sc.activate_confirm", year=year, version=plain(version)), icon=":material/warning:")
            c1, c2 = st.columns([1, 4])
            if c1.button(tr("adm.confirm"), type="primary", key="sc_activate_confirm_btn"):
                st.session_state.pop("sc_activate_pending", None)
                try:
                    before = scheme_admin.activate(wh, year, version, actor=auth.current(), lang=L)
                except i18n.Refusal as exc:
                    _refusal(exc)
                else:
                    text = i18n.t("scheme.activated", L, year=year, version=version)
                    if before and before != version:
                        text += i18n.t("scoring.scheme.sep", L) + i18n.t("scheme.activated_before", L, before=before)
                    admin.done(DONE, text)
            if c2.button(tr("sc.cancel"), key="sc_activate_cancel_btn"):
                st.session_state.pop("sc_activate_pending", None)
                st.rerun()
    if row["status"] != "active":
        diff_against_active(wh, data)


@st.cache_data(show_spinner=False, max_entries=16)
def _workbook(data_json: str, lang_: str) -> bytes:
    from kaohe.reports import scheme_book

    return scheme_book.workbook(json.loads(data_json), lang_, queries.indicators())


def _refusal(exc: Exception) -> None:
    """A refusal in words; a scheme's own problems item by item."""
    st.error(plain(refusal_text(exc)), icon=":material/error:")
    if hasattr(exc, "problems_in"):  # a scheme's (SchemeError) or a workbook's (BookRefusal) own problems
        problems = exc.problems_in(lang())
        st.dataframe(pd.DataFrame({tr("val.col.problem"): problems}), hide_index=True, key="sc_problems")


# -- a scheme file -------------------------------------------------------------------------------------------
def upload_section(wh) -> None:
    if not auth.can("scheme"):
        return
    L = lang()
    # a new key once a file is imported: the uploader comes back empty, not saying the file is stored already
    n = st.session_state.get("sc_uploads", 0)
    limit = scheme_admin.MAX_SCHEME_BYTES / 2**20
    admin.uploader_words("sc_file", tr("sc.drop", limit=limit), limit)
    upload = st.file_uploader(tr("sc.upload"), type=["json", "xlsx"], key=f"sc_file{n}_upload",
                              max_upload_size=round(limit))
    if upload is None:
        return
    raw = upload.getvalue()
    try:
        data = scheme_admin.read_file(raw, upload.name, L)
    except i18n.Refusal as exc:  # it does not read: said in words, nothing written
        _refusal(exc)
        st.caption(tr("sc.nothing_written"))
        return
    problems = scheme_admin.check(data, wh, L)
    if problems:
        st.error(tr("scheme.invalid_file", name=plain(upload.name)) + " " + tr("sc.nothing_written"),
                 icon=":material/error:")
        st.dataframe(pd.DataFrame({tr("val.col.problem"): problems}), hide_index=True, key="sc_problems")
        return
    year, version = str(data["year"]), str(data["version"])
    st.success(tr("scheme.valid", name=plain(i18n.pick(data.get("name_zh"), data.get("name_en"), L) or ""),
                  year=year, version=plain(version)), icon=":material/check_circle:")
    if scheme_admin.already_stored(wh, data):
        st.info(tr("scheme.same", year=year, version=plain(version)), icon=":material/info:")
        return
    st.subheader(tr("adm.preview"))
    diff_against_active(wh, data, upload=True)
    activate = st.checkbox(tr("sc.activate_now"), key="sc_upload_activate")
    if st.button(tr("adm.confirm"), type="primary", key="sc_import_btn"):
        try:  # checked again against the warehouse as it is now
            scheme_admin.import_scheme(wh, scheme_admin.read_file(raw, upload.name, L), actor=auth.current(),
                                       source_name=upload.name, activate=activate, lang=L)
        except i18n.Refusal as exc:
            _refusal(exc)
        else:
            st.session_state["sc_uploads"] = n + 1
            admin.done(DONE, i18n.t("scheme.imported", L, year=year, version=version,
                                    status=scheme_admin.status_word("active" if activate else "draft", L)))


# -- a new year's scheme -------------------------------------------------------------------------------------
def new_year_section(wh, versions: pd.DataFrame, year: str) -> None:
    if not auth.can("scheme"):
        return
    L = lang()
    active_years = sorted(set(versions.loc[versions["status"] == "active", "year"].astype(str)))
    st.session_state.setdefault("sc_new_year", year)
    to_year = st.text_input(tr("sc.new.to_year"), key="sc_new_year", persist_state="session").strip()
    st.session_state.setdefault("sc_new_activate", not active_years)  # a district's first scheme: active
    activate = st.checkbox(tr("sc.activate_now"), key="sc_new_activate")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**{tr('sc.new.default')}**")
        st.caption(tr("sc.new.default_note"))
        if st.button(tr("sc.new.default_btn", year=plain(to_year)), key="sc_copy_default_btn",
                     icon=":material/content_copy:"):
            _copy(wh, "default", to_year, activate, L)
    with c2:
        st.markdown(f"**{tr('sc.new.copy')}**")
        if not active_years:
            st.caption(tr("scheme.none"))
        else:
            earlier = [y for y in active_years if y < to_year] or active_years
            if st.session_state.get("sc_copy_from") not in active_years:
                st.session_state["sc_copy_from"] = earlier[-1]
            source = st.selectbox(tr("sc.new.from_year"), active_years, key="sc_copy_from",
                                  persist_state="session")
            if st.button(tr("sc.new.copy_btn", from_year=source, year=plain(to_year)), key="sc_copy_btn",
                         icon=":material/content_copy:"):
                _copy(wh, source, to_year, activate, L)


def _copy(wh, source: str, to_year: str, activate: bool, L: str) -> None:
    try:
        version = scheme_admin.copy(wh, source, to_year, actor=auth.current(), activate=activate, lang=L)
    except i18n.Refusal as exc:
        _refusal(exc)
    else:
        words = tr("sc.default_word") if source == "default" else source
        admin.done(DONE, i18n.t("scheme.copied", L, source=words, year=to_year, version=version,
                                status=scheme_admin.status_word("active" if activate else "draft", L)))


# -- the what-if kept -----------------------------------------------------------------------------------------
def save_whatif(wh, scheme, changes: dict) -> None:
    """The what-if's scheme (the core's Scheme.with_changes), its diff against the active one, and a button
    that keeps it as a new draft version."""
    L = lang()
    try:
        alt = scheme.with_changes(changes, L)
    except i18n.Refusal as exc:
        _refusal(exc)
        return
    st.markdown(f"**{tr('sc.whatif_diff')}**")
    show_lines(diff_lines(scheme.data, alt.data))
    if not auth.can("scheme"):  # a leader's what-if stays a what-if: no draft kept
        return
    c1, c2 = st.columns([2, 1])
    note = c1.text_input(tr("sc.draft_note"), key="sc_draft_note")
    c2.write("")
    if c2.button(tr("sc.save_draft"), key="sc_save_draft_btn", icon=":material/save:"):
        try:
            version = scheme_admin.save_draft(wh, alt.data, actor=auth.current(), note=note.strip() or None,
                                              lang=L)
        except i18n.Refusal as exc:
            _refusal(exc)
        else:
            admin.done(DONE, i18n.t("sc.saved_draft", L, year=alt.year, version=version))
