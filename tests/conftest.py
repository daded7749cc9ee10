"""Shared fixtures: warehouses built from Python, a live Streamlit server, and a real browser page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# The one clock, pinned before any project module reads it (kaohe.clock): the tests' "today" is a fixed
# day whatever the machine's date, and the servers and commands they start inherit it.
TODAY = "2026-11-20"
os.environ["KAOHE_TODAY"] = TODAY
os.environ.setdefault("KAOHE_TZ", "Asia/Shanghai")

import pytest
from browser_helpers import CHROMIUM, StreamlitServer, launch_chromium

from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Warehouse

SAMPLE_END = "2026-10"  # the last month complete on TODAY


@pytest.fixture(autouse=True)
def _page_tests_signed_in(request, monkeypatch):
    """AppTest runs pages in this process: a page test that is not about signing in runs as a local
    administrator. A test marked `signed_out` sees the dashboard as an unsigned visitor does; one that
    signs in as a role sets `at.session_state[auth.SESSION_KEY]` to its Principal."""
    if request.node.get_closest_marker("signed_out"):
        return
    from kaohe.base.access import Principal
    from kaohe.ui import auth

    monkeypatch.setattr(auth, "_unsigned", lambda: Principal.local("tester"))


@pytest.fixture
def sign_in_as():
    """Factory for page tests: `sign_in_as(at, role, login=None, **scope)` puts a Principal of `role` into an
    AppTest's session, as the sign-in form would (scope: sources, offices, unit_code); returns `at`."""
    from kaohe.base.access import Principal
    from kaohe.ui import auth

    def put(at, role: str, login: str | None = None, **scope):
        at.session_state[auth.SESSION_KEY] = Principal(login or f"test-{role}", role, **scope)
        return at

    return put


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A warehouse file holding the sample district (2023-11..2026-10), built once per session."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    ensure_ready(Warehouse(path), end=SAMPLE_END)
    return path


@pytest.fixture
def sample_wh(sample_db, tmp_path) -> Warehouse:
    """A private, writable copy of the sample warehouse."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, path)
    return Warehouse(path)


@pytest.fixture
def empty_wh(tmp_path) -> Warehouse:
    """Migrated, catalogue loaded, no units or observations."""
    wh = Warehouse(tmp_path / "empty.duckdb")
    ensure_ready(wh, with_sample=False)
    return wh


@pytest.fixture
def app_db(sample_wh, monkeypatch) -> Warehouse:
    """Point the dashboard (AppTest) at a private sample warehouse."""
    monkeypatch.setenv("KAOHE_DB", str(sample_wh.path))
    monkeypatch.setenv("KAOHE_LANG", "zh")
    return sample_wh


@pytest.fixture
def app_empty_db(empty_wh, monkeypatch) -> Warehouse:
    """Point the dashboard at a warehouse with no observations and do not seed it."""
    monkeypatch.setenv("KAOHE_DB", str(empty_wh.path))
    monkeypatch.setenv("KAOHE_SAMPLE", "0")
    return empty_wh


@pytest.fixture
def start_streamlit():
    """Factory: start `streamlit run app.py` on a free port against a given warehouse file."""
    servers = []

    def start(db: Path) -> StreamlitServer:
        server = StreamlitServer(db)
        servers.append(server)
        server.wait_healthy()
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def streamlit_server(sample_db, tmp_path_factory):
    """One live dashboard for the session, on its own copy of the sample warehouse."""
    db = tmp_path_factory.mktemp("live") / "live.duckdb"
    shutil.copy(sample_db, db)
    server = StreamlitServer(db)
    server.wait_healthy()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian chromium not found at {CHROMIUM}: run `make test` (it installs it)")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser, tmp_path):
    """A fresh 1440x900 page (own context, downloads allowed) in Debian's chromium."""
    context = _browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True,
                                   locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


LIVE_FIXTURES = {"browser_page", "_browser", "start_streamlit", "streamlit_server"}


def pytest_collection_modifyitems(items):
    """A test that drives a live server or chromium is a browser test, whether or not it says so: the far-date
    run (`make test`) leaves them out."""
    for item in items:
        if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
