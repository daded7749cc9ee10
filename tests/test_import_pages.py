"""The upload and batch pages through Streamlit's AppTest (the browser test does the uploads)."""

import json
from pathlib import Path

import import_corpus as corpus
from streamlit.testing.v1 import AppTest

from kaohe.ingest import pipeline

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


def landed(wh, name="hl.csv", actor="李四", reason=None):
    prep = pipeline.prepare(corpus.hotline_gbk(), name, wh, current_month="2026-11", correction=reason is not None)
    return pipeline.commit(prep, wh, actor=actor, accept_warnings=True, reason=reason)


def test_batches_page_shows_local_times_actors_and_sample_in_words_and_rollback_reasons(app_db):
    from kaohe.base import clock

    res = landed(app_db)
    app_db.rollback_batch(res.batch_id, actor="张三", reason="传错了")
    at = app()
    at.switch_page("pages/batches.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    sample = table[table["类型"] == "示例数据"].iloc[0]
    assert sample["文件"] == "示例数据（种子 20261）" and sample["操作人"] == "系统初始化"
    mine = table[table["批次"] == res.batch_id].iloc[0]
    assert mine["回滚人"] == "张三" and mine["回滚理由"] == "传错了" and mine["操作人"] == "李四"
    stored = app_db.batch(res.batch_id)
    assert mine["时间"] == clock.local_text(stored["created_at"]) != str(stored["created_at"])[:16]
    assert mine["回滚时间"] == clock.local_text(stored["rolled_back_at"])
    # the rolled-back batch, picked, says when, by whom and why
    assert "传错了" in " ".join(h.proto.body for h in at.get("html"))
    at.session_state["lang"] = "en"
    at.run()
    table = at.dataframe[0].value
    assert table[table["Kind"] == "sample data"].iloc[0]["File"] == "sample data (seed 20261)"
    assert table[table["Kind"] == "sample data"].iloc[0]["By"] == "system set-up"
    assert "Rollback reason" in table.columns


def test_a_sample_batch_named_by_its_kind_is_shown_in_words(app_db):
    """A newer core stores no English name for the sample batch (kind 'sample', seed in its record)."""
    detail = '{"generator": "kaohe.data.sample", "units": 30, "seed": 7}'
    if "source_detail" in app_db.batch(1):  # schema 4
        app_db.query("UPDATE batches SET source_name = NULL, source_detail = ? WHERE kind = 'sample'", [detail])
    else:
        app_db.query("UPDATE batches SET source_name = NULL, report = ? WHERE kind = 'sample'", [detail])
    at = app()
    at.switch_page("pages/batches.py").run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value.iloc[0]["文件"] == "示例数据（种子 7）"


def test_batches_page_summarises_the_checks_and_offers_the_raw_record(app_db):
    res = landed(app_db)
    at = app()
    at.switch_page("pages/batches.py").run()
    assert at.selectbox(key="imp_batch_pick").value == res.batch_id
    said = "\n".join(m.value for m in at.markdown)
    gx = json.loads(app_db.batch(res.batch_id)["gx_result"])
    n = len(gx["results"]) + len(gx.get("completeness", {}).get("results", []))
    assert f"共运行 {n} 条期望规则" in said and "导入时：错误 0 项" in said
    kinds = at.dataframe[1].value
    assert list(kinds.columns) == ["类别", "期望规则", "通过", "未通过"] and kinds["期望规则"].sum() == n
    assert "Great Expectations" not in said and not at.json  # no raw JSON on the page
    [download] = at.get("download_button")
    assert download.proto.label == "下载完整校验记录（JSON）"


def test_rolling_back_several_months_needs_a_reason(app_db):
    at = app()
    at.switch_page("pages/batches.py").run()
    assert at.selectbox(key="imp_batch_pick").value == 1  # the sample: 36 months
    assert at.text_input(key="imp_rb_reason").label == "回滚理由（必填）"
    assert any("2023-11 至 2026-10" in c.value for c in at.caption)
    at.checkbox(key="imp_rb_confirm_1").check().run()
    at.button(key="imp_rollback_btn").click().run()
    assert any("请先填写回滚理由" in e.value for e in at.error)
    assert app_db.batch(1)["status"] == "committed"
    at.text_input(key="imp_rb_reason").input("示例数据不再需要").run()
    at.button(key="imp_rollback_btn").click().run()
    assert not at.exception, at.exception
    assert app_db.batch(1)["status"] == "rolled_back"
    from kaohe.data import audit

    assert audit.rollback_reasons(app_db)[1] == "示例数据不再需要"


def test_rolling_back_a_published_month_needs_a_reason_and_the_cores_refusal_is_shown(app_db, monkeypatch):
    from kaohe.data.warehouse import PublishedMonthError, Warehouse
    from kaohe.metrics import service

    service.publish(app_db, "2026-10", "考核办")
    res = landed(app_db, reason="热线平台重算")
    at = app()
    at.switch_page("pages/batches.py").run()
    assert at.selectbox(key="imp_batch_pick").value == res.batch_id
    assert any("已发布月份 2026-10" in c.value for c in at.caption)
    at.checkbox(key=f"imp_rb_confirm_{res.batch_id}").check().run()
    at.button(key="imp_rollback_btn").click().run()
    assert any("请先填写回滚理由" in e.value for e in at.error)
    assert app_db.batch(res.batch_id)["status"] == "committed"

    def refuse(self, batch_id, *, actor, reason=None):
        raise PublishedMonthError(["2026-10"])

    monkeypatch.setattr(Warehouse, "rollback_batch", refuse)  # the core refuses what the page let through
    at.text_input(key="imp_rb_reason").input("重算有误").run()
    at.button(key="imp_rollback_btn").click().run()
    assert not at.exception, at.exception
    assert any("涉及已发布月份 2026-10" in e.value for e in at.error)


def test_the_uploader_speaks_the_readers_language_and_caps_files_at_the_pages_limit(app_db):
    at = app()
    at.switch_page("pages/import.py").run()
    [uploader] = at.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == round(pipeline.MAX_UPLOAD_BYTES / 2**20) == 20
    css = " ".join(h.proto.body for h in at.get("html"))
    assert ".st-key-imp_upload" in css and '"选择文件"' in css and "超过 20 MB，未上传" in css
    at.session_state["lang"] = "en"
    at.run()
    css = " ".join(h.proto.body for h in at.get("html"))
    assert '"Browse files"' in css and "over 20 MB, not uploaded" in css


def test_a_bug_behind_the_rollback_button_is_an_error_not_already_rolled_back(app_db, monkeypatch):
    """Only the warehouse's refusals are caught, each in words: a plain ValueError is a bug and surfaces
    (it used to read "该批次已回滚"), and a refusal the page has no words of its own for is shown as it is."""
    from kaohe.data.warehouse import UnknownBatch, Warehouse

    prep = pipeline.prepare(corpus.hotline_gbk(), "hl.csv", app_db, current_month="2026-11")
    res = pipeline.commit(prep, app_db, actor="t", accept_warnings=True)

    def bug(self, batch_id, *, actor, reason=None):
        raise ValueError("a bug in the rollback")

    monkeypatch.setattr(Warehouse, "rollback_batch", bug)
    at = app()
    at.switch_page("pages/batches.py").run()
    at.checkbox(key=f"imp_rb_confirm_{res.batch_id}").check().run()
    at.text_input(key="imp_rb_reason").input("上传错了").run()
    at.button(key="imp_rollback_btn").click().run()
    assert at.exception and "a bug in the rollback" in at.exception[0].message
    assert not any("该批次已回滚" in e.value for e in at.error)

    def unknown(self, batch_id, *, actor, reason=None):
        raise UnknownBatch(batch_id)

    monkeypatch.setattr(Warehouse, "rollback_batch", unknown)
    at = app()
    at.switch_page("pages/batches.py").run()
    at.checkbox(key=f"imp_rb_confirm_{res.batch_id}").check().run()
    at.text_input(key="imp_rb_reason").input("上传错了").run()
    at.button(key="imp_rollback_btn").click().run()
    assert not at.exception, at.exception
    assert any(str(res.batch_id) in e.value for e in at.error), [e.value for e in at.error]
    assert app_db.batch(res.batch_id)["status"] == "committed"


def _download(at, key):
    found = [d for d in at.get("download_button") if d.proto.id.endswith(key) or key in d.proto.id]
    assert found, [d.proto.id for d in at.get("download_button")]
    return found[0]


def _keep_media(monkeypatch) -> dict:
    """The files the page hands to download buttons, by their media id (AppTest's storage is let go
    after each run)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    kept: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        kept[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return kept


def _template_bytes(at, kept: dict, key="imp_tpl_dl") -> bytes:
    """The bytes behind the page's template download, as the browser would fetch them."""
    url = _download(at, key).proto.url
    [data] = [v for k, v in kept.items() if k in url]
    return data


def test_import_page_offers_the_template_of_a_month_and_a_source(app_db, monkeypatch):
    import io

    import openpyxl

    with app_db.transaction() as con:
        con.execute("UPDATE indicators SET source_system = ? WHERE code LIKE 'HL_%'", ["12345"])
    kept = _keep_media(monkeypatch)
    at = app()
    at.switch_page("pages/import.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="imp_tpl_month").value == "2026-10"
    assert "12345" in at.selectbox(key="imp_tpl_source").options
    label = _download(at, "imp_tpl_dl").proto.label
    assert label == "下载模板（XLSX）"
    at.selectbox(key="imp_tpl_source").select("12345").run()
    assert not at.exception and not at.error
    dl = _download(at, "imp_tpl_dl")
    assert dl.proto.label == "下载模板（XLSX）"
    data = _template_bytes(at, kept)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    codes = {r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert codes and all(c.startswith("HL_") for c in codes)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and _download(at, "imp_tpl_dl").proto.label == "Download the template (XLSX)"
    ws = openpyxl.load_workbook(io.BytesIO(_template_bytes(at, kept))).worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["unit_code", "indicator_code", "month"]


def test_import_page_says_why_there_is_no_template(app_empty_db):
    at = app()
    at.switch_page("pages/import.py").run()
    assert not at.exception, at.exception
    assert any("没有在册的单位" in e.value for e in at.error)
    assert not at.get("download_button")
