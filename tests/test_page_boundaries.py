"""区划边界: a good file is stored (and audited) and drawn; a bad one is refused item by item, nothing stored."""

from __future__ import annotations

import json

from browser_helpers import open_app

from kaohe.data import audit
from kaohe.data import boundaries as store
from kaohe.metrics import geo


def test_check_reports_every_bad_item(app_db):
    units = app_db.units()
    good = store.seed()
    assert geo.check(json.dumps(good), units).ok
    bad = json.loads(json.dumps(good))
    bad["features"][0]["properties"]["code"] = "X99"  # not a unit
    bad["features"][1]["properties"]["code"] = "D01"  # a department
    bad["features"][2]["geometry"] = {"type": "Point", "coordinates": [113.2, 23.1]}
    bad["features"][3]["geometry"]["coordinates"][0][0] = [500, 23.1]
    bad["features"][4]["properties"] = {}
    bad["features"].append(json.loads(json.dumps(good["features"][5])))  # twice
    res = geo.check(json.dumps(bad), units)
    assert not res.ok
    keys = [e.key for e in res.errors]
    assert keys == ["geo.err.unknown_code", "geo.err.department", "geo.err.geometry", "geo.err.geometry",
                    "geo.err.no_code", "geo.err.duplicate"]
    assert "X99" in res.errors[0].text("zh") and "X99" in res.errors[0].text("en")
    assert "Polygon" in res.errors[2].text("en") and "经度" in res.errors[3].text("zh")
    # the units left without a shape are named
    missing = res.warnings[0]
    assert missing.key == "geo.warn.missing"
    lost = [f["properties"]["code"] for f in good["features"][:5]]
    assert missing.text("en").endswith(", ".join(sorted(lost)))
    assert geo.check(b"{not json", units).errors[0].key == "geo.err.not_json"
    assert geo.check('{"type": "Feature"}', units).errors[0].key == "geo.err.not_collection"


def test_store_replaces_and_audits(app_db):
    units = app_db.units()
    assert store.stored(app_db) == {}
    assert len(geo.district(app_db)["features"]) == 12  # the sample's synthetic boundaries
    res = geo.check(json.dumps(store.seed()), units)
    some = dict(list(res.geometries.items())[:5])
    assert store.save(app_db, some, actor="tester", source="x.geojson") == 5
    assert sorted(store.stored(app_db)) == sorted(some)
    assert len(geo.district(app_db)["features"]) == 5  # the uploaded ones, not the sample's
    log = audit.entries(app_db, action="boundaries.replace")
    assert len(log) == 1 and log.iloc[0]["actor"] == "tester"


def test_page_shows_the_state(app_db):
    for lang, words in (("zh", "示例区的虚拟边界"), ("en", "synthetic")):
        at = open_app()
        at.session_state["lang"] = lang
        at.switch_page("pages/boundaries.py").run()
        assert not at.exception, at.exception
        assert words in " ".join(c.value for c in at.caption)


def test_the_office_edits_the_bulletin_text_on_the_page(app_db):
    from kaohe.data import office

    at = open_app()
    at.switch_page("pages/boundaries.py").run()
    assert not at.exception, at.exception
    at.text_input(key="bd_office_header_form").set_value("测试区考核工作通报")
    next(b for b in at.button if b.label == "保存通报文字").click().run()
    assert not at.exception, at.exception
    assert office.load(app_db, "zh")["header"] == "测试区考核工作通报"
    assert office.load(app_db, "en")["header"] == office.DEFAULTS["en"]["header"]
