"""The dashboard as a real server: `streamlit run app.py` and `kaohe serve` come up healthy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import free_port

pytestmark = pytest.mark.slow


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read().decode("utf-8", errors="replace")


def test_streamlit_run_serves_the_app(streamlit_server):
    status, body = fetch(streamlit_server.url + "/_stcore/health")
    assert (status, body) == (200, "ok")
    status, html = fetch(streamlit_server.url + "/")
    assert status == 200 and "<div id=\"root\">" in html


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port` (Linux /proc/net/tcp and tcp6, hex)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hexport = local.partition(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1 as /proc writes them


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads Linux's socket table")
def test_streamlit_run_listens_on_this_machine_only(sample_db, tmp_path):
    """`streamlit run app.py` with no address given: .streamlit/config.toml keeps it on localhost."""
    db = tmp_path / "local.duckdb"
    shutil.copy(sample_db, db)
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.fileWatcherType", "none"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, KAOHE_DB=str(db)))
    try:
        deadline = time.monotonic() + 60
        while not listening_addresses(port):
            assert proc.poll() is None and time.monotonic() < deadline, "streamlit did not start"
            time.sleep(0.3)
        time.sleep(0.5)  # both families bound
        addresses = listening_addresses(port)
        assert addresses and addresses <= LOOPBACK, addresses
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_kaohe_serve_starts_the_dashboard_on_the_chosen_warehouse(sample_db, tmp_path):
    db = tmp_path / "serve.duckdb"
    shutil.copy(sample_db, db)
    port = free_port()
    kaohe = [sys.executable, "-m", "kaohe.cli", "serve", "--db", str(db), "--port", str(port), "--host", "127.0.0.1"]
    proc = subprocess.Popen(kaohe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(f"http://127.0.0.1:{port}/_stcore/health")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_the_cli_imports_while_the_dashboard_is_open(sample_db, tmp_path, start_streamlit, browser_page):
    """DuckDB lets one process write a file at a time: the dashboard must let go of it between runs."""
    import import_corpus as corpus
    from browser_helpers import exceptions, goto_page

    db = tmp_path / "live.duckdb"
    shutil.copy(sample_db, db)
    server = start_streamlit(db)
    goto_page(browser_page, server.url, "batches")  # a deep link as the server's first request
    browser_page.get_by_text("示例数据（种子 20261）").first.wait_for(state="attached")  # a grid cell, in words
    assert "12345热线.csv" not in browser_page.inner_text("body")
    # the page runs inside app.py's shell: translated navigation and the shared month control
    nav = browser_page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "导入批次" in nav and "batches" not in nav
    assert browser_page.get_by_role("combobox", name="月份").count() == 1

    upload = tmp_path / "12345热线.csv"
    upload.write_bytes(corpus.hotline_gbk())
    done = subprocess.run([sys.executable, "-m", "kaohe.cli", "import", "--db", str(db), "--accept-warnings",
                           str(upload)], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr

    goto_page(browser_page, server.url, "batches")  # a new run sees the new warehouse version at once
    browser_page.get_by_text("12345热线.csv").first.wait_for(state="attached")
    assert not exceptions(browser_page)
