"""Who may do what: the four roles, the rights each holds, and the check every action makes.

Every action that writes or that shows one unit's or everyone's figures takes an `actor` and calls
`require` (or `require_unit`) first, in the core, so a page that forgot to hide a button, a crafted URL
or a replayed widget event is refused the same as a menu click. An actor is a `Principal` (the signed-in
person: login, role and, for an evaluator, the sources and offices whose indicators they own; for a unit,
its code) or a plain name: a plain name is the local administrator at the command line (`kaohe ...`, the
issue's "the CLI stays the local administrator's tool"), who holds every right. The web faces never pass
a plain name: they pass the session's Principal (ui/auth.py).

The table of rights is data (`RIGHTS`), so the note, the accounts page and the tests read the same one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kaohe.base.i18n import Refusal

ROLES = ("leader", "evaluator", "admin", "unit")

# right -> the roles holding it. Evaluators' import/rollback are further limited to their own indicators
# (`out_of_scope`); a unit's view of a unit to its own (`require_unit`).
RIGHTS: dict[str, frozenset[str]] = {
    "browse": frozenset({"leader", "admin"}),           # everyone's scores: overview, rankings, trends, meeting
    "download": frozenset({"leader", "admin"}),         # reports of every unit: bulletin, exports, scorecards
    "data.view": frozenset({"leader", "evaluator", "admin"}),   # batches, the data browser, indicator quality
    "audit.view": frozenset({"leader", "admin"}),
    "import": frozenset({"evaluator", "admin"}),        # import files (an evaluator: own indicators only)
    "rollback": frozenset({"evaluator", "admin"}),      # roll back a batch (an evaluator: own indicators only)
    "scheme": frozenset({"admin"}),                     # schemes, weights, rules, vetoes, what-if drafts
    "units": frozenset({"admin"}),                      # the unit register and its reorganisations
    "catalogue": frozenset({"admin"}),                  # the indicator catalogue
    "settings": frozenset({"admin"}),                   # boundaries, the office's text, loading the sample
    "adjust": frozenset({"admin"}),                     # adjustments (加减分) and their revocation
    "publicity": frozenset({"admin"}),                  # open and close 公示
    "appeal.decide": frozenset({"admin"}),              # accept or reject an appeal
    "publish": frozenset({"admin"}),                    # publish a month or period
    "accounts": frozenset({"admin"}),                   # accounts: add, disable, reset passwords
    "unit.view": frozenset({"leader", "admin", "unit"}),  # one unit's profile and scorecard (a unit: its own)
    "published.view": frozenset({"leader", "admin", "unit"}),  # published rankings
    "appeal.file": frozenset({"unit"}),                 # file an appeal during 公示 (for its own unit)
    "appeal.view": frozenset({"leader", "admin", "unit"}),  # appeals (a unit: its own)
}
LOCAL = "local"  # how a plain-name actor signed in: at this machine's command line


class Forbidden(Refusal):
    """An action refused for the actor's role, before anything was read or written."""


@dataclass(frozen=True)
class Principal:
    """A person acting: login (what the audit log records), role, display name, and the scope of the role
    (sources/offices for an evaluator, unit_code for a unit). `via` says how they signed in
    ("password", "oidc" or "local" for the command line)."""

    login: str
    role: str
    name: str = ""
    sources: frozenset[str] = field(default_factory=frozenset)
    offices: frozenset[str] = field(default_factory=frozenset)
    unit_code: str | None = None
    via: str = "password"

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; one of {', '.join(ROLES)}")
        if not str(self.login).strip():
            raise ValueError("a principal needs a login")
        object.__setattr__(self, "sources", frozenset(self.sources or ()))
        object.__setattr__(self, "offices", frozenset(self.offices or ()))

    @classmethod
    def local(cls, login: str | None = None) -> Principal:
        """The local administrator at the command line: KAOHE_USER or the login name (settings.actor)."""
        from kaohe.base import settings

        who = (login or "").strip() or settings.actor()
        return cls(login=who, role="admin", name=who, via=LOCAL)

    def can(self, right: str) -> bool:
        return self.role in RIGHTS[right]

    @property
    def display(self) -> str:
        return self.name or self.login


def principal(actor: Principal | str | None) -> Principal:
    """The actor as a Principal: a plain name (or None) is the local administrator (see the module's text)."""
    if isinstance(actor, Principal):
        return actor
    return Principal.local(actor if isinstance(actor, str) else None)


def login(actor: Principal | str | None) -> str:
    """The name the audit log records for the actor."""
    return principal(actor).login


def can(actor: Principal | str | None, right: str) -> bool:
    """Whether the actor holds `right`; nobody (None: a face with nobody signed in) holds none."""
    if right not in RIGHTS:
        raise KeyError(f"unknown right {right!r}")
    return actor is not None and principal(actor).can(right)


def require(actor: Principal | str | None, right: str) -> str:
    """Refuse (Forbidden, in words naming the role and the action) unless the actor holds `right`; else the
    login to record."""
    if actor is None:  # a face with nobody signed in: never the local administrator
        raise Forbidden("access.signed_out")
    who = principal(actor)
    if not can(who, right):
        raise Forbidden("access.refused", role=role_word(who.role), action=action_word(right))
    return who.login


def require_unit(actor: Principal | str | None, unit_code: str, right: str = "unit.view") -> str:
    """As `require`, and a unit's account may act only on its own unit: another unit's code, from a URL,
    a selection or a replayed event, is refused."""
    require(actor, right)
    who = principal(actor)
    if who.role == "unit" and str(unit_code) != str(who.unit_code):
        raise Forbidden("access.other_unit", unit=str(unit_code))
    return who.login


def visible_units(actor: Principal | str | None) -> frozenset[str] | None:
    """The unit codes whose profile the actor may see: None for every unit, else the unit's own (nobody
    signed in: none)."""
    if actor is None:
        return frozenset()
    who = principal(actor)
    if who.role == "unit":
        return frozenset({who.unit_code} if who.unit_code else ())
    return None if who.can("unit.view") else frozenset()


def owns_indicator(actor: Principal | str | None, source_system: str | None, owner_office: str | None) -> bool:
    """Whether the actor's scope covers an indicator of this source system and owning office: an admin's
    covers all; an evaluator's the sources and offices on their account."""
    if actor is None:
        return False
    who = principal(actor)
    if who.role == "admin":
        return True
    if who.role != "evaluator":
        return False
    return (bool(source_system) and source_system in who.sources) or (
        bool(owner_office) and owner_office in who.offices)


def out_of_scope(actor: Principal | str | None, codes: Iterable[str],
                 owners: dict[str, tuple[str | None, str | None]]) -> list[str]:
    """The indicator codes among `codes` the actor may not import or roll back, sorted. `owners` maps each
    code to its catalogue (source_system, owner_office); a code the catalogue does not know is outside
    every evaluator's scope (an admin's covers it)."""
    return sorted({c for c in codes if not owns_indicator(actor, *owners.get(c, (None, None)))})


def role_word(role: str) -> object:
    """The role in words, in the face's language (a callable parameter of Refusal)."""
    from kaohe.base import i18n

    return lambda lang: i18n.t(f"access.role.{role}", lang)


def action_word(right: str) -> object:
    from kaohe.base import i18n

    return lambda lang: i18n.t(f"access.right.{right}", lang)


def owners_of(catalogue) -> dict[str, tuple[str | None, str | None]]:
    """code -> (source_system, owner_office) from a catalogue frame (Warehouse.indicators(active_only=False));
    an empty cell is None."""
    def clean(v):
        return None if v is None or v != v or not str(v).strip() else str(v).strip()

    out: dict[str, tuple[str | None, str | None]] = {}
    if catalogue is None or len(catalogue) == 0:
        return out
    src = catalogue["source_system"] if "source_system" in catalogue.columns else [None] * len(catalogue)
    off = catalogue["owner_office"] if "owner_office" in catalogue.columns else [None] * len(catalogue)
    for code, s, o in zip(catalogue["code"], src, off, strict=True):
        out[str(code)] = (clean(s), clean(o))
    return out


MAX_ROWS_NAMED = 20  # rows named per foreign indicator; more are counted


def scope_refusal(actor: Principal | str | None, rows: dict[str, list[int]] | Iterable[str],
                  owners: dict[str, tuple[str | None, str | None]], key: str = "access.scope",
                  **params: object) -> Forbidden | None:
    """The refusal (Forbidden, not raised) of the indicators outside the actor's scope, else None: one line
    per foreign indicator naming its code, source system, owning office and (when `rows` maps code -> the
    file's row numbers) its rows, in the face's language."""
    rows_of = rows if isinstance(rows, dict) else {c: [] for c in rows}
    foreign = out_of_scope(actor, rows_of.keys(), owners)
    if not foreign:
        return None

    def items(lang: str, foreign=foreign) -> str:
        from kaohe.base import i18n

        lines = []
        for code in foreign:
            source, office = owners.get(code, (None, None))
            none = i18n.t("access.scope.none", lang)
            found = sorted({int(r) for r in rows_of.get(code) or [] if r is not None and r == r})
            named = [str(r) for r in found[:MAX_ROWS_NAMED]] + (["…"] if len(found) > MAX_ROWS_NAMED else [])
            if named:
                lines.append(i18n.t("access.scope.item", lang, code=code, source=source or none,
                                    office=office or none, rows=i18n.sep(lang).join(named)))
            else:
                lines.append(i18n.t("access.scope.item_norows", lang, code=code, source=source or none,
                                    office=office or none))
        return "\n" + "\n".join(lines)

    refusal = Forbidden(key, items=items, **params)
    refusal.foreign = foreign
    return refusal


def rights_table(lang: str | None = None) -> list[dict[str, str]]:
    """RIGHTS as a table in words, one row per right: the right, then ✓ or — for each role (for the
    note, the accounts page and the CLI: one table, read from the same data the checks use)."""
    from kaohe.base import i18n

    rows = []
    for right, roles in RIGHTS.items():
        row = {"right": i18n.t(f"access.right.{right}", lang)}
        row.update({i18n.t(f"access.role.{r}", lang): ("✓" if r in roles else "—") for r in ROLES})
        rows.append(row)
    return rows
