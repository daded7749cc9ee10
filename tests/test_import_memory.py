"""Memory bounded before parsing: each bomb is built in tmp, imported by `kaohe import` in its own process,
and that process's peak RSS is read from the kernel (os.wait4 gives the child's own rusage, so other
processes the test session started do not count). Never a wall-clock assertion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import import_corpus as corpus
import pytest

from kaohe.ingest import limits

PEAK_LIMIT = 1.5 * 2**30  # bytes: any file the page accepts stays under this
ROOT = Path(__file__).resolve().parents[1]


def kaohe_import(path: Path, db: Path, *args: str, max_mb: int = 20) -> tuple[int, str, int]:
    """(exit code, stderr, peak RSS in bytes) of `kaohe import --dry-run FILE` in English, run as
    `python -m kaohe.cli`; --max-mb 20 gives the upload page's limits, 200 the command line's."""
    err_path = path.with_suffix(path.suffix + ".err")
    env = {**os.environ, "KAOHE_LANG": "en"}
    with open(err_path, "wb") as err, open(os.devnull, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kaohe.cli", "--lang", "en", "import", "--db", str(db),
                                 "--dry-run", "--max-mb", str(max_mb), *args, str(path)],
                                stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err_path.read_text(encoding="utf-8", errors="replace"), usage.ru_maxrss * 1024


@pytest.fixture
def db(sample_wh):
    return sample_wh.path


def _refused(path: Path, wh, db: Path, needle: str, *args: str, max_mb: int = 20) -> int:
    before = wh.checksum()
    code, err, peak = kaohe_import(path, db, *args, max_mb=max_mb)
    assert code == 1, err
    assert needle in err, err
    assert "Traceback" not in err and "Error:" not in err  # no exception, no bare csv error
    assert peak < PEAK_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB"
    assert wh.checksum() == before
    print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MiB, peak RSS {peak / 2**20:.0f} MiB")
    return peak


def test_a_zip_bomb_is_refused_from_its_table_of_contents(tmp_path, sample_wh, db):
    path = tmp_path / "bomb.xlsx"
    size = corpus.padded_sheet_xlsx(path, 2**30)  # 1 GiB of sheet XML
    assert size < 2 * 2**20
    _refused(path, sample_wh, db, f"the limit is {limits.MAX_XLSX_UNCOMPRESSED // 2**20} MB")


def test_one_line_of_millions_of_fields_is_refused_before_parsing(tmp_path, sample_wh, db):
    path = tmp_path / "line.csv"
    path.write_bytes(corpus.LONG_HEADER.encode() + b"S01" + b",1" * 2_600_000 + b"\n")  # 5 MB, 2.6M fields
    _refused(path, sample_wh, db, f"Row 2 has 2600001 columns; the limit is {limits.MAX_COLUMNS}")


def test_the_long_line_after_the_first_lines_is_refused_too(tmp_path, sample_wh, db):
    good = b"S01,HL_SATISFY,2026-10,95,,\n" * (limits.HEAD_LINES + 20)
    path = tmp_path / "late_line.csv"
    path.write_bytes(corpus.LONG_HEADER.encode() + good + b"S01" + b",1" * 2_600_000 + b"\n")
    _refused(path, sample_wh, db, f"cells; the limit is {limits.MAX_UPLOAD_CELLS}")
    # the command line's cell limit takes it: the parser's own check then refuses the line
    _refused(path, sample_wh, db, f"Row {limits.HEAD_LINES + 22} has 2600001 columns; the limit is {limits.MAX_COLUMNS}",
             max_mb=200)


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_5_mb_cell_is_refused_with_its_row_and_column(tmp_path, sample_wh, db, quoted):
    cell = b"9" * (5 * 2**20)
    path = tmp_path / "cell.csv"
    path.write_bytes(corpus.LONG_HEADER.encode() + b"S01,HL_SATISFY,2026-10,"
                     + (b'"' + cell + b'"' if quoted else cell) + b",,\n")
    _refused(path, sample_wh, db, f"the limit is {limits.MAX_CELL_CHARS}")
    code, err, _ = kaohe_import(path, db)
    assert "row 2 [D]" in err and "field larger than field limit" not in err


def test_ten_thousand_columns_are_refused_before_parsing(tmp_path, sample_wh, db):
    path = tmp_path / "wide.csv"
    header = "单位," + ",".join(f"指标{i}" for i in range(9_999))
    rows = ["S01," + ",".join(str(i % 100) for i in range(9_999))] * 50
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    _refused(path, sample_wh, db, f"Row 1 has 10000 columns; the limit is {limits.MAX_COLUMNS}")


@pytest.mark.slow
@pytest.mark.parametrize("cell", ["95", "-5.5"], ids=["plausible", "every_value_wrong"])
def test_the_largest_file_the_page_accepts_stays_under_the_limit(tmp_path, sample_wh, db, cell):
    """A wide file at the page's cell limit: every cell a value to validate (the costliest shape). Every
    unit reports every indicator, so a third of the cells are of an indicator the unit's kind does not
    report (an error per cell); with -5.5 every cell is also out of range: ~750,000 problem lines, each
    still counted and the file still refused."""
    import itertools

    codes = sample_wh.indicators()["code"].tolist()
    units = sample_wh.units()["code"].tolist()
    months = [f"{y}-{m:02d}" for y in range(1970, 2027) for m in range(1, 13)]
    width = len(codes) + 2
    n = limits.MAX_UPLOAD_CELLS // width - 2
    lines = ["单位,月份," + ",".join(codes)]
    lines += [f"{u},{mo}," + ",".join([cell] * len(codes)) for mo, u in itertools.islice(itertools.product(months, units), n)]
    path = tmp_path / "widest.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = sample_wh.checksum()
    code, err, peak = kaohe_import(path, db)
    assert "Traceback" not in err and "too many" not in err and "limit is" not in err  # accepted and validated
    assert peak < PEAK_LIMIT, f"peak RSS {peak / 2**20:.0f} MiB"
    assert sample_wh.checksum() == before
    assert code == 1 and "Not imported widest.csv: " in err  # errors: refused, and the count is said
    errors = int(err.split("Not imported widest.csv: ")[1].split(" errors")[0])
    assert errors > (n * len(codes) if cell == "-5.5" else n * len(codes) // 4)
    print(f"{path.name} ({cell}): {n} rows x {width} columns, {errors} errors, peak RSS {peak / 2**20:.0f} MiB")
