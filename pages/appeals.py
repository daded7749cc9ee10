"""公示与申诉 Notice and appeals (the sidebar's month).

The office (admin): put the month on notice with a deadline (default from the scheme), the appeals by
status with their text (as text), evidence to download, accept (points, kind) or reject with a reason,
and the month's publish control (with the reason needed while appeals are open or the notice runs).
A unit: its draft scorecard while on notice, the form to file an appeal (an indicator or an item, why,
evidence within the size limit) and its own appeals with the decisions. A leader: the list, read only.
Every action goes through metrics/appeals.py with the session's Principal (ui/auth.current()), which
checks the right again, so a replayed widget event is refused the same as a click.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from kaohe.base import access, clock, i18n
from kaohe.metrics import appeals
from kaohe.ui import admin, auth
from kaohe.ui.setup import page, refused, tr
from kaohe.ui.text import plain

pg = page("ap.title", needs="months", caption_key="ap.caption")
lang, wh, month = pg.lang, pg.wh, pg.month
who = auth.current()
if who is None:  # the sign-in gate shows its form; nothing of this page without a person
    st.stop()
try:
    access.require(who, "appeal.view")
except i18n.Refusal as exc:
    refused(exc)

STATUSES = ("open", "accepted", "rejected", "withdrawn")
notice = appeals.status(wh, month)
if notice is None:
    st.info(tr("ap.no_notice", month=month))
elif notice["passed"]:
    st.info(tr("ap.notice_passed", month=month, deadline=notice["deadline"].isoformat()))
else:
    st.info(tr("ap.notice_open", month=month, deadline=notice["deadline"].isoformat()))


def _flash() -> None:
    msg = st.session_state.pop("ap_flash", None)
    if msg:
        st.success(plain(msg))


def _table(df: pd.DataFrame) -> pd.DataFrame:
    """Appeals as a table of text cells in the session's language."""
    out = pd.DataFrame({
        tr("ap.col.id"): df["id"].astype(int),
        tr("ap.col.unit"): [f"{c} {pg.all_unit_names.get(c, '')}".strip() for c in df["unit_code"]],
        tr("ap.col.month"): df["month"],
        tr("ap.col.target"): [c if isinstance(c, str) and c else (i if isinstance(i, str) else "")
                              for c, i in zip(df["indicator_code"], df["item"], strict=True)],
        tr("ap.col.reason"): df["reason"],
        tr("ap.col.evidence"): [n if isinstance(n, str) else "" for n in df["evidence_name"]],
        tr("ap.col.status"): [tr(f"ap.status.{s}") for s in df["status"]],
        tr("ap.col.decision"): [d if isinstance(d, str) else "" for d in df["decision"]],
        tr("ap.col.adjustment"): ["" if pd.isna(a) else f"#{int(a)}" for a in df["adj_id"]],
        tr("ap.col.filed"): [clock.local_text(v) for v in df["filed_at"]],
    })
    return out


def _evidence_button(row, key: str) -> None:
    if not isinstance(row["evidence_name"], str) and not isinstance(row["evidence_mime"], str):
        return
    aid = int(row["id"])
    name = row["evidence_name"] if isinstance(row["evidence_name"], str) else f"appeal-{aid}"
    st.download_button(tr("ap.evidence_download"), key=key, icon=":material/attach_file:",
                       data=lambda: appeals.evidence(wh, aid, actor=who)[2] or b"",
                       file_name=name, mime=row["evidence_mime"] or "application/octet-stream")


def _detail(row) -> None:
    """One appeal's text, as text."""
    st.text(tr("ap.detail", id=int(row["id"]), unit=row["unit_code"], status=tr(f"ap.status.{row['status']}")))
    target = row["indicator_code"] if isinstance(row["indicator_code"], str) else row["item"]
    st.text(f"{tr('ap.col.target')}：{target}" if lang == "zh" else f"{tr('ap.col.target')}: {target}")
    st.text(row["reason"])
    if isinstance(row["decision"], str):
        st.text(f"{tr('ap.col.decision')}：{row['decision']}" if lang == "zh"
                else f"{tr('ap.col.decision')}: {row['decision']}")


# -- the office ---------------------------------------------------------------------------------------------
def admin_view() -> None:
    _flash()
    if notice is None:
        st.subheader(tr("ap.open_title"))
        days = appeals.scheme_publicity(wh, month)["days"]
        with st.form("ap_open_form"):
            deadline = st.date_input(tr("ap.deadline"), value=clock.today() + dt.timedelta(days=days),
                                     min_value=clock.today(), key="ap_deadline_form")
            note = st.text_input(tr("ap.note"), key="ap_note_form")
            if st.form_submit_button(tr("ap.open_button"), type="primary"):
                try:
                    row = appeals.open_publicity(wh, month, deadline=deadline, note=note, actor=who)
                except i18n.Refusal as exc:
                    refused(exc, stop=False)
                else:
                    st.session_state["ap_flash"] = tr("ap.opened", month=month, deadline=str(row["deadline"])[:10])
                    st.rerun()

    st.subheader(tr("ap.list_title"))
    rows = appeals.list_appeals(wh, who, month=month)
    tabs = st.tabs([tr("ap.tab", status=tr(f"ap.status.{s}"), n=int((rows["status"] == s).sum()))
                    for s in STATUSES])
    for tab, s in zip(tabs, STATUSES, strict=True):
        with tab:
            part = rows.loc[rows["status"] == s]
            if part.empty:
                st.caption(tr("ap.none"))
                continue
            st.dataframe(_table(part), hide_index=True, width="stretch")
            for _, row in part.iterrows():
                aid = int(row["id"])
                with st.container(border=True):
                    _detail(row)
                    _evidence_button(row, f"ap_ev_{s}_{aid}_dl")
                    if s == "open":
                        _decide_form(aid)

    st.subheader(tr("ap.publish_title"))
    n_open = int((rows["status"] == "open").sum())
    need = n_open > 0 or (notice is not None and not notice["passed"])
    if n_open:
        st.warning(tr("ap.publish_open", n=n_open))
    elif need:
        st.warning(tr("ap.publish_early", deadline=notice["deadline"].isoformat()))
    with st.form("ap_publish_form"):
        override = st.text_input(tr("ap.override"), key="ap_override_form") if need else None
        reason = st.text_input(tr("ap.revision_reason"), key="ap_rev_reason_form")
        if st.form_submit_button(tr("ap.publish_button"), type="primary"):
            try:
                rev = appeals.publish(wh, month, actor=who, reason=reason, override_reason=override)
            except i18n.Refusal as exc:
                refused(exc, stop=False)
            else:
                st.session_state["ap_flash"] = tr("ap.published", month=month, rev=rev)
                st.rerun()


def _decide_form(aid: int) -> None:
    with st.form(f"ap_decide_form_{aid}"):
        verdict = st.radio(tr("ap.verdict"), ["accept", "reject"], horizontal=True, key=f"ap_verdict_form_{aid}",
                           format_func=lambda v: tr(f"ap.verdict.{v}"))
        change = st.checkbox(tr("ap.change_score"), key=f"ap_change_form_{aid}")
        c1, c2 = st.columns(2)
        points = c1.number_input(tr("ap.points"), min_value=0.0, max_value=100.0, step=0.5, value=0.0,
                                 key=f"ap_points_form_{aid}")
        kind = c2.selectbox(tr("ap.kind"), list(appeals.ADJ_KINDS), key=f"ap_kind_form_{aid}",
                            format_func=lambda k: i18n.t(f"scoring.adjust.kind.{k}", lang))
        reason = st.text_area(tr("ap.decision_reason"), key=f"ap_reason_form_{aid}")
        if st.form_submit_button(tr("ap.decide_button")):
            accept = verdict == "accept"
            try:
                d = appeals.decide(wh, aid, accept=accept, reason=reason,
                                   points=points if accept and change else None,
                                   kind=kind if accept and change else None, actor=who, lang=lang)
            except i18n.Refusal as exc:
                refused(exc, stop=False)
            else:
                st.session_state["ap_flash"] = d.text(lang)
                st.rerun()


# -- a unit ---------------------------------------------------------------------------------------------------
def unit_view() -> None:
    _flash()
    unit = who.unit_code
    if not unit:
        st.info(tr("ap.no_unit"))
        return
    if notice is not None and not notice["passed"]:
        from kaohe.reports import scorecard

        st.download_button(tr("ap.draft_scorecard"), key="ap_draft_dl", icon=":material/picture_as_pdf:",
                           data=lambda: scorecard.scorecard_pdf(wh, unit, month, "month", lang, current=True,
                                                                actor=who),
                           file_name=f"scorecard-{unit}-{month}-draft.pdf", mime="application/pdf")
        st.subheader(tr("ap.file_title"))
        cat = wh.indicators(active_only=True)
        kind = pg.all_units.set_index("code")["kind"].get(unit)
        cat = cat.loc[cat["applies_to"].isin(["both", kind])]
        names = {r.code: f"{r.code} {i18n.pick(r.name_zh, r.name_en, lang)}" for r in cat.itertuples()}
        with st.form("ap_file_form", clear_on_submit=True):
            about = st.radio(tr("ap.about"), ["indicator", "item"], horizontal=True, key="ap_about_form",
                             format_func=lambda v: tr(f"ap.about.{v}"))
            code = st.selectbox(tr("ap.indicator"), list(names), format_func=names.get, key="ap_indicator_form")
            item = st.text_input(tr("ap.item"), key="ap_item_form")
            reason = st.text_area(tr("ap.reason"), key="ap_reason_form")
            limit_mb = appeals.MAX_EVIDENCE // 2**20
            admin.uploader_words("ap_evidence", tr("ap.evidence_drop", mb=limit_mb), limit_mb)
            upload = st.file_uploader(tr("ap.evidence"), type=["pdf", "png", "jpg", "jpeg"], key="ap_evidence_form",
                                      help=tr("ap.evidence_help", mb=appeals.MAX_EVIDENCE // 2**20))
            st.caption(tr("ap.evidence_help", mb=appeals.MAX_EVIDENCE // 2**20))
            if st.form_submit_button(tr("ap.file_button"), type="primary"):
                try:
                    aid = appeals.file_appeal(
                        wh, month, unit, indicator_code=code if about == "indicator" else None,
                        item=item if about == "item" else None, reason=reason,
                        evidence=upload if upload is not None else None,
                        evidence_name=upload.name if upload is not None else None, actor=who)
                except i18n.Refusal as exc:
                    refused(exc, stop=False)
                else:
                    st.session_state["ap_flash"] = tr("ap.filed", id=aid)
                    st.rerun()
    st.subheader(tr("ap.mine_title"))
    rows = appeals.list_appeals(wh, who)
    if rows.empty:
        st.caption(tr("ap.none"))
        return
    st.dataframe(_table(rows), hide_index=True, width="stretch")
    for _, row in rows.loc[rows["status"] == "open"].iterrows():
        aid = int(row["id"])
        if st.button(tr("ap.withdraw", id=aid), key=f"ap_withdraw_{aid}_btn"):
            try:
                appeals.withdraw(wh, aid, actor=who)
            except i18n.Refusal as exc:
                refused(exc, stop=False)
            else:
                st.session_state["ap_flash"] = tr("ap.withdrawn", id=aid)
                st.rerun()


def leader_view() -> None:
    rows = appeals.list_appeals(wh, who, month=month)
    status = st.selectbox(tr("ap.filter"), ["all", *STATUSES], key="ap_filter",
                          format_func=lambda s: tr("ap.all") if s == "all" else tr(f"ap.status.{s}"))
    if status != "all":
        rows = rows.loc[rows["status"] == status]
    if rows.empty:
        st.caption(tr("ap.none"))
    else:
        st.dataframe(_table(rows), hide_index=True, width="stretch")


if who.role == "admin":
    admin_view()
elif who.role == "unit":
    unit_view()
else:
    leader_view()
