"""The one import pipeline: read -> normalise -> validate -> commit.

The upload page and `kaohe import` both call `prepare()` and then `commit()`.
`prepare()` never writes; `commit()` lands the whole file as one batch in one
transaction, or raises and leaves the warehouse as it was.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field

import pandas as pd

from kaohe.base import access, i18n
from kaohe.base import months as mo
from kaohe.data.warehouse import (
    OBS_COLUMNS,
    BatchResult,
    DuplicateFileError,
    PublishedMonthError,
    Warehouse,
    published_months,
)
from kaohe.ingest import limits
from kaohe.ingest.errors import FileProblem
from kaohe.ingest.lookup import Lookup
from kaohe.ingest.normalise import Understanding, normalise
from kaohe.ingest.read import read
from kaohe.validation import checks, gx_runner, plausibility
from kaohe.validation.problems import problem
from kaohe.validation.report import Report

MAX_UPLOAD_BYTES = limits.MAX_UPLOAD_BYTES  # the upload page: a month's file is well under 1 MB
MAX_CLI_BYTES = limits.MAX_CLI_BYTES  # the command line, for backfills of several years
log = logging.getLogger(__name__)
NO_TABLE = {"val.file_empty", "val.file_no_header"}  # what a workbook's cover sheet gives



class ImportRefused(i18n.Refusal):
    """commit() refused: errors in the report, or warnings not confirmed. Nothing was written."""


@dataclass
class Prepared:
    """A file read, understood and validated, ready to commit (or not)."""

    name: str
    size: int
    file_hash: str
    report: Report
    understanding: Understanding | None = None
    frame: pd.DataFrame | None = None
    gx_result: dict | None = None
    timings: dict = field(default_factory=dict)
    published: list[str] = field(default_factory=list)  # months of the file whose results are published
    # prepared for an actor whose scope does not cover every indicator of the file: the refusal commit()
    # will raise (access.Forbidden, naming each foreign indicator, its source, office and rows)
    refused: access.Forbidden | None = None

    @property
    def blocked(self) -> bool:
        return self.report.errors > 0 or self.frame is None

    @property
    def needs_confirmation(self) -> bool:
        return self.report.warnings > 0

    def observations(self) -> pd.DataFrame:
        return self.frame.reindex(columns=OBS_COLUMNS) if self.frame is not None else pd.DataFrame(columns=OBS_COLUMNS)

    def counts(self) -> dict:
        if self.frame is None:
            return {"rows": 0}
        s = self.frame["status"].value_counts()
        return {"rows": int(len(self.frame)), "ok": int(s.get("ok", 0)), "missing": int(s.get("missing", 0)),
                "na": int(s.get("na", 0)), "units": int(self.frame["unit_code"].nunique()),
                "indicators": int(self.frame["indicator_code"].nunique()),
                "months": sorted(self.frame["month"].dropna().unique().tolist())}


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare(data: bytes, name: str, wh: Warehouse, *, month: str | None = None, sheet: str | None = None,
            max_bytes: int = MAX_UPLOAD_BYTES, current_month: str | None = None,
            correction: bool = False, actor: access.Principal | str | None = None) -> Prepared:
    """Read, normalise and validate one file. Writes nothing. With `actor` (the dashboard's signed-in
    person), refused unless they may import (access.Forbidden), and `refused` holds the refusal commit()
    will give when the file holds indicators outside their scope."""
    if actor is not None:
        access.require(actor, "import")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    digest = file_hash(data)
    prep = Prepared(name, len(data), digest, Report.of([]), timings=timings)
    if len(data) > max_bytes:
        prep.report = Report.of([pd.DataFrame([problem("val.file_too_large", size_mb=len(data) / 2**20,
                                                       limit_mb=max_bytes / 2**20)])])
        return prep
    earlier = wh.batch_by_hash(digest)
    if earlier:
        prep.report = Report.of([pd.DataFrame([problem("val.file_duplicate", batch_id=int(earlier["batch_id"]),
                                                       when=str(earlier["created_at"])[:16])])])
        return prep
    units, indicators = wh.units(), wh.indicators()
    lookup = Lookup.build(units, indicators)
    raw = None
    try:
        try:
            raw = read(data, name, sheet, max_cells=limits.max_cells_for(max_bytes))
            frame, und, found = normalise(raw, lookup, month)
        except (FileProblem, KeyboardInterrupt):
            raise
        except MemoryError:  # the limits should make this unreachable; never a traceback on the page
            raise FileProblem("val.file_unreadable", error="MemoryError") from None
        except Exception as exc:  # noqa: BLE001 - whatever a hostile file does, the evaluator gets words
            log.exception("reading %s failed", name)
            raise FileProblem("val.file_unreadable", error=type(exc).__name__) from exc
    except FileProblem as exc:
        key, params = exc.key, exc.params
        if key in NO_TABLE and raw is not None and sheet is None and len(raw.sheets) > 1:
            # the first sheet is often a cover or instructions: say which sheet was read and what else there is
            others = [s for s in raw.sheets if s != raw.sheet]
            key, params = "val.file_sheet_no_table", {"sheet": raw.sheet, "others_zh": "、".join(others),
                                                      "others_en": ", ".join(others)}
        read_problems = raw.problems if raw is not None else []  # e.g. the invisible character in the header
        found = problem(key, row=exc.row, column=exc.column, **params)
        if exc.row is not None:  # a file-level message may name its row ("row 42 holds a NUL byte")
            found["params"] = {"row": exc.row, **found["params"]}
        prep.report = Report.of([pd.DataFrame([found] + read_problems)])
        return prep
    found = raw.problems + found  # what reading found: hidden sheets, rows and columns, invisible characters
    del raw  # the file's grid: the normalised frame holds what is needed from here on
    timings["read"] = time.perf_counter() - t0
    prep.frame, prep.understanding = frame, und

    tf = time.perf_counter()
    current = current_month or mo.running()
    facts = checks.facts(frame, units, indicators)  # the register's and catalogue's facts the suite reads
    facts_s = time.perf_counter() - tf
    t1 = time.perf_counter()
    gx_problems, prep.gx_result = gx_runner.run(facts, gx_runner.parameters(units, indicators, current))
    timings["gx"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    known = checks.known(facts)
    del facts  # each stage's frame is let go once read: a backfill's peak memory is one stage's, not all
    expected = checks.expected(known, units)
    t3 = time.perf_counter()
    gaps, prep.gx_result["completeness"] = gx_runner.completeness(expected)
    completeness_gx = time.perf_counter() - t3
    del expected
    timings["gx"] += completeness_gx  # both suites count as GX time
    parts = [pd.DataFrame(found), gx_problems, checks.run(known), gaps]
    del known
    months = und.months
    if months:
        with wh.connect() as con:
            frozen = sorted(set(months) & published_months(con))
        prep.published = frozen
        if frozen and not correction:
            parts.append(pd.DataFrame([problem("val.month_published", month=m) for m in frozen]))
        history = wh.observations(units=frame["unit_code"].dropna().unique().tolist(),
                                  indicators=frame["indicator_code"].dropna().unique().tolist(),
                                  month_from=mo.add(months[0], -plausibility.WINDOW), month_to=months[-1])
        parts.append(plausibility.run(frame, history, units, indicators))
    timings["checks"] = time.perf_counter() - t2 - completeness_gx + facts_s
    prep.report = Report.of(parts)
    if actor is not None:
        prep.refused = scope_refusal(prep, wh, actor)
    return prep


def scope_refusal(prep: Prepared, wh: Warehouse, actor) -> access.Forbidden | None:
    """The refusal of this file for `actor` when it holds indicators outside their scope (an evaluator's
    sources and offices in the catalogue): each foreign indicator with its source, office and the file's
    rows. None when the actor may import every row."""
    if prep.frame is None:
        return None
    return wh.import_scope(prep.frame, actor)


def commit(prep: Prepared, wh: Warehouse, *, actor: str, accept_warnings: bool = False,
           reason: str | None = None, kind: str = "import") -> BatchResult:
    """Land the file whole, as one batch, or raise and change nothing. Refused (access.Forbidden) before
    anything is read or written unless the actor may import, and when the file holds an indicator outside
    the actor's scope."""
    access.require(actor, "import")
    foreign = scope_refusal(prep, wh, actor)
    if foreign is not None:
        prep.refused = foreign
        raise foreign
    if prep.blocked:
        raise ImportRefused("import.refused.errors", n=prep.report.errors)
    if prep.needs_confirmation and not accept_warnings:
        raise ImportRefused("import.refused.warnings", n=prep.report.warnings)
    t0 = time.perf_counter()
    try:
        result = wh.write_observations(
            prep.observations(), actor=actor, kind=kind, source_name=prep.name, file_hash=prep.file_hash,
            reason=reason, report=prep.report.to_record(), gx_result=prep.gx_result,
            warnings_accepted=bool(accept_warnings and prep.needs_confirmation), unique_hash=True)
    except DuplicateFileError as exc:
        when = str((wh.batch(exc.batch_id) or {}).get("created_at", ""))[:16]
        prep.report = Report.of([pd.DataFrame([problem("val.file_duplicate", batch_id=exc.batch_id, when=when)])])
        raise ImportRefused("import.refused.errors", n=1) from exc
    except PublishedMonthError as exc:
        prep.report = Report.of([prep.report.problems,
                                 pd.DataFrame([problem("val.month_published", month=m) for m in exc.months])])
        raise ImportRefused("import.refused.errors", n=prep.report.errors) from exc
    prep.timings["commit"] = time.perf_counter() - t0
    return result
