"""Scorecards and exports: PDFs drawn with fpdf2 (no browser), an Excel workbook, CSV.

Every number comes from the scoring engine's build (`metrics.service`); nothing here
reads SQL. Text is Chinese by default, English with lang="en" (keys "report.*").
"""
