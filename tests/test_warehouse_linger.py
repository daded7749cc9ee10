"""A dashboard's warehouse keeps the file open for a moment after its last read (`linger`), so one
page's many reads share one open; then it lets go, so another process can take the file's lock."""

from __future__ import annotations

import subprocess
import sys
import time

from kaohe.data import warehouse as wmod
from kaohe.data.warehouse import Warehouse


def _open_connections(path) -> int:
    return sum(1 for k in wmod._SHARED if k == str(path.resolve()))


def test_without_linger_the_file_is_closed_at_once(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.migrate()
    wh.query("SELECT 1")
    assert _open_connections(wh.path) == 0


def test_linger_shares_one_open_then_lets_go(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb", linger=0.3)
    wh.migrate()
    wh.query("SELECT 1")
    first = wmod._SHARED[str(wh.path.resolve())][0]
    wh.query("SELECT 2")
    assert wmod._SHARED[str(wh.path.resolve())][0] is first  # the same open file
    deadline = time.monotonic() + 10
    while _open_connections(wh.path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _open_connections(wh.path) == 0
    # another process can write to it now
    code = f"import duckdb; c = duckdb.connect({str(wh.path)!r}); c.execute('CREATE TABLE t AS SELECT 1 AS x'); c.close()"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_a_use_during_the_linger_keeps_it_open(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb", linger=0.4)
    wh.migrate()
    wh.query("SELECT 1")
    time.sleep(0.25)
    with wh.connect() as con:  # in use when the first release's timer fires
        time.sleep(0.3)
        assert con.execute("SELECT 42").fetchone()[0] == 42
    assert _open_connections(wh.path) == 1  # released just now: lingering again
