"""Signing in through the office's identity provider: the claims mapped to a Principal (auth/oidc.py), and a
browser walk against a local OIDC mock (tests/oidc/mock_idp.js) through Streamlit's st.login (ui/oidc.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import ROOT, free_port, heading, launch_chromium, settle, shown, wait_for_app

from kaohe.auth import oidc
from kaohe.auth.oidc import OidcSettings, principal_from_claims
from kaohe.base import access
from kaohe.base.access import Forbidden, Principal


def _accounts(wh, *rows):
    """Accounts as the office makes them (kaohe.auth.accounts); `disabled` ones disabled after."""
    from kaohe.auth import accounts

    office = Principal.local("office")
    for r in rows:
        accounts.add(wh, r["login"], r["role"], name=r.get("name", ""), password="a-long-enough-password",
                     sources=r.get("sources", []), offices=r.get("offices", []), unit_code=r.get("unit_code"),
                     actor=office)
        if r.get("disabled"):
            accounts.disable(wh, r["login"], actor=office)


def test_claim_role_without_accounts_table(empty_wh):
    who = principal_from_claims(empty_wh, {"sub": "u1", "email": "wang@office.test", "name": "王芳",
                                           "kaohe_role": "leader"}, settings=OidcSettings())
    assert (who.login, who.role, who.name, who.via) == ("wang@office.test", "leader", "王芳", "oidc")
    assert not who.sources and who.unit_code is None


def test_login_claim_falls_back_and_is_configurable(empty_wh):
    assert principal_from_claims(empty_wh, {"sub": "s9", "preferred_username": "li", "kaohe_role": "admin"},
                                 settings=OidcSettings()).login == "li"
    assert principal_from_claims(empty_wh, {"sub": "s9", "kaohe_role": "admin"}, settings=OidcSettings()).login == "s9"
    s = OidcSettings.from_mapping({"login_claims": "employee_no, sub"})
    assert principal_from_claims(empty_wh, {"sub": "s9", "email": "a@b", "employee_no": "E07",
                                            "kaohe_role": "admin"}, settings=s).login == "E07"
    with pytest.raises(Forbidden) as e:
        principal_from_claims(empty_wh, {"email": "", "kaohe_role": "admin"}, settings=OidcSettings())
    assert "email" in e.value.text("zh") and "登录名" in e.value.text("zh")
    assert "gave no login" in e.value.text("en")


def test_evaluator_and_unit_scope_from_claims(empty_wh):
    ev = principal_from_claims(empty_wh, {"email": "e@x", "kaohe_role": "Evaluator",
                                          "kaohe_sources": ["12345"], "kaohe_offices": "应急局, 城管局"},
                               settings=OidcSettings())
    assert ev.role == "evaluator" and ev.sources == {"12345"} and ev.offices == {"应急局", "城管局"}
    unit = principal_from_claims(empty_wh, {"email": "u@x", "kaohe_role": "unit", "kaohe_unit": "S01",
                                            "kaohe_sources": ["12345"]}, settings=OidcSettings())
    assert unit.role == "unit" and unit.unit_code == "S01" and not unit.sources  # scope of the role only
    with pytest.raises(Forbidden) as e:
        principal_from_claims(empty_wh, {"email": "u@x", "kaohe_role": "unit"}, settings=OidcSettings())
    assert e.value.key == "oidc.unit_without_unit" and "kaohe_unit" in e.value.text("en")


def test_group_mapping(empty_wh):
    s = OidcSettings.from_mapping({"group_roles": {"考核办": "admin", "district-leaders": "leader"},
                                   "groups_claim": "memberOf"})
    who = principal_from_claims(empty_wh, {"email": "z@x", "memberOf": ["staff", "考核办"]}, settings=s)
    assert who.role == "admin"
    # the role claim's value may be a group name too
    assert principal_from_claims(empty_wh, {"email": "z@x", "kaohe_role": "district-leaders"},
                                 settings=s).role == "leader"
    with pytest.raises(Forbidden) as e:
        principal_from_claims(empty_wh, {"email": "z@x", "memberOf": ["考核办", "district-leaders"]}, settings=s)
    assert e.value.key == "oidc.many_roles"
    assert "领导" in e.value.text("zh") and "考核办" in e.value.text("zh")
    with pytest.raises(ValueError, match="unknown role"):
        OidcSettings.from_mapping({"group_roles": {"x": "boss"}})
    with pytest.raises(ValueError, match="unknown setting"):
        OidcSettings.from_mapping({"role_claims": "x"})


def test_settings_from_secrets_over_env():
    env = {"KAOHE_OIDC_ROLE_CLAIM": "role", "KAOHE_OIDC_GROUP_ROLES": '{"g": "unit"}',
           "KAOHE_OIDC_LOGIN_CLAIMS": "upn,sub", "KAOHE_OIDC_UNIT_CLAIM": "dept"}
    s = OidcSettings.load({"unit_claim": "unit_no"}, env)
    assert s.role_claim == "role" and s.group_roles == {"g": "unit"} and s.login_claims == ("upn", "sub")
    assert s.unit_claim == "unit_no"  # the secrets win
    assert OidcSettings.load(None, {}) == OidcSettings()


def test_no_role_refused_in_words(empty_wh):
    for claims in ({"email": "n@x"}, {"email": "n@x", "kaohe_role": "superuser"}, {"email": "n@x", "groups": ["a"]}):
        with pytest.raises(Forbidden) as e:
            principal_from_claims(empty_wh, claims, settings=OidcSettings())
        assert e.value.key == "oidc.no_role"
        assert "n@x" in e.value.text("zh") and "没有角色" in e.value.text("zh")
        assert "has no role" in e.value.text("en")


def test_account_wins_over_claims(sample_wh):
    _accounts(sample_wh, {"login": "Wang@Office.test", "name": "王芳（账号）", "role": "evaluator",
                         "sources": ["12345"], "offices": []},
              {"login": "s01@office.test", "name": "街道甲", "role": "unit", "unit_code": "S01"})
    who = principal_from_claims(sample_wh, {"email": "wang@office.test", "name": "Fang", "kaohe_role": "admin",
                                           "kaohe_sources": ["110"]}, settings=OidcSettings())
    assert (who.login, who.role, who.name, who.via) == ("Wang@Office.test", "evaluator", "王芳（账号）", "oidc")
    assert who.sources == {"12345"}
    unit = principal_from_claims(sample_wh, {"email": "s01@office.test", "name": "街道甲", "kaohe_unit": "S99"},
                                 settings=OidcSettings())
    assert unit.role == "unit" and unit.unit_code == "S01" and unit.name == "街道甲"
    # someone without an account still gets the claims' role
    assert principal_from_claims(sample_wh, {"email": "other@x", "kaohe_role": "leader"},
                                 settings=OidcSettings()).role == "leader"


def test_disabled_account_refused(empty_wh):
    _accounts(empty_wh, {"login": "gone@office.test", "role": "admin", "disabled": True})
    with pytest.raises(Forbidden) as e:
        principal_from_claims(empty_wh, {"email": "gone@office.test", "kaohe_role": "admin"}, settings=OidcSettings())
    assert e.value.key == "oidc.disabled"
    assert "gone@office.test" in e.value.text("zh") and "停用" in e.value.text("zh")
    assert "disabled" in e.value.text("en")


def test_find_account_tolerates_no_table(empty_wh):
    assert oidc.find_account(empty_wh, "a@b") is None
    assert oidc.find_account(None, "a@b") is None


# -- the face under AppTest: tests/oidc/gate_app.py calls ui/oidc.py the way the sign-in gate does ----------
AUTH_SECRETS = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 40,
                         "office": {"client_id": "kaohe", "client_secret": "s",
                                    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}},
                "kaohe": {"oidc": {"group_roles": {"考核办": "admin"}}}}


def _gate(empty_wh, monkeypatch, *, secrets=None, user=None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KAOHE_DB", str(empty_wh.path))
    monkeypatch.setenv("KAOHE_LANG", "zh")
    at = AppTest.from_file("oidc/gate_app.py", default_timeout=60)
    if secrets:
        at.secrets = secrets
    at.user = user if user is not None else {"is_logged_in": False}
    at.run()
    assert not at.exception, at.exception
    return at


def _labels(at) -> list[str]:
    return [b.label for b in at.button]


def test_gate_without_provider_offers_passwords_only(empty_wh, monkeypatch):
    at = _gate(empty_wh, monkeypatch, user={"email": "x@y", "is_logged_in": True})
    assert at.title[0].value == "Kaohe"  # claims without an [auth] section sign nobody in
    assert "使用单位统一身份认证登录" not in _labels(at)


def test_gate_offers_provider_and_signs_in_from_claims(empty_wh, monkeypatch):
    at = _gate(empty_wh, monkeypatch, secrets=AUTH_SECRETS)
    assert at.title[0].value == "Kaohe" and "使用单位统一身份认证登录" in _labels(at)
    at = _gate(empty_wh, monkeypatch, secrets=AUTH_SECRETS,
               user={"is_logged_in": True, "email": "z@office.test", "name": "**赵主任**", "groups": ["考核办"],
                     "provider": "office", "origin": "http://127.0.0.1:8501"})
    assert shown(at.title[0].value) == "**赵主任**" and at.title[0].value != "**赵主任**"  # text, not markdown
    lines = [t.value for t in at.text]
    assert "login: z@office.test" in lines and "role: 考核办" in lines and "via: oidc" in lines
    at.button(key="gate_sign_out_btn").click().run()  # sign_out(): st.logout ends the provider's session
    assert not at.exception and not at.user.get("is_logged_in")


def test_offer_logs_in_with_the_one_named_provider(empty_wh, monkeypatch):
    import streamlit

    asked = []
    monkeypatch.setattr(streamlit, "login", lambda provider=None: asked.append(provider))
    at = _gate(empty_wh, monkeypatch, secrets=AUTH_SECRETS)
    at.button(key="kaohe_oidc_login_btn").click().run()
    assert asked == ["office"]
    named = {**AUTH_SECRETS, "auth": {**AUTH_SECRETS["auth"], "other": AUTH_SECRETS["auth"]["office"]},
             "kaohe": {"oidc": {"provider": "other"}}}
    at = _gate(empty_wh, monkeypatch, secrets=named)
    at.button(key="kaohe_oidc_login_btn").click().run()
    assert asked == ["office", "other"]


def test_gate_refusal_in_words_then_sign_out(empty_wh, monkeypatch):
    at = _gate(empty_wh, monkeypatch, secrets=AUTH_SECRETS,
               user={"is_logged_in": True, "email": "nobody@office.test", "name": "<b>无名</b>"})
    assert at.title[0].value == "Kaohe"
    assert at.error[0].value == "统一身份认证登录被拒绝"
    assert any("nobody@office.test" in t.value and "没有角色" in t.value for t in at.text)
    assert "退出统一身份认证" in _labels(at) and "使用单位统一身份认证登录" not in _labels(at)
    at.button(key="kaohe_oidc_refused_logout_btn").click().run()
    assert not at.exception, at.exception
    assert not at.user.get("is_logged_in")
    at.run()
    assert "使用单位统一身份认证登录" in _labels(at) and not at.error


# -- the browser walk: a local OIDC mock, Streamlit with a secrets file pointing at it, Debian's chromium ------
OIDC_DIR = Path(__file__).resolve().parent / "oidc"


def _mock_modules() -> str | None:
    """None when the mock's node modules are there (installing them with `npm ci` when they are not, as
    scripts/install-system-deps.sh does); else the reason they cannot be."""
    if (OIDC_DIR / "node_modules" / "oauth2-mock-server").is_dir() and shutil.which("node"):
        return None
    if not (shutil.which("node") and shutil.which("npm")):
        return "node/npm not installed and tests/oidc/node_modules absent (scripts/install-system-deps.sh installs both)"
    done = subprocess.run(["npm", "ci", "--prefix", str(OIDC_DIR), "--no-audit", "--no-fund"],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not (OIDC_DIR / "node_modules" / "oauth2-mock-server").is_dir():
        return "tests/oidc/node_modules absent and `npm ci` failed: " + (done.stderr or done.stdout)[-400:]
    return None


class MockIdp:
    """tests/oidc/mock_idp.js on a free port; `claims(...)` sets who it signs in next."""

    def __init__(self, claims: dict):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.proc = subprocess.Popen(["node", str(OIDC_DIR / "mock_idp.js"), str(self.port), json.dumps(claims)],
                                     cwd=OIDC_DIR, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("mock IdP exited: " + self.log.read().decode(errors="replace"))
            try:
                with urllib.request.urlopen(self.url + "/.well-known/openid-configuration", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError("mock IdP not answering")

    def claims(self, claims: dict) -> None:
        req = urllib.request.Request(self.url + "/kaohe/claims", data=json.dumps(claims).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 204

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()
        self.log.close()


class GateServer:
    """`streamlit run tests/oidc/gate_app.py` with a secrets file outside the checkout (--secrets.files)."""

    def __init__(self, db, secrets, port: int, lang: str = "zh", script=None):
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        script = script or OIDC_DIR / "gate_app.py"
        env = dict(os.environ, KAOHE_DB=str(db), KAOHE_LANG=lang)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--secrets.files", str(secrets)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + self.output())
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("streamlit not healthy: " + self.output())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001
            self.proc.kill()
        self.log.close()


SECRETS = """\
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-of-at-least-thirty-two-bytes"

[auth.office]
client_id = "kaohe"
client_secret = "kaohe-test-secret"
server_metadata_url = "{idp}/.well-known/openid-configuration"

[kaohe.oidc]
groups_claim = "groups"

[kaohe.oidc.group_roles]
"district-leaders" = "leader"
"""


@pytest.fixture
def oidc_site(empty_wh, tmp_path):
    reason = _mock_modules()
    if reason:
        pytest.skip(reason)
    import importlib.util

    # st.login's callback runs on Authlib's Starlette client, which needs httpx (streamlit[auth])
    assert importlib.util.find_spec("httpx"), "st.login needs httpx: depend on streamlit[auth] in pyproject.toml"
    _accounts(empty_wh, {"login": "li@office.test", "name": "李考核", "role": "evaluator", "sources": ["12345"]},
              {"login": "gone@office.test", "name": "停用者", "role": "admin", "disabled": True})
    idp = MockIdp({"sub": "u-wang", "email": "wang@office.test", "name": "王领导", "groups": ["district-leaders"]})
    port = free_port()
    secrets = tmp_path / "etc" / "secrets.toml"  # outside the checkout
    secrets.parent.mkdir()
    secrets.write_text(SECRETS.format(port=port, idp=idp.url), encoding="utf-8")
    server = GateServer(empty_wh.path, secrets, port)
    try:
        server.wait_healthy()
        yield idp, server
    finally:
        server.stop()
        idp.stop()


def _sign_in_with_provider(page, server) -> None:
    page.goto(server.url)
    wait_for_app(page)
    # st.login sends the browser to the mock, which signs in at once and sends it back through
    # /oauth2callback to the app: one navigation of HTTP redirects
    with page.expect_navigation(url=f"{server.url}/", timeout=30_000):
        page.get_by_role("button", name="使用单位统一身份认证登录").click()
    wait_for_app(page)
    settle(page)


def _rights(page) -> set[str]:
    line = next(x for x in page.locator('[data-testid="stMain"]').inner_text().splitlines() if x.startswith("rights:"))
    return {r.strip() for r in line.removeprefix("rights:").split(",") if r.strip()}


@pytest.mark.browser
@pytest.mark.slow
def test_browser_sign_in_through_mock_provider(oidc_site):
    from playwright.sync_api import sync_playwright


    idp, server = oidc_site
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            # a leader by the provider's group, mapped in [kaohe.oidc.group_roles]
            page = browser.new_context().new_page()
            page.goto(server.url)
            wait_for_app(page)
            assert heading(page) == "Kaohe"
            _sign_in_with_provider(page, server)
            assert heading(page) == "王领导", server.output()[-2000:]
            body = page.locator('[data-testid="stMain"]').inner_text()
            assert "login: wang@office.test" in body and "role: 领导" in body and "via: oidc" in body
            assert _rights(page) == {r for r, roles in access.RIGHTS.items() if "leader" in roles}
            # the session is kept: a reload is still signed in
            page.reload()
            wait_for_app(page)
            assert heading(page) == "王领导"
            page.context.close()

            # an account in the warehouse wins over the claims
            idp.claims({"sub": "u-li", "email": "li@office.test", "name": "Li", "kaohe_role": "admin"})
            page = browser.new_context().new_page()
            _sign_in_with_provider(page, server)
            assert heading(page) == "李考核"
            body = page.locator('[data-testid="stMain"]').inner_text()
            assert "role: 考核员" in body and "via: oidc" in body
            assert {"import", "rollback", "data.view"} <= _rights(page) and "publish" not in _rights(page)
            # signing out ends the provider's session: the form again
            page.get_by_role("button", name="sign out").click()
            page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === 'Kaohe'",
                timeout=30_000)
            settle(page)
            assert page.get_by_role("button", name="使用单位统一身份认证登录").count() == 1
            page.context.close()

            # a disabled account and a person without a role are refused in words, with the sign-out offered
            for claims, words in (({"sub": "u-g", "email": "gone@office.test", "kaohe_role": "admin"}, "已停用"),
                                  ({"sub": "u-n", "email": "nobody@office.test"}, "没有角色")):
                idp.claims(claims)
                page = browser.new_context().new_page()
                _sign_in_with_provider(page, server)
                assert heading(page) == "Kaohe"
                main = page.locator('[data-testid="stMain"]').inner_text()
                assert "统一身份认证登录被拒绝" in main and words in main and claims["email"] in main
                assert page.get_by_role("button", name="退出统一身份认证").count() == 1
                assert page.get_by_role("button", name="使用单位统一身份认证登录").count() == 0
                page.context.close()
        finally:
            browser.close()


@pytest.fixture
def oidc_dashboard(sample_db, tmp_path):
    """The dashboard itself (app.py) on a copy of the sample, with the mock provider configured."""
    import shutil

    reason = _mock_modules()
    if reason:
        pytest.skip(reason)
    db = tmp_path / "oidc-dashboard.duckdb"
    shutil.copy(sample_db, db)
    idp = MockIdp({"sub": "u-wang", "email": "wang@office.test", "name": "王领导", "groups": ["district-leaders"]})
    port = free_port()
    secrets = tmp_path / "etc" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(SECRETS.format(port=port, idp=idp.url), encoding="utf-8")
    server = GateServer(db, secrets, port, script=ROOT / "app.py")
    try:
        server.wait_healthy()
        yield idp, server
    finally:
        server.stop()
        idp.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_the_dashboard_signs_in_through_the_provider_with_the_role_it_maps(oidc_dashboard):
    """app.py's own gate: the password form with the provider's button under it; the provider's leader
    comes back signed in, with a leader's navigation (no accounts page) and their name in the sidebar."""
    from playwright.sync_api import sync_playwright

    idp, server = oidc_dashboard
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_context(locale="zh-CN").new_page()
            page.goto(server.url + "/rankings")
            wait_for_app(page, sign_in=False)
            page.wait_for_selector(".st-key-signin_login input")  # the password form, and
            page.get_by_role("button", name="使用单位统一身份认证登录").wait_for()  # the provider's under it
            with page.expect_navigation(timeout=30_000):
                page.get_by_role("button", name="使用单位统一身份认证登录").click()
            wait_for_app(page, sign_in=False)
            settle(page)
            assert page.locator(".st-key-signin_login").count() == 0, server.output()[-2000:]
            nav = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")
            paths = {urllib.parse.urlparse(h).path.strip("/") for h in nav}  # "": the default page, the overview
            assert {"", "rankings", "appeals", "audit"} <= paths and "accounts" not in paths
            assert "王领导" in page.locator('[data-testid="stSidebar"]').inner_text()
            assert not page.locator('[data-testid="stException"]').count()
        finally:
            browser.close()
