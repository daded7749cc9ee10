"""考核方案 Scheme: the weights tree and rules of the active scheme; the what-if re-ranking."""

from __future__ import annotations

import pytest
from browser_helpers import chart_specs, open_app, texts

from kaohe.metrics import service


def test_weights_tree_and_rules_are_the_schemes(app_db):
    at = open_app("pages/scheme.py")
    scheme = service.current_scheme(app_db, "2026")
    dims = scheme.data["kinds"]["street"]["dimensions"]
    rules = at.dataframe[0].value
    assert len(rules) == sum(len(d["indicators"]) for d in dims)
    assert rules["占总分（%）"].sum() == pytest.approx(100.0)
    hl = rules[rules["二级指标"] == "诉求响应率"].iloc[0]
    assert hl["占总分（%）"] == pytest.approx(30 * 24 / 100)
    assert "达到95%得满分100分" in hl["计分规则"]
    assert any('"sunburst"' in s for s in chart_specs(at))
    assert "尚未做任何调整" in texts(at)


def test_a_dimension_weight_what_if_is_ranked_beside_the_official(app_db):
    before = app_db.checksum()
    at = open_app("pages/scheme.py")
    at.number_input(key="sc_dw_HL").set_value(60.0).run()
    assert not at.exception
    expected = service.what_if(app_db, "2026-10", {"dimension_weights": {"HL": 60.0}})
    urban = expected[expected["peer_group"] == "urban"].sort_values("rank_official")
    shown = at.dataframe[1].value
    assert shown["单位"].tolist() == urban["name_zh"].tolist()
    assert shown["模拟名次"].tolist() == urban["rank_whatif"].tolist()
    assert shown["模拟总分"].round(2).tolist() == urban["total_whatif"].round(2).tolist()
    assert shown["正式总分"].round(2).tolist() == urban["total_official"].round(2).tolist()
    # official results untouched
    assert app_db.checksum() == before
    assert service.build(app_db, "2026-10").totals.set_index("unit_code")["total"].to_dict() ==\
        urban.set_index("unit_code")["total_official"].to_dict() | service.build(
            app_db, "2026-10").totals.set_index("unit_code").drop(urban["unit_code"])["total"].to_dict()


def test_a_rule_change_and_an_invalid_one(app_db):
    at = open_app("pages/scheme.py")
    at.selectbox(key="sc_ind").set_value("HL_SATISFY").run()
    at.number_input(key="sc_p_target").set_value(90.0).run()
    at.button(key="sc_add_btn").click().run()
    assert not at.exception
    assert "已调整的指标：诉求满意率" in texts(at)
    expected = service.what_if(app_db, "2026-10",
                               {"rules": {"HL_SATISFY": {"rule": "linear", "params": {"floor": 60.0, "target": 90.0}}}})
    urban = expected[expected["peer_group"] == "urban"].sort_values("rank_official")
    assert at.dataframe[1].value["模拟总分"].round(2).tolist() == urban["total_whatif"].round(2).tolist()
    # floor equal to target is nonsense: the engine says so, the page shows it
    at.number_input(key="sc_p_floor").set_value(90.0).run()
    at.button(key="sc_add_btn").click().run()
    assert not at.exception
    assert any("模拟方案无效" in e.value for e in at.error)
    at.button(key="sc_reset_btn").click().run()
    assert "尚未做任何调整" in texts(at)


def test_a_month_under_another_years_scheme_says_so_on_the_scheme_page(app_db):
    import re

    at = open_app()
    at.session_state["month"] = "2024-06"
    at.switch_page("pages/scheme.py").run()
    assert not at.exception, at.exception
    # the core's one wording, as the pages with figures show it (ScoreBuild.scheme_note)
    assert service.build(app_db, "2024-06").scheme_note("zh") in re.sub(r"\\(.)", r"\1", texts(at)).replace("\u2060", "")


def test_the_scheme_page_states_the_list_rule_in_the_cores_words(app_db):
    import re

    from kaohe.metrics.rank import rule_text
    from kaohe.metrics.scheme import raw_year

    at = open_app("pages/scheme.py")
    assert not at.exception, at.exception
    shown = re.sub(r"\\(.)", r"\1", texts(at))
    assert rule_text(raw_year("2026").get("lists", {}), "zh") in shown
