"""The sign-in gate under AppTest: an unsigned visitor at any page's path sees the form and nothing else; a
wrong password is refused in words; a signed-in person gets the pages of their role only; a session that
ran out or whose account was disabled ends with words; the accounts page works through the core."""

from __future__ import annotations

import functools

import pytest
from streamlit.testing.v1 import AppTest

from kaohe.auth import accounts
from kaohe.base.access import Principal
from kaohe.ui import auth, routing

PW = "correct horse battery"
ADMIN = Principal.local("office-admin")


def fresh(page: str | None = None, lang: str = "zh") -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    if lang != "zh":
        at.session_state["lang"] = lang
        at.run()
    return at


def sign_in(at: AppTest, login: str, password: str) -> AppTest:
    at.text_input(key="signin_login").input(login)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()  # the form's submit button is the only button on the form
    assert not at.exception, at.exception
    return at


def only_the_form(at: AppTest, title: str = "登录考核看板") -> None:
    assert [t.value for t in at.title] == [title]
    assert [w.key for w in at.text_input] == ["signin_login", "signin_password"]
    assert [w.key for w in at.sidebar if getattr(w, "key", None)] == ["lang"]
    assert not at.selectbox and not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert not at.tabs and not at.expander and not at.multiselect
    assert auth.SESSION_KEY not in at.session_state


def page_paths() -> list[str]:
    from kaohe.ui import setup

    return [row[0] for row in routing.pages() if (setup.ROOT / row[0]).exists()]


@pytest.fixture
def people(app_db):
    with app_db.transaction() as con:
        con.execute("UPDATE indicators SET source_system = '12345'")
    accounts.add(app_db, "ld", "leader", name="李领导", password=PW, actor=ADMIN)
    accounts.add(app_db, "ev", "evaluator", name="考核员甲", password=PW, sources=["12345"], actor=ADMIN)
    code = str(app_db.units().iloc[0]["code"])
    accounts.add(app_db, "u1", "unit", name="街道甲", password=PW, unit_code=code, actor=ADMIN)
    accounts.add(app_db, "boss", "admin", name="考核办主任", password=PW, actor=ADMIN)
    return app_db


@pytest.mark.signed_out
@pytest.mark.parametrize("page", page_paths())
def test_an_unsigned_visitor_at_any_page_sees_the_form_and_nothing_else(people, page):
    at = fresh(page)
    only_the_form(at)


@pytest.mark.signed_out
def test_the_form_speaks_english_and_the_language_switch_is_on_it(people):
    at = fresh(lang="en")
    only_the_form(at, "Sign in to Kaohe")
    assert [w.label for w in at.text_input] == ["Login", "Password"]


@pytest.mark.signed_out
@pytest.mark.parametrize(("login", "password"), [("ld", "not the password"), ("nobody", PW)])
def test_a_wrong_login_or_password_is_refused_in_the_same_words(people, login, password):
    at = sign_in(fresh(), login, password)
    assert [e.value for e in at.error] == ["登录名或密码不正确。"]
    only_the_form(at)


@pytest.mark.signed_out
def test_a_disabled_account_is_refused_in_words(people):
    accounts.disable(people, "ld", actor=ADMIN)
    at = sign_in(fresh(), "ld", PW)
    assert [e.value for e in at.error] == ["此账号已停用，请联系考核办。"]


def _nav(monkeypatch, who) -> list[str]:
    """The url paths the navigation offers `who` (st.navigation captured)."""
    import streamlit as st

    seen = {}
    monkeypatch.setattr(st, "navigation", lambda sections, **kw: seen.update(sections=sections, **kw))
    monkeypatch.setattr(st, "Page", lambda path, **kw: (path, kw))
    monkeypatch.setattr(routing, "opens_on_start", lambda: False)
    routing.navigation(who)
    # "/" may be a hidden page opening the role's first page (its path: what it switches to)
    return [(p[0].args[0][0] if isinstance(p[0], functools.partial) else p[0], p[1]["default"])
            for pages in seen["sections"].values() for p in pages if not (p[1].get("visibility") == "hidden"
                                                                           and not p[1]["default"])]


@pytest.mark.parametrize(("role", "expected", "default"), [
    ("unit", {"pages/rankings.py", "pages/profile.py"}, "pages/profile.py"),
    ("evaluator", {"pages/indicators.py", "pages/import.py", "pages/batches.py", "pages/browser.py",
                   "pages/catalogue.py"}, "pages/import.py"),
    ("leader", None, "pages/overview.py"),
    ("admin", None, "pages/overview.py"),
])
def test_the_navigation_lists_the_pages_of_the_role_only(app_db, monkeypatch, role, expected, default):
    who = Principal("p", role, sources={"12345"}, unit_code="S01")
    shown = _nav(monkeypatch, who)
    paths = {p for p, d in shown if not d or p == default} - {"pages/appeals.py"}  # another engineer's page, when it exists
    assert [p for p, d in shown if d] == [default]
    if expected is not None:
        assert paths == expected
    elif role == "leader":
        assert "pages/accounts.py" not in paths and "pages/import.py" in paths  # data.view: read only
        assert "pages/scheme.py" in paths and "pages/audit.py" in paths
    else:
        assert {p for p in page_paths() if p != "pages/appeals.py"} == paths


@pytest.mark.signed_out
def test_signing_in_opens_the_pages_of_the_role(people):
    from kaohe.metrics import appeals

    appeals.open_publicity(people, people.months()[-1], days=5, actor=ADMIN)  # released to the units
    at = sign_in(fresh(), "u1", PW)
    assert at.session_state[auth.SESSION_KEY].login == "u1"
    assert not at.error
    from kaohe.base import i18n

    assert at.title[0].value == i18n.t("pf.title", "zh")  # a unit opens on its profile
    assert any("已登录：街道甲（被考核单位）" in c.value for c in at.sidebar.caption)
    # a page the role may not open is not in the navigation at all: asking for it by path finds nothing
    with pytest.raises(ValueError, match="Could not find a navigation page") as missing:
        at.switch_page("pages/overview.py")
    assert "overview" not in str(missing.value).split("Known pages")[1]


@pytest.mark.signed_out
def test_a_deep_link_opens_after_signing_in(people):
    from kaohe.base import i18n

    at = sign_in(fresh("pages/rankings.py"), "ld", PW)
    assert at.title[0].value == i18n.t("rk.title", "zh")


@pytest.mark.signed_out
@pytest.mark.parametrize(("change", "words"), [
    ("UPDATE sessions SET seen_at = seen_at - INTERVAL 31 MINUTE", "您长时间未操作，已自动退出，请重新登录。"),
    ("UPDATE sessions SET expires_at = created_at", "登录已到期，请重新登录。"),
    ("UPDATE accounts SET disabled = TRUE WHERE login = 'ld'", "您的账号已停用，已退出登录。"),
])
def test_a_session_that_ran_out_signs_the_person_out_with_words(people, change, words):
    at = sign_in(fresh(), "ld", PW)
    assert at.session_state[auth.SESSION_KEY].login == "ld"
    with people.transaction() as con:
        con.execute(change)
    at.run()
    assert [i.value for i in at.info] == [words]
    only_the_form(at)


@pytest.mark.signed_out
def test_signing_out_ends_the_session(people):
    at = sign_in(fresh(), "ld", PW)
    token = at.session_state[auth.TOKEN_KEY]
    at.button(key="signout_btn").click().run()
    assert [i.value for i in at.info] == ["您已退出登录。"]
    only_the_form(at)
    assert accounts.session_principal(people, token) is None


def test_the_accounts_page_adds_disables_and_resets_through_the_core(people):
    at = fresh("pages/accounts.py")
    assert at.title[0].value == "账号管理"
    shown = at.dataframe[0].value
    assert set(shown["登录名"]) == {"ld", "ev", "u1", "boss"} and "password_hash" not in shown.columns
    at.text_input(key="acct_login").input("ld2")
    at.text_input(key="acct_name").input("新领导")
    at.text_input(key="acct_password").input(PW)
    at.text_input(key="acct_password2").input(PW)
    at.button[0].click().run()  # the add form's submit
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "已添加账号 ld2（领导）。" in [s.value for s in at.success]
    assert accounts.sign_in(people, "ld2", PW).name == "新领导"
    # a weak password: refused in words, nothing added
    at.text_input(key="acct_login").input("ld3")
    at.text_input(key="acct_password").input("short")
    at.text_input(key="acct_password2").input("short")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["密码太短：至少要 10 个字符。"]
    assert "ld3" not in set(accounts.list_accounts(people, actor=ADMIN)["login"])
    at.selectbox(key="acct_pick").select("ld").run()
    at.button(key="acct_disable_btn").click().run()
    assert "已停用账号 ld，其登录会话已结束。" in [s.value for s in at.success]
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(people, "ld", PW)


def test_the_accounts_page_refuses_a_leader_in_words(people, monkeypatch, sign_in_as):
    """Even were the page reached (here: the navigation told to list every page), the core refuses."""
    monkeypatch.setattr(routing, "allowed", lambda title_key, who: True)
    at = sign_in_as(AppTest.from_file("../app.py", default_timeout=60), "leader", "ld")
    at.run()
    at.switch_page("pages/accounts.py").run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("您的角色（领导）无权")  # and nothing of the page
    assert not at.dataframe and not at.text_input
