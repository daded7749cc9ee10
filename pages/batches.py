"""导入批次 Batches: every import, who made it, what it accepted; roll a whole batch back."""

import json

import streamlit as st

from data.warehouse import PublishedMonthError, WarehouseBusy
from kaohe import i18n, settings
from ui.setup import tr, warehouse

i18n.register({
    "import.batches.title": ("导入批次", "Import batches"),
    "import.batches.empty": ("尚无导入批次。", "No batches yet."),
    "import.batches.pick": ("批次", "Batch"),
    "import.batches.detail": ("批次详情", "Batch details"),
    "import.batches.report": ("导入时的校验记录(含已确认的警告)", "Validation record at import (accepted warnings)"),
    "import.batches.gx": ("Great Expectations 原始结果", "Raw Great Expectations result"),
    "import.batches.reason": ("回滚理由", "Reason for the rollback"),
    "import.batches.confirm": ("确认回滚批次 {batch_id}(整批撤回,恢复此前的值)",
                               "Roll back batch {batch_id} (withdraw it whole, restore earlier values)"),
    "import.batches.rollback": ("回滚", "Roll back"),
    "import.batches.done": ("已回滚批次 {batch_id},{n} 个数据项恢复为此前的值。",
                            "Rolled back batch {batch_id}: {n} values restored."),
    "import.batches.published": ("该批次涉及已发布月份 {months},请填写回滚理由。",
                                 "This batch touches published months {months}; give a reason."),
    "import.batches.not_committed": ("该批次已回滚。", "This batch is already rolled back."),
    "import.batches.busy": ("数据仓库正被占用,请稍后重试。", "The warehouse is busy; try again shortly."),
    **{f"import.batches.col.{k}": v for k, v in {
        "batch_id": ("批次", "Batch"), "created_at": ("时间", "When"), "actor": ("操作人", "By"),
        "kind": ("类型", "Kind"), "source_name": ("文件", "File"), "rows_written": ("行数", "Rows"),
        "status": ("状态", "Status"), "warnings_accepted": ("已确认警告", "Warnings accepted"),
        "reason": ("理由", "Reason"), "rolled_back_at": ("回滚时间", "Rolled back at"),
        "rolled_back_by": ("回滚人", "Rolled back by")}.items()},
    "import.batches.status.committed": ("有效", "in force"),
    "import.batches.status.rolled_back": ("已回滚", "rolled back"),
    "import.batches.kind.import": ("文件导入", "file import"),
    "import.batches.kind.sample": ("示例数据", "sample data"),
})


def _words(prefix: str, values):
    """A stored code in the reader's language; a code with no words yet is shown as it is."""
    return [tr(f"{prefix}.{v}") if i18n.has(f"{prefix}.{v}") else ("" if v is None else str(v)) for v in values]


def _when(values):
    return ["" if v is None or v != v else str(v)[:16] for v in values]

wh = warehouse()
st.title(tr("import.batches.title"))
flash = st.session_state.pop("imp_batches_flash", None)
if flash:
    st.success(flash)
batches = wh.batches()
if batches.empty:
    st.info(tr("import.batches.empty"))
    st.stop()

cols = ["batch_id", "created_at", "actor", "kind", "source_name", "rows_written", "status", "warnings_accepted",
        "reason", "rolled_back_at", "rolled_back_by"]
shown = batches[cols].astype(object).where(batches[cols].notna(), None)
shown = shown.assign(created_at=_when(shown["created_at"]), rolled_back_at=_when(shown["rolled_back_at"]),
                     kind=_words("import.batches.kind", shown["kind"]),
                     status=_words("import.batches.status", shown["status"]),
                     reason=shown["reason"].fillna(""), rolled_back_by=shown["rolled_back_by"].fillna(""),
                     source_name=shown["source_name"].fillna(""),
                     warnings_accepted=shown["warnings_accepted"].fillna(False).astype(bool))
st.dataframe(shown.rename(columns={c: tr(f"import.batches.col.{c}") for c in cols}), hide_index=True,
             key="imp_batches_table")

ids = batches["batch_id"].astype(int).tolist()
label = dict(zip(ids, (f"{b} · {s or ''} · {st_}" for b, s, st_ in
                       zip(batches["batch_id"], batches["source_name"], shown["status"], strict=True)), strict=True))
picked = st.selectbox(tr("import.batches.pick"), ids, format_func=label.get, key="imp_batch_pick")
detail = wh.batch(picked) or {}
with st.expander(tr("import.batches.report")):
    st.json(json.loads(detail.get("report") or "null"), expanded=False)
with st.expander(tr("import.batches.gx")):
    st.json(json.loads(detail.get("gx_result") or "null"), expanded=False)

if detail.get("status") == "committed":
    reason = st.text_input(tr("import.batches.reason"), key="imp_rb_reason")
    sure = st.checkbox(tr("import.batches.confirm", batch_id=picked), key=f"imp_rb_confirm_{picked}")
    if st.button(tr("import.batches.rollback"), disabled=not sure, key="imp_rollback_btn"):
        try:
            n = wh.rollback_batch(int(picked), actor=settings.actor(), reason=reason.strip() or None)
        except PublishedMonthError as exc:
            st.error(tr("import.batches.published", months=", ".join(exc.months)))
        except ValueError:
            st.error(tr("import.batches.not_committed"))
        except WarehouseBusy:
            st.error(tr("import.batches.busy"))
        else:
            st.session_state["imp_batches_flash"] = tr("import.batches.done", batch_id=picked, n=n)
            st.rerun()
else:
    st.caption(tr("import.batches.not_committed"))
