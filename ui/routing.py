"""Every page runs inside app.py's shell, including the first deep link a fresh server receives.

Streamlit decides once per process whether an app "uses the pages directory" (the folder exists) and
runs such an app's first script the pre-`st.navigation` way: a deep link like `/rankings` then runs
`pages/rankings.py` alone, with no language, month or kind controls and a sidebar of raw file names,
and every later session too until somebody opens the root. Kaohe always routes through app.py, so the
first import of `ui` says so and reruns; the rerun keeps the page (a page's hash is its url path).

AppTest makes that decision afresh before every run; a second `at.run()` or an `at.switch_page()`
then ran in the old mode and the sidebar's controls were gone. So every pages manager made after the
first import of `ui` is told the same (no rerun then: a rerun would drop a button's click).
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def _keep_pages_mode_off() -> None:
    original = PagesManager.__init__
    if getattr(original, "_kaohe_routed", False):
        return

    @functools.wraps(original)
    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    init._kaohe_routed = True
    PagesManager.__init__ = init


def route_through_app() -> None:
    _keep_pages_mode_off()
    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    if get_script_run_ctx(suppress_warning=True) is not None:  # imported by a running page, not by a plain test or the CLI
        st.rerun()


# -- the page registry ---------------------------------------------------------------------------------
ICON = Path(__file__).resolve().parent / "assets" / "icon.png"  # the browser tab's icon, served by Kaohe


# Pages this module adds after ui.setup.PAGES (same tuple form); a row setup.PAGES already has is not doubled.
EXTRA_PAGES = [
    ("pages/audit.py", "page.audit", ":material/manage_search:", "nav.section.data", False),
    ("pages/meeting.py", "mt.title", ":material/co_present:", "nav.section.browse", False),
    ("pages/boundaries.py", "bd.title", ":material/map:", "nav.section.setup", False),
    ("pages/units.py", "units.title", ":material/apartment:", "nav.section.setup", False),
    ("pages/catalogue.py", "cat.title", ":material/list_alt:", "nav.section.setup", False),
    # the first screen: the default page while the warehouse has no units or no data (navigation())
    ("pages/start.py", "start.title", ":material/rocket_launch:", "nav.section.setup", False),
    ("pages/accounts.py", "acct.title", ":material/manage_accounts:", "nav.section.setup", False),
    ("pages/appeals.py", "ap.title", ":material/gavel:", "nav.section.scheme", False),
]
START = "pages/start.py"


def pages() -> list[tuple]:
    """Every page of the dashboard, in navigation order: (file, title key, icon, section key, default)."""
    from kaohe.ui import setup

    known = {row[0] for row in setup.PAGES}
    return list(setup.PAGES) + [row for row in EXTRA_PAGES if row[0] not in known]


def opens_on_start() -> bool:
    """The dashboard opens on its first screen (pages/start.py) while the warehouse has no units or no
    data; otherwise on the overview, as before."""
    from kaohe.ui import queries

    return queries.units().empty or not queries.months()


# A role's first page when the registry's default is not among its pages.
FIRST_OF_ROLE = {"unit": "pf.title", "evaluator": "page.import"}


def allowed(title_key: str, who) -> bool:
    """Whether `who` may open the page of `title_key`: the right ui.setup.RIGHT_OF names for it; a page
    without an entry is the office admin's alone."""
    from kaohe.base import access
    from kaohe.ui import setup

    if who is None:
        return False
    right = setup.RIGHT_OF.get(title_key)
    return access.can(who, right) if right else access.principal(who).role == "admin"


def navigation(who=None, *, hidden: bool = False):
    """st.navigation from the page registry, in the session's language: the pages `who` may open (every
    page, not shown, for the sign-in form: `hidden`, so a deep link survives signing in). A page appears
    once its file exists. Icons are Material Symbols, drawn from the font Streamlit ships (no request
    leaves the server). The default page is the first screen while the warehouse has no units or no data
    (for those who may open it), else the registry's default when allowed, else the role's first page
    (a unit: its profile; an evaluator: the import), else the first allowed one."""
    from kaohe.base import access
    from kaohe.ui import setup

    rows = [row for row in pages() if (setup.ROOT / row[0]).exists() and (hidden or allowed(row[1], who))]
    if not rows:  # nothing this person may open (cannot happen with the four roles): the first screen
        rows = [row for row in pages() if row[0] == START] or pages()[:1]
    paths = [row[0] for row in rows]
    first = START if START in paths and opens_on_start() else None
    if first is None and not any(row[4] for row in rows):
        role = access.principal(who).role if who is not None else None
        preferred = [row[0] for row in rows if row[1] == FIRST_OF_ROLE.get(role)]
        first = preferred[0] if preferred else paths[0]
    sections: dict[str, list] = {}
    target = None
    for path, title_key, icon, section_key, default in rows:
        page = st.Page(path, title=setup.tr(title_key), icon=icon, default=default and not first,
                       url_path=Path(path).stem)
        if path == first:
            target = page, setup.tr(title_key), icon
        sections.setdefault(setup.tr(section_key), []).append(page)
    if target is not None:
        # Streamlit serves the default page at "/" only: made the default, the start page or a role's
        # first page (an evaluator's import, a unit's profile) would answer its own link (/import,
        # /profile?unit=...) with "Page not found". So "/" is a hidden page that opens it instead.
        home = st.Page(functools.partial(st.switch_page, target[0]), title=target[1], icon=target[2],
                       url_path="home", default=True, visibility="hidden")
        sections.setdefault(next(iter(sections)), []).insert(0, home)
    return st.navigation(sections, expanded=True, position="hidden" if hidden else "sidebar")
