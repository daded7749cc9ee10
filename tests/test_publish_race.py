"""Two `kaohe publish` of one month at once: exactly one revision, never a second one without a reason.

Publishing reads the latest revision and the data inside its write transaction (DuckDB lets one
process hold the file for writing); the one that comes second finds revision 1 there and says the
figures are already published.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kaohe.data.warehouse import Warehouse
from kaohe.metrics import service

ROOT = Path(__file__).resolve().parents[1]


def start(db: Path, lang: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, KAOHE_LANG=lang, KAOHE_USER="并发发布", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "kaohe.cli", "publish", "--db", str(db), "--month", "2026-09",
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


@pytest.mark.parametrize("attempt", range(4))
def test_concurrent_publishes_make_exactly_one_revision(sample_db, tmp_path, attempt):
    db = tmp_path / "race.duckdb"
    shutil.copy(sample_db, db)
    lang = "zh" if attempt % 2 == 0 else "en"
    procs = [start(db, lang) for _ in range(2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(r[0] for r in results)
    revs = service.revisions(Warehouse(db), "2026-09")
    assert revs["revision"].tolist() == [1], results
    assert codes == [0, 1], results
    loser = next(r for r in results if r[0] == 1)
    assert ("相同" in loser[2]) if lang == "zh" else ("equal" in loser[2]), loser
    assert "Error" not in loser[2] and "Traceback" not in loser[2]
    assert revs["reason"].isna().all()  # the one revision is the first publication, with no reason needed


def test_concurrent_corrections_with_reasons_make_one_revision_each_time_the_figures_change(sample_db, tmp_path):
    """Two publishes with a reason after a change: one makes revision 2, the other finds it equal."""
    db = tmp_path / "race2.duckdb"
    shutil.copy(sample_db, db)
    wh = Warehouse(db)
    service.publish(wh, "2026-09", "alice")
    service.add_adjustment(wh, "S01", "2026-09", "deduction", 3, "迟报", None, "carol", correction_reason="补录")
    procs = [start(db, "zh", "--reason", f"更正{k}") for k in range(2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert sorted(r[0] for r in results) == [0, 1], results
    assert service.revisions(wh, "2026-09")["revision"].tolist() == [1, 2]


def test_a_conflict_inside_the_transaction_is_checked_again(sample_wh, monkeypatch):
    """A publication landing between the checks and the write (simulated): the write refuses, the
    checks run again and find the figures published."""
    from kaohe.data import scoring_store as store
    from kaohe.metrics import publish as pub

    wh = sample_wh
    real = store.publish
    calls = []

    def racing(*args, **kwargs):
        if not calls:  # another publisher gets there first, just before our transaction
            calls.append(1)
            real(*args, **{**kwargs, "expected_latest": None})
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "publish", racing)
    with pytest.raises(pub.PublishError, match="相同|equal"):
        service.publish(wh, "2026-09", "alice")
    assert service.revisions(wh, "2026-09")["revision"].tolist() == [1]
