"""排名 Rankings: the table is the engine's ranking; period, group, filters, robustness, profile jump."""

from __future__ import annotations

import pytest
from browser_helpers import chart_specs, notices, open_app, shown, texts

from kaohe.metrics import service
from kaohe.metrics.rank import rule_text
from kaohe.metrics.scheme import raw_year

RULE = rule_text(raw_year("2026").get("lists", {}), "zh")


def table(at):
    return at.dataframe[0].value


def test_table_is_the_engines_ranking_of_the_first_group(app_db):
    at = open_app("pages/rankings.py")
    b = service.build(app_db, "2026-10")
    urban = b.totals[b.totals["peer_group"] == "urban"].sort_values("rank")
    t = table(at)
    assert t["单位"].tolist() == urban["name_zh"].tolist()
    assert t["名次"].tolist() == urban["rank"].tolist()
    assert t["总分"].round(2).tolist() == urban["total"].round(2).tolist()
    assert t["等次"].tolist() == urban["grade_zh"].tolist()
    dims = b.dimensions[b.dimensions["unit_code"] == urban["unit_code"].iloc[0]]
    d = at.dataframe[1].value  # the dimension scores, below the ranking
    assert d["单位"].tolist() == urban["name_zh"].tolist()
    assert round(d["接诉即办"].iloc[0], 6) == round(dims.loc[dims["dimension"] == "HL", "score"].iloc[0], 6)


def test_quarter_and_group_change_what_is_ranked(app_db):
    at = open_app("pages/rankings.py")
    at.segmented_control(key="rk_period").set_value("quarter").run()
    at.selectbox(key="rk_group").set_value("rural").run()
    assert not at.exception
    b = service.build(app_db, "2026-10", period="quarter")
    rural = b.totals[b.totals["peer_group"] == "rural"].sort_values("rank")
    t = table(at)
    assert t["单位"].tolist() == rural["name_zh"].tolist()
    assert t["总分"].round(2).tolist() == rural["total"].round(2).tolist()
    # 2026-10 is the first month of Q4: the label says how far the quarter reaches
    assert "2026-Q4（截至10月）" in shown(texts(at))


def test_grade_filter_and_search_narrow_the_table(app_db):
    at = open_app("pages/rankings.py")
    full = table(at)
    grade = full["等次"].iloc[-1]
    code = {"优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail"}[grade]
    at.multiselect(key="rk_grades").set_value([code]).run()
    assert set(table(at)["等次"]) == {grade}
    at.multiselect(key="rk_grades").set_value([]).run()
    at.text_input(key="rk_search").input("东湖").run()
    assert table(at)["单位"].tolist() == ["东湖街道"]


def test_open_profile_shows_the_chosen_unit(app_db):
    at = open_app("pages/rankings.py")
    at.selectbox(key="rk_unit").set_value("S05").run()
    at.button(key="rk_open_btn").click().run()
    assert not at.exception
    assert at.title[0].value == "单位画像"
    assert at.selectbox(key="pf_unit").value == "S05"
    total = service.build(app_db, "2026-10").unit("S05")["total"]
    assert {m.label: m.value for m in at.metric}["总分"] == f"{total:.2f}"


def test_robustness_run_adds_rank_intervals(app_db):
    at = open_app("pages/rankings.py")
    assert "名次区间（90%）" not in table(at).columns
    at.button(key="rk_robust_btn").click().run()
    assert not at.exception
    t = table(at)
    rob = service.robustness(app_db, "2026-10", replicates=1000, seed=0).set_index("unit_code")
    b = service.build(app_db, "2026-10")
    urban = b.totals[b.totals["peer_group"] == "urban"].sort_values("rank")
    expected = [f"{int(rob.loc[c, 'rank_p05'])}–{int(rob.loc[c, 'rank_p95'])}" for c in urban["unit_code"]]
    assert t["名次区间（90%）"].tolist() == expected
    assert any("名次90%区间" in s for s in chart_specs(at))


def test_exports_are_offered(app_db):
    at = open_app("pages/rankings.py")
    for key in ("rk_summary_dl", "rk_excel_dl"):
        assert at.get_by_key(key) is not None
    assert at.button(key="rk_zip_btn").label == "生成全部单位成绩单（ZIP）"


def test_a_vetoed_unit_is_marked_and_graded_down(app_db):
    at = open_app()
    at.session_state["month"] = "2026-09"
    at.switch_page("pages/rankings.py").run()
    assert not at.exception
    s08 = service.build(app_db, "2026-09").unit("S08")
    assert s08["veto"]
    row = table(at).set_index("单位").loc["河畔街道"]
    assert "否决" in row["标记"] and "红榜" not in row["标记"]
    assert row["等次"] == s08["grade_zh"] == "不合格"
    # the reason under the table, in the core's words (no ">=")
    note = next(m.value for m in at.markdown if "河畔街道" in m.value and "一票否决" in m.value)
    assert ">=" not in note and s08["veto_reason_zh"] in shown(note)  # the core's words, as they are


def test_the_scorecards_zip_is_made_on_request(app_db):
    at = open_app("pages/rankings.py")
    with pytest.raises(KeyError):
        at.get_by_key("rk_zip_dl")
    at.button(key="rk_zip_btn").click().run(timeout=300)
    assert not at.exception
    assert at.get_by_key("rk_zip_dl") is not None


def test_the_merged_scorecards_pdf_follows_the_period(app_db):
    import io

    from pypdf import PdfReader

    at = open_app("pages/rankings.py")
    at.segmented_control(key="rk_period").set_value("quarter").run()
    assert at.button(key="rk_pdf_btn").label == "生成全部单位成绩单（合并PDF）"
    at.button(key="rk_pdf_btn").click().run(timeout=300)
    assert not at.exception
    assert at.get_by_key("rk_pdf_dl") is not None
    key, data = at.session_state["_rk_pdf"]
    assert key == ("pdf", "2026-10", "quarter", "zh", "current", None)  # the quarter is not published
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "2026年第四季度" in text or "2026-Q4" in text


HOSTILE = "[请点此复核](http://evil.example/login) ![t](http://evil.example/beacon.png)"


def rankings(kind="street", month=None, lang="zh"):
    at = open_app()
    at.session_state["kind"] = kind
    at.session_state["lang"] = lang
    if month:
        at.session_state["month"] = month
    at.switch_page("pages/rankings.py").run()
    assert not at.exception, at.exception
    return at


def test_a_month_scored_under_another_years_scheme_says_so(app_db):
    b = service.build(app_db, "2024-06")  # the core's one wording (ScoreBuild.scheme_note)
    assert b.scheme_note("zh") == "2024-06 无 2024 年考核方案，按 2025 年方案计分"
    assert b.scheme_note("zh") in shown(texts(rankings(month="2024-06")))
    assert "按 2025 年方案" not in shown(texts(rankings(month="2026-10")))
    assert b.scheme_note("en") in shown(texts(rankings(month="2024-06", lang="en")))


def test_a_hostile_veto_reason_is_text_under_the_table(app_db):
    service.add_adjustment(app_db, "S01", "2026-10", "veto", 0, HOSTILE, None, "tester")
    at = rankings()
    notes = [m.value for m in at.markdown if "evil.example" in shown(m.value)]
    assert notes and all("](http" not in v and "![" not in v for v in notes)
    assert any(HOSTILE in shown(v) for v in notes)
    row = table(at).set_index("单位").loc["东湖街道"]
    assert "否决" in row["标记"] and "红榜" not in row["标记"]


def test_the_lists_never_share_a_unit_and_the_rule_is_stated(app_db):
    for kind in ("street", "department"):
        at = rankings(kind)
        marks = table(at)["标记"].tolist()
        assert not any("红榜" in m and "黑榜" in m for m in marks)
        assert any(RULE in c.value for c in at.caption)  # the core's one wording (metrics.rank.rule_text)


def test_english_headers_and_buttons_are_short(app_db):
    at = rankings("department", lang="en")
    cols = list(table(at).columns) + list(at.dataframe[1].value.columns)
    assert all(len(c) <= 14 for c in cols), cols
    assert at.button(key="rk_pdf_btn").label == "All scorecards (one PDF)"


def test_the_ranking_says_whether_it_is_the_published_one(app_db):
    service.publish(app_db, "2026-10", "tester")
    at = open_app("pages/rankings.py")
    assert "已发布·第 1 版" in shown(" ".join(c.value for c in at.caption))
    assert not notices(at), notices(at)
    service.add_adjustment(app_db, "S03", "2026-10", "bonus", 3, "市级表彰", None, "tester",
                           correction_reason="漏报的表彰")
    at = open_app("pages/rankings.py")
    state = service.published_state(app_db, "2026-10")
    # the published figures by default, saying the current ones differ; the current ones on request
    assert notices(at) == [state.showing_published().notice("zh")]
    assert state.showing_published().label("zh") in shown(" ".join(c.value for c in at.caption))
    at.segmented_control(key="pub_shown").set_value("current").run()
    assert notices(at) == [state.notice("zh")]
    assert state.label("zh") in shown(" ".join(c.value for c in at.caption))
    # a quarter holding the month has no publication of its own: unpublished, no notice
    at.segmented_control(key="rk_period").set_value("quarter").run()
    assert not at.exception and not notices(at)
    assert "未发布" in shown(" ".join(c.value for c in at.caption))
