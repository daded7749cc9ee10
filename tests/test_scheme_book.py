"""The scheme as an Excel workbook: export then import gives the same scheme (same dict, same
fingerprint), an edit made in Excel comes back as exactly that change, and bad workbooks are refused
item by item, naming sheet, row and column, in Chinese and English."""

from __future__ import annotations

import copy
import io
import json

import openpyxl
import pytest
import scheme_corpus as corpus

from kaohe.data.catalogue import read_indicators
from kaohe.ingest import scheme_book as reader
from kaohe.metrics import scheme, scheme_diff
from kaohe.reports import scheme_book


@pytest.fixture(scope="module")
def catalogue():
    return read_indicators()


def _load(data: dict, cat):
    return scheme.load_dict(data, cat)


@pytest.mark.parametrize("year", ["2025", "2026"])
@pytest.mark.parametrize("lang", [None, "zh", "en"])
def test_export_then_import_is_the_same_scheme(year, lang, catalogue):
    data = corpus.default(year)
    back = reader.read_workbook(scheme_book.workbook(data, lang, catalogue), lang)
    assert back == data
    assert _load(back, catalogue).fingerprint == _load(data, catalogue).fingerprint
    loaded = scheme_book.load_workbook(scheme_book.workbook(data, lang), catalogue, lang)
    assert loaded.fingerprint == scheme.fingerprint(data)


def test_a_what_if_with_float_weights_comes_back_to_the_last_digit(catalogue):
    """A what-if normalises weights to floats (30.0, 100/3 ...): every one comes back as the same float."""
    base = _load(corpus.default("2026"), catalogue)
    what_if = base.with_changes({"dimension_weights": {"HL": 1, "DS": 1, "SF": 1},
                                 "indicator_weights": {"HL_RESPONSE": 1}})
    data = copy.deepcopy(what_if.data)
    data["grades"]["quota"] = {"excellent": 1 / 3, "good": 1.0}
    data["kinds"]["street"]["dimensions"][0]["indicators"][0]["params"]["target"] = 90.0
    assert any(isinstance(d["weight"], float) and not d["weight"].is_integer()
               for d in data["kinds"]["street"]["dimensions"])
    for lang in ("zh", "en"):
        back = reader.read_workbook(scheme_book.workbook(data, lang))
        assert back == data
        assert scheme.fingerprint(back) == scheme.fingerprint(data)


def test_the_same_ranks_after_a_round_trip(catalogue, sample_wh):
    """Scored with the imported workbook, the sample district's month has the same totals and ranks."""
    from kaohe.metrics import build

    data = corpus.default("2026")
    back = scheme_book.load_workbook(scheme_book.workbook(data, "en"), catalogue, "en")
    units, month = sample_wh.units(), "2026-10"
    obs = sample_wh.observations(month_from=month, month_to=month)
    a = build.compute(_load(data, catalogue), units, catalogue, obs, None, month, n_history=1).totals
    b = build.compute(back, units, catalogue, obs, None, month, n_history=1).totals
    assert len(a) > 10
    assert a.equals(b)


def test_the_workbook_is_readable(catalogue):
    wb = openpyxl.load_workbook(io.BytesIO(scheme_book.workbook(corpus.default(), "zh", catalogue)))
    assert wb.sheetnames == ["方案", "维度与权重", "指标与规则", "分组调整", "加减分", "否决", "等次", "其他设置", "说明"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert all(c.value for c in ws[1])  # every column has a header
        for letter, dim in ws.column_dimensions.items():
            assert dim.width >= 8, (ws.title, letter)
    ind = wb["指标与规则"]
    assert [c.value for c in ind[1]][:7] == ["单位类别", "维度编码", "编码", "指标名称（仅供参考）", "权重（%）",
                                             "计分规则（rule）", "规则参数（key=value）"]
    row = [c.value for c in ind[2]]
    assert row[:7] == ["街道/乡镇", "HL", "HL_RESPONSE", row[3], 24, "target_deduct", "target=95; per_point=2"]
    assert row[3]  # the indicator's name from the catalogue
    assert isinstance(row[4], int)  # numbers stay numbers
    notes = wb["说明"]
    text = " ".join(str(c.value) for r in notes.iter_rows() for c in r if c.value)
    for word in ("维度与权重", "权重（%）", "街道/乡镇、部门", "excellent", "target=95", "target_deduct",
                 "per_point（必填）", "full（默认 100）"):
        assert word in text
    grades = wb["等次"]
    assert grades["C2"].value == 0.2 and "%" in grades["C2"].number_format
    en = openpyxl.load_workbook(io.BytesIO(scheme_book.workbook(corpus.default(), "en")))
    assert en.sheetnames[:3] == ["Scheme settings", "Dimensions", "Indicators"]
    assert [c.value for c in en["Indicators"][1]][4] == "Weight (%)"
    assert en["Dimensions"]["A2"].value == "Streets and towns"


def test_an_edit_made_in_excel_comes_back_as_exactly_that_change(catalogue):
    data = corpus.default("2026")

    def edit(wb, lang):
        ws = wb["指标与规则"]
        assert ws["C2"].value == "HL_RESPONSE" and ws["C3"].value == "HL_RESOLVE"
        ws["E2"] = 20  # a weight down, another up: the dimension still sums to 100
        ws["E3"] = "32"  # typed as text
        ws["G2"] = "target=90; per_point=2"

    back = reader.read_workbook(corpus.edited("zh", edit))
    changes = scheme_diff.diff(data, back)
    assert [(c["kind"], c["indicator"], c["field"], c["before"], c["after"]) for c in changes] == [
        ("street", "HL_RESPONSE", "weight", 24, 20),
        ("street", "HL_RESPONSE", "params.target", 95, 90),
        ("street", "HL_RESOLVE", "weight", 28, 32),
    ]
    assert scheme_diff.words(changes, "zh", a=data, b=back) == [
        "街道/乡镇·接诉即办·HL_RESPONSE：权重 24 → 20",
        "街道/乡镇·接诉即办·HL_RESPONSE：参数 target 95 → 90",
        "街道/乡镇·接诉即办·HL_RESOLVE：权重 28 → 32",
    ]
    edited = _load(back, catalogue)
    assert edited.fingerprint != scheme.fingerprint(data)


def test_forgiving_where_a_person_is(catalogue):
    """English headers on a Chinese workbook, kinds in words, numbers as text, percent cells, blank
    trailing rows, a column of the person's own, a formula sign in a name."""
    data = corpus.default("2026")
    data["kinds"]["street"]["dimensions"][0]["name_zh"] = "=HYPERLINK(\"http://x\")"

    def edit(wb, lang):
        ws = wb["维度与权重"]
        assert str(ws["C2"].value).startswith("'=")  # never a formula in Excel
        for j, col in enumerate(reader.SHEET["dimensions"].cols, start=1):
            ws.cell(1, j, col.header("en"))  # English headers
        ws["A3"] = "街道"  # 街道 alone, for 街道/乡镇
        ws["E3"] = " 15 "
        ws["A20"] = None
        ws.cell(1, 10, "备注")  # the person's own remark column
        ws.cell(2, 10, "looked at in June")
        ind = wb["指标与规则"]
        ind["E1"] = "权重"  # the header without its (%)
        ind["A4"] = "street"
        ind["E4"] = "28%"  # a percent typed in a weight: 28
        for _ in range(5):
            ind.append([None] * 9)  # blank trailing rows
        wb["等次"]["C2"].value = 0.2
        wb["等次"]["C2"].number_format = "0%"
        wb["方案"]["C4"] = 2026  # the year typed as a number
        veto = wb["否决"]
        veto.insert_rows(1, 2)  # a title row and a blank one above the header
        veto["A1"] = "一票否决事项"

    back = reader.read_workbook(corpus.edited("zh", edit, data))
    assert back == data
    assert scheme_book.load_workbook(corpus.edited("zh", edit, data), catalogue).fingerprint == \
        scheme.fingerprint(data)


def test_an_explicitly_empty_parameter_set_and_other_sections_survive():
    data = corpus.default("2025")
    data["kinds"]["street"]["dimensions"][0]["indicators"][0]["params"] = {}
    data["adjustments"]["rules"] = []
    data["future_section"] = {"a": [1, 2], "b": "x"}
    data["lists"]["note"] = "kept"
    data["code"] = "007"  # a setting the layout does not know, text that looks like a number: stays text
    data["lists"]["ratio"] = 0.5
    data["alerts"]["on"] = True
    data["groups"] = {}
    assert reader.read_workbook(scheme_book.workbook(data)) == data


def test_values_a_cell_cannot_tell_from_blank_and_quotes_survive():
    data = corpus.default("2026")
    dims = data["kinds"]["street"]["dimensions"]
    data["name_en"] = ""
    dims[0]["name_en"] = ""
    dims[0]["indicators"][0]["cap"] = None  # invalid, but export keeps what the file says
    dims[1]["name_zh"] = "=SUM(A1)"
    dims[2]["name_zh"] = "'=x"
    dims[3]["name_zh"] = "'quoted"
    data["veto"]["triggers"][0]["reason_en"] = ""
    data["adjustments"]["rules"][0]["reason_zh"] = "@cmd"
    data["groups"]["rural"]["note_en"] = ""
    for lang in ("zh", "en"):
        assert reader.read_workbook(scheme_book.workbook(data, lang)) == data
    wb = openpyxl.load_workbook(io.BytesIO(scheme_book.workbook(data)))
    cells = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # nothing runs as a formula


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_workbooks_are_refused_naming_sheet_row_and_column(lang, catalogue):
    cases = corpus.bad_workbooks(lang)
    assert len(cases) >= 25 and len({c.name for c in cases}) == len(cases)
    for case in cases:
        with pytest.raises((reader.BookRefusal, scheme.SchemeError)) as exc:
            if case.stage == "read":
                reader.read_workbook(case.data, lang, **case.kwargs)
            else:
                reader.read_workbook(case.data, lang)  # the reader takes it ...
                scheme_book.load_workbook(case.data, catalogue, lang)  # ... the scheme's validation refuses it
        assert case.stage == "read" or not isinstance(exc.value, reader.BookRefusal), case.name
        text = exc.value.text(lang)
        for fragment in case.expect:
            assert fragment in text, (case.name, fragment, text)
        assert "Traceback" not in text and "{" not in text.replace("{oops", ""), (case.name, text)
        other = "en" if lang == "zh" else "zh"
        assert exc.value.text(other) != text, case.name  # worded in the language asked for
        assert str(exc.value) == text, case.name
        with pytest.raises(scheme.SchemeError) as whole:  # the one import call: always a SchemeError
            scheme_book.load_workbook(case.data, catalogue, lang, **case.kwargs)
        assert whole.value.message(lang) == text and str(whole.value) == text, case.name
        assert whole.value.problems_in(other) == exc.value.problems_in(other), case.name


def test_a_flood_of_problems_is_listed_up_to_a_limit():
    def edit(wb, lang):
        ws = wb["指标与规则"]
        for r in range(2, ws.max_row + 11):  # 50 indicators and 10 more rows
            ws.cell(r, 5).value = "x"

    with pytest.raises(reader.BookRefusal) as exc:
        reader.read_workbook(corpus.edited("zh", edit))
    problems = exc.value.problems_in("zh")
    assert len(problems) == reader.BookRefusal.LISTED + 1 and problems[-1].startswith("另有 ")


def test_a_refusal_lists_every_problem_at_once():
    def edit(wb, lang):
        ws = wb["指标与规则"]
        ws["E2"] = "abc"
        ws["A3"] = "村"
        ws["G4"] = "floor60"

    with pytest.raises(reader.BookRefusal) as exc:
        reader.read_workbook(corpus.edited("zh", edit))
    problems = exc.value.problems_in("zh")
    assert problems == [
        "工作表“指标与规则”第 2 行“权重（%）”列：“abc”不是数字，请填写数字（如 20 或 95.5）",
        "工作表“指标与规则”第 3 行“单位类别”列：“村”不是可填的值，可填：街道/乡镇、部门",
        "工作表“指标与规则”第 4 行“规则参数（key=value）”列：参数“floor60”写法有误，请写成 名称=数字，用分号隔开"
        "（如 `target=95; per_point=2`）",
    ]
    assert exc.value.problems_in("en")[0] == \
        "sheet '指标与规则', row 2, column '权重（%）': 'abc' is not a number: write a number (such as 20 or 95.5)"


@pytest.mark.parametrize("case", corpus.bad_json(), ids=[c[0] for c in corpus.bad_json()])
def test_bad_json_scheme_files_are_refused_in_words(case, catalogue, tmp_path):
    name, data, expect = case
    path = tmp_path / name
    path.write_bytes(data)
    for lang in ("zh", "en"):
        with pytest.raises(scheme.SchemeError) as exc:
            scheme.load(path, catalogue, lang)
        text = exc.value.message(lang)
        if lang == "zh":
            assert all(f in text for f in expect), (name, text)
        assert "Traceback" not in text


def test_nothing_of_the_json_is_lost_for_every_key():
    """Every key the model knows appears somewhere in the workbook."""
    data = corpus.default("2026")
    content = scheme_book.rows(data)
    assert {r["key"] for r in content["scheme"]} >= {"id", "version", "year", "missing.policy",
                                                     "missing.carry_months", "adjustments.bonus_cap",
                                                     "veto.cap_grade", "lists.red", "alerts.bottom_n"}
    assert len(content["indicators"]) == sum(len(d["indicators"]) for k in data["kinds"].values()
                                             for d in k["dimensions"])
    assert json.loads(json.dumps(content, default=str))
