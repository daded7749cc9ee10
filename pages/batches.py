"""导入批次 Batches: every import, who made it, what it accepted; roll a whole batch back."""

import json

import streamlit as st

from data.warehouse import PublishedMonthError, WarehouseBusy
from ingest import preview
from kaohe import i18n, settings
from ui.setup import lang, tr, warehouse

i18n.register({
    "import.batches.title": ("导入批次", "Import batches"),
    "import.batches.empty": ("尚无导入批次。", "No batches yet."),
    "import.batches.pick": ("批次", "Batch"),
    "import.batches.detail": ("批次详情", "Batch details"),
    "import.batches.report": ("导入时的校验记录（含已确认的警告）", "Validation record at import (accepted warnings)"),
    "import.batches.gx": ("Great Expectations 原始结果", "Raw Great Expectations result"),
    "import.batches.reason": ("回滚理由", "Reason for the rollback"),
    "import.batches.confirm": ("确认回滚批次 {batch_id}（整批撤回，恢复此前的值）",
                               "Roll back batch {batch_id} (withdraw it whole, restore earlier values)"),
    "import.batches.rollback": ("回滚", "Roll back"),
    "import.batches.done": ("已回滚批次 {batch_id}。{n} 个数据项已恢复为此前的值。",
                            "Rolled back batch {batch_id}: {n} values restored."),
    "import.batches.published": ("该批次涉及已发布月份 {months}，请填写回滚理由。",
                                 "This batch touches published months {months}; give a reason."),
    "import.batches.not_committed": ("该批次已回滚。", "This batch is already rolled back."),
    "import.batches.busy": ("数据仓库正被占用，请稍后重试。", "The warehouse is busy; try again shortly."),
})

wh = warehouse()
st.title(tr("import.batches.title"))
flash = st.session_state.pop("imp_batches_flash", None)
if flash:
    st.success(flash)
batches = wh.batches()
if batches.empty:
    st.info(tr("import.batches.empty"))
    st.stop()

shown = preview.batch_table(batches, lang())
st.dataframe(shown, hide_index=True, key="imp_batches_table")

ids = batches["batch_id"].astype(int).tolist()
label = dict(zip(ids, (f"{b} · {s or ''} · {st_}" for b, s, st_ in
                       zip(batches["batch_id"], batches["source_name"], shown[tr("import.batches.col.status")],
                           strict=True)), strict=True))
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
