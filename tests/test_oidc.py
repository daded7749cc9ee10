"""Signing in through the office's identity provider: the claims mapped to a Principal (auth/oidc.py), and a
browser walk against a local OIDC mock (tests/oidc/mock_idp.js) through Streamlit's st.login (ui/oidc.py)."""

from __future__ import annotations

import json

import pytest

from kaohe.auth import oidc
from kaohe.auth.oidc import OidcSettings, principal_from_claims
from kaohe.base.access import Forbidden


def _accounts(wh, *rows):
    """An accounts table of the shape data/accounts.py keeps (sources/offices as JSON text)."""
    with wh.transaction() as con:
        con.execute("""CREATE TABLE IF NOT EXISTS accounts (login VARCHAR PRIMARY KEY, name VARCHAR, role VARCHAR,
                       sources VARCHAR, offices VARCHAR, unit_code VARCHAR, password_hash VARCHAR,
                       disabled BOOLEAN DEFAULT FALSE)""")
        for r in rows:
            con.execute("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [r["login"], r.get("name", ""), r["role"], json.dumps(r.get("sources", [])),
                         json.dumps(r.get("offices", [])), r.get("unit_code"), "x", r.get("disabled", False)])


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


def test_account_wins_over_claims(empty_wh):
    _accounts(empty_wh, {"login": "Wang@Office.test", "name": "王芳（账号）", "role": "evaluator",
                         "sources": ["12345"], "offices": []},
              {"login": "s01@office.test", "role": "unit", "unit_code": "S01"})
    who = principal_from_claims(empty_wh, {"email": "wang@office.test", "name": "Fang", "kaohe_role": "admin",
                                           "kaohe_sources": ["110"]}, settings=OidcSettings())
    assert (who.login, who.role, who.name, who.via) == ("Wang@Office.test", "evaluator", "王芳（账号）", "oidc")
    assert who.sources == {"12345"}
    unit = principal_from_claims(empty_wh, {"email": "s01@office.test", "name": "街道甲", "kaohe_unit": "S99"},
                                 settings=OidcSettings())
    assert unit.role == "unit" and unit.unit_code == "S01" and unit.name == "街道甲"
    # someone without an account still gets the claims' role
    assert principal_from_claims(empty_wh, {"email": "other@x", "kaohe_role": "leader"},
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
