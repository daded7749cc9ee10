"""The upload and batch pages through Streamlit's AppTest (the browser test does the uploads)."""

from pathlib import Path

import import_corpus as corpus
from streamlit.testing.v1 import AppTest

from ingest import pipeline

ROOT = Path(__file__).resolve().parents[1]


def app():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at


def test_import_page_renders_in_both_languages(app_db):
    at = app()
    at.switch_page("pages/import.py").run()
    assert not at.exception
    assert at.title[0].value == "数据导入"
    assert at.selectbox(key="imp_month").value == ""  # "as in the file"
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and at.title[0].value == "Import"


def test_batches_page_rolls_back_a_batch_after_confirmation(app_db):
    prep = pipeline.prepare(corpus.hotline_gbk(), "hl.csv", app_db, current_month="2026-11")
    res = pipeline.commit(prep, app_db, actor="t", accept_warnings=True)
    at = app()
    at.switch_page("pages/batches.py").run()
    assert not at.exception
    assert at.selectbox(key="imp_batch_pick").value == res.batch_id
    assert at.button(key="imp_rollback_btn").disabled
    at.checkbox(key=f"imp_rb_confirm_{res.batch_id}").check().run()
    at.text_input(key="imp_rb_reason").input("上传错了").run()
    at.button(key="imp_rollback_btn").click().run()
    assert not at.exception
    assert app_db.batch(res.batch_id)["status"] == "rolled_back"
    assert any("已回滚批次" in s.value for s in at.success)


def test_batches_page_speaks_the_readers_language_and_shows_no_none(app_db):
    prep = pipeline.prepare(corpus.hotline_gbk(), "hl.csv", app_db, current_month="2026-11")
    res = pipeline.commit(prep, app_db, actor="t", accept_warnings=True)
    app_db.rollback_batch(res.batch_id, actor="t", reason="传错了")
    at = app()
    at.switch_page("pages/batches.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["状态"]) == {"有效", "已回滚"} and "示例数据" in set(table["类型"])
    cells = table.astype(str).to_numpy().ravel().tolist()
    assert not any(c in ("None", "NaT", "nan") for c in cells)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert set(table["Status"]) == {"in force", "rolled back"} and "sample data" in set(table["Kind"])


def test_import_page_states_the_upload_limit(app_db):
    at = app()
    at.switch_page("pages/import.py").run()
    limit = f"{pipeline.MAX_UPLOAD_BYTES / 2**20:.0f} MB"
    assert any(limit in c.value for c in at.caption)
