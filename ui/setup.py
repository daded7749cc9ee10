"""Shared set-up for every page: the warehouse resource, language, month and unit-kind state."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.data.warehouse import Warehouse
from kaohe.ui import queries
from kaohe.ui.queries import warehouse  # the server's warehouse, for app.py and the pages

ROOT = Path(__file__).resolve().parents[1]


# (file, title key, icon, section key, default). A page appears once its file exists.
PAGES = [
    ("pages/overview.py", "ov.title", ":material/dashboard:", "nav.section.browse", True),
    ("pages/rankings.py", "rk.title", ":material/leaderboard:", "nav.section.browse", False),
    ("pages/trends.py", "tr.title", ":material/show_chart:", "nav.section.browse", False),
    ("pages/profile.py", "pf.title", ":material/account_box:", "nav.section.browse", False),
    ("pages/indicators.py", "ind.title", ":material/analytics:", "nav.section.browse", False),
    ("pages/scheme.py", "sc.title", ":material/account_tree:", "nav.section.scheme", False),
    ("pages/import.py", "page.import", ":material/upload_file:", "nav.section.data", False),
    ("pages/batches.py", "page.batches", ":material/history:", "nav.section.data", False),
    ("pages/browser.py", "br.title", ":material/table_view:", "nav.section.data", False),
]

# The right a person needs to open each page (base/access.RIGHTS), by the page's title key: the
# navigation lists only the pages the signed-in role may open, and `page()` refuses the others when
# reached by URL. What a page lets a role change is checked again by the core action itself.
RIGHT_OF = {
    "ov.title": "browse",
    "rk.title": "published.view",   # a unit sees published months only
    "tr.title": "browse",
    "pf.title": "unit.view",        # a unit sees its own unit only
    "ind.title": "data.view",
    "sc.title": "browse",
    "page.import": "data.view",     # the upload itself needs "import"
    "page.batches": "data.view",    # a rollback needs "rollback"
    "info.batches": "data.view",    # the batches page's own title key
    "br.title": "data.view",
    "page.audit": "audit.view",
    "mt.title": "browse",
    "bd.title": "browse",
    "units.title": "browse",
    "cat.title": "data.view",
    "start.title": "browse",
    "acct.title": "accounts",
    "ap.title": "appeal.view",
}

# Page widgets whose keys start with these prefixes keep their values across page switches.
PERSIST_SKIP_SUFFIXES = ("_btn", "_upload", "_dl", "_form", "_editor", "_chart")


from kaohe.ui.language import lang, server_lang  # noqa: E402,F401  (pages and app ask setup for them)


def tr(key: str, **params) -> str:
    """t() in the session's language."""
    return t(key, lang(), **params)


def name(row, lang_: str | None = None) -> str:
    """A unit's or indicator's name in the session's language."""
    return i18n.pick(row.get("name_zh"), row.get("name_en"), lang_ or lang())


def persist_widgets() -> None:
    """Re-assign page widget values so Streamlit keeps them when the user switches pages."""
    for key in list(st.session_state.keys()):
        if not isinstance(key, str) or key.startswith(("_", "FormSubmitter")):
            continue
        if "_" in key and not key.endswith(PERSIST_SKIP_SUFFIXES):
            # widgets that cannot be set (buttons, uploaders) are skipped
            with contextlib.suppress(StreamlitAPIException):
                st.session_state[key] = st.session_state[key]


def language_switch() -> None:
    # set before the widget: a value cannot be assigned once the widget exists in this run
    if not st.session_state.get("lang"):
        st.session_state["lang"] = server_lang()
    st.sidebar.segmented_control(
        t("lang.label", "zh") + " / " + t("lang.label", "en"),
        options=list(i18n.LANGS),
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
        key="lang",
        selection_mode="single",
        required=True,  # clicking the chosen language again keeps it
        persist_state="session",  # Streamlit 1.67 drops unrendered widget values on a page switch
    )


def init_state() -> None:
    st.session_state.setdefault("lang", server_lang())
    persist_widgets()


def month_picker(months: list[str]) -> str | None:
    """The shared month (sidebar), latest by default."""
    if not months:
        return None
    if st.session_state.get("month") not in months:
        st.session_state["month"] = months[-1]
    return st.sidebar.selectbox(tr("month.label"), options=list(reversed(months)), key="month",
                                persist_state="session")


def kind_picker() -> str:
    # a segmented control, not st.radio: Streamlit 1.67's radio keeps the option text it showed, so after
    # a language switch it showed nothing chosen and the next rerun fell back to streets
    if st.session_state.get("kind") not in ("street", "department"):
        st.session_state["kind"] = "street"
    return st.sidebar.segmented_control(tr("kind.label"), options=["street", "department"],
                                        format_func=lambda k: tr(f"sidebar.kind.{k}"), key="kind", required=True,
                                        persist_state="session")


def warehouse_caption() -> None:
    """The warehouse file's name at the foot of the sidebar, as text (a markdown caption would link a name
    like www.x.duckdb)."""
    import html

    st.sidebar.html('<p style="font-size:0.875rem;color:rgba(49,51,63,0.6)">'
                    + html.escape(tr("sidebar.warehouse", path=warehouse().path.name)) + "</p>")


def open_profile(unit_code: str) -> None:
    """Jump to a unit's profile page, showing that unit (and its kind in the sidebar)."""
    st.session_state["profile_unit"] = unit_code
    st.switch_page("pages/profile.py")


def published_state(month: str, period: str = "month", caption: bool = True):
    """The publication state of the figures of (month, period) shown on a page: st.warning with the
    core's notice when the live figures differ from the published ones, and (with `caption`) a small
    caption with its label (已发布·第 N 版 / 未发布). Returns the metrics.publish.PublishedState, whose
    `.label(lang)` a page may show elsewhere (a metric) instead."""
    from kaohe.ui.text import plain

    state = queries.published_state(month, period)
    if caption:
        st.caption(tr("pub.state", label=plain(state.label(lang()))))
    published_notice(state, lang())
    return state


# -- which figures a page of a scored period shows: the published ones by default ---------------------------
SHOWN = ("published", "current")
SHOWN_KEY = "pub_shown"  # one choice for every page: switching to the current figures holds across pages


@dataclass
class Figures:
    """The figures a page shows for (month, period) and what they are.

    build: the ScoreBuild shown (the published revision rebuilt, carrying `published_revision`, or the
    current build); state: the metrics.publish.PublishedState labelling it (`state.label(lang)`,
    `.short(lang)`, `.notice(lang)` say which figures these are); published: they are the published ones;
    refusal: the ReplayRefused when the published figures were asked for and cannot be reproduced
    (the current figures are shown instead, and the error was shown)."""

    build: object
    state: object
    published: bool
    refusal: Exception | None = None

    @property
    def source(self) -> str:
        return "published" if self.published else "current"


def figures_choice(state, lang_: str) -> str:
    """The shared control "已发布结果 / 当前数据", shown only when (month, period) is published; the
    published figures by default. Returns "published" or "current" ("current" when unpublished)."""
    if not state.published:
        return "current"
    if st.session_state.get(SHOWN_KEY) not in SHOWN:
        st.session_state[SHOWN_KEY] = "published"
    return st.segmented_control(t("pub.shown.label", lang_), options=list(SHOWN),
                                format_func=lambda s, lg=lang_: t(f"pub.shown.{s}", lg), key=SHOWN_KEY,
                                required=True, persist_state="session") or "published"


# pages whose own caption names the scheme beside the publication state already (rk.caption, the profile's
# line): figures() does not name it a second time there
NAME_SCHEME_THEMSELVES = ("rankings.py", "profile.py", "meeting.py")


def _page_file() -> str:
    """The file name of the page this run draws ("" outside a run)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    manager = getattr(ctx, "pages_manager", None)
    if manager is None:
        return ""
    info = manager.get_pages().get(ctx.page_script_hash) or {}
    return Path(str(info.get("script_path") or "")).name


def scheme_caption(build, lang_: str | None = None) -> None:
    """The scheme the figures were scored with, once beside their publication state:
    「考核方案：青山区……（2026.1）」 (the name and version from the build itself)."""
    from kaohe.ui.text import plain

    lg = lang_ or lang()
    scheme = getattr(build, "scheme", None)
    scheme_name = (scheme.name(lg) if scheme is not None else "") or getattr(build, "scheme_id", "") or ""
    version = getattr(build, "scheme_version", None) or (scheme.version if scheme is not None else "")
    if scheme_name or version:
        st.caption(t("scheme.used", lg, name=plain(str(scheme_name)), version=plain(str(version))))


def figures(month: str, period: str = "month", lang_: str | None = None, *, notice: bool = True,
            name_scheme: bool | None = None) -> Figures:
    """The figures the page shows for (month, period), with the one control that chooses them.

    A published period shows its published figures (ui.queries.published_figures) unless the user
    chose the current ones; an unpublished one the current figures, with no control. When the published
    figures cannot be reproduced (ReplayRefused) the refusal is shown as an error in words and the
    current figures beside it. With `notice`, the state's notice (figures that differ) is shown as a
    warning. With `name_scheme` (None: unless the page's own caption names it, NAME_SCHEME_THEMSELVES),
    the scheme the figures were scored with is named in a caption (scheme_caption), once for the page. Raises ui.queries.Refused when the current figures themselves are refused (no data ...):
    the page says so as it does for any build."""
    from kaohe.ui.text import plain

    lg = lang_ or lang()
    if name_scheme is None:
        name_scheme = _page_file() not in NAME_SCHEME_THEMSELVES
    state = queries.published_state(month, period)
    refusal = None
    if figures_choice(state, lg) == "published":
        try:
            b = queries.published_figures(month, period, lg)
        except queries.Refused as exc:  # service.ReplayRefused: the revision cannot be rebuilt exactly
            b, refusal = None, exc
            st.error(plain(refusal_text(exc, lg)), icon=":material/error:")
            st.info(t("pub.shown.replay_current", lg), icon=":material/info:")
        if b is not None:
            shown = Figures(b, state.showing_published(), True)
            if name_scheme:
                scheme_caption(b, lg)
            if notice:
                published_notice(shown.state, lg)
            return shown
    shown = Figures(queries.build(month, period, lg), state, False, refusal)
    if name_scheme:
        scheme_caption(shown.build, lg)
    if notice:
        published_notice(state, lg)
    return shown


def published_notice(state, lang_: str | None = None) -> None:
    """The state's notice (figures that differ from the published ones) as st.warning, if any."""
    from kaohe.ui.text import plain

    text = state.notice(lang_ or lang())
    if text is not None:
        st.warning(plain(text), icon=":material/warning:")


def refusal_text(exc: Exception, lang_: str | None = None) -> str:
    """A refusal's words in the session's language: the core gives its message id and parameters
    (kaohe.base.i18n.Refusal), the page says them."""
    return exc.text(lang_ or lang()) if isinstance(exc, i18n.Refusal) else str(exc)


def refused(exc: Exception, stop: bool = True) -> None:
    """A request the core refused (a kaohe.data.warehouse.Refusal, ui.queries.Refused: no data for the
    period, a bad scheme ...): its message in words as st.error, then (with `stop`) the page stops. Catch
    only Refused; anything else is a bug and must surface as the error it is."""
    from kaohe.ui.text import plain

    st.error(plain(refusal_text(exc)), icon=":material/error:")
    if stop:
        st.stop()


# -- the one opening call of every page -------------------------------------------------------------------
NEEDS = ("nothing", "months", "units", "any_units")


@dataclass
class Page:
    """What a page works with, read once when it opens (`page()`).

    months: every month with observations, oldest first; month: the sidebar's month (the latest when none
    is chosen yet), None when the warehouse holds no month; kind: the sidebar's unit kind; units: the units
    of that kind; all_units: every unit. unit_names names the kind's units in the session's language,
    all_unit_names every unit, group_names every peer group."""

    lang: str
    wh: Warehouse
    kind: str
    months: list[str]
    month: str | None

    def tr(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    @cached_property
    def all_units(self) -> pd.DataFrame:
        return queries.units()

    @cached_property
    def units(self) -> pd.DataFrame:
        return queries.units(self.kind)

    # name maps are made once per warehouse version and language for every session (ui.queries), not on
    # every rerun: at 5,000 units a row-by-row map cost 0.3 s a run; they are shared, so never changed
    @property
    def unit_names(self) -> dict[str, str]:
        return queries.unit_names(self.kind, self.lang)

    @property
    def all_unit_names(self) -> dict[str, str]:
        return queries.unit_names(None, self.lang)

    @property
    def group_names(self) -> dict[str, str]:
        return queries.group_names(self.lang)


def guard(title_key: str, lang_: str | None = None) -> None:
    """Refuse the page to a person whose role lacks its right (RIGHT_OF), or to nobody signed in: the
    refusal in words (st.error) and the page stops, nothing else of it drawn (a page reached by URL)."""
    from kaohe.base import access
    from kaohe.ui import auth
    from kaohe.ui.text import plain

    right = RIGHT_OF.get(title_key, "browse")  # a page not in the map: everyone's scores
    try:
        access.require(auth.current(), right)
    except access.Forbidden as exc:
        st.error(plain(exc.text(lang_ or lang())), icon=":material/block:")
        st.stop()


def may(right: str, lang_: str | None = None, *, say: bool = True) -> bool:
    """Whether the signed-in person holds `right` (base/access.RIGHTS): a page leaves out the controls of
    a right the role lacks, and (with `say`) says once, in words, that the role only views."""
    from kaohe.base import access
    from kaohe.ui import auth

    if auth.can(right):
        return True
    if say:
        who = auth.current()
        role = access.role_word(who.role)(lang_ or lang()) if who is not None else ""
        st.caption(t("access.view_only", lang_ or lang(), role=role))
    return False


def page(title_key: str, *, needs: str = "months", caption_key: str | None = None) -> Page:
    """Open a page: its title (and caption), then what it needs, read once.

    needs: "nothing" (import, batches, audit), "months" (the warehouse holds observations), "units"
    (observations and units of the sidebar's kind) or "any_units" (observations and at least one unit of
    any kind). When a need is not met the page says so in words (empty.warehouse) and stops here, so no
    page repeats the guard."""
    if needs not in NEEDS:
        raise ValueError(f"needs must be one of {NEEDS}, not {needs!r}")
    language = lang()
    guard(title_key, language)
    st.title(t(title_key, language))
    if caption_key:
        st.caption(t(caption_key, language))
    months = queries.months()
    month = st.session_state.get("month")
    if month not in months:
        month = months[-1] if months else None
    kind = st.session_state.get("kind")
    if kind not in ("street", "department"):
        kind = "street"
    view = Page(lang=language, wh=warehouse(), kind=kind, months=months, month=month)
    empty = (needs != "nothing" and not months) or (needs == "units" and view.units.empty) or (
        needs == "any_units" and view.all_units.empty)
    if empty:
        st.info(t("empty.warehouse", language))
        st.stop()
    return view
