"""Great Expectations (about 3 s to import) is imported by the commands that validate a file, and only by
them: `kaohe info`, `kaohe rank`, `kaohe batches`, `kaohe export` and the rest start without it.

Each command runs in a fresh Python process (its `sys.modules` is what that command imported).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import import_corpus as corpus
import pytest

PROBE = """
import json, sys
from kaohe.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # argparse: --help and usage errors
    code = exc.code
print("\\nPROBE " + json.dumps({"code": code, "gx": "great_expectations" in sys.modules,
                                "streamlit": "streamlit" in sys.modules}))
"""


def probe(*argv: str) -> dict:
    env = {**os.environ, "KAOHE_TODAY": "2026-11-20", "KAOHE_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env,
                          timeout=300)
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("PROBE ")]
    assert line, (done.stdout, done.stderr)
    return json.loads(line[-1][len("PROBE "):])


@pytest.mark.parametrize("argv", [
    ["info"],
    ["rank", "--month", "2026-10"],
    ["batches"],
    ["export", "--help"],
], ids=lambda a: a[0])
def test_commands_that_validate_nothing_do_not_import_gx(sample_db, argv):
    got = probe(*argv[:1], *(["--db", str(sample_db)] if argv[-1] != "--help" else []), *argv[1:])
    assert got["code"] == 0, got
    assert not got["gx"], f"`kaohe {' '.join(argv)}` imported great_expectations"
    assert not got["streamlit"], f"`kaohe {' '.join(argv)}` imported streamlit"


def test_import_validates_with_gx(sample_wh, tmp_path):
    f = tmp_path / "12345热线.csv"
    f.write_bytes(corpus.hotline_gbk())
    got = probe("import", "--db", str(sample_wh.path), "--dry-run", "--accept-warnings", str(f))
    assert got["code"] == 0, got
    assert got["gx"], "`kaohe import` must validate through the expectation suites (great_expectations)"
