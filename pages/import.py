"""数据导入 Import: upload files, see how each was understood and what is wrong, then commit."""

import html
import threading

import pandas as pd
import streamlit as st

from kaohe.base import access, i18n
from kaohe.base import months as mo
from kaohe.base.i18n import sep
from kaohe.data.warehouse import WarehouseBusy
from kaohe.ingest import pipeline, preview
from kaohe.reports import template, validation_export
from kaohe.ui import auth, queries
from kaohe.ui.setup import may, page, refused, tr
from kaohe.ui.text import plain
from kaohe.validation import gx_runner

SHOW_AT_MOST = 2000
LIMIT_MB = pipeline.MAX_UPLOAD_BYTES / 2**20
# the problem table: what to fix right after the problem; widths in pixels that fit the main column beside
# the sidebar at 1280 px (about 820 px) and stretch on wider screens; rows tall enough to wrap. The kind is
# the filter above and in the summary and the downloads.
PROBLEM_ORDER = ["severity", "row", "column", "value", "problem", "fix", "expected"]
PROBLEM_WIDTHS = {"severity": 60, "row": 44, "column": 80, "value": 84, "problem": 196, "fix": 196, "expected": 150}
PROBLEM_ROW_HEIGHT = 82  # Streamlit wraps a cell's text only in rows taller than 4rem


def _css_text(text: str) -> str:
    """Our own message as a CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def uploader_words() -> None:
    """Streamlit's uploader in the reader's language: its English button, hint and size error are
    replaced by our words (CSS scoped to this page's uploader; no script)."""
    scope = ".st-key-imp_upload"
    st.html(f"""<style>
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {_css_text(tr("import.page.browse"))}; font-size: 0.875rem; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
{scope} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {_css_text(tr("import.page.drop"))}; font-size: 0.875rem; }}
{scope} [data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"] + div {{ font-size: 0; }}
{scope} [data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"] + div::after {{
  content: {_css_text(tr("import.page.chip_too_large", limit=LIMIT_MB))}; font-size: 0.75rem; }}
[data-testid="stTooltipErrorContent"] {{ display: none; }}
</style>""")


def literal(text: str, tag: str = "p") -> str:
    """Text from the file or its name as HTML text: escaped, never markdown (a markdown renderer links a
    bare URL even through ui.text.plain's escapes)."""
    return f"<{tag}>{html.escape(str(text))}</{tag}>"


def problem_table(shown, L: str):
    """The report's lines for the screen: blanks instead of None, the fix beside the problem."""
    lines = shown.render(L, limit=SHOW_AT_MOST)
    row = i18n.t("val.col.row", L)
    lines[row] = ["" if v is None or v is pd.NA or v != v else str(int(v)) for v in lines[row]]
    titles = {k: i18n.t(f"val.col.{k}", L) for k in PROBLEM_ORDER}
    config = {titles[k]: st.column_config.TextColumn(width=PROBLEM_WIDTHS[k]) for k in PROBLEM_ORDER}
    return lines, [titles[k] for k in PROBLEM_ORDER], config


@st.cache_resource(show_spinner=False)
def _warm_up_gx() -> bool:
    """Import GX in the background once per server, so the first upload does not wait for it."""
    threading.Thread(target=gx_runner.warm_up, daemon=True).start()
    return True


_warm_up_gx()
pg = page("page.import", needs="nothing", caption_key="import.page.intro")
L, wh = pg.lang, pg.wh

month_options = [""] + list(reversed(mo.span(mo.add(mo.last_complete(), -35), mo.last_complete())))
month = sheet = uploads = None
# a role without the right to import (a leader) sees the template download but no uploader; the core
# refuses an import by them anyway (pipeline.prepare/commit check access)
if may("import", L):
    c1, c2 = st.columns(2)
    month = c1.selectbox(tr("import.page.month"), month_options, key="imp_month",
                         format_func=lambda m: m or tr("import.page.month_none")) or None
    sheet = c2.text_input(tr("import.page.sheet"), key="imp_sheet").strip() or None
    uploader_words()
    uploads = st.file_uploader(tr("import.page.upload"), type=["csv", "tsv", "txt", "xlsx"],
                               accept_multiple_files=True, key="imp_upload", max_upload_size=round(LIMIT_MB))
    st.caption(tr("import.page.limit", limit=LIMIT_MB))



def template_download() -> None:
    """A blank import workbook for a month, all indicators or one source system's / office's
    (reports.template writes it; the page only asks)."""
    with st.expander(tr("import.tpl.title")):
        st.caption(tr("import.tpl.caption"))
        units, catalogue = queries.units(), queries.indicators()
        t1, t2, t3 = st.columns(3)
        months = month_options[1:]
        tpl_month = t1.selectbox(tr("import.tpl.month"), months, index=months.index(month) if month in months else 0,
                                 key="imp_tpl_month")

        def choices(col: str) -> list[str]:
            values = catalogue[col].dropna().astype(str).str.strip() if col in catalogue.columns else []
            return [""] + sorted({v for v in values if v})

        every = tr("kind.all")
        source = t2.selectbox(tr("cat.field.source_system"), choices("source_system"), key="imp_tpl_source",
                              format_func=lambda v: v or every) or None
        office = t3.selectbox(tr("cat.field.owner_office"), choices("owner_office"), key="imp_tpl_office",
                              format_func=lambda v: v or every) or None
        try:
            data = template.template(units, catalogue, tpl_month, source=source, office=office, lang=L)
        except template.TemplateRefused as exc:
            refused(exc, stop=False)
            return
        st.download_button(tr("import.tpl.download"), data,
                           file_name=template.file_name(tpl_month, source=source, office=office, lang=L),
                           mime=validation_export.XLSX_MIME, key="imp_tpl_dl")


template_download()
prepared = st.session_state.setdefault("imp_prepared", {})  # (hash, month, sheet) -> Prepared
landed = st.session_state.setdefault("imp_landed", {})  # hash -> BatchResult

for up in uploads or []:
    st.html(literal(up.name, "h3"))  # the file's name is the user's text
    size = up.size
    if size > pipeline.MAX_UPLOAD_BYTES:  # refuse before reading it into memory twice
        st.error(tr("import.page.too_large_here", mb=size / 2**20, limit=LIMIT_MB))
        continue
    data = up.getvalue()
    digest = pipeline.file_hash(data)
    tag = digest[:10]
    if digest in landed:
        res = landed[digest]
        st.success(tr("import.page.landed", batch_id=res.batch_id, rows=res.rows_written, revised=res.revised))
        continue
    reason = (st.session_state.get(f"imp_reason_{tag}") or "").strip() or None
    who = auth.current()
    key = (digest, month, sheet, reason is not None, access.login(who) if who is not None else None)
    if key not in prepared:
        with st.spinner(tr("import.page.reading")):
            try:
                prepared[key] = pipeline.prepare(data, up.name, wh, month=month, sheet=sheet,
                                                 correction=reason is not None, actor=who)
            except WarehouseBusy:
                st.error(tr("import.page.busy"))
                continue
            except access.Forbidden as exc:
                st.error(plain(exc.text(L)), icon=":material/block:")
                continue
    prep = prepared[key]

    pairs = preview.describe(prep, L)
    if pairs:
        with st.expander(tr("import.page.understood"), expanded=True):
            # the values come from the file (unit names, column headers): text, never markdown
            colon = "：" if L == "zh" else ": "
            st.html("<ul>" + "".join(f"<li><b>{html.escape(label)}</b>{colon}{html.escape(text)}</li>"
                                     for label, text in pairs) + "</ul>")
        with st.expander(tr("import.page.sample")):
            st.dataframe(preview.sample_rows(prep, L), hide_index=True, placeholder="—", key=f"imp_sample_{tag}")

    report = prep.report
    st.markdown(f"**{tr('import.page.report')}**{'：' if L == 'zh' else ': '}{report.summary_line(L)}")
    if report.problems.empty:
        st.caption(tr("import.page.clean"))
    else:
        st.dataframe(report.summary(L), hide_index=True, placeholder="—", key=f"imp_summary_{tag}")
        f1, f2 = st.columns(2)
        sev_opts = [s for s in ("error", "warning", "info") if (report.problems["severity"] == s).any()]
        sev = f1.multiselect(tr("val.col.severity"), sev_opts, default=sev_opts,
                             format_func=lambda s: tr(f"val.severity.{s}"), key=f"imp_sev_{tag}")
        kind_opts = sorted(report.problems["kind"].unique())
        kinds = f2.multiselect(tr("val.col.kind"), kind_opts, default=kind_opts,
                               format_func=lambda k: tr(f"val.kind.{k}"), key=f"imp_kind_{tag}")
        shown = report.filtered(sev, kinds)
        lines, order, config = problem_table(shown, L)  # the check's code is for the downloads
        st.dataframe(lines, hide_index=True, placeholder="—", key=f"imp_problems_{tag}", column_order=order,
                     column_config=config, row_height=PROBLEM_ROW_HEIGHT,
                     height=min(len(lines), 6) * PROBLEM_ROW_HEIGHT + 38)
        if len(shown.problems) > SHOW_AT_MOST:
            st.caption(tr("import.page.truncated", n=SHOW_AT_MOST, total=len(shown.problems)))
        d1, d2, _ = st.columns([1, 1, 2])
        stem = up.name.rsplit(".", 1)[0]
        # the files are written by the reports layer (reports.validation_export), every cell through reports.safe
        d1.download_button(tr("import.page.download_csv"), validation_export.csv_bytes(report, L),
                           file_name=f"{stem}-report.csv", mime="text/csv", key=f"imp_csv_{tag}_dl")
        d2.download_button(tr("import.page.download_xlsx"), validation_export.xlsx_bytes(report, L),
                           file_name=f"{stem}-report.xlsx", mime=validation_export.XLSX_MIME,
                           key=f"imp_xlsx_{tag}_dl")

    if prep.published:  # a correction of published results needs its reason
        st.text_input(tr("import.page.reason", months=sep(L).join(prep.published)), key=f"imp_reason_{tag}",
                      help=tr("import.page.reason_help"))
    if prep.refused is not None:  # indicators outside the evaluator's sources and offices: named, row by row
        st.error(plain(prep.refused.text(L)), icon=":material/block:")
        continue
    if prep.blocked:
        st.error(tr("import.refused.errors", n=report.errors))  # row by row in the table above
        continue
    accepted = True
    if prep.needs_confirmation:
        accepted = st.checkbox(tr("import.page.accept", n=report.warnings), key=f"imp_accept_{tag}")
    if st.button(tr("import.page.commit"), type="primary", disabled=not accepted, key=f"imp_commit_{tag}_btn"):
        try:
            res = pipeline.commit(prep, wh, actor=auth.current(), accept_warnings=accepted, reason=reason)
        except access.Forbidden as exc:
            st.error(plain(exc.text(L)), icon=":material/block:")
        except pipeline.ImportRefused as exc:
            st.error(tr(exc.key, **{k: plain(v) if isinstance(v, str) else v for k, v in exc.params.items()}))
        except WarehouseBusy:
            st.error(tr("import.page.busy"))
        else:
            landed[digest] = res
            prepared.pop(key, None)
            st.rerun()
