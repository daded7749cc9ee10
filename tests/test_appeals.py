"""公示 → 申诉 → 发布 in the core (metrics/appeals.py): each step, each refusal in words, the wrong
roles refused, the warehouse unchanged on refusal, the publish gate and the revision's notes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest

from kaohe.base import access
from kaohe.base.access import Principal
from kaohe.data import scoring_store
from kaohe.metrics import appeals as ap
from kaohe.metrics import service
from kaohe.metrics.publish import PublishError

MONTH = "2026-10"
ADMIN = Principal("admin1", "admin")
LEADER = Principal("boss", "leader")
EVAL = Principal("eval1", "evaluator", sources=frozenset({"12345"}))
S01 = Principal("s01", "unit", unit_code="S01")
S02 = Principal("s02", "unit", unit_code="S02")
PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32


def snapshot(wh) -> tuple:
    """Every table's content, and the file's bytes: what 'nothing written' means."""
    tables = wh.query("SELECT table_name FROM information_schema.tables ORDER BY table_name")["table_name"]
    content = tuple((t, wh.query(f'SELECT * FROM "{t}"').to_csv(index=False)) for t in tables)
    return content, wh.path.read_bytes()


@pytest.fixture
def wh(sample_wh):
    scoring_store.ready(sample_wh)
    return sample_wh


@pytest.fixture
def on_notice(wh):
    ap.open_publicity(wh, MONTH, days=7, actor=ADMIN)
    return wh


def refused(exc_info, key: str) -> None:
    assert exc_info.value.key == key, exc_info.value.key
    assert exc_info.value.text("zh") and exc_info.value.text("en")


# -- 公示 --------------------------------------------------------------------------------------------
def test_open_publicity_default_days_from_the_scheme(wh):
    row = ap.open_publicity(wh, MONTH, actor=ADMIN)
    assert str(row["deadline"])[:10] == "2026-11-25"  # 2026-11-20 + the scheme's default 5 days
    st = ap.status(wh, MONTH)
    assert st["deadline"] == dt.date(2026, 11, 25) and not st["passed"]
    log = wh.audit_log()
    assert log.iloc[0]["action"] == "publicity.open" and log.iloc[0]["actor"] == "admin1"


def test_the_scheme_sets_the_days(wh, monkeypatch):
    monkeypatch.setattr(ap, "scheme_publicity", lambda wh_, m: {"days": 9, "channel_zh": "区考核办电话 12345",
                                                                "channel_en": "the office, tel. 12345"})
    row = ap.open_publicity(wh, MONTH, actor=ADMIN)
    assert str(row["deadline"])[:10] == "2026-11-29"


def test_scheme_model_accepts_publicity_and_old_fingerprints_hold(wh):
    from kaohe.metrics import scheme_model

    s = service.current_scheme(wh, "2026")
    fp = s.fingerprint
    assert "publicity" not in s.data  # stored schemes keep their content, so their fingerprints
    data = json.loads(json.dumps(s.data))
    data["publicity"] = {"days": 7, "channel_zh": "考核办", "channel_en": "the office"}
    model, errors = scheme_model.check(data, wh.indicators(active_only=False))
    assert not errors and model.publicity.days == 7
    data["publicity"]["days"] = 0
    assert scheme_model.check(data, wh.indicators(active_only=False))[1]
    assert service.current_scheme(wh, "2026").fingerprint == fp
    assert ap.scheme_publicity(wh, MONTH)["days"] == 5


def test_open_publicity_refusals_write_nothing(wh):
    before = snapshot(wh)
    with pytest.raises(ap.AppealError) as e:
        ap.open_publicity(wh, MONTH, deadline="2026-11-19", actor=ADMIN)
    refused(e, "ap.err.deadline_past")
    with pytest.raises(ap.AppealError) as e:
        ap.open_publicity(wh, MONTH, deadline="27/11/2026", actor=ADMIN)
    refused(e, "ap.err.bad_deadline")
    with pytest.raises(ap.AppealError) as e:
        ap.open_publicity(wh, MONTH, days=0, actor=ADMIN)
    refused(e, "ap.err.bad_days")
    for who in (LEADER, EVAL, S01):
        with pytest.raises(access.Forbidden):
            ap.open_publicity(wh, MONTH, actor=who)
    assert snapshot(wh) == before
    ap.open_publicity(wh, MONTH, deadline="2026-11-20", actor=ADMIN)  # today is allowed
    with pytest.raises(ap.AppealError) as e:
        ap.open_publicity(wh, MONTH, actor=ADMIN)
    refused(e, "ap.err.already_open")


def test_a_published_month_is_not_put_on_notice(wh):
    service.publish(wh, MONTH, "admin1")
    with pytest.raises(ap.AppealError) as e:
        ap.open_publicity(wh, MONTH, actor=ADMIN)
    refused(e, "ap.err.published")


# -- filing -----------------------------------------------------------------------------------------
def test_file_an_appeal_with_evidence(on_notice):
    wh = on_notice
    aid = ap.file_appeal(wh, MONTH, "S01", indicator_code="HL_RESPONSE", reason="工单 123 重复派发",
                         evidence=PDF, evidence_name="<b>证明</b>.pdf", actor=S01)
    row = ap.get_appeal(wh, aid, actor=S01)
    assert row["status"] == "open" and row["evidence_mime"] == "application/pdf"
    assert row["evidence_name"] == "<b>证明</b>.pdf" and row["evidence_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert ap.evidence(wh, aid, actor=ADMIN) == ("<b>证明</b>.pdf", "application/pdf", PDF)
    a2 = ap.file_appeal(wh, MONTH, "S01", item="加分项未计入", reason="见附件", evidence=io.BytesIO(PNG),
                        evidence_name="a.jpg", actor=S01)
    assert ap.get_appeal(wh, a2, actor=ADMIN)["evidence_mime"] == "image/png"  # by content, not the name
    a3 = ap.file_appeal(wh, MONTH, "S01", item="其他", reason="无附件", actor=S01)
    assert ap.get_appeal(wh, a3, actor=ADMIN)["evidence_mime"] is None
    assert int(ap.get_appeal(wh, aid, actor=ADMIN)["evidence_size"]) == len(PDF)
    log = wh.audit_log()
    assert (log["action"] == "appeal.file").sum() == 3 and set(log.loc[log["action"] == "appeal.file", "actor"]) == {"s01"}


@pytest.mark.parametrize("kwargs,key", [
    ({"indicator_code": "HL_RESPONSE", "reason": "  "}, "ap.err.no_reason"),
    ({"reason": "why"}, "ap.err.no_target"),
    ({"indicator_code": "HL_RESPONSE", "item": "x", "reason": "why"}, "ap.err.both_targets"),
    ({"indicator_code": "DP_WHISTLE", "reason": "why"}, "ap.err.unknown_indicator"),  # a department's
    ({"indicator_code": "NOPE", "reason": "why"}, "ap.err.unknown_indicator"),
    ({"item": "x", "reason": "why", "evidence": b"GIF89a....", "evidence_name": "x.pdf"}, "ap.err.evidence_type"),
    ({"item": "x", "reason": "why", "evidence": b"<html>%PDF-", "evidence_name": "x.pdf"}, "ap.err.evidence_type"),
    ({"item": "x", "reason": "why", "evidence": b"", "evidence_name": "x.pdf"}, "ap.err.evidence_empty"),
    ({"item": "x", "reason": "why", "evidence": PDF + b"\0" * ap.MAX_EVIDENCE, "evidence_name": "big.pdf"},
     "ap.err.evidence_size"),
])
def test_filing_refusals_in_words_write_nothing(on_notice, kwargs, key):
    before = snapshot(on_notice)
    with pytest.raises(ap.AppealError) as e:
        ap.file_appeal(on_notice, MONTH, "S01", actor=S01, **kwargs)
    refused(e, key)
    assert snapshot(on_notice) == before


def test_the_size_limit_is_checked_before_reading_more(on_notice):
    class Stream(io.BytesIO):
        asked: list = []

        def read(self, n=-1):
            self.asked.append(n)
            return super().read(n)

    s = Stream(JPEG + b"\0" * (ap.MAX_EVIDENCE * 2))
    with pytest.raises(ap.AppealError) as e:
        ap.file_appeal(on_notice, MONTH, "S01", item="x", reason="y", evidence=s, evidence_name="p.jpg", actor=S01)
    refused(e, "ap.err.evidence_size")
    assert Stream.asked == [ap.MAX_EVIDENCE + 1]


def test_wrong_roles_and_other_units_are_refused(on_notice):
    before = snapshot(on_notice)
    for who in (ADMIN, LEADER, EVAL):
        with pytest.raises(access.Forbidden):
            ap.file_appeal(on_notice, MONTH, "S01", item="x", reason="y", actor=who)
    with pytest.raises(access.Forbidden) as e:
        ap.file_appeal(on_notice, MONTH, "S01", item="x", reason="y", actor=S02)
    assert e.value.key == "access.other_unit"
    with pytest.raises(access.Forbidden):
        ap.file_appeal(on_notice, MONTH, "S01", item="x", reason="y", actor="local-admin")  # the CLI is no unit
    assert snapshot(on_notice) == before


def test_no_appeal_without_notice_or_after_the_deadline(wh, monkeypatch):
    with pytest.raises(ap.AppealError) as e:
        ap.file_appeal(wh, MONTH, "S01", item="x", reason="y", actor=S01)
    refused(e, "ap.err.not_open")
    ap.open_publicity(wh, MONTH, days=3, actor=ADMIN)  # deadline 2026-11-23
    monkeypatch.setenv("KAOHE_TODAY", "2026-11-23")
    ap.file_appeal(wh, MONTH, "S01", item="x", reason="on the last day", actor=S01)
    monkeypatch.setenv("KAOHE_TODAY", "2026-11-24")
    before = snapshot(wh)
    with pytest.raises(ap.AppealError) as e:
        ap.file_appeal(wh, MONTH, "S01", item="x", reason="a day late", actor=S01)
    refused(e, "ap.err.deadline_passed")
    assert snapshot(wh) == before
    assert ap.status(wh, MONTH)["passed"]


# -- deciding ---------------------------------------------------------------------------------------
def test_accept_makes_an_adjustment_with_the_appeal_as_reason(on_notice):
    wh = on_notice
    before_total = service.build(wh, MONTH).totals.set_index("unit_code").loc["S01", "total"]
    aid = ap.file_appeal(wh, MONTH, "S01", indicator_code="HL_RESPONSE", reason="重复派单", actor=S01)
    d = ap.decide(wh, aid, accept=True, reason="核实属实，予以加分", points=1.5, kind="bonus", actor=ADMIN)
    assert d.status == "accepted" and d.adj_id is not None and "#" in d.text("en")
    adj = scoring_store.get_adjustment(wh, d.adj_id)
    assert adj["reason"] == f"申诉 #{aid}：核实属实，予以加分" and adj["unit_code"] == "S01"
    after_total = service.build(wh, MONTH).totals.set_index("unit_code").loc["S01", "total"]
    assert after_total != before_total
    mine = ap.list_appeals(wh, S01)
    assert list(mine["status"]) == ["accepted"] and mine.iloc[0]["decision"] == "核实属实，予以加分"
    assert int(mine.iloc[0]["adj_id"]) == d.adj_id
    assert "appeal.accepted" in set(wh.audit_log()["action"])


def test_accept_without_change_and_reject(on_notice):
    wh = on_notice
    a1 = ap.file_appeal(wh, MONTH, "S01", item="说明", reason="r1", actor=S01)
    a2 = ap.file_appeal(wh, MONTH, "S02", item="说明", reason="r2", actor=S02)
    d1 = ap.decide(wh, a1, accept=True, reason="已说明，无需调整", actor=ADMIN)
    assert d1.adj_id is None and "无需调整" in d1.text("zh")
    before = snapshot(wh)
    with pytest.raises(ap.AppealError) as e:
        ap.decide(wh, a2, accept=False, reason="  ", actor=ADMIN)
    refused(e, "ap.err.decision_reason")
    with pytest.raises(ap.AppealError) as e:
        ap.decide(wh, a2, accept=True, reason="x", points=2, actor=ADMIN)
    refused(e, "ap.err.points_kind")
    with pytest.raises(ap.AppealError) as e:
        ap.decide(wh, a2, accept=False, reason="x", points=2, kind="bonus", actor=ADMIN)
    refused(e, "ap.err.reject_points")
    with pytest.raises(ap.AppealError) as e:
        ap.decide(wh, a1, accept=False, reason="again", actor=ADMIN)
    refused(e, "ap.err.not_open_appeal")
    with pytest.raises(ap.AppealError) as e:
        ap.decide(wh, 999, accept=False, reason="x", actor=ADMIN)
    refused(e, "ap.err.unknown_appeal")
    with pytest.raises(service.ScoringError):  # the service's own check of points
        ap.decide(wh, a2, accept=True, reason="x", points=-1, kind="bonus", actor=ADMIN)
    for who in (LEADER, EVAL, S01, S02):
        with pytest.raises(access.Forbidden):
            ap.decide(wh, a2, accept=False, reason="x", actor=who)
    assert snapshot(wh) == before
    d2 = ap.decide(wh, a2, accept=False, reason="证据不足", actor=ADMIN)
    assert d2.status == "rejected" and ap.list_appeals(wh, S02).iloc[0]["decision"] == "证据不足"


def test_withdraw_and_who_sees_what(on_notice):
    wh = on_notice
    a1 = ap.file_appeal(wh, MONTH, "S01", item="x", reason="r", actor=S01)
    ap.file_appeal(wh, MONTH, "S02", item="y", reason="r", actor=S02)
    with pytest.raises(access.Forbidden):
        ap.withdraw(wh, a1, actor=S02)
    with pytest.raises(access.Forbidden):
        ap.withdraw(wh, a1, actor=ADMIN)
    with pytest.raises(access.Forbidden):
        ap.evidence(wh, a1, actor=S02)
    with pytest.raises(access.Forbidden):
        ap.list_appeals(wh, EVAL)
    assert list(ap.list_appeals(wh, S01)["unit_code"]) == ["S01"]
    assert len(ap.list_appeals(wh, LEADER)) == 2 and len(ap.list_appeals(wh, ADMIN, status="open")) == 2
    ap.withdraw(wh, a1, actor=S01)
    assert ap.list_appeals(wh, S01).iloc[0]["status"] == "withdrawn"
    with pytest.raises(ap.AppealError):
        ap.list_appeals(wh, ADMIN, status="bogus")


# -- the publish gate ---------------------------------------------------------------------------------
def test_publish_refused_while_appeals_open_or_before_the_deadline(on_notice):
    wh = on_notice
    aid = ap.file_appeal(wh, MONTH, "S01", item="x", reason="r", actor=S01)
    before = snapshot(wh)
    with pytest.raises(PublishError) as e:
        ap.publish(wh, MONTH, actor=ADMIN)
    refused(e, "ap.err.publish_open")
    with pytest.raises(PublishError):
        service.publish(wh, MONTH, "admin1")  # the service's own publish is gated too
    for who in (LEADER, EVAL, S01):
        with pytest.raises(access.Forbidden):
            ap.publish(wh, MONTH, actor=who, override_reason="x")
    assert snapshot(wh) == before
    ap.decide(wh, aid, accept=False, reason="no", actor=ADMIN)
    with pytest.raises(PublishError) as e:
        ap.publish(wh, MONTH, actor=ADMIN)
    refused(e, "ap.err.publish_notice")  # decided, but the deadline (2026-11-27) has not passed


def test_publish_after_the_deadline_closes_the_notice(on_notice, monkeypatch):
    monkeypatch.setenv("KAOHE_TODAY", "2026-11-28")
    rev = ap.publish(on_notice, MONTH, actor=ADMIN)
    assert rev == 1 and ap.status(on_notice, MONTH) is None
    assert "publicity.close" in set(on_notice.audit_log()["action"])


def test_override_and_the_notes_carry_the_accepted_appeal_and_replay_matches(on_notice):
    wh = on_notice
    a1 = ap.file_appeal(wh, MONTH, "S01", indicator_code="HL_RESPONSE", reason="r", actor=S01)
    a2 = ap.file_appeal(wh, MONTH, "S02", item="x", reason="r", actor=S02)
    ap.file_appeal(wh, MONTH, "S03", item="x", reason="r", actor=Principal("s03", "unit", unit_code="S03"))
    d = ap.decide(wh, a1, accept=True, reason="属实", points=2, kind="bonus", actor=ADMIN)
    ap.decide(wh, a2, accept=False, reason="不属实", actor=ADMIN)
    rev = ap.publish(wh, MONTH, actor=ADMIN, override_reason="区委常委会定于本周通报")
    assert rev == 1
    notes = scoring_store.publication(wh, MONTH, "month", 1)["notes"]
    assert notes["appeals"] == [{"id": a1, "unit_code": "S01", "month": MONTH, "decision": "属实",
                                 "adj_id": d.adj_id, "kind": "bonus", "points": 2.0}]
    assert notes["override_reason"] == "区委常委会定于本周通报" and notes["open_appeals"] == 1
    b = service.replay_publication(wh, MONTH)  # the publication still replays exactly
    assert b.published_revision == 1
    assert ap.status(wh, MONTH) is None  # closed at publish
    pub = wh.audit_log()
    pub = pub.loc[pub["action"] == "scoring.publish"].iloc[0]
    assert json.loads(pub["detail"])["notes"]["override_reason"] == "区委常委会定于本周通报"


def test_a_month_without_notice_publishes_as_before(wh):
    assert ap.publish(wh, MONTH, actor="cli-admin") == 1
    assert scoring_store.publication(wh, MONTH, "month")["notes"] == {}


# -- the scorecard ------------------------------------------------------------------------------------
def _pdf_text(data: bytes, tmp_path) -> str:
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is not installed")
    f = tmp_path / "card.pdf"
    f.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, text=True, check=True).stdout


def test_scorecard_names_issuer_date_and_the_appeal_channel(on_notice, tmp_path):
    from kaohe.reports import scorecard

    zh = _pdf_text(scorecard.scorecard_pdf(on_notice, "S01", MONTH, lang="zh", actor=S01), tmp_path)
    assert "公示稿" in zh and "示例区绩效考核工作领导小组办公室" in zh and "2026-11-20" in zh
    assert "如有异议，请于 2026-11-27 前通过" in zh and "提出申诉" in zh
    en = _pdf_text(scorecard.scorecard_pdf(on_notice, "S01", MONTH, lang="en", actor=S01), tmp_path)
    assert "(draft)" in en and "appeal by 2026-11-27" in en and "Issued by" in en
    with pytest.raises(access.Forbidden):
        scorecard.scorecard_pdf(on_notice, "S02", MONTH, lang="zh", actor=S01)
    with pytest.raises(access.Forbidden):
        scorecard.scorecard_pdf(on_notice, "S01", MONTH, lang="zh", actor=EVAL)


def test_a_published_scorecard_is_no_draft_and_has_no_appeal_line(wh, tmp_path, monkeypatch):
    from kaohe.reports import scorecard

    ap.open_publicity(wh, MONTH, days=2, actor=ADMIN)
    monkeypatch.setenv("KAOHE_TODAY", "2026-11-23")
    ap.publish(wh, MONTH, actor=ADMIN)
    zh = _pdf_text(scorecard.scorecard_pdf(wh, "S01", MONTH, lang="zh", actor="tester"), tmp_path)
    assert "公示稿" not in zh and "如有异议" not in zh and "2026-11-23" in zh


def test_an_appeal_filed_while_publishing_is_counted_in_the_notes(on_notice, monkeypatch):
    """An appeal that lands between the gate's count and the write: the write sees the count changed,
    the gate counts again, and the revision's notes say how many were open when it was made."""
    from kaohe.metrics import publish as pub

    wh = on_notice
    real = pub._publish_once
    calls = []

    def late_appeal(*args, **kwargs):
        if not calls:
            calls.append(ap.file_appeal(wh, MONTH, "S01", item="x", reason="just in time", actor=S01))
        return real(*args, **kwargs)

    monkeypatch.setattr(pub, "_publish_once", late_appeal)
    assert ap.publish(wh, MONTH, actor=ADMIN, override_reason="早发") == 1
    assert scoring_store.publication(wh, MONTH, "month")["notes"]["open_appeals"] == 1
    service.replay_publication(wh, MONTH)
