"""导入批次 Batches: every import, who made it, what it accepted; roll a whole batch back."""

import html
import json
import re

import pandas as pd
import streamlit as st

from kaohe.base import access, clock, i18n
from kaohe.base.i18n import actor_name, sep
from kaohe.data import audit
from kaohe.data import warehouse as dw
from kaohe.data.warehouse import PublishedMonthError, WarehouseBusy
from kaohe.ingest import preview  # noqa: F401  (registers the batch table's column, kind and status words)
from kaohe.ui import auth
from kaohe.ui.setup import may, page, refused, tr
from kaohe.validation.report import Report, expectation_counts

BATCH_COLUMNS = ["batch_id", "created_at", "actor", "kind", "source_name", "rows_written", "status",
                 "warnings_accepted", "reason", "rolled_back_at", "rolled_back_by", "rollback_reason"]
_SEED = re.compile(r"seed\D*(\d+)")


def literal(text: str) -> None:
    """A sentence holding text a person typed (a name, a reason): escaped HTML, never markdown (a markdown
    renderer links a bare URL even through ui.text.plain's escapes)."""
    st.html(f'<p style="margin:0">{html.escape(str(text))}</p>')


def _record(text) -> dict:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {"value": value}


def source_label(kind, source_name, report: dict | None, lang_: str) -> str:
    """The file a batch came from; a sample batch in words, with its seed (stored as text by older
    releases, 'sample district (seed 20261)', or in its record: {'seed': 20261} or {'source': ...})."""
    if kind == "sample":
        report = report or {}
        seed = report.get("seed")
        if seed is None:
            m = _SEED.search(" ".join(str(x) for x in (source_name, report.get("source")) if x))
            seed = m.group(1) if m else None
        return i18n.t("audit.d.sample", lang_, seed=seed) if seed is not None \
            else i18n.t("import.batches.kind.sample", lang_)
    return "" if source_name is None or (isinstance(source_name, float) and pd.isna(source_name)) else str(source_name)


def batch_table(wh, batches: pd.DataFrame, reasons: dict, lang_: str) -> pd.DataFrame:
    """The batch list in words: local times, actors named, sample batches in words, rollback reasons."""
    df = batches.reindex(columns=BATCH_COLUMNS).astype(object)
    df = df.where(df.notna(), None)
    ids = df["batch_id"].astype(int)
    stored = df["rollback_reason"]
    # what a sample batch was made from: batches.source_detail in a newer core, its report before that
    reports = {int(b): {**_record((wh.batch(int(b)) or {}).get("report")),
                        **_record((wh.batch(int(b)) or {}).get("source_detail"))}
               for b, k in zip(ids, df["kind"], strict=True) if k == "sample"}
    out = pd.DataFrame({
        "batch_id": ids,
        "created_at": [clock.local_text(v) for v in df["created_at"]],
        "actor": [actor_name(v, lang_) for v in df["actor"]],
        "kind": [i18n.t_or(f"import.batches.kind.{v}", "" if v is None else str(v), lang_) for v in df["kind"]],
        "source_name": [source_label(k, s, reports.get(int(b)), lang_)
                        for b, k, s in zip(ids, df["kind"], df["source_name"], strict=True)],
        "rows_written": df["rows_written"],
        "status": [i18n.t_or(f"import.batches.status.{v}", "" if v is None else str(v), lang_) for v in df["status"]],
        "warnings_accepted": df["warnings_accepted"].fillna(False).astype(bool),
        "reason": df["reason"].fillna(""),
        "rolled_back_at": [clock.local_text(v) for v in df["rolled_back_at"]],
        "rolled_back_by": ["" if v is None else actor_name(v, lang_) for v in df["rolled_back_by"]],
        "rollback_reason": [s if s else (reasons.get(int(b)) or "") for b, s in zip(ids, stored, strict=True)],
    })
    titles = {c: i18n.t(f"import.batches.col.{c}", lang_) for c in BATCH_COLUMNS if c != "rollback_reason"}
    titles["rollback_reason"] = i18n.t("import.rollback_reason", lang_)
    return out.rename(columns=titles)


def expectation_summary(gx: dict, lang_: str) -> tuple[int, int, pd.DataFrame]:
    """(run, passed, per kind of check) over the import suite and the completeness suite: the core's counts
    (validation.report.expectation_counts) in words."""
    g = expectation_counts(gx)
    if g.empty:
        return 0, 0, pd.DataFrame()
    table = pd.DataFrame({
        tr("val.col.kind"): [i18n.t(f"val.kind.{k}", lang_) if isinstance(k, str)
                                       else tr("batches.check.kind.other") for k in g["kind"]],
        tr("batches.check.col.run"): g["run"].to_numpy(),
        tr("batches.check.col.passed"): g["passed"].to_numpy(),
        tr("batches.check.col.failed"): g["failed"].to_numpy(),
    })
    return int(g["run"].sum()), int(g["passed"].sum()), table


pg = page("info.batches", needs="nothing")
L, wh = pg.lang, pg.wh
flash = st.session_state.pop("imp_batches_flash", None)
if flash:
    st.success(flash)
batches = wh.batches()
if batches.empty:
    st.info(tr("import.batches.empty"))
    st.stop()

reasons = audit.rollback_reasons(wh)
shown = batch_table(wh, batches, reasons, L)
# the batch number stays in view while the wide table scrolls sideways
BATCH_WIDTHS = {"batch_id": 48, "created_at": 128, "actor": 96, "kind": 80, "source_name": 220, "rows_written": 64,
                "status": 64, "warnings_accepted": 84, "reason": 140, "rolled_back_at": 128, "rolled_back_by": 90,
                "rollback_reason": 180}
titles = dict(zip(BATCH_COLUMNS, shown.columns, strict=True))
st.dataframe(shown, hide_index=True, placeholder="—", key="imp_batches_table", column_config={
    titles[c]: st.column_config.Column(width=w, pinned=c == "batch_id") for c, w in BATCH_WIDTHS.items()})

ids = batches["batch_id"].astype(int).tolist()
status_col, source_col = tr("import.batches.col.status"), tr("import.batches.col.source_name")
label = {b: f"{b} · {s} · {st_}" for b, s, st_ in zip(ids, shown[source_col], shown[status_col], strict=True)}
picked = st.selectbox(tr("br.col.batch"), ids, format_func=lambda b: label.get(b, str(b)),
                      key="imp_batch_pick")
detail = wh.batch(picked) or {}
report = _record(detail.get("report"))
gx = _record(detail.get("gx_result"))

st.subheader(tr("batches.check.title"))
run, passed, per_kind = expectation_summary(gx, L)
if run:
    st.markdown(tr("batches.check.gx", n=run, passed=passed, failed=run - passed))
    st.dataframe(per_kind, hide_index=True, placeholder="—", key="imp_batch_gx")
else:
    st.caption(tr("batches.check.no_gx"))
if {"errors", "warnings", "infos"} <= set(report):
    st.markdown(tr("batches.check.counts", errors=report["errors"], warnings=report["warnings"],
                   infos=report["infos"]))
accepted = bool(detail.get("warnings_accepted"))
lines = [x for x in report.get("lines") or [] if isinstance(x, dict)]
if accepted:
    literal(tr("batches.check.accepted", n=report.get("warnings", len(lines)), who=actor_name(detail.get("actor"), L)))
elif run or report:
    st.caption(tr("batches.check.no_warnings"))
if lines:
    frame = pd.DataFrame(lines).reindex(columns=["check", "severity", "kind", "row", "column", "value", "params"])
    rendered = Report(frame).render(L)
    rendered = rendered.astype(object).where(rendered.notna(), "")
    st.caption(tr("batches.check.lines"))
    st.dataframe(rendered, hide_index=True, placeholder="—", key="imp_batch_lines",
                 column_order=[c for c in rendered.columns if c != tr("val.col.check")])
raw = {"batch_id": int(picked), "report": report or None, "gx_result": gx or None}
st.download_button(tr("batches.check.download"), json.dumps(raw, ensure_ascii=False, indent=2, default=str),
                   file_name=f"batch-{picked}-validation.json", mime="application/json",
                   key=f"imp_batch_json_{picked}_dl", on_click="ignore")

if detail.get("status") == "committed":
    months = audit.batch_months(wh, picked)
    frozen = sorted(set(months) & audit.frozen_months(wh))
    if not months:
        st.caption(tr("batches.months.none"))
    elif len(months) == 1:
        st.caption(tr("batches.months.one", month=months[0]))
    else:
        st.caption(tr("batches.months.many", n=len(months), first=months[0], last=months[-1]))
    # a role without the right (a leader, a unit) sees no rollback control; the core refuses it anyway
    if may("rollback", L):
        need_reason = len(months) > 1 or bool(frozen)
        why = (tr("batches.reason.why_published", months=sep(L).join(frozen)) if frozen
               else tr("batches.reason.why_many") if need_reason else None)
        if why:
            st.caption(why)
        reason = st.text_input(tr("batches.reason.required" if need_reason else "import.batches.reason"),
                               key="imp_rb_reason")
        sure = st.checkbox(tr("import.batches.confirm", batch_id=picked), key=f"imp_rb_confirm_{picked}")
        if st.button(tr("import.batches.rollback"), disabled=not sure, key="imp_rollback_btn"):
            reason = (reason or "").strip() or None
            if need_reason and not reason:
                st.error(tr("batches.reason.missing"))
            else:
                try:
                    n = wh.rollback_batch(int(picked), actor=auth.current(), reason=reason)
                # the warehouse's refusals, each in the session's words; anything else is a bug and surfaces
                except dw.RollbackNeedsReason as exc:
                    ms = exc.months
                    st.error(tr("batches.need_reason", batch_id=picked, n=len(ms), first=ms[0], last=ms[-1]))
                except PublishedMonthError as exc:
                    st.error(tr("import.batches.published", months=sep(L).join(exc.months)))
                except dw.BatchNotCommitted:
                    st.error(tr("import.batches.not_committed"))
                except WarehouseBusy:
                    st.error(tr("import.page.busy"))
                except (dw.Refusal, access.Forbidden) as exc:  # Forbidden: another office's indicators
                    refused(exc, stop=False)
                else:
                    st.session_state["imp_batches_flash"] = tr("import.batches.done", batch_id=picked, n=n)
                    st.rerun()
else:
    who = actor_name(detail.get("rolled_back_by"), L)
    when = clock.local_text(detail.get("rolled_back_at"))
    why = detail.get("rollback_reason") or reasons.get(int(picked))
    with st.container(border=True):
        literal(tr("batches.rolled_back.reason", when=when, who=who, reason=why) if why
                else tr("batches.rolled_back", when=when, who=who))
