"""The dashboard as a real server: `streamlit run app.py` and `kaohe serve` come up healthy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import free_port

pytestmark = pytest.mark.slow


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read().decode("utf-8", errors="replace")


def test_streamlit_run_serves_the_app(streamlit_server):
    status, body = fetch(streamlit_server.url + "/_stcore/health")
    assert (status, body) == (200, "ok")
    status, html = fetch(streamlit_server.url + "/")
    assert status == 200 and "<div id=\"root\">" in html


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
