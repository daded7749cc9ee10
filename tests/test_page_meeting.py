"""月度会议 Meeting view under AppTest: the bars are the build's totals, the reasons are the commentary's, the
lists carry scores, the buttons step through every peer group, both languages; the map and the tiles."""

from __future__ import annotations

import json

import pytest
from browser_helpers import chart_specs, open_app

from kaohe.metrics import analysis as stats
from kaohe.metrics import commentary as cm
from kaohe.metrics import service


def meeting(lang: str = "zh", month: str | None = None):
    at = open_app()
    at.session_state["lang"] = lang
    if month:
        at.session_state["month"] = month
    at.switch_page("pages/meeting.py").run()
    assert not at.exception, at.exception
    return at


def html_text(at) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", "\n".join(h.proto.body for h in at.html)))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_group_on_one_screen_matches_the_build(app_db, lang):
    at = meeting(lang)
    b = service.build(app_db, "2026-10", lang=lang, n_history=3)
    group = at.selectbox(key="mt_group").value
    assert group == cm.groups(b)[0]
    tot = b.totals[b.totals["peer_group"] == group]
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    shown = sorted(round(x, 2) for tr in bars["data"] if tr["type"] == "bar" for x in tr["x"])
    assert shown == sorted(tot["total"].round(2).tolist())
    # each bar in its grade's colour
    for tr in (t for t in bars["data"] if t["type"] == "bar"):
        grade = tot.loc[tot["total"].round(2).isin([round(x, 2) for x in tr["x"]]), "grade"].iloc[0]
        assert tr["marker"]["color"] == {"excellent": "#009E73", "good": "#0072B2", "pass": "#E69F00",
                                         "fail": "#D55E00"}[grade]
    # the rank changes as arrows beside the bars
    arrows = [a["text"] for a in bars["layout"]["annotations"]]
    for change in tot["rank_change"]:
        if change == change and change:
            assert (f"▲{int(change)}" if change > 0 else f"▼{-int(change)}") in arrows
    text = html_text(at)
    for code in tot["unit_code"]:
        first = cm.unit(b, code, lang, n=1)[0].text
        assert first in text, first
    red, black = stats.lists_shown(tot)
    for r in [*red.itertuples(), *black.itertuples()]:
        assert f"{r.total:.2f}" in text
    assert ("红榜" if lang == "zh" else "Red list") in text
    if lang == "en":
        import re

        assert not re.search(r"[\u3400-\u9fff]", text), text


def test_buttons_step_through_every_group(app_db):
    at = meeting()
    b = service.build(app_db, "2026-10", n_history=3)
    groups = cm.groups(b)
    seen = [at.selectbox(key="mt_group").value]
    for _ in range(len(groups)):
        at.button(key="mt_next_btn").click().run()
        assert not at.exception, at.exception
        seen.append(at.selectbox(key="mt_group").value)
    assert seen[:-1] == groups and seen[-1] == groups[0]  # round to the first again
    at.button(key="mt_prev_btn").click().run()
    assert at.selectbox(key="mt_group").value == groups[-1]
    # a department group shows tiles, not a map
    specs = chart_specs(at)
    assert not any('"choropleth"' in s for s in specs)
    assert any('"symbol": "square"' in s for s in specs)


def test_the_map_of_the_streets(app_db):
    at = meeting("en")
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [s for s in specs if any(t.get("fill") == "toself" for t in s["data"])]
    assert len(maps) == 1
    m = maps[0]
    assert "geo" not in m["layout"]  # no geo subplot: it would fetch a world topojson from outside
    b = service.build(app_db, "2026-10")
    streets = b.totals[b.totals["kind"] == "street"]
    shapes = [t for t in m["data"] if t.get("fill") == "toself"]
    assert len(shapes) == 12
    labels = next(t for t in m["data"] if t.get("customdata"))
    assert sorted(labels["customdata"]) == sorted(streets["unit_code"])  # a click on a name opens that profile
    donghu = next(h for h in labels["hovertext"] if h.startswith("Donghu Street"))
    assert f"{b.unit('S01')['total']:.2f}" in donghu
    # the darkest fill is the best total
    best = streets.sort_values("total").iloc[-1]["name_en"]
    fills = {t["name"]: t["fillcolor"] for t in shapes}
    assert fills[best] == "rgb(8, 48, 107)"  # the end of plotly's Blues
    at.selectbox(key="mt_measure").set_value("grade").run()
    assert not at.exception
    m = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"toself"' in c.proto.spec)
    assert {t["name"] for t in m["data"] if t.get("showlegend")} <= {"Excellent", "Good", "Pass", "Fail"}
    at.selectbox(key="mt_measure").set_value("dim:HL").run()
    assert not at.exception


def test_a_quarter(app_db):
    at = meeting()
    at.segmented_control(key="mt_period").set_value("quarter").run()
    assert not at.exception, at.exception
    b = service.build(app_db, "2026-10", period="quarter", n_history=3)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    tot = b.totals[b.totals["peer_group"] == cm.groups(b)[0]]
    assert sorted(round(x, 2) for t in bars["data"] if t["type"] == "bar" for x in t["x"]) == sorted(
        tot["total"].round(2).tolist())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_profile_says_the_commentary(app_db, lang):
    at = open_app()
    at.session_state["lang"] = lang
    at.switch_page("pages/profile.py").run()
    at.selectbox(key="pf_unit").set_value("S06").run()
    assert not at.exception, at.exception
    b = service.build(app_db, "2026-10", lang=lang)
    text = "\n".join(m.value for m in at.markdown)
    from browser_helpers import shown as unescaped

    for s in cm.unit(b, "S06", lang, n=3):
        assert s.text in unescaped(text)
    assert ("点评" if lang == "zh" else "Commentary") in text


def test_rankings_offer_the_bulletin_beside_the_summary(app_db):
    at = open_app("pages/rankings.py")
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels.index("考核通报（公文 PDF）") == labels.index("下载月度通报（PDF）") + 1, labels


def test_an_empty_warehouse_says_so(app_empty_db):
    for path in ("pages/meeting.py", "pages/boundaries.py"):
        at = open_app()
        at.switch_page(path).run()
        assert not at.exception, (path, at.exception)
        from kaohe.base import i18n

        assert [i.value for i in at.info] == [i18n.t("empty.warehouse", "zh")], path
