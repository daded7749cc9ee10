"""The pages of a published month show the published figures by default, the current ones a choice away.

2026-10 of the sample is published, then S01 gets a 9-point deduction as a correction: the live figures
differ from revision 1. Overview, rankings and profile show revision 1 (service.published_figures) until
the shared control "已发布结果 / 当前数据" (key pub_shown) is switched to the current figures; a month that
is not published has no control and shows the current figures; a revision that cannot be reproduced is
said in words with the current figures shown instead.
"""

from __future__ import annotations

import pytest
from browser_helpers import open_app, shown, shown_metrics

from kaohe.metrics import service

MONTH = "2026-10"
UNIT = "S01"


@pytest.fixture
def published(app_db):
    """2026-10 published (revision 1), then S01 deducted 9 points as a correction: (published, current) builds."""
    service.publish(app_db, MONTH, "alice")
    service.add_adjustment(app_db, UNIT, MONTH, "deduction", 9, "迟报", None, "carol", correction_reason="补录")
    pub = service.published_figures(app_db, MONTH)
    cur = service.build(app_db, MONTH)
    assert pub.published_revision == 1
    assert cur.totals.set_index("unit_code").loc[UNIT, "total"] == pytest.approx(
        pub.totals.set_index("unit_code").loc[UNIT, "total"] - 9, abs=0.005)
    return pub, cur


def page_at(page: str, lang: str = "zh", month: str = MONTH, **state):
    at = open_app()
    at.session_state["lang"] = lang
    at.session_state["month"] = month
    at.session_state["kind"] = "street"
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def choose(at, source: str):
    at.segmented_control(key="pub_shown").set_value(source).run()
    assert not at.exception, at.exception
    return at


def has_control(at) -> bool:
    return any(w.key == "pub_shown" for w in at.segmented_control)


def captions(at) -> str:
    return "\n".join(shown(c.value) for c in at.caption)


def warnings(at) -> str:
    return "\n".join(shown(w.value) for w in at.warning)


def street_mean(b) -> str:
    return f"{b.totals.loc[b.totals['kind'] == 'street', 'total'].mean():.2f}"


def unit_total(b, unit: str = UNIT) -> float:
    return float(b.totals.set_index("unit_code").loc[unit, "total"])


def group_of(b, unit: str = UNIT) -> str:
    return b.totals.set_index("unit_code").loc[unit, "peer_group"]


# -- overview ----------------------------------------------------------------------------------------------

def test_overview_shows_the_published_figures_by_default_and_the_current_ones_on_request(published):
    pub, cur = published
    assert street_mean(pub) != street_mean(cur)
    at = page_at("pages/overview.py")
    assert has_control(at) and at.segmented_control(key="pub_shown").value == "published"
    assert at.segmented_control(key="pub_shown").label == "所示结果"
    assert list(at.segmented_control(key="pub_shown").options) == ["已发布结果", "当前数据"]
    assert shown_metrics(at)["平均总分"] == street_mean(pub)
    assert "发布状态：已发布·第 1 版" in captions(at)
    assert "以下为" in warnings(at) and "第 1 版结果" in warnings(at)  # the published figures, with what changed since
    choose(at, "current")
    assert shown_metrics(at)["平均总分"] == street_mean(cur)
    assert "当前数据（与已发布的第 1 版不同）" in captions(at)
    assert "与" in warnings(at) and "发布的第 1 版不同" in warnings(at)


def test_the_choice_holds_across_pages(published):
    pub, cur = published
    at = page_at("pages/overview.py")
    choose(at, "current")
    at.switch_page("pages/profile.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="pf_unit").set_value(UNIT).run()
    assert at.segmented_control(key="pub_shown").value == "current"
    assert shown_metrics(at)["总分"] == f"{unit_total(cur):.2f}"


# -- rankings ----------------------------------------------------------------------------------------------

def ranking_totals(at) -> list[float]:
    return sorted(round(float(v), 2) for v in at.dataframe[0].value["总分"])


def group_totals(b, group: str) -> list[float]:
    return sorted(round(float(v), 2) for v in b.totals.loc[b.totals["peer_group"] == group, "total"])


def test_rankings_show_the_published_figures_by_default_and_the_current_ones_on_request(published):
    pub, cur = published
    group = group_of(pub)
    at = page_at("pages/rankings.py", rk_group=group)
    assert at.segmented_control(key="pub_shown").value == "published"
    assert ranking_totals(at) == group_totals(pub, group)
    assert "已发布·第 1 版" in captions(at)
    # rank intervals are of the current figures: not offered beside published figures that differ
    assert "名次区间只按当前数据计算" in captions(at)
    choose(at, "current")
    assert ranking_totals(at) == group_totals(cur, group) != group_totals(pub, group)
    assert "当前数据（与已发布的第 1 版不同）" in captions(at)


# -- profile -----------------------------------------------------------------------------------------------

def test_profile_shows_the_published_figures_by_default_and_the_current_ones_on_request(published):
    pub, cur = published
    at = page_at("pages/profile.py", pf_unit=UNIT)
    assert at.segmented_control(key="pub_shown").value == "published"
    assert shown_metrics(at)["总分"] == f"{unit_total(pub):.2f}"
    assert "已发布·第 1 版" in captions(at)
    # the explanation is of the figures shown: its total is the published one
    assert f"{unit_total(pub):.4f}" in explain_points(at)
    choose(at, "current")
    assert shown_metrics(at)["总分"] == f"{unit_total(cur):.2f}"
    assert f"{unit_total(cur):.4f}" in explain_points(at)
    assert "当前数据（与已发布的第 1 版不同）" in captions(at)


def explain_points(at) -> set[str]:
    """The points column of the profile's explanation table (项目 ... 得分)."""
    table = next(d.value for d in at.dataframe if "项目" in d.value.columns)
    return set(table.iloc[:, 5])


def test_the_scorecard_of_the_profile_is_the_published_one_by_default(published):
    """The page hands the build it shows to the scorecard (build=, current= not published): the
    published build gives the published total and label, the current one the current total."""
    import io

    from pypdf import PdfReader

    from kaohe.reports import scorecard

    pub, cur = published
    for b, current, total, label in ((pub, False, unit_total(pub), "已发布·第 1 版"),
                                      (cur, True, unit_total(cur), "第 1 版不同")):
        pdf = scorecard.scorecard_pdf(_wh(), UNIT, MONTH, "month", "zh", build=b, current=current, actor="tester")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert f"{total:.2f}" in text and label in text


def _wh():
    import os

    from kaohe.data.warehouse import Warehouse

    return Warehouse(os.environ["KAOHE_DB"])


# -- trends ------------------------------------------------------------------------------------------------

def trend_value(at, b, unit: str = UNIT) -> str:
    """The unit's 本月 (this month's) total in the trends page's table of changes."""
    table = next(d.value for d in at.dataframe if "本月" in d.value.columns)
    name = b.totals.set_index("unit_code").loc[unit, "name_zh"]
    return table.set_index(table.columns[0]).loc[name, "本月"]


def test_trends_of_the_total_show_the_published_month_by_default(published):
    pub, cur = published
    at = page_at("pages/trends.py", tr_measure="total", tr_units=[UNIT])
    assert at.segmented_control(key="pub_shown").value == "published"
    assert trend_value(at, pub) == f"{unit_total(pub):,.2f}"
    assert "发布状态：已发布·第 1 版" in captions(at)
    choose(at, "current")
    assert trend_value(at, cur) == f"{unit_total(cur):,.2f}"
    assert "当前数据（与已发布的第 1 版不同）" in captions(at)


# -- unpublished, English, a revision that cannot be reproduced ---------------------------------------------

def test_an_unpublished_month_has_no_control_and_shows_the_current_figures(published):
    _pub, _cur = published
    months = _wh().months()
    other = months[months.index(MONTH) - 1]
    cur = service.build(_wh(), other)
    for page in ("pages/overview.py", "pages/rankings.py", "pages/profile.py", "pages/trends.py"):
        at = page_at(page, month=other, pf_unit=UNIT)
        assert not has_control(at), page
        assert "未发布" in captions(at) or "未发布" in " ".join(m.value for m in at.metric), page
    at = page_at("pages/profile.py", month=other, pf_unit=UNIT)
    assert shown_metrics(at)["总分"] == f"{unit_total(cur):.2f}"


def test_english_labels(published):
    pub, cur = published
    at = page_at("pages/profile.py", lang="en", pf_unit=UNIT)
    control = at.segmented_control(key="pub_shown")
    assert control.label == "Figures shown"
    assert list(control.options) == ["Published figures", "Current figures"]
    assert "published, revision 1" in captions(at)
    assert shown_metrics(at)["Total score"] == f"{unit_total(pub):.2f}"
    choose(at, "current")
    assert "live figures (they differ from published revision 1)" in captions(at)


def test_a_revision_that_cannot_be_reproduced_is_said_and_the_current_figures_shown(published):
    wh = _wh()
    with wh.transaction() as con:  # the inputs of revision 1 altered behind Kaohe's back
        con.execute("UPDATE observations SET value = value + 5 WHERE unit_code = 'S02' AND month = ?", [MONTH])
    cur = service.build(wh, MONTH)
    for lang, words, offer in (("zh", "校验和不符", "以下为按当前数据计算的结果"),
                               ("en", "checksum does not match", "the current figures are shown below")):
        at = page_at("pages/profile.py", lang=lang, pf_unit=UNIT)
        errors = "\n".join(shown(e.value) for e in at.error)
        assert words in errors
        assert offer in "\n".join(shown(i.value) for i in at.info)
        total = "总分" if lang == "zh" else "Total score"
        assert shown_metrics(at)[total] == f"{unit_total(cur):.2f}"
