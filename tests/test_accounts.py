"""Accounts, signing in and sessions (auth/accounts.py over data/accounts.py): argon2 hashes, the rate limit,
disabled accounts, idle and absolute session limits, every refusal in words, and the wrong role refused."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from kaohe.auth import accounts
from kaohe.base import access
from kaohe.base.access import Principal
from kaohe.data import accounts as store

ADMIN = Principal.local("office-admin")
PW = "correct horse battery"
T0 = dt.datetime(2026, 11, 20, 2, 0, 0)  # naive UTC, as stored


@pytest.fixture
def wh(sample_wh):
    with sample_wh.transaction() as con:  # a district's own catalogue: sources and offices named
        con.execute("UPDATE indicators SET source_system = '12345', owner_office = '区政务服务中心' "
                    "WHERE code IN (SELECT code FROM indicators ORDER BY code LIMIT 3)")
        con.execute("UPDATE indicators SET source_system = '应急', owner_office = '区应急管理局' "
                    "WHERE code NOT IN (SELECT code FROM indicators ORDER BY code LIMIT 3)")
    return sample_wh


def unit_code(wh) -> str:
    return str(wh.units().iloc[0]["code"])


def test_a_password_is_kept_as_an_argon2_hash_and_verified(wh):
    row = accounts.add(wh, "ld1", "leader", name="李领导", password=PW, actor=ADMIN, now=T0)
    assert "password_hash" not in row and row["role"] == "leader" and row["created_by"] == "office-admin"
    stored = store.get(wh, "ld1")["password_hash"]
    assert stored.startswith("$argon2id$") and PW not in stored
    assert PasswordHasher().verify(stored, PW)
    who = accounts.sign_in(wh, "ld1", PW, now=T0)
    assert who == Principal("ld1", "leader", name="李领导")
    assert "password_hash" not in accounts.list_accounts(wh, actor=ADMIN).columns
    log = wh.audit_log()
    assert {"account.add", "signin.ok"} <= set(log["action"])
    assert log[log["action"] == "account.add"]["actor"].iloc[0] == "office-admin"


def test_an_older_hash_is_replaced_on_the_next_good_sign_in(wh, monkeypatch):
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
    accounts.add(wh, "old", "leader", password=PW, actor=ADMIN)
    before = store.get(wh, "old")["password_hash"]
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher())
    accounts.sign_in(wh, "old", PW, now=T0)
    after = store.get(wh, "old")["password_hash"]
    assert after != before and not PasswordHasher().check_needs_rehash(after)
    assert accounts.sign_in(wh, "old", PW, now=T0).login == "old"
    assert "account.rehash" in set(wh.audit_log()["action"])


def test_unknown_login_and_wrong_password_are_refused_in_the_same_words(wh):
    accounts.add(wh, "ld1", "leader", password=PW, actor=ADMIN)
    with pytest.raises(accounts.SignInRefused) as wrong:
        accounts.sign_in(wh, "ld1", "not the password", now=T0)
    with pytest.raises(accounts.SignInRefused) as unknown:
        accounts.sign_in(wh, "nobody", PW, now=T0)
    assert wrong.value.text("zh") == unknown.value.text("zh") == "登录名或密码不正确。"
    assert wrong.value.text("en") == unknown.value.text("en")


def test_five_failures_within_15_minutes_lock_the_login_for_15_minutes(wh):
    accounts.add(wh, "ev", "evaluator", password=PW, sources=["12345"], actor=ADMIN)
    for i in range(5):
        with pytest.raises(accounts.SignInRefused, match="不正确"):
            accounts.sign_in(wh, "ev", "bad password", now=T0 + dt.timedelta(minutes=2 * i))
    fifth = T0 + dt.timedelta(minutes=8)
    with pytest.raises(accounts.SignInRefused) as locked:  # even the right password, while locked
        accounts.sign_in(wh, "ev", PW, now=fifth + dt.timedelta(minutes=1))
    assert locked.value.key == "signin.locked"
    # the time it opens again, in the office's local time (Asia/Shanghai: UTC+8)
    assert locked.value.text("zh") == "登录失败次数过多，此账号已暂时锁定，2026-11-20 10:23 后可再试。"
    assert "2026-11-20 10:23" in locked.value.text("en")
    assert accounts.sign_in(wh, "ev", PW, now=fifth + dt.timedelta(minutes=15)).login == "ev"


def test_failures_spread_over_more_than_15_minutes_do_not_lock(wh):
    accounts.add(wh, "ld", "leader", password=PW, actor=ADMIN)
    for i in range(6):
        with pytest.raises(accounts.SignInRefused, match="不正确"):
            accounts.sign_in(wh, "ld", "bad password", now=T0 + dt.timedelta(minutes=4 * i))
    assert accounts.sign_in(wh, "ld", PW, now=T0 + dt.timedelta(minutes=25)).login == "ld"


def test_a_good_sign_in_clears_earlier_failures(wh):
    accounts.add(wh, "ld", "leader", password=PW, actor=ADMIN)
    for i in range(4):
        with pytest.raises(accounts.SignInRefused):
            accounts.sign_in(wh, "ld", "bad password", now=T0 + dt.timedelta(seconds=i))
    accounts.sign_in(wh, "ld", PW, now=T0 + dt.timedelta(seconds=10))
    with pytest.raises(accounts.SignInRefused, match="不正确"):
        accounts.sign_in(wh, "ld", "bad password", now=T0 + dt.timedelta(seconds=20))
    assert accounts.locked_until(wh, "ld", T0 + dt.timedelta(seconds=30)) is None


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(wh):
    accounts.add(wh, "ld", "leader", password=PW, actor=ADMIN)
    token = accounts.open_session(wh, accounts.sign_in(wh, "ld", PW, now=T0), now=T0)
    assert accounts.session_principal(wh, token, T0 + dt.timedelta(minutes=1)).login == "ld"
    accounts.disable(wh, "ld", actor=ADMIN, now=T0 + dt.timedelta(minutes=2))
    assert accounts.session_principal(wh, token, T0 + dt.timedelta(minutes=3)) is None
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(wh, "ld", PW, now=T0 + dt.timedelta(minutes=4))
    assert refused.value.text("zh") == "此账号已停用，请联系考核办。"
    accounts.enable(wh, "ld", actor=ADMIN)
    assert accounts.sign_in(wh, "ld", PW).login == "ld"
    assert {"account.disable", "account.enable"} <= set(wh.audit_log()["action"])


def test_a_session_stores_only_the_tokens_hash_and_ends_when_idle(wh, monkeypatch):
    monkeypatch.setenv("KAOHE_SESSION_IDLE_MIN", "30")
    accounts.add(wh, "ld", "leader", password=PW, actor=ADMIN)
    token = accounts.open_session(wh, "ld", now=T0)
    assert len(token) >= 40
    with wh.connect() as con:
        assert con.execute("SELECT count(*) FROM sessions WHERE token_hash = ?", [token]).fetchone()[0] == 0
    # a visit every 20 minutes keeps it; 30 minutes without one ends it
    for minutes in (20, 40, 60):
        assert accounts.session_principal(wh, token, T0 + dt.timedelta(minutes=minutes)).login == "ld"
    state = accounts.check_session(wh, token, T0 + dt.timedelta(minutes=91))
    assert state.principal is None and state.reason == "idle"
    assert accounts.check_session(wh, token, T0 + dt.timedelta(minutes=92)).reason == "ended"
    assert accounts.session_principal(wh, "made-up-token", T0) is None


def test_a_session_ends_at_the_absolute_limit_however_busy(wh, monkeypatch):
    monkeypatch.setenv("KAOHE_SESSION_MAX_HOURS", "2")
    accounts.add(wh, "ld", "leader", password=PW, actor=ADMIN)
    token = accounts.open_session(wh, "ld", now=T0)
    for minutes in range(10, 120, 10):
        assert accounts.session_principal(wh, token, T0 + dt.timedelta(minutes=minutes)) is not None
    state = accounts.check_session(wh, token, T0 + dt.timedelta(minutes=120))
    assert state.reason == "expired"


def test_a_session_re_reads_the_account_and_ends_on_sign_out_or_reset(wh):
    accounts.add(wh, "ev", "evaluator", password=PW, sources=["12345"], actor=ADMIN)
    token = accounts.open_session(wh, "ev", now=T0)
    who = accounts.session_principal(wh, token, T0)
    assert who.role == "evaluator" and who.sources == frozenset({"12345"})
    assert accounts.end_session(wh, token, now=T0 + dt.timedelta(minutes=1))
    assert accounts.session_principal(wh, token, T0 + dt.timedelta(minutes=2)) is None
    token = accounts.open_session(wh, "ev", now=T0)
    accounts.reset_password(wh, "ev", "a brand new password", actor=ADMIN, now=T0 + dt.timedelta(minutes=3))
    assert accounts.session_principal(wh, token, T0 + dt.timedelta(minutes=4)) is None
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(wh, "ev", PW)
    assert accounts.sign_in(wh, "ev", "a brand new password").login == "ev"


def test_the_session_limits_are_settings(monkeypatch):
    from kaohe.base import settings

    assert settings.session_idle_minutes() == 30 and settings.session_max_hours() == 12
    monkeypatch.setenv("KAOHE_SESSION_IDLE_MIN", "5")
    monkeypatch.setenv("KAOHE_SESSION_MAX_HOURS", "nonsense")
    assert settings.session_idle_minutes() == 5 and settings.session_max_hours() == 12


@pytest.mark.parametrize(("kwargs", "zh", "en"), [
    (dict(login="x1", role="boss"), "没有“boss”这个角色", "There is no role \"boss\""),
    (dict(login="x1", role="evaluator"), "至少要有一个数据来源或责任科室", "at least one source or office"),
    (dict(login="x1", role="evaluator", sources=["110"]), "没有这些数据来源：110。目录中已有：12345、应急",
     "no such source: 110. It names: 12345, 应急"),
    (dict(login="x1", role="evaluator", offices=["区公安分局"]), "没有这些责任科室：区公安分局",
     "no such office: 区公安分局"),
    (dict(login="x1", role="unit"), "单位账号需要所属单位的代码", "needs the code of its unit"),
    (dict(login="x1", role="unit", unit_code="NOPE"), "没有代码为“NOPE”的单位", "no unit with the code \"NOPE\""),
    (dict(login="x1", role="leader", sources=["12345"]), "只有考核员账号有数据来源", "Only an evaluator's"),
    (dict(login="x1", role="leader", password="short"), "至少要 10 个字符", "at least 10 characters"),
    (dict(login="bad login!", role="leader"), "登录名“bad login!”不可用", "cannot be used"),
    (dict(login="dup", role="leader"), "登录名“dup”已经有人用了", "\"dup\" is already taken"),
])
def test_bad_accounts_are_refused_in_words_and_nothing_is_written(wh, kwargs, zh, en):
    accounts.add(wh, "dup", "leader", password=PW, actor=ADMIN)
    before = len(accounts.list_accounts(wh, actor=ADMIN)), len(wh.audit_log())
    kwargs = {"password": PW, **kwargs}
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.add(wh, kwargs.pop("login"), kwargs.pop("role"), actor=ADMIN, **kwargs)
    assert zh in refused.value.text("zh") and en in refused.value.text("en")
    assert (len(accounts.list_accounts(wh, actor=ADMIN)), len(wh.audit_log())) == before


def test_scoped_accounts_keep_their_scope(wh):
    accounts.add(wh, "ev", "evaluator", password=PW, sources=["12345"], offices=["区应急管理局"], actor=ADMIN)
    code = unit_code(wh)
    accounts.add(wh, "u1", "unit", password=PW, unit_code=code, actor=ADMIN)
    ev = accounts.sign_in(wh, "ev", PW)
    assert ev.sources == {"12345"} and ev.offices == {"区应急管理局"}
    assert accounts.sign_in(wh, "u1", PW).unit_code == code


@pytest.mark.parametrize("role", ["leader", "evaluator", "unit"])
def test_every_account_action_refuses_a_role_without_the_accounts_right(wh, role):
    accounts.add(wh, "ld", "leader", password=PW, actor=ADMIN)
    actor = Principal("someone", role, sources={"12345"}, unit_code=unit_code(wh))
    before = len(wh.audit_log())
    calls = [
        lambda: accounts.add(wh, "new", "admin", password=PW, actor=actor),
        lambda: accounts.list_accounts(wh, actor=actor),
        lambda: accounts.disable(wh, "ld", actor=actor),
        lambda: accounts.enable(wh, "ld", actor=actor),
        lambda: accounts.reset_password(wh, "ld", "another long password", actor=actor),
        lambda: accounts.account(wh, "ld", actor=actor),
    ]
    for call in calls:
        with pytest.raises(access.Forbidden) as refused:
            call()
        assert "无权" in refused.value.text("zh")
    assert len(wh.audit_log()) == before
    assert not store.get(wh, "ld")["disabled"] and store.get(wh, "new") is None


def test_an_admin_cannot_disable_their_own_account(wh):
    accounts.add(wh, "boss", "admin", password=PW, actor=ADMIN)
    me = accounts.sign_in(wh, "boss", PW)
    with pytest.raises(accounts.AccountRefused, match="不能停用自己"):
        accounts.disable(wh, "boss", actor=me)
    with pytest.raises(accounts.AccountRefused, match="没有登录名为“ghost”的账号"):
        accounts.disable(wh, "ghost", actor=me)


def test_the_migration_adds_the_three_tables(empty_wh):
    from kaohe.data import schema

    assert schema.LATEST >= 9
    with empty_wh.connect() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"accounts", "signin_attempts", "sessions"} <= tables
