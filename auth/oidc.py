"""The identity provider's claims mapped to a Kaohe Principal (the core of the OIDC sign-in; no Streamlit).

The face (ui/oidc.py) hands over the claims of the ID token Streamlit's st.login received (`st.user`);
`principal_from_claims` decides who that is and what they may do:

1. The login is the first non-empty claim of `login_claims` (default email, then preferred_username,
   then sub).
2. If the warehouse holds an account with that login, the account's role and scope win (the office's
   own register beats the provider's), and a disabled account is refused.
3. Otherwise the role comes from the claims: a value of `role_claim` (default kaohe_role) that is a role
   name (leader, evaluator, admin, unit), or a value of `role_claim` or `groups_claim` (default groups)
   that `group_roles` maps to a role (the provider's group names, e.g. "考核办" = "admin"). The scope comes
   from `sources_claim`, `offices_claim` (an evaluator's) and `unit_claim` (a unit's). No role, two
   different roles, or a unit role without a unit is refused in words.

Where the mapping is set (docs/oidc.md): the `[kaohe.oidc]` table of the server's secrets file (the same
file as Streamlit's `[auth]`), else environment variables KAOHE_OIDC_<KEY> (KAOHE_OIDC_ROLE_CLAIM=...,
KAOHE_OIDC_GROUP_ROLES='{"考核办": "admin"}', KAOHE_OIDC_LOGIN_CLAIMS="email,sub"). `OidcSettings.load`
merges the two: a key in the secrets wins over the environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from kaohe.base import access
from kaohe.base.access import Forbidden, Principal

VIA = "oidc"
ENV_PREFIX = "KAOHE_OIDC_"


def _names(value: object) -> tuple[str, ...]:
    """A claim's or a setting's value as a tuple of non-empty names: a list, or text split at commas
    (a JSON list in text is read as a list)."""
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return _names(json.loads(text))
            except ValueError:
                pass
        return tuple(p.strip() for p in text.split(",") if p.strip())
    if isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    text = str(value).strip()
    return (text,) if text else ()


@dataclass(frozen=True)
class OidcSettings:
    """How the provider's claims map to Kaohe's login, role and scope (the module's text)."""

    login_claims: tuple[str, ...] = ("email", "preferred_username", "sub")
    name_claim: str = "name"
    role_claim: str = "kaohe_role"
    groups_claim: str = "groups"
    group_roles: Mapping[str, str] = field(default_factory=dict)
    sources_claim: str = "kaohe_sources"
    offices_claim: str = "kaohe_offices"
    unit_claim: str = "kaohe_unit"
    provider: str = ""  # the [auth.NAME] section st.login uses; "" = the [auth] section itself

    def __post_init__(self) -> None:
        object.__setattr__(self, "login_claims", _names(self.login_claims) or ("email", "preferred_username", "sub"))
        roles = {}
        for group, role in dict(self.group_roles or {}).items():
            role = str(role).strip().lower()
            if role not in access.ROLES:
                raise ValueError(f"group_roles: {group!r} maps to unknown role {role!r}; one of "
                                 f"{', '.join(access.ROLES)}")
            roles[str(group).strip()] = role
        object.__setattr__(self, "group_roles", roles)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object] | None) -> OidcSettings:
        """From the [kaohe.oidc] table (unknown keys are refused, so a misspelt key does not pass silently)."""
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"[kaohe.oidc]: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        kwargs: dict[str, object] = {}
        for key, value in values.items():
            if key == "group_roles":
                if isinstance(value, str):
                    value = json.loads(value) if value.strip() else {}
                if not isinstance(value, Mapping):
                    raise ValueError("[kaohe.oidc] group_roles must be a table of group name = role")
                kwargs[key] = dict(value)
            elif key == "login_claims":
                kwargs[key] = _names(value)
            else:
                kwargs[key] = str(value).strip()
        return cls(**kwargs)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> dict[str, str]:
        """The KAOHE_OIDC_<KEY> variables present in `env`, as a [kaohe.oidc]-style mapping."""
        out = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw.strip():
                out[f.name] = raw
        return out

    @classmethod
    def load(cls, secrets_table: Mapping[str, object] | None, env: Mapping[str, str]) -> OidcSettings:
        """The secrets' [kaohe.oidc] over the environment's KAOHE_OIDC_*."""
        merged: dict[str, object] = dict(cls.from_env(env))
        merged.update(dict(secrets_table or {}))
        return cls.from_mapping(merged)


def _claim(claims: Mapping[str, object], name: str) -> tuple[str, ...]:
    return _names(claims.get(name)) if name else ()


def login_of(claims: Mapping[str, object], settings: OidcSettings) -> str:
    """The login the claims name, or a refusal when every configured login claim is empty."""
    for name in settings.login_claims:
        found = _claim(claims, name)
        if found:
            return found[0]
    raise Forbidden("oidc.no_login", claims=list(settings.login_claims))


def find_account(wh, login: str) -> dict | None:
    """The warehouse's account for `login` (exact, else differing only in case), or None, also when the
    warehouse has no accounts table yet. Sources and offices as lists."""
    if wh is None:
        return None
    from kaohe.data import accounts

    return accounts.find(wh, login)


def _roles_from_claims(claims: Mapping[str, object], settings: OidcSettings) -> list[str]:
    roles: set[str] = set()
    for value in _claim(claims, settings.role_claim):
        if value in settings.group_roles:
            roles.add(settings.group_roles[value])
        elif value.lower() in access.ROLES:
            roles.add(value.lower())
    for group in _claim(claims, settings.groups_claim):
        if group in settings.group_roles:
            roles.add(settings.group_roles[group])
    return sorted(roles, key=access.ROLES.index)


def _role_words(roles: list[str]):
    return lambda lang: [access.role_word(r)(lang) for r in roles]


def principal_from_claims(wh, claims: Mapping[str, object], *, settings: OidcSettings | None = None) -> Principal:
    """The Principal the provider's claims name (the module's text); refuses (access.Forbidden) in words."""
    settings = settings or OidcSettings()
    claims = dict(claims or {})
    login = login_of(claims, settings)
    claimed_name = next(iter(_claim(claims, settings.name_claim)), "")

    account = find_account(wh, login)
    if account is not None:
        if account.get("disabled"):
            raise Forbidden("oidc.disabled", login=account["login"])
        role = str(account.get("role") or "").strip()
        if role not in access.ROLES:
            raise Forbidden("oidc.no_role", login=account["login"], claim=settings.role_claim)
        unit = (str(account.get("unit_code") or "").strip() or None)
        if role == "unit" and not unit:
            raise Forbidden("oidc.unit_without_unit", login=account["login"], claim=settings.unit_claim)
        return Principal(login=account["login"], role=role, name=account.get("name") or claimed_name,
                         sources=frozenset(account["sources"]), offices=frozenset(account["offices"]),
                         unit_code=unit, via=VIA)

    roles = _roles_from_claims(claims, settings)
    if not roles:
        raise Forbidden("oidc.no_role", login=login, claim=settings.role_claim)
    if len(roles) > 1:
        raise Forbidden("oidc.many_roles", login=login, roles=_role_words(roles))
    role = roles[0]
    unit = next(iter(_claim(claims, settings.unit_claim)), None) if role == "unit" else None
    if role == "unit" and not unit:
        raise Forbidden("oidc.unit_without_unit", login=login, claim=settings.unit_claim)
    scoped = role == "evaluator"
    return Principal(login=login, role=role, name=claimed_name,
                     sources=frozenset(_claim(claims, settings.sources_claim)) if scoped else frozenset(),
                     offices=frozenset(_claim(claims, settings.offices_claim)) if scoped else frozenset(),
                     unit_code=unit, via=VIA)
