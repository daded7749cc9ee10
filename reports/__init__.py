"""Scorecards and exports: PDFs drawn with fpdf2 (no browser), an Excel workbook, CSV.

Entry points (the dashboard's download buttons and `kaohe` call these):

    reports.scorecard.scorecard_pdf(wh, unit_code, month, period="month", lang="zh", build=None, *, actor) -> bytes
    reports.summary.summary_pdf(wh, month, period="month", lang="zh", build=None, *, actor) -> bytes
    reports.batch.scorecards_zip(wh, month, lang="zh", progress=None, *, actor) -> bytes   # progress(done, total)
    reports.batch.scorecards_merged_pdf(wh, month, lang="zh", progress=None, *, actor) -> bytes
    reports.excel.workbook(wh, month, period="month", lang="zh", build=None, *, actor) -> bytes
    reports.csvexport.rankings_csv / explanations_csv / csv_bytes -> bytes (UTF-8 with BOM)

Pass `build` when a `metrics.service.build` of the same month and period is at hand; a build made
with n_history=12 also feeds the trend charts without a second build. Every number comes from
the scoring engine's build; nothing here reads SQL. Text is Chinese by default, English with
lang="en" (message keys "report.*").
"""
