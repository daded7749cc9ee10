"""Accounts kept in the warehouse, signing in with a password, and sessions (core: no Streamlit).

Passwords are hashed with argon2-cffi's `PasswordHasher` (argon2id, its own salt per hash); a hash made
with older parameters is replaced on the next good sign-in. Only a session token's sha256 is stored, so a
copy of the warehouse holds no usable session. Every account action starts with
`access.require(actor, "accounts")`; the storage (data/accounts.py) audits each write with the actor's login.

Signing in refuses an unknown login and a wrong password in the same words (nobody learns which logins
exist); five failures of one login within 15 minutes lock it for 15 minutes (the refusal says until when,
in the office's local time). A session ends after KAOHE_SESSION_IDLE_MIN minutes without a visit or
KAOHE_SESSION_MAX_HOURS after signing in, and when its account is disabled or its password reset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kaohe.base import access, clock, settings
from kaohe.base.access import Principal
from kaohe.data import accounts as store
from kaohe.data.warehouse import Refusal

MIN_PASSWORD = 10
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

HASHER = PasswordHasher()  # argon2-cffi's current recommended parameters
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))  # verified against for an unknown login (same work)


class AccountRefused(Refusal):
    """An account action refused for its input (in words), nothing written."""


class SignInRefused(Refusal):
    """A sign-in refused: wrong login or password, locked, or disabled."""


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else clock.utcnow()


def _role_words(lang: str) -> str:
    from kaohe.base import i18n

    return i18n.sep(lang).join(f"{r}（{i18n.t(f'access.role.{r}', lang)}）" if lang != "en"
                               else f"{r} ({i18n.t(f'access.role.{r}', lang)})" for r in access.ROLES)


def _known(names: list[str]) -> object:
    from kaohe.base import i18n

    return lambda lang: i18n.sep(lang).join(names) if names else i18n.t("acct.none_known", lang)


def _clean(values: Iterable[str] | None) -> list[str]:
    return sorted({str(v).strip() for v in (values or ()) if str(v).strip()})


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountRefused("acct.weak_password", n=MIN_PASSWORD)


def _scope(wh, role: str, sources, offices, unit_code) -> tuple[list[str], list[str], str | None]:
    """The account's scope for its role, checked against the catalogue and the unit register."""
    if role not in access.ROLES:
        raise AccountRefused("acct.role_unknown", role=str(role), roles=_role_words)
    sources, offices = _clean(sources), _clean(offices)
    unit_code = (unit_code or "").strip() or None
    if role == "evaluator":
        if not sources and not offices:
            raise AccountRefused("acct.evaluator_scope")
        known = store.known_sources(wh)
        unknown = [s for s in sources if s not in known]
        if unknown:
            raise AccountRefused("acct.unknown_sources", names=unknown, known=_known(known))
        known = store.known_offices(wh)
        unknown = [o for o in offices if o not in known]
        if unknown:
            raise AccountRefused("acct.unknown_offices", names=unknown, known=_known(known))
    elif sources or offices:
        raise AccountRefused("acct.scope_evaluator_only", role=access.role_word(role))
    if role == "unit":
        if not unit_code:
            raise AccountRefused("acct.unit_missing")
        if not store.unit_exists(wh, unit_code):
            raise AccountRefused("acct.unit_unknown", unit=unit_code)
    elif unit_code:
        raise AccountRefused("acct.unit_only", role=access.role_word(role))
    return sources, offices, unit_code


def add(wh, login: str, role: str, *, name: str = "", password: str, sources: Iterable[str] = (),
        offices: Iterable[str] = (), unit_code: str | None = None, actor, now: dt.datetime | None = None) -> dict:
    """Add an account; refused in words (nothing written) for a bad login, role, scope or weak password, or
    a login already taken. Returns the stored account (without its hash)."""
    who = access.require(actor, "accounts")
    login = (login or "").strip()
    if not LOGIN_RE.match(login):
        raise AccountRefused("acct.login_invalid", login=login)
    sources, offices, unit_code = _scope(wh, role, sources, offices, unit_code)
    check_password(password)
    if store.get(wh, login) is not None:
        raise AccountRefused("acct.duplicate", login=login)
    ok = store.insert(wh, login=login, name=(name or "").strip() or login, role=role, sources=sources,
                      offices=offices, unit_code=unit_code, password_hash=HASHER.hash(password),
                      actor=who, now=_now(now))
    if not ok:  # taken between the check and the write
        raise AccountRefused("acct.duplicate", login=login)
    return account(wh, login, actor=actor)


def account(wh, login: str, *, actor) -> dict:
    access.require(actor, "accounts")
    row = store.get(wh, login)
    if row is None:
        raise AccountRefused("acct.no_such", login=str(login))
    row.pop("password_hash", None)
    return row


def list_accounts(wh, *, actor) -> pd.DataFrame:
    """Every account (login, name, role, scope, disabled, who made and changed it); never the hashes."""
    access.require(actor, "accounts")
    return store.list_rows(wh)


def _set_disabled(wh, login: str, disabled: bool, actor, now) -> None:
    who = access.require(actor, "accounts")
    if disabled and login == who and store.get(wh, login) is not None:
        raise AccountRefused("acct.not_self")
    if not store.set_disabled(wh, login, disabled, actor=who, now=_now(now)):
        raise AccountRefused("acct.no_such", login=str(login))


def disable(wh, login: str, *, actor, now: dt.datetime | None = None) -> None:
    """Disable an account: it can no longer sign in, and its open sessions end now."""
    _set_disabled(wh, login, True, actor, now)


def enable(wh, login: str, *, actor, now: dt.datetime | None = None) -> None:
    _set_disabled(wh, login, False, actor, now)


def reset_password(wh, login: str, password: str, *, actor, now: dt.datetime | None = None) -> None:
    """A new password (checked like a new account's); the account's open sessions end."""
    who = access.require(actor, "accounts")
    check_password(password)
    if not store.set_password(wh, login, HASHER.hash(password), actor=who, now=_now(now)):
        raise AccountRefused("acct.no_such", login=str(login))


def generate_password() -> str:
    """A password for the first administrator: 16 URL-safe random characters."""
    return secrets.token_urlsafe(12)


def has_accounts(wh) -> bool:
    return store.count(wh) > 0


def principal_of(row: dict, via: str = "password") -> Principal:
    return Principal(login=row["login"], role=row["role"], name=row.get("name") or "",
                     sources=frozenset(row.get("sources") or ()), offices=frozenset(row.get("offices") or ()),
                     unit_code=row.get("unit_code"), via=via)


# -- signing in ------------------------------------------------------------------------------------------------
def locked_until(wh, login: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the login opens again, if MAX_FAILURES failures within FAILURE_WINDOW (since its last good
    sign-in) locked it and the lock has not run out; else None."""
    now = _now(now)
    fails = store.failures_since(wh, login, now - FAILURE_WINDOW - LOCK_FOR)
    until = None
    for i in range(len(fails) - MAX_FAILURES + 1):
        if fails[i + MAX_FAILURES - 1] - fails[i] <= FAILURE_WINDOW:
            until = fails[i + MAX_FAILURES - 1] + LOCK_FOR
    return until if until is not None and now < until else None


def sign_in(wh, login: str, password: str, *, address: str | None = None,
            now: dt.datetime | None = None) -> Principal:
    """The Principal of a login and its password, or SignInRefused in words. An attempt while the login is
    locked is refused without looking at the password (and does not lengthen the lock)."""
    now = _now(now)
    login = (login or "").strip()[:64]
    until = locked_until(wh, login, now) if login else None
    if until is not None:
        raise SignInRefused("signin.locked", at=clock.local_text(until))
    row = store.get(wh, login) if login else None
    try:
        HASHER.verify(row["password_hash"] if row and row["password_hash"] else _DUMMY_HASH, password or "")
        good = row is not None and bool(row["password_hash"])
    except (VerificationError, InvalidHashError):
        good = False
    disabled = good and bool(row["disabled"])
    if login:  # a disabled account's attempt is a refused one (audited so), whatever the password
        store.record_attempt(wh, login, ok=good and not disabled, at=now, address=address)
    if not good:
        raise SignInRefused("signin.wrong")
    if disabled:
        raise SignInRefused("signin.disabled")
    if HASHER.check_needs_rehash(row["password_hash"]):
        store.set_password(wh, login, HASHER.hash(password), actor=login, now=now, rehash=True)
    return principal_of(row)


# -- sessions --------------------------------------------------------------------------------------------------
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=settings.session_idle_minutes())


def absolute_limit() -> dt.timedelta:
    return dt.timedelta(hours=settings.session_max_hours())


def touch_every() -> dt.timedelta:
    """How often the heartbeat (sessions.seen_at) is written: a sixth of the idle limit, at least a minute.
    Each write changes the warehouse file and with it the dashboard's cache key, so a write on every click
    would rebuild the scores; the idle limit is therefore kept to within this much."""
    return max(dt.timedelta(minutes=1), idle_limit() / 6)


def open_session(wh, who: Principal | str, *, now: dt.datetime | None = None) -> str:
    """A new session for a signed-in login: the random token to give the browser (its sha256 is stored)."""
    now = _now(now)
    login = who.login if isinstance(who, Principal) else str(who)
    token = secrets.token_urlsafe(32)
    store.open_session(wh, _digest(token), login, now=now, expires_at=now + absolute_limit())
    return token


@dataclass(frozen=True)
class SessionState:
    """A session token checked: the Principal while it holds, else why not ("none": no such session,
    "ended", "idle", "expired" (the absolute limit), "disabled")."""

    principal: Principal | None
    reason: str


def check_session(wh, token: str | None, now: dt.datetime | None = None) -> SessionState:
    """The session of `token` now: its account read afresh (a disabled or removed account ends it)."""
    if not token:
        return SessionState(None, "none")
    now = _now(now)
    digest = _digest(token)
    row = store.session(wh, digest)
    if row is None:
        return SessionState(None, "none")
    if row["ended_at"] is not None:
        return SessionState(None, "ended")
    reason = ("expired" if now >= row["expires_at"] else "idle" if now - row["seen_at"] >= idle_limit()
              else None)
    account_row = None if reason else store.get(wh, row["login"])
    if not reason and (account_row is None or account_row["disabled"]):
        reason = "disabled"
    if reason:
        store.end_session(wh, digest, now=now, reason=reason)
        return SessionState(None, reason)
    if now - row["seen_at"] >= touch_every():
        store.touch_session(wh, digest, now)
    return SessionState(principal_of(account_row), "ok")


def session_principal(wh, token: str | None, now: dt.datetime | None = None) -> Principal | None:
    """The Principal of a session token while the session holds, else None."""
    return check_session(wh, token, now).principal


def end_session(wh, token: str | None, *, now: dt.datetime | None = None) -> bool:
    """Sign out: the session ends (a later use of the token gives nobody)."""
    return bool(token) and store.end_session(wh, _digest(token), now=_now(now))
