"""考核方案 Scheme page, managing the stored schemes (issue 14 item 3), in Chinese and English: the versions
listed and one activated after a confirm; a scheme file uploaded, previewed as its diff against the active
scheme and stored on the confirm; a bad JSON or XLSX listed problem by problem with the warehouse file
unchanged; a what-if kept as a draft version; a warehouse with no scheme offered the default; and the
scheme a scoring page used named on it."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from browser_helpers import open_app, shown
from streamlit.testing.v1 import AppTest

from kaohe.metrics import scheme_admin

ROOT = Path(__file__).resolve().parents[1]


def app(page: str, lang: str = "zh") -> AppTest:
    return open_app(page, 90, lang)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def texts(at) -> str:
    parts = [*at.text, *at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.error]
    return shown("\n".join(e.value for e in parts))


def uploader(at, key):
    return next(u for u in at.file_uploader if key in u.proto.id)


def table(at, column: str):
    """The table on the page that has this column (a dataframe's proto carries no key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def problems(at, lang: str):
    return table(at, "问题" if lang == "zh" else "Problem")


def button(at, key):
    return next(b for b in at.button if b.key == key)


def has_button(at, key) -> bool:
    return any(b.key == key for b in at.button)


def active_2026(wh) -> dict:
    return scheme_admin.get(wh, "2026")


def edited(wh, version: str = "2026.9") -> dict:
    """The active 2026 scheme with one dimension's weight changed, as a new version."""
    data = copy.deepcopy(active_2026(wh)["data"])
    data["version"] = version
    dims = data["kinds"]["street"]["dimensions"]
    dims[0]["weight"] += 5
    dims[1]["weight"] -= 5
    return data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_versions_are_listed_with_status_in_words(app_db, lang):
    at = app("pages/scheme.py", lang)
    versions = scheme_admin.versions(app_db)
    shown_versions = table(at, "版本状态" if lang == "zh" else "Version status")
    assert len(shown_versions) == len(versions)
    status = "生效" if lang == "zh" else "active"
    col = "版本状态" if lang == "zh" else "Version status"
    assert status in set(shown_versions[col])
    active = active_2026(app_db)
    name = active["data"]["name_zh" if lang == "zh" else "name_en"]
    in_force = "2026-10 适用的考核方案" if lang == "zh" else "Scheme in force for 2026-10"
    assert in_force in texts(at) and name in texts(at)
    # the chosen version downloads as a workbook and as JSON
    labels = {d.proto.label for d in at.get("download_button")}
    assert ("下载 Excel 工作簿" if lang == "zh" else "Download as an Excel workbook") in labels


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_good_json_shows_its_diff_then_the_confirm_stores_and_activates_it(app_db, lang):
    data = edited(app_db)
    digest = sha256(app_db.path)
    at = app("pages/scheme.py", lang)
    uploader(at, "sc_file").set_value(("own.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")).run()
    assert not at.exception, at.exception
    for line in scheme_admin_diff_lines(app_db, data, lang):  # the version and the two weights
        assert line in texts(at)
    assert sha256(app_db.path) == digest  # the preview writes nothing
    at.checkbox(key="sc_upload_activate").check().run()
    button(at, "sc_import_btn").click().run()
    assert not at.exception, at.exception
    assert active_2026(app_db)["version"] == "2026.9"
    row = scheme_admin.get(app_db, "2026", "2026.9")
    assert row["source_name"] == "own.json" and row["created_by"]
    done = "已导入考核方案 2026 年 2026.9 版（生效）" if lang == "zh" else "imported scheme 2026 version 2026.9 (active)"
    assert done in texts(at)


def scheme_admin_diff_lines(wh, data: dict, lang: str) -> list[str]:
    from kaohe.metrics import scheme_diff

    a = active_2026(wh)["data"]
    names = {r["code"]: (r["name_zh"] if lang == "zh" else r["name_en"] or r["name_zh"])
             for _, r in wh.indicators().iterrows()}
    lines = scheme_diff.words(scheme_diff.diff(a, data), lang, a=a, b=data, names=names)
    assert len(lines) == 3
    return lines


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_json_is_listed_problem_by_problem_and_changes_nothing(app_db, lang):
    data = edited(app_db)
    data["kinds"]["street"]["dimensions"][0]["indicators"][0]["code"] = "NO_SUCH"
    data["grades"] = "best"
    digest, before = sha256(app_db.path), scheme_admin.versions(app_db)
    at = app("pages/scheme.py", lang)
    uploader(at, "sc_file").set_value(("bad.json", json.dumps(data).encode(), "application/json")).run()
    assert not at.exception, at.exception
    listed = problems(at, lang)
    assert len(listed) >= 2
    assert any("NO_SUCH" in p for p in listed.iloc[:, 0])
    assert ("未写入任何内容" if lang == "zh" else "Nothing was written") in texts(at)
    assert not has_button(at, "sc_import_btn")
    assert sha256(app_db.path) == digest
    assert scheme_admin.versions(app_db).equals(before)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_xlsx_is_refused_in_words_and_changes_nothing(app_db, lang):
    from district_files import xlsx

    from kaohe.reports import scheme_book

    digest = sha256(app_db.path)
    at = app("pages/scheme.py", lang)
    # not a scheme workbook at all
    uploader(at, "sc_file").set_value(("notes.xlsx", xlsx([["a", "b"], [1, 2]]), "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert at.error and not has_button(at, "sc_import_btn")
    # a scheme workbook whose weight is not a number
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(scheme_book.workbook(edited(app_db), lang, app_db.indicators())))
    bad = _spoil_a_weight(book)
    buf = io.BytesIO()
    book.save(buf)
    uploader(at, "sc_file").set_value(("spoilt.xlsx", buf.getvalue(), "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert at.error and not has_button(at, "sc_import_btn")
    assert bad in texts(at) + "\n".join(problems(at, lang).iloc[:, 0])
    assert sha256(app_db.path) == digest


def _spoil_a_weight(book) -> str:
    """Put a word in the first weight cell of the indicators sheet; returns the word."""
    for ws in book.worksheets:
        headers = [str(c.value or "") for c in ws[1]]
        for j, h in enumerate(headers, start=1):
            if "权重" in h or "weight" in h.lower():
                ws.cell(2, j).value = "lots"
                return "lots"
    raise AssertionError("no weight column")


def test_a_draft_is_activated_after_the_confirm(app_db):
    scheme_admin.import_scheme(app_db, edited(app_db, "2026.7"), actor="tester")
    at = app("pages/scheme.py")
    at.selectbox(key="sc_version").set_value("2026:2026.7").run()
    assert not at.exception, at.exception
    assert "与 2026 年生效方案" in texts(at)  # its diff against the active one
    button(at, "sc_activate_btn").click().run()
    assert "确认把 2026 年 2026.7 版设为生效方案" in texts(at)
    assert active_2026(app_db)["version"] != "2026.7"  # not before the confirm
    button(at, "sc_activate_confirm_btn").click().run()
    assert not at.exception, at.exception
    assert active_2026(app_db)["version"] == "2026.7"
    assert "2026 年 2026.7 版考核方案已生效" in texts(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_what_if_is_saved_as_a_new_draft_with_its_diff(app_db, lang):
    at = app("pages/scheme.py", lang)
    at.number_input(key="sc_dw_HL").set_value(60.0).run()
    assert not at.exception, at.exception
    assert ("模拟方案与生效方案相比" if lang == "zh" else "The what-if against the active scheme") in texts(at)
    before = set(scheme_admin.versions(app_db)["version"])
    button(at, "sc_save_draft_btn").click().run()
    assert not at.exception, at.exception
    v = scheme_admin.versions(app_db)
    new = set(v["version"]) - before
    assert len(new) == 1
    (version,) = new
    row = scheme_admin.get(app_db, "2026", version)
    assert row["status"] == "draft"
    # the what-if's scheme as the core makes it (weights are proportions, made to sum to 100 again)
    from kaohe.metrics import service

    want = service.current_scheme(app_db, "2026").with_changes({"dimension_weights": {"HL": 60.0}}).data
    assert {k: v for k, v in row["data"].items() if k != "version"} == \
        {k: v for k, v in want.items() if k != "version"}
    assert active_2026(app_db)["version"] != version


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_warehouse_with_no_scheme_says_so_and_offers_the_default(app_empty_db, lang):
    assert scheme_admin.versions(app_empty_db).empty
    at = app("pages/scheme.py", lang)
    assert not at.exception, at.exception
    assert has_button(at, "sc_copy_default_btn")
    assert at.info
    button(at, "sc_copy_default_btn").click().run()
    assert not at.exception, at.exception
    v = scheme_admin.versions(app_empty_db)
    assert len(v) == 1 and v.iloc[0]["status"] == "active"
    assert not at.exception


def test_the_scoring_pages_name_the_scheme_they_used_once(app_db):
    active = active_2026(app_db)
    name_zh, name_en, version = active["data"]["name_zh"], active["data"]["name_en"], active["version"]
    at = app("pages/rankings.py")  # in its own caption, beside the publication state
    named = [c.value for c in at.caption if name_zh in shown(c.value)]
    assert len(named) == 1 and version in shown(named[0])
    for page in ("pages/overview.py", "pages/trends.py", "pages/meeting.py"):
        at = app(page)
        assert shown("\n".join(c.value for c in at.caption)).count(f"考核方案：{name_zh}（{version}）") == 1, page
    at = app("pages/overview.py", "en")
    assert f"scheme: {name_en} ({version})" in texts(at)


def test_last_years_scheme_is_copied_to_a_new_year_in_english(app_db):
    at = app("pages/scheme.py", "en")
    at.text_input(key="sc_new_year").set_value("2027").run()
    at.selectbox(key="sc_copy_from").set_value("2026").run()
    assert not at.exception, at.exception
    assert not has_button(at, "sc_activate_confirm_btn")
    button(at, "sc_copy_btn").click().run()
    assert not at.exception, at.exception
    v = scheme_admin.versions(app_db)
    row = v[v["year"] == "2027"].iloc[0]
    assert row["version"] == "2027.1" and row["status"] == "draft" and row["source_name"].startswith("2026:")
    assert "copied 2026 to scheme 2027 version 2027.1 (draft)" in texts(at)
    # a year that is not one is refused in words, nothing written
    digest = sha256(app_db.path)
    at.text_input(key="sc_new_year").set_value("next").run()
    button(at, "sc_copy_default_btn").click().run()
    assert not at.exception, at.exception
    assert any("is not a four-digit year" in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert sha256(app_db.path) == digest


def test_a_schemes_own_text_is_shown_as_text_not_markdown(app_db):
    hostile = "[点我](http://evil.example) **粗体** <b>x</b>"
    data = edited(app_db, "2026.8")
    data["name_zh"] = hostile
    at = app("pages/scheme.py")
    uploader(at, "sc_file").set_value(("x.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")).run()
    assert not at.exception, at.exception
    raw = "\n".join(e.value for e in [*at.markdown, *at.success, *at.info, *at.caption])
    assert "](http" not in raw and "**粗体**" not in raw  # escaped wherever markdown renders it
    assert hostile in texts(at)  # and still there, as the reader sees it
    button(at, "sc_import_btn").click().run()
    assert not at.exception, at.exception
    at.selectbox(key="sc_version").set_value("2026:2026.8").run()
    assert hostile in table(at, "方案名称")["方案名称"].tolist()  # a table cell: text
