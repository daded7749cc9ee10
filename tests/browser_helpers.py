"""Helpers for the browser tests, the page benchmark and the screenshot script
(import as `from browser_helpers import ...`): a live `streamlit run app.py`, Debian's chromium, and
the waits and clicks that drive the dashboard."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KAOHE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The account every live server's warehouse holds (StreamlitServer makes it): the helpers below sign in
# with it whenever the sign-in form appears, so a browser test that is not about signing in need not.
BROWSER_LOGIN = "browser-admin"
BROWSER_PASSWORD = "browser-tests-password"


def ensure_account(db: Path, login: str = BROWSER_LOGIN, password: str = BROWSER_PASSWORD,
                   role: str = "admin", **scope) -> None:
    """Give the warehouse file an account (once). A file that does not exist yet is first set up as the
    dashboard's first start does (ui.queries: the sample unless KAOHE_SAMPLE=0, new files only)."""
    from kaohe.auth import accounts
    from kaohe.base.access import Principal
    from kaohe.data import accounts as store
    from kaohe.data.setup import ensure_ready
    from kaohe.data.warehouse import Warehouse

    wh = Warehouse(db)
    if not wh.exists():
        ensure_ready(wh, with_sample=os.environ.get("KAOHE_SAMPLE", "1") != "0", new_only=True)
    else:
        wh.migrate()
    if store.get(wh, login) is None:
        accounts.add(wh, login, role, name=login, password=password, actor=Principal.local("browser-tests"),
                     **scope)


class StreamlitServer:
    """`streamlit run app.py` on a free port against one warehouse file; a context manager. The file gets
    the helpers' admin account first (BROWSER_LOGIN) unless `account=False`."""

    def __init__(self, db: Path, port: int | None = None, lang: str = "zh", account: bool = True):
        if account:
            ensure_account(Path(db))
        self.db, self.port = db, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, KAOHE_DB=str(db), KAOHE_LANG=lang)
        # the server's output goes to a file: a pipe nobody reads would stall a long-running server
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 60.0) -> StreamlitServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("streamlit exited: " + self.log.read().decode(errors="replace"))
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"streamlit not healthy at {self.url}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def __enter__(self) -> StreamlitServer:
        try:
            return self.wait_healthy()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def launch_chromium(playwright):
    """Debian's chromium, headless, with no background networking."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def wait_for_app(page, timeout: float = 30_000, sign_in: bool = True) -> None:
    """Wait until Streamlit has finished running the script (no running indicator, app rendered). When the
    sign-in form is what it drew (and `sign_in`), sign in with the helpers' account and wait again."""
    _wait_for_run(page, timeout)
    if sign_in and page.locator(SIGNIN_FORM).count():
        submit_sign_in(page, timeout=timeout)


def _wait_for_run(page, timeout: float = 30_000) -> None:
    # The app says its script state on stApp ("initial" until the first run). Every page starts with a
    # title, so a title (or an exception) shows the run drew the page, not just the empty frame.
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'
                 && !document.querySelector('[data-testid="stStatusWidget"]')
                 && document.querySelector('[data-testid="stMain"] h1, [data-testid="stException"]')""",
        timeout=timeout)


def goto_page(page, base_url: str, url_path: str = "", sign_in: bool = True) -> None:
    """Open a dashboard page by its url path and wait for it to settle (signing in if asked to)."""
    page.goto(f"{base_url}/{url_path}")
    wait_for_app(page, sign_in=sign_in)


SIGNIN_FORM = '[data-testid="stMain"] :is(h1#kaohe-signin, .st-key-signin_login)'  # the form is drawn


def submit_sign_in(page, login: str = BROWSER_LOGIN, password: str = BROWSER_PASSWORD, timeout: float = 30_000) -> None:
    """Fill in the sign-in form shown and submit it; wait until the page behind it has run."""
    page.locator(".st-key-signin_login input").fill(login)
    page.locator(".st-key-signin_password input").fill(password)
    errors = '[data-testid="stAlertContentError"]'
    page.evaluate("s => document.querySelectorAll(s).forEach(e => { e.dataset.kaoheSeen = '1'; })", errors)
    page.locator('[data-testid="stFormSubmitButton"] button').first.click()
    # signed in (the form is gone) or refused (an error not there before the click)
    page.wait_for_function(
        """([form, errors]) => !document.querySelector(form)
               || [...document.querySelectorAll(errors)].some(e => !e.dataset.kaoheSeen)""",
        arg=[SIGNIN_FORM, errors], timeout=timeout)
    _wait_for_run(page, timeout)


# -- AppTest helpers for the page tests (tests/test_pages_*.py) -------------------------------------------
def open_app(page: str | None = None, timeout: float = 60, lang: str = "zh"):
    """The dashboard under AppTest, run once (in `lang`), optionally switched to `page`; fails on an
    exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    if lang != "zh":
        at.session_state["lang"] = lang
        at.run()
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def shown(text: str) -> str:
    """Markdown as the reader sees it: the escapes of ui.text.plain taken off."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def notices(at) -> list[str]:
    """The publication notices shown (metrics PublishedState.notice, beside the published or the current
    figures), not the unit's alerts."""
    return [shown(w.value) for w in at.warning if re.search(r"发布的第 \d+ 版(不同|结果)|differ from revision|figures of revision", shown(w.value))]


def shown_metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def chart_specs(at) -> list[str]:
    """The plotly figures on the page, as their JSON text (non-ASCII unescaped, so Chinese is searchable)."""
    import json

    return [json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("plotly_chart")]


def texts(at) -> str:
    """Every markdown, caption, info, warning and error text on the page, joined."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(parts)


# -- browser helpers for the dashboard walk (tests/test_browser_dashboard.py) --------------------------------
def settle(page, timeout: float = 30_000) -> None:
    """After a click: give Streamlit a moment to start the rerun, then wait for it to finish."""
    page.wait_for_timeout(350)
    wait_for_app(page, timeout)


def heading(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def nav_to(page, title: str) -> None:
    """Click a page in the sidebar navigation (keeps the session, unlike a URL)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_function("t => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === t",
                           arg=title, timeout=30_000)
    settle(page)


def exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    box = page.get_by_role("combobox", name=label).first
    box.click()
    box.fill(option)  # the list is filtered as one types; long lists are virtualised
    page.get_by_role("option", name=option, exact=True).first.click()
    settle(page)
