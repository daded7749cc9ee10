"""公示与申诉 (pages/appeals.py) through AppTest, as an admin, a unit and a leader: every action goes through
metrics/appeals with the session's Principal, text from forms is shown as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kaohe.base import i18n
from kaohe.base.access import Principal
from kaohe.data import scoring_store
from kaohe.metrics import appeals as ap
from kaohe.ui import auth

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "appeals.py")
MONTH = "2026-10"
ADMIN = Principal("admin1", "admin")
LEADER = Principal("boss", "leader")
S01 = Principal("s01", "unit", unit_code="S01")
PDF = b"%PDF-1.4\n% evidence\n"


def open_as(who: Principal, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state[auth.SESSION_KEY] = who
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def texts(at) -> str:
    return "\n".join(e.value for e in [*at.text, *at.markdown, *at.caption, *at.info, *at.success, *at.warning,
                                       *at.error])


@pytest.fixture
def wh(app_db):
    scoring_store.ready(app_db)
    return app_db


def test_admin_opens_the_notice_with_the_schemes_default_deadline(wh):
    at = open_as(ADMIN)
    assert "2026-10 未在公示中" in texts(at)
    assert str(at.date_input(key="ap_deadline_form").value) == "2026-11-25"
    button(at, "开始公示").click().run()
    assert not at.exception, at.exception
    assert "截止日期 2026-11-25" in texts(at)
    assert ap.status(wh, MONTH)["deadline"].isoformat() == "2026-11-25"
    assert wh.audit_log().iloc[0]["actor"] == "admin1"


def test_unit_files_an_appeal_with_evidence_and_sees_the_decision(wh):
    ap.open_publicity(wh, MONTH, actor=ADMIN)
    at = open_as(S01)
    assert any(b.label == "下载本单位公示稿成绩单（PDF）" for b in at.get("download_button"))
    assert "不超过 5 MB" in texts(at)
    at.radio(key="ap_about_form").set_value("indicator")
    at.selectbox(key="ap_indicator_form").set_value("HL_RESPONSE")
    at.text_area(key="ap_reason_form").set_value("**粗体** <b>x</b> [链接](http://evil)")
    at.file_uploader(key="ap_evidence_form").upload("证明.pdf", PDF, "application/pdf")
    button(at, "提交申诉").click().run()
    assert not at.exception, at.exception
    rows = ap.list_appeals(wh, ADMIN)
    assert len(rows) == 1 and rows.iloc[0]["unit_code"] == "S01" and rows.iloc[0]["filed_by"] == "s01"
    assert ap.evidence(wh, int(rows.iloc[0]["id"]), actor=ADMIN)[2] == PDF
    assert "已提交" in texts(at)
    # the admin sees it as text, downloads the evidence, accepts it with a bonus
    at = open_as(ADMIN)
    assert "**粗体** <b>x</b> [链接](http://evil)" in [e.value for e in at.text]
    assert any(b.label == "下载证明材料" for b in at.get("download_button"))
    aid = int(rows.iloc[0]["id"])
    at.radio(key=f"ap_verdict_form_{aid}").set_value("accept")
    at.checkbox(key=f"ap_change_form_{aid}").check()
    at.number_input(key=f"ap_points_form_{aid}").set_value(1.5)
    at.selectbox(key=f"ap_kind_form_{aid}").set_value("bonus")
    at.text_area(key=f"ap_reason_form_{aid}").set_value("核实属实")
    button(at, "提交处理意见").click().run()
    assert not at.exception, at.exception
    row = ap.get_appeal(wh, aid, actor=ADMIN)
    assert row["status"] == "accepted" and row["adj_id"] is not None and not pd_na(row["adj_id"])
    # the unit sees the decision
    at = open_as(S01)
    df = at.dataframe[0].value
    assert "核实属实" in set(df["处理意见"]) and "已采纳" in set(df[i18n.t("ap.col.status", "zh")])


def pd_na(v) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def test_unit_refusal_in_words_and_nothing_written(wh):
    ap.open_publicity(wh, MONTH, actor=ADMIN)
    at = open_as(S01, "en")
    at.radio(key="ap_about_form").set_value("item")
    at.text_input(key="ap_item_form").set_value("a bonus not counted")
    at.text_area(key="ap_reason_form").set_value("see file")
    at.file_uploader(key="ap_evidence_form").upload("fake.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    button(at, "Submit the appeal").click().run()
    assert not at.exception, at.exception
    assert any("is not a PDF, PNG or JPEG file" in e.value for e in at.error)
    assert ap.list_appeals(wh, ADMIN).empty


def test_admin_publish_needs_the_override_while_appeals_are_open(wh):
    ap.open_publicity(wh, MONTH, actor=ADMIN)
    ap.file_appeal(wh, MONTH, "S01", item="x", reason="r", actor=S01)
    at = open_as(ADMIN)
    assert "还有 1 件申诉未处理" in texts(at)
    button(at, "发布").click().run()
    assert not at.exception, at.exception
    assert any("未处理" in e.value for e in at.error)
    assert scoring_store.publications(wh, MONTH).empty
    at.text_input(key="ap_override_form").set_value("常委会定于本周通报")
    button(at, "发布").click().run()
    assert not at.exception, at.exception
    notes = scoring_store.publication(wh, MONTH, "month")["notes"]
    assert notes["override_reason"] == "常委会定于本周通报"
    assert "已发布（第 1 版）" in texts(at)


def test_leader_reads_only(wh):
    ap.open_publicity(wh, MONTH, actor=ADMIN)
    ap.file_appeal(wh, MONTH, "S01", item="x", reason="r", actor=S01)
    at = open_as(LEADER, "en")
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 1
    labels = {b.label for b in at.button}
    assert not labels & {"Publish", "Record the decision", "Start the notice", "Submit the appeal"}
    assert not at.get("download_button")


def test_an_evaluator_is_refused_in_words(wh):
    at = open_as(Principal("e1", "evaluator", sources=frozenset({"12345"})))
    assert at.error and not at.dataframe


def test_unit_withdraws_its_open_appeal_and_sees_only_its_own(wh):
    ap.open_publicity(wh, MONTH, actor=ADMIN)
    aid = ap.file_appeal(wh, MONTH, "S01", item="x", reason="mine", actor=S01)
    ap.file_appeal(wh, MONTH, "S02", item="y", reason="theirs", actor=Principal("s02", "unit", unit_code="S02"))
    at = open_as(S01)
    df = at.dataframe[0].value
    assert list(df["申诉理由"]) == ["mine"]
    button(at, f"撤回申诉 #{aid}").click().run()
    assert not at.exception, at.exception
    assert ap.get_appeal(wh, aid, actor=S01)["status"] == "withdrawn"
    assert f"申诉 \\#{aid} 已撤回" in texts(at)  # plain(): shown literally as 申诉 #1 已撤回
