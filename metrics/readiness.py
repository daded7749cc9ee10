"""How far a district has come in setting itself up: the steps from an empty warehouse to a first published
month, each done or not, in words, with the command that does the next one (for the CLI) and the page where
it is done (for the dashboard). No Streamlit; counts come from the data layer's own functions.

Steps, in order: units registered, catalogue present, a scheme in force for the year, data imported,
a month published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kaohe.base import clock
from kaohe.base.i18n import t
from kaohe.data import catalogue, scoring_store
from kaohe.data.warehouse import Refusal, Warehouse

STEPS = ("units", "catalogue", "scheme", "data", "published")

# where each step is done on the dashboard (a file of pages/, for st.page_link)
PAGES = {"units": "pages/units.py", "catalogue": "pages/catalogue.py", "scheme": "pages/scheme.py",
         "data": "pages/import.py", "published": "pages/rankings.py"}


@dataclass(frozen=True)
class Step:
    """One step: `key` (one of STEPS), `done`, `text` (what is there, or what is missing, in words),
    `commands` (the shell commands that do it when missing, any one of them; empty when done), `page` (pages/... file)."""

    key: str
    done: bool
    text: str
    commands: tuple[str, ...] = ()
    page: str | None = None

    def title(self, lang: str | None = None) -> str:
        return t(f"ready.step.{self.key}", lang)


@dataclass(frozen=True)
class Readiness:
    """The set-up state of one warehouse: `steps` in order, the scheme `year` looked at, and the `month`
    asked about (None: any month)."""

    steps: list[Step]
    year: str
    month: str | None = None
    lang: str | None = None
    counts: dict = field(default_factory=dict)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)

    @property
    def missing(self) -> list[Step]:
        return [s for s in self.steps if not s.done]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def empty(self) -> bool:
        """No units or no data: the dashboard opens on its first screen."""
        return not (self.step("units").done and self.step("data").done)

    def summary(self) -> str:
        if self.complete:
            return t("ready.all_done", self.lang)
        return t("ready.n_missing", self.lang, n=len(self.missing), total=len(self.steps))


def active_years(wh: Warehouse) -> list[str]:
    """The years that have a scheme in force (kaohe.data.schemes, the `schemes` table)."""
    from kaohe.data import schemes

    return list(schemes.active_years(wh))


def status(wh: Warehouse, month: str | None = None, lang: str | None = None) -> Readiness:
    """Each step of setting up a district, done or not, in `lang`. With `month`, the data and publication
    steps and the scheme's year are those of that month; without, any month, and the year of clock.today()."""
    year = month[:4] if month else str(clock.today().year)
    steps = [_units(wh, lang), _catalogue(wh, lang), _scheme(wh, year, lang)]
    months = wh.months()
    steps.append(_data(months, month, lang))
    steps.append(_published(wh, months, month, lang))
    return Readiness(steps=steps, year=year, month=month, lang=lang,
                     counts={"months": len(months)})


def _units(wh, lang) -> Step:
    units = wh.units()
    if units.empty:
        return Step("units", False, t("ready.units.missing", lang), ("kaohe units import FILE",), PAGES["units"])
    kinds = units["kind"].value_counts()
    groups = units["peer_group"].dropna().nunique()
    text = t("ready.units.done", lang, n=len(units), streets=int(kinds.get("street", 0)),
             departments=int(kinds.get("department", 0)), groups=int(groups))
    return Step("units", True, text, (), PAGES["units"])


def _catalogue(wh, lang) -> Step:
    own = wh.indicators()
    if own.empty:
        return Step("catalogue", False, t("ready.catalogue.missing", lang), ("kaohe catalogue import FILE",),
                    PAGES["catalogue"])
    default = set(catalogue.read_indicators()["code"])
    codes = list(own["code"])
    added = [c for c in codes if c not in default]
    if set(codes) == default:
        text = t("ready.catalogue.default", lang, n=len(codes))
    elif added:
        text = t("ready.catalogue.added", lang, n=len(codes), added=len(added), codes=", ".join(added[:8])
                 + (" …" if len(added) > 8 else ""))
    else:
        text = t("ready.catalogue.own", lang, n=len(codes))
    return Step("catalogue", True, text, (), PAGES["catalogue"])


def _scheme(wh, year, lang) -> Step:
    years = sorted(str(y) for y in active_years(wh))
    if year in years:
        return Step("scheme", True, t("ready.scheme.done", lang, year=year), (), PAGES["scheme"])
    text = t("ready.scheme.missing", lang, year=year)
    if years:
        text += t("ready.scheme.others", lang, years=", ".join(years))
    return Step("scheme", False, text,
                ("kaohe scheme import FILE --activate", f"kaohe scheme copy --from default --to {year} --activate"),
                PAGES["scheme"])


def _data(months, month, lang) -> Step:
    if month is not None:
        if month in months:
            return Step("data", True, t("ready.data.month", lang, month=month), (), PAGES["data"])
        return Step("data", False, t("ready.data.month_missing", lang, month=month),
                    (f"kaohe import FILE --month {month}",), PAGES["data"])
    if not months:
        return Step("data", False, t("ready.data.missing", lang), ("kaohe import FILE",), PAGES["data"])
    return Step("data", True, t("ready.data.done", lang, n=len(months), first=months[0], last=months[-1]),
                (), PAGES["data"])


def _published(wh, months, month, lang) -> Step:
    pubs = scoring_store.publications(wh, month)
    done = sorted(set(pubs["month"]))
    if done:
        key = "ready.published.month" if month else "ready.published.done"
        return Step("published", True, t(key, lang, n=len(done), last=done[-1], month=month), (),
                    PAGES["published"])
    target = month or (months[-1] if months else None)
    command = f"kaohe publish --month {target}" if target else "kaohe publish --month YYYY-MM"
    key = "ready.published.month_missing" if month else "ready.published.missing"
    return Step("published", False, t(key, lang, month=month), (command,), PAGES["published"])


class SampleRefused(Refusal):
    """The sample district was not loaded: the warehouse holds a district of its own (a message id)."""


def load_sample(wh: Warehouse, *, actor) -> list[str]:
    """Load the shipped sample district (units, catalogue, 36 months of made-up data) into an empty
    warehouse: data.setup.ensure_ready(with_sample=True). Refused, with nothing written, when the warehouse
    already holds data, or units other than the sample's (the sample would put made-up figures on a real
    district's units). Returns what was loaded."""
    from kaohe.base import access
    from kaohe.data import setup

    access.require(actor, "settings")  # before anything is read
    if wh.months():
        raise SampleRefused("ready.sample.has_data")
    units = wh.units()
    if not units.empty and set(units["code"]) != set(catalogue.read_units()["code"]):
        raise SampleRefused("ready.sample.has_units", n=len(units))
    return setup.ensure_ready(wh, with_sample=True, actor=actor).loaded
