"""The audit-log page (审计日志) through AppTest, and its data functions (data/audit.py)."""

from __future__ import annotations

import datetime as dt

import import_corpus as corpus
from browser_helpers import open_app
from test_i18n_catalogue import CJK, half_width_marks

from kaohe.base import clock, i18n
from kaohe.data import audit
from kaohe.ingest import pipeline
from kaohe.metrics import service


def landed(wh, actor="李四", name="hl.csv"):
    prep = pipeline.prepare(corpus.hotline_gbk(), name, wh, current_month="2026-11")
    return pipeline.commit(prep, wh, actor=actor, accept_warnings=True)


def test_entries_filter_by_actor_action_month_and_unit(sample_wh):
    res = landed(sample_wh)
    sample_wh.rollback_batch(res.batch_id, actor="张三", reason="传错了")
    service.add_adjustment(sample_wh, "S03", "2026-09", "bonus", 1, "市级表彰", None, "王五")
    every = audit.entries(sample_wh)
    assert every["seq"].tolist() == sorted(every["seq"], reverse=True)  # newest first
    assert audit.entries(sample_wh, actor="张三")["action"].tolist() == ["batch.rollback"]
    assert audit.entries(sample_wh, action="adjustment.bonus")["target"].tolist() == ["S03"]
    # a month: the adjustment's own month, a batch that holds it (the sample holds every month)
    sep = audit.entries(sample_wh, month="2026-09")
    assert {"adjustment.bonus", "batch.sample"} <= set(sep["action"]) and "batch.import" not in set(sep["action"])
    # a unit: the adjustment's target, the batches holding values for it
    s03 = audit.entries(sample_wh, unit="S03")
    assert set(s03["action"]) == {"adjustment.bonus", "batch.sample", "batch.import", "batch.rollback"}
    assert audit.entries(sample_wh, unit="S03", month="2026-10")["action"].tolist() == [
        "batch.rollback", "batch.import", "batch.sample"]
    # values are bound, never formatted into the SQL
    assert audit.entries(sample_wh, actor="x' OR '1'='1").empty
    assert set(audit.actors(sample_wh)) == {"system", "张三", "李四", "王五"}
    assert audit.rollback_reasons(sample_wh) == {res.batch_id: "传错了"}
    assert audit.batch_months(sample_wh, res.batch_id) == ["2026-10"]
    assert len(audit.batch_months(sample_wh, 1)) == 36


def test_audit_page_in_words_local_time_and_filters(app_db):
    res = landed(app_db)
    app_db.rollback_batch(res.batch_id, actor="张三", reason="传错了")
    service.add_adjustment(app_db, "S01", "2026-10", "veto", 0, "发生重大安全事故", "区应急〔2026〕3号", "王五")
    at = open_app("pages/audit.py")
    assert at.title[0].value == "审计日志"
    table = at.dataframe[0].value
    assert table["内容"].str.contains("\u00a0").any()  # kept together where the grid wraps
    table["内容"] = table["内容"].str.replace("\u00a0", " ")
    assert list(table.columns) == ["序号", "时间", "操作人", "操作", "对象", "内容"]
    first = table.iloc[0]
    assert first["操作"] == "一票否决" and first["对象"] == "S01 东湖街道" and first["操作人"] == "王五"
    assert "理由：发生重大安全事故" in first["内容"] and "依据：区应急〔2026〕3号" in first["内容"]
    rollback = table[table["操作"] == "回滚批次"].iloc[0]
    assert rollback["对象"] == f"批次 {res.batch_id}" and "理由：传错了" in rollback["内容"]
    sample = table[table["操作"] == "载入示例数据"].iloc[0]
    assert sample["操作人"] == "系统初始化" and "sample district" not in sample["内容"]
    assert "示例数据（种子 20261）" in sample["内容"] or sample["内容"].startswith("月份")  # the seed, where the log has it
    assert "月份：2023-11 至 2026-10（36 个月）" in sample["内容"]
    # local time: the stored UTC time, moved into the office's zone
    stored = audit.entries(app_db)["logged_at"].iloc[0]
    assert first["时间"] == clock.local_text(stored, seconds=True)
    assert dt.datetime.fromisoformat(first["时间"]) - stored.to_pydatetime() == dt.timedelta(hours=8)

    at.selectbox(key="au_actor").set_value("张三").run()
    assert at.dataframe[0].value["操作"].tolist() == ["回滚批次"]
    at.selectbox(key="au_actor").set_value(None).run()
    at.selectbox(key="au_action").set_value("adjustment.veto").run()
    assert at.dataframe[0].value["对象"].tolist() == ["S01 东湖街道"]
    at.selectbox(key="au_action").set_value(None).run()
    at.selectbox(key="au_month").set_value("2026-09").run()
    assert set(at.dataframe[0].value["操作"]) == {"载入示例数据"}
    at.selectbox(key="au_month").set_value(None).run()
    at.selectbox(key="au_unit").set_value("S01").run()
    assert at.dataframe[0].value["操作"].tolist() == ["一票否决", "回滚批次", "导入文件", "载入示例数据"]
    at.selectbox(key="au_unit").set_value(None).run()
    at.selectbox(key="au_actor").set_value("王五").run()
    at.selectbox(key="au_month").set_value("2026-09").run()  # nothing matches both
    assert not at.exception and any("没有符合条件的记录" in i.value for i in at.info)


def test_audit_page_in_english_and_its_csv(app_db):
    landed(app_db, actor="dashboard")
    at = open_app("pages/audit.py")
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception and at.title[0].value == "Audit log"
    table = at.dataframe[0].value
    assert list(table.columns) == ["No.", "When", "By", "Action", "Concerning", "Details"]
    assert table.iloc[0]["By"] == "dashboard user" and table.iloc[0]["Action"] == "file imported"
    assert "file: hl.csv" in table.iloc[0]["Details"] and "month: 2026-10" in table.iloc[0]["Details"]
    assert table[table["Action"] == "sample data loaded"].iloc[0]["By"] == "system set-up"
    [button] = at.get("download_button")
    assert button.proto.label == "Download the audit log (CSV)"


def test_audit_messages_in_full_width_punctuation(app_db):
    open_app("pages/audit.py")
    at = open_app("pages/batches.py")
    at.switch_page("pages/import.py").run()
    mine = [k for k in i18n.keys() if  # noqa: SIM118 (a function, not a dict)
             k.startswith(("audit.", "batches.", "import.page.", "import.batches.", "page."))]
    assert any(k.startswith("audit.action.") for k in mine)
    bad = {k: i18n.t(k, "zh") for k in mine if CJK.search(i18n.t(k, "zh")) and half_width_marks(i18n.t(k, "zh"))}
    assert not bad, bad


def test_data_pages_in_english_leave_no_chinese(app_db):
    from test_pages_smoke import chinese_left

    for page, title in (("pages/audit.py", "Audit log"), ("pages/batches.py", "Import batches"),
                        ("pages/import.py", "Import")):
        at = open_app()
        at.session_state["lang"] = "en"
        at.session_state["kind"] = "department"
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert at.title[0].value == title
        assert chinese_left(at) == [], page


def test_audit_page_on_an_empty_warehouse(app_empty_db):
    at = open_app("pages/audit.py")
    assert at.title[0].value == "审计日志"
    assert set(at.dataframe[0].value["操作"]) <= {"更新指标目录", "更新单位名录"}
    assert at.selectbox(key="au_month").options == ["全部"]


def test_a_register_change_reads_before_and_after_in_words(app_db):
    """A rename and a retirement are told field by field (before → after), in the reader's language,
    never as the stored dict text."""
    from kaohe.data import catalogue_admin, units

    units.rename(app_db, "S01", name_zh="东湖新街道", name_en="Donghu New", month="2026-11", actor="张三")
    catalogue_admin.retire(app_db, "CP_SURVEY", month="2026-11", actor="李四")
    at = open_app("pages/audit.py")
    table = at.dataframe[0].value
    text = " ".join(table["内容"].str.replace("\u00a0", " "))
    assert "单位名称：东湖街道 → 东湖新街道" in text
    assert "{" not in text and "'before'" not in text
    at.session_state["lang"] = "en"
    at.run()
    text = " ".join(at.dataframe[0].value["Details"])
    assert "→ Donghu New" in text and "{" not in text
