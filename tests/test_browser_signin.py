"""Signing in against a running server in chromium: a deep URL shows the form and nothing else; a wrong
password is refused in words; signing in opens the page asked for; a reload keeps the session (the
`kaohe_session` cookie); signing out ends it, and a reload then shows the form again."""

from __future__ import annotations

import shutil

import pytest
from browser_helpers import (
    BROWSER_LOGIN,
    BROWSER_PASSWORD,
    SIGNIN_FORM,
    goto_page,
    heading,
    submit_sign_in,
    wait_for_app,
)

from kaohe.base import i18n

pytestmark = pytest.mark.browser


@pytest.fixture
def server(sample_db, tmp_path, start_streamlit):
    db = tmp_path / "signin.duckdb"
    shutil.copy(sample_db, db)
    return start_streamlit(db)


def only_the_form(page) -> None:
    assert heading(page) == "登录考核看板"
    page.wait_for_selector(".st-key-signin_login input")
    assert page.locator(".st-key-signin_password input").count() == 1
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.get_by_role("combobox").count() == 0  # no month picker, no selection of any page
    assert page.locator('[data-testid="stDataFrame"], [data-testid="stMetric"], .js-plotly-plot').count() == 0


def test_sign_in_keeps_the_deep_link_survives_a_reload_and_signs_out(server, browser_page):
    page = browser_page
    goto_page(page, server.url, "rankings", sign_in=False)
    only_the_form(page)

    submit_sign_in(page, BROWSER_LOGIN, "not the password")
    assert "登录名或密码不正确。" in page.locator('[data-testid="stAlertContentError"]').inner_text()
    only_the_form(page)

    submit_sign_in(page, BROWSER_LOGIN, BROWSER_PASSWORD)
    assert heading(page) == i18n.t("rk.title", "zh")  # the page the URL asked for
    assert page.locator('[data-testid="stSidebarNav"]').count() == 1
    assert "已登录：browser-admin（考核办）" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.wait_for_function("() => document.cookie.includes('kaohe_session=')", timeout=10_000)
    cookie = next(c for c in page.context.cookies() if c["name"] == "kaohe_session")
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and len(cookie["value"]) >= 40
    assert 11.5 * 3600 < cookie["expires"] - page.evaluate("Date.now() / 1000") <= 12 * 3600 + 5

    page.reload()
    wait_for_app(page, sign_in=False)
    assert page.locator(SIGNIN_FORM).count() == 0
    assert heading(page) == i18n.t("rk.title", "zh")
    goto_page(page, server.url, "trends", sign_in=False)  # another URL: a new session, the same sign-in
    assert heading(page) == i18n.t("tr.title", "zh")

    page.locator(".st-key-signout_btn button").click()
    page.wait_for_selector(SIGNIN_FORM, timeout=30_000)
    wait_for_app(page, sign_in=False)
    assert "您已退出登录。" in page.locator('[data-testid="stAlertContentInfo"]').inner_text()
    page.wait_for_function("() => !document.cookie.includes('kaohe_session=')", timeout=10_000)
    page.reload()
    wait_for_app(page, sign_in=False)
    only_the_form(page)


def test_a_replayed_cookie_of_an_ended_session_signs_nobody_in(server, browser_page):
    page = browser_page
    goto_page(page, server.url, "", sign_in=False)
    submit_sign_in(page)
    page.wait_for_function("() => document.cookie.includes('kaohe_session=')", timeout=10_000)
    old = next(c for c in page.context.cookies() if c["name"] == "kaohe_session")
    page.locator(".st-key-signout_btn button").click()
    page.wait_for_selector(SIGNIN_FORM, timeout=30_000)
    page.context.add_cookies([{k: old[k] for k in ("name", "value", "domain", "path", "sameSite")}])
    goto_page(page, server.url, "overview", sign_in=False)
    only_the_form(page)


def test_a_unit_at_another_pages_url_gets_its_own_pages_only(sample_db, tmp_path, start_streamlit, browser_page):
    from browser_helpers import ensure_account

    from kaohe.data.warehouse import Warehouse

    db = tmp_path / "unit.duckdb"
    shutil.copy(sample_db, db)
    code = str(Warehouse(db).units().iloc[0]["code"])
    ensure_account(db, "u1", "unit-password-1", role="unit", unit_code=code)
    server = start_streamlit(db)
    page = browser_page
    goto_page(page, server.url, "overview", sign_in=False)
    only_the_form(page)
    submit_sign_in(page, "u1", "unit-password-1")
    assert heading(page) == i18n.t("pf.title", "zh")  # not the overview: a unit opens on its profile
    nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    titles = {text.split("\n")[-1].strip() for text in nav} - {i18n.t_or("ap.title", "", "zh")}
    assert titles == {i18n.t("rk.title", "zh"), i18n.t("pf.title", "zh")}
    assert "已登录：u1（被考核单位）" in page.locator('[data-testid="stSidebar"]').inner_text()
