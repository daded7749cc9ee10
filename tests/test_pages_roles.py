"""Each role through the pages (AppTest): what the page draws follows the signed-in person's rights, and
what it leaves out is refused again by the core (tests/test_access_core.py).

- a leader sees every page it may open but no import, rollback, publish, adjust or edit control;
- an evaluator's import page has the uploader and refuses, in words before any commit button, a file of
  another office's indicators;
- a unit's profile shows its own unit only; a forged `pf_unit` or `?unit=` of another unit is refused;
- the office (admin) sees the controls, the profile's adjustment form among them.
"""

from __future__ import annotations

from pathlib import Path

import import_corpus as corpus
import pytest
from streamlit.testing.v1 import AppTest

from kaohe.base.access import Principal
from kaohe.metrics import service
from kaohe.ui import auth, routing

ROOT = Path(__file__).resolve().parents[1]
LEADER = Principal("lead", "leader", name="区领导")
EVALUATOR = Principal("ev12345", "evaluator", sources={"12345"})
ADMIN = Principal("office", "admin", name="考核办")

# the keys of every control that changes something: none of them may be drawn for a leader
CHANGE_KEYS = ("imp_commit_", "imp_rollback_btn", "imp_rb_", "sc_activate", "sc_import_btn", "sc_copy",
               "sc_save_draft_btn", "un_confirm_btn", "un_rename", "un_split", "un_merge", "cat_confirm_btn",
               "cat_retire", "bd_save_btn", "bd_office_", "start_sample_btn", "pf_adj", "pf_rev", "publish")


def signed_in(who: Principal, page: str | None = None, lang: str = "zh", **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state[auth.SESSION_KEY] = who
    at.session_state["lang"] = lang
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def keys(at) -> set[str]:
    found = set()
    for kind in ("button", "selectbox", "text_input", "checkbox", "number_input", "multiselect", "toggle",
                 "file_uploader", "download_button"):
        for el in at.get(kind):
            key = getattr(el, "key", None) or getattr(getattr(el, "proto", None), "id", "")
            found.add(str(key))
    return found


def errors(at) -> str:
    return "\n".join(e.value for e in at.error).replace("\\", "")  # markdown escapes (EM\\_PLAN)


def test_a_leader_sees_no_import_publish_adjust_or_edit_control_on_any_page(app_db):
    from kaohe.base import access
    from kaohe.ui import setup

    listed = [(file, key) for file, key, *_ in routing.pages() if (ROOT / file).exists()]
    # every page but the accounts (the office's own) is in a leader's navigation
    assert [f for f, key in listed if not access.can(LEADER, setup.RIGHT_OF.get(key, "accounts"))] == [
        "pages/accounts.py"]
    for file, _key in listed:
        if file == "pages/accounts.py":
            continue
        at = signed_in(LEADER, file)
        drawn = keys(at)
        bad = {k for k in drawn if k.startswith(CHANGE_KEYS) or "FormSubmitter:pf_adjust" in k}
        assert not bad, (file, bad)
        assert not at.get("file_uploader"), file
        assert "无权" not in errors(at), (file, errors(at))  # a leader opens every page
    at = signed_in(LEADER, "pages/import.py")
    assert "imp_tpl_dl" in keys(at)  # the template download stays
    assert any("只能查看" in c.value for c in at.caption)


def test_a_leader_is_refused_by_the_core_even_when_the_page_is_bypassed(app_db):
    from kaohe.base.access import Forbidden

    with pytest.raises(Forbidden):
        service.publish(app_db, "2026-10", LEADER)


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data, self.size = name, data, len(data)

    def getvalue(self) -> bytes:
        return self._data


def _with_upload(monkeypatch, name: str, data: bytes) -> None:
    import streamlit

    monkeypatch.setattr(streamlit, "file_uploader", lambda *a, **k: [_Upload(name, data)])


def test_an_evaluators_import_page_refuses_another_offices_indicators_before_the_commit(app_db, monkeypatch):
    at = signed_in(EVALUATOR, "pages/import.py")
    assert at.get("file_uploader") and not any("只能查看" in c.value for c in at.caption)
    lines = ["unit_code,indicator_code,month,value"] + [f"S0{i},EM_PLAN,2026-10,9{i}" for i in range(1, 4)]
    _with_upload(monkeypatch, "em.csv", ("\n".join(lines) + "\n").encode())
    at.run()
    assert not at.exception, at.exception
    words = errors(at)
    assert "EM_PLAN" in words and "应急管理局" in words and "第 2、3、4 行" in words, words
    assert not any(k.startswith("imp_commit_") for k in keys(at))
    n = len(app_db.batches())
    assert len(app_db.batches()) == n


def test_an_evaluators_import_page_offers_the_commit_of_hotline_indicators(app_db, monkeypatch):
    _with_upload(monkeypatch, "hl.csv", corpus.hotline_gbk())
    at = signed_in(EVALUATOR, "pages/import.py")
    assert "EM_" not in errors(at)
    commit = [k for k in keys(at) if k.startswith("imp_commit_")]
    assert commit, errors(at)


def _streets(app_db) -> list[str]:
    return sorted(app_db.units("street")["code"])


def test_a_unit_sees_no_draft_figures_before_the_notice(app_db):
    mine = _streets(app_db)[0]
    at = signed_in(Principal("u", "unit", unit_code=mine), "pages/profile.py")
    assert "尚未公示或发布" in errors(at)
    assert not at.dataframe and not at.get("plotly_chart") and not at.get("download_button")


def test_a_unit_sees_its_own_profile_only(app_db):
    from kaohe.metrics import appeals

    appeals.open_publicity(app_db, app_db.months()[-1], days=5, actor="office")  # on notice: released
    mine, other = _streets(app_db)[:2]
    me = Principal("u", "unit", unit_code=mine)
    at = signed_in(me, "pages/profile.py")
    assert "pf_unit" not in keys(at)  # no selector of other units
    assert not at.error, errors(at)
    assert any(mine in t.value for t in at.text)
    assert "pf_scorecard_dl" in keys(at)
    assert not any(k.startswith("pf_adj") for k in keys(at))


def test_a_forged_unit_choice_or_url_is_refused(app_db):
    mine, other = _streets(app_db)[:2]
    me = Principal("u", "unit", unit_code=mine)
    at = signed_in(me, "pages/profile.py")
    at.session_state["pf_unit"] = other  # a replayed widget value
    at.query_params["unit"] = other
    at.run()
    assert not at.exception, at.exception
    assert other in errors(at)
    assert not at.get("download_button") and not at.dataframe  # nothing of the other unit drawn
    at = signed_in(me, "pages/rankings.py")
    assert not any(k in keys(at) for k in ("rk_open_btn", "rk_unit"))


def test_a_unit_is_refused_the_pages_of_everyones_scores(app_db):
    me = Principal("u", "unit", unit_code=_streets(app_db)[0])
    shell = signed_in(me)
    for page in ("pages/overview.py", "pages/trends.py", "pages/import.py", "pages/batches.py"):
        with pytest.raises(ValueError, match="navigation page"):  # not in a unit's navigation: no URL reaches it
            shell.switch_page(page)
        # and the page itself refuses, were it reached some other way (its own script, run alone)
        at = AppTest.from_file(str(ROOT / page), default_timeout=90)
        at.session_state[auth.SESSION_KEY] = me
        at.run()
        assert "无权" in errors(at), page
        assert not at.dataframe and not at.get("plotly_chart"), page


def test_a_unit_sees_published_rankings_only(app_db):
    me = Principal("u", "unit", unit_code=_streets(app_db)[0])
    at = signed_in(me, "pages/rankings.py", month="2026-10")
    assert any("尚未发布" in i.value for i in at.info)
    assert not at.dataframe
    service.publish(app_db, "2026-10", ADMIN)
    at = signed_in(me, "pages/rankings.py", month="2026-10")
    assert at.dataframe and not {"rk_open_btn", "rk_unit", "rk_summary_dl", "pub_shown"} & keys(at)


def test_the_office_sees_the_controls(app_db):
    at = signed_in(ADMIN, "pages/import.py")
    assert at.get("file_uploader")
    at = signed_in(ADMIN, "pages/profile.py")
    assert "pf_unit" in keys(at)
    assert {"pf_adj_reason", "pf_adj_points"} <= keys(at)
    at.text_input(key="pf_adj_reason").input("市级表彰")
    at.number_input(key="pf_adj_points").set_value(2.0)
    unit = at.selectbox(key="pf_unit").value
    submit = [b for b in at.button if b.key == "pf_adj_btn"]
    assert submit
    submit[0].click().run()
    assert not at.exception, at.exception
    adj = service.list_adjustments(app_db, unit=unit)
    assert (adj["reason"].astype(str) == "市级表彰").any()
    assert (adj.astype(str) == "office").any().any()  # recorded as the signed-in person
    at = signed_in(ADMIN, "pages/batches.py")
    assert "imp_rollback_btn" in keys(at)


@pytest.mark.signed_out
def test_nobody_signed_in_gets_no_page_drawn_by_its_url(app_db):
    """Even before the sign-in gate (ui/auth, app.py) stops a visitor, every page's own opening refuses
    nobody: the words, and nothing else of the page."""
    for page in ("pages/profile.py", "pages/import.py", "pages/rankings.py", "pages/batches.py"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, at.exception
        assert not at.dataframe and not at.get("file_uploader") and not at.get("download_button"), page


def test_an_evaluators_rollback_of_the_sample_batch_is_refused_in_words(app_db):
    sample_batch = int(app_db.batches()["batch_id"].min())  # every indicator of the district
    at = signed_in(EVALUATOR, "pages/batches.py", imp_batch_pick=sample_batch)
    assert "imp_rollback_btn" in keys(at)
    at.text_input(key="imp_rb_reason").input("试试").run()
    at.checkbox(key=f"imp_rb_confirm_{sample_batch}").check().run()
    at.button(key="imp_rollback_btn").click().run()
    assert not at.exception, at.exception
    words = errors(at)
    assert "EM_PLAN" in words and "应急管理局" in words, words
    assert app_db.batch(sample_batch)["status"] == "committed"
    at = signed_in(LEADER, "pages/batches.py")
    assert "imp_rollback_btn" not in keys(at) and any("只能查看" in c.value for c in at.caption)
