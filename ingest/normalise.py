"""Grid to the normalised long frame: find the header, tell long from wide, skip what is not data.

The normalised frame has one row per unit, indicator and month, with the file's
own row number and column name kept beside every value so problems can point
back at the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kaohe.ingest.errors import FileProblem
from kaohe.ingest.limits import column_letter
from kaohe.ingest.lookup import Lookup, indicator_candidates, key
from kaohe.ingest.read import RawTable
from kaohe.ingest.values import (
    MISSING,
    NA,
    OK,
    REFUSED_STATES,
    fold,
    map_distinct,
    month_in_text,
    parse_month,
    parse_values,
)
from kaohe.validation.checks import suggestion
from kaohe.validation.problems import problem

HEADER_SCAN = 30
TOTAL_WORDS = {"合计", "总计", "小计", "全区", "全市", "全区合计", "总体", "total", "sum", "grandtotal"}
NOTE_PREFIXES = ("注", "说明", "备注", "数据来源", "来源", "制表", "填报", "审核", "联系", "note", "source")
STATUS_WORDS = {"ok": OK, "有效": OK, "正常": OK, "missing": MISSING, "缺报": MISSING, "缺失": MISSING,
                "na": NA, "n/a": NA, "不适用": NA}

# the status of a row whose status column says ok (有效) but whose value is empty or not applicable
OK_NO_VALUE = "ok_no_value"

NORMALISED_COLUMNS = [
    "row", "unit_raw", "unit_code", "indicator_raw", "indicator_code", "month_raw", "month",
    "value_raw", "value", "value_state", "numerator_raw", "numerator", "numerator_state",
    "denominator_raw", "denominator", "denominator_state",
    "status", "col_unit", "col_indicator", "col_value", "col_month", "col_numerator", "col_denominator",
]


@dataclass
class Understanding:
    """How the file was read, for the preview: what the evaluator should check at a glance."""

    fmt: str
    encoding: str | None
    sheet: str | None
    layout: str = ""
    header_row: int | None = None
    month_source: str = ""  # column, title, given
    months: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # file column -> what it was read as
    units_matched: list[str] = field(default_factory=list)
    unit_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # matched code -> (zh, en) name
    units_unmatched: list[str] = field(default_factory=list)
    unit_suggestions: dict[str, list[str]] = field(default_factory=dict)  # unmatched -> close registered codes
    indicators_matched: list[str] = field(default_factory=list)
    indicator_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # matched code -> (zh, en) name
    rows_read: int = 0
    rows_skipped: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def normalise(raw: RawTable, lookup: Lookup, month: str | None = None) -> tuple[pd.DataFrame, Understanding, list[dict]]:
    """(normalised frame, understanding, problems found while reading)."""
    und = Understanding(raw.fmt, raw.encoding, raw.sheet)
    problems: list[dict] = []
    grid = raw.grid()
    text = _fold_fast(grid)
    nonempty = text != ""

    header_at = _find_header(text, lookup)
    if header_at is None:
        if not nonempty.to_numpy().any():
            raise FileProblem("val.file_empty")
        raise FileProblem("val.file_no_header")
    und.header_row = int(header_at)
    h_pos = int(np.flatnonzero(text.index == header_at)[0])  # the header is among the first HEADER_SCAN rows

    # title rows above the header: skipped, but a month in them counts
    title_month = None
    for r in text.index[:h_pos]:
        line = " ".join(v for v in text.loc[r] if v)
        if line:
            problems.append(problem("val.skipped_title", row=int(r), value=line[:80]))
            title_month = title_month or month_in_text(line)

    roles, ind_cols = _columns(text.loc[header_at], nonempty.iloc[h_pos + 1:], lookup, problems, und,
                               int(header_at))
    first_of = {}
    for col, (role, _code) in roles.items():
        first_of.setdefault(role, col)
    if "unit" not in first_of:
        raise FileProblem("val.file_no_unit_column", row=int(header_at))
    if "indicator" in first_of and ("value" in first_of or "numerator" in first_of):
        und.layout = "long"
    elif ind_cols:
        und.layout = "wide"
    else:
        raise FileProblem("val.file_layout", row=int(header_at))

    body = grid.iloc[h_pos + 1:]
    btext = text.iloc[h_pos + 1:]
    keep = _skip_rows(btext, nonempty.iloc[h_pos + 1:], first_of["unit"], problems)
    body, btext = body.loc[keep], btext.loc[keep]
    und.rows_read = int(len(body))
    und.rows_skipped = int(len(grid) - h_pos - 1 - len(body))
    if body.empty:
        raise FileProblem("val.file_no_rows", row=int(header_at))
    header_text = text.loc[header_at]

    for cell in raw.formula_cells:  # formulas Excel never computed: the value is unknown
        r = int("".join(ch for ch in cell if ch.isdigit()))
        problems.append(problem("val.formula_no_value", row=r, column=cell, value=None, cell=cell))

    # the month: a column, else the month given, else the title
    if "month" in first_of:
        und.month_source = "column"
    elif month:
        und.month_source = "given"
        if title_month and title_month != month:
            problems.append(problem("val.month_title_differs", given=month, title=title_month))
    elif title_month:
        und.month_source, month = "title", title_month
    else:
        raise FileProblem("val.file_no_month")

    ucol = first_of["unit"]
    base = pd.DataFrame({"row": body.index.astype("int64"), "unit_raw": btext[ucol].to_numpy(),
                         "col_unit": header_text[ucol]})
    if und.month_source == "column":
        mcol = first_of["month"]
        base["month_raw"] = _cells(body[mcol])
        base["col_month"] = header_text[mcol]
    else:
        base["month_raw"] = month
        base["col_month"] = None

    if und.layout == "long":
        frame = base.copy()
        icol = first_of["indicator"]
        frame["indicator_raw"] = btext[icol].to_numpy()
        frame["col_indicator"] = header_text[icol]
        frame["indicator_code"] = lookup.indicator_codes(frame["indicator_raw"].replace("", None))
        for part in ("value", "numerator", "denominator"):
            col = first_of.get(part)
            frame[f"{part}_raw"] = _cells(body[col]) if col is not None else None
            frame[f"col_{part}"] = header_text[col] if col is not None else None
        frame["col_value"] = header_text[first_of["value"]] if "value" in first_of else header_text[first_of["numerator"]]
        status_col = first_of.get("status")
        frame["status_raw"] = btext[status_col].to_numpy() if status_col is not None else ""
    else:
        parts = []
        for col, code in ind_cols:
            part = base.copy()
            part["indicator_raw"] = header_text[col]
            part["indicator_code"] = code
            part["value_raw"] = _cells(body[col])
            part["col_value"] = part["col_indicator"] = header_text[col]
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True)
        frame["numerator_raw"] = None
        frame["denominator_raw"] = None
        frame["status_raw"] = ""

    frame["unit_code"] = lookup.unit_codes(frame["unit_raw"].replace("", None))
    frame["month"] = _months(frame["month_raw"])
    frame["value"], frame["value_state"] = parse_values(frame["value_raw"])
    for part in ("numerator", "denominator"):
        if frame[f"{part}_raw"].isna().all():
            frame[part] = np.nan
            frame[f"{part}_state"] = MISSING
        else:  # a numerator that is not a number is refused on its row (the suite says so), never dropped
            vals, states = parse_values(frame[f"{part}_raw"])
            frame[part] = vals.where(states == OK)
            frame[f"{part}_state"] = states
    frame = _status(frame, lookup)
    if und.layout == "wide":
        frame = _drop_inapplicable_blanks(frame, lookup, problems)
    frame = frame.sort_values(["row"], kind="stable").reset_index(drop=True)

    und.months = sorted(frame["month"].dropna().unique().tolist())
    known = set(lookup.units["code"])
    codes = frame["unit_code"].dropna().unique().tolist()
    und.units_matched = sorted(c for c in codes if c in known)
    names = lookup.units.set_index("code")
    und.unit_names = {c: (str(names.at[c, "name_zh"]), str(names.at[c, "name_en"])) for c in und.units_matched[:40]}
    und.units_unmatched = sorted(str(c) for c in codes if c not in known)
    und.unit_suggestions = {u: lookup.suggest_units(u) for u in und.units_unmatched[:20]}
    und.unit_names.update({c: (str(names.at[c, "name_zh"]), str(names.at[c, "name_en"]))
                           for s in und.unit_suggestions.values() for c in s})
    und.indicators_matched = sorted(set(frame["indicator_code"].dropna().unique()) & set(lookup.indicators["code"]))
    inames = lookup.indicators.set_index("code")
    und.indicator_names = {c: (str(inames.at[c, "name_zh"]), str(inames.at[c, "name_en"]))
                           for c in und.indicators_matched}
    return frame.reindex(columns=NORMALISED_COLUMNS), und, problems


def _cells(col: pd.Series):
    """A column of the file's cells as they were read, to place beside the rows: a big CSV's text column
    (pandas' string dtype) stays one, without a Python string per cell made and converted back."""
    return col.array if col.dtype != object and pd.api.types.is_string_dtype(col.dtype) else col.to_numpy()


def _fold_fast(grid: pd.DataFrame) -> pd.DataFrame:
    """fold() of every cell, computed once per distinct text: a file repeats the same unit names and
    codes thousands of times (a column is factorised, its distinct texts folded, and the codes taken).
    A column holding anything but text (a workbook's numbers, dates, booleans) is folded cell by cell,
    since 1, 1.0 and True are equal as keys but read differently. The result holds Python strings
    (object dtype), so no column is converted to another string type and back."""
    out = {}
    for c in grid.columns:
        col = grid[c]
        if pd.api.types.is_string_dtype(col.dtype) and (
                col.dtype != object or pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty")):
            codes, uniq = pd.factorize(col, use_na_sentinel=True)
            table = np.array([fold(u) for u in uniq] + [""], dtype=object)  # code -1 (a blank) -> ""
            out[c] = table[codes]
        else:
            out[c] = np.array([fold(v) for v in col.to_numpy(dtype=object)], dtype=object)
    return pd.DataFrame(out, index=grid.index, columns=grid.columns, dtype=object)


def _find_header(text: pd.DataFrame, lookup: Lookup):
    best, best_score = None, 1
    for r in text.index[:HEADER_SCAN]:
        cells = [v for v in text.loc[r] if v]
        score = sum(1 for v in cells if lookup.header(v) is not None)
        if score > best_score:
            best, best_score = r, score
    return best


def _columns(header: pd.Series, body_nonempty: pd.DataFrame, lookup: Lookup, problems: list,
             und: Understanding, header_row: int):
    roles: dict = {}
    ind_cols: list = []
    seen: dict = {}
    for col, name in header.items():
        empty_body = not body_nonempty[col].any() if len(body_nonempty) else True
        letter = column_letter(col)
        if not name:
            if empty_body:
                problems.append(problem("val.skipped_empty_column", row=header_row, column=letter))
            else:
                problems.append(problem("val.column_unknown", row=header_row, column=letter, value="",
                                        hint_zh="", hint_en=""))
            continue
        match = lookup.header(name)
        if match is None:
            if empty_body:
                problems.append(problem("val.skipped_empty_column", row=header_row, column=name))
            else:  # the catalogue's closest names, if any: "诉求满意" -> 诉求满意率?
                hint = suggestion(name, indicator_candidates(lookup.indicators), lookup.indicators)
                problems.append(problem("val.column_unknown", row=header_row, column=name, value=name, **hint))
            und.columns[name] = "?"
            continue
        role, code = match
        ident = (role, code)
        if role == "ignore":
            problems.append(problem("val.skipped_ignored_column", row=header_row, column=name))
            und.columns[name] = "ignore"
            continue
        if ident in seen:
            problems.append(problem("val.column_repeated", row=header_row, column=name, first=seen[ident]))
            continue
        seen[ident] = name
        und.columns[name] = code if role == "ind" else role
        if role == "ind":
            ind_cols.append((col, code))
        else:
            roles[col] = (role, code)
    return roles, ind_cols




def _skip_rows(btext: pd.DataFrame, nonempty: pd.DataFrame, unit_col, problems: list) -> pd.Series:
    count = nonempty.sum(axis=1)
    keep = count > 0
    n_empty = int((~keep).sum())
    if n_empty:
        problems.append(problem("val.skipped_empty", row=int(btext.index[~keep][0]), n=n_empty))
    first_cells = _first_cells(btext, nonempty)
    first_keys = _map_unique(first_cells, key)
    is_total = _map_unique(btext[unit_col], key).isin(TOTAL_WORDS) | first_keys.isin(TOTAL_WORDS)
    is_note = (count == 1) & _map_unique(first_cells, lambda v: key(v).startswith(NOTE_PREFIXES) or len(v) > 20)
    is_note |= _map_unique(first_cells, lambda v: v.startswith(("注:", "注:", "说明:", "说明:", "备注")))
    for r in btext.index[keep & is_total]:
        problems.append(problem("val.skipped_total", row=int(r), value=first_cells[r][:40]))
    for r in btext.index[keep & is_note & ~is_total]:
        problems.append(problem("val.skipped_note", row=int(r), value=first_cells[r][:80]))
    return keep & ~is_total & ~is_note


def _first_cells(btext: pd.DataFrame, nonempty: pd.DataFrame) -> pd.Series:
    """Each row's first non-empty cell ("" for an empty row), column by column from the right: a whole
    column at a time, never a Python call per row."""
    first = np.full(len(btext), "", dtype=object)
    for c in reversed(range(btext.shape[1])):
        here = nonempty.iloc[:, c].to_numpy(dtype=bool)
        if here.any():
            first[here] = btext.iloc[:, c].to_numpy(dtype=object)[here]
    return pd.Series(first, index=btext.index, dtype=object)


def _map_unique(col: pd.Series, fn) -> pd.Series:
    """fn per distinct value: files repeat the same unit names thousands of times."""
    return map_distinct(col, fn, na=fn("")) if len(col) else col.map(fn)


def _months(raw: pd.Series) -> pd.Series:
    def month(u):
        try:
            return parse_month(u)
        except TypeError:
            return None
    try:
        return map_distinct(raw, month)
    except TypeError:  # unhashable cells never happen in practice; parse one by one
        return raw.map(parse_month)


def _status(frame: pd.DataFrame, lookup: Lookup) -> pd.DataFrame:
    """The row's status: the value's own state, or the status column's word. A status column that
    says ok (有效) needs a readable number: beside 九十五 or #N/A the value's refusal stands, beside an
    empty cell the row is OK_NO_VALUE; both are errors. 缺报 and 不适用 need no value."""
    state = frame["value_state"].copy()
    explicit = _map_unique(frame["status_raw"], lambda s: STATUS_WORDS.get(key(s)) if s else None)
    bad_status = frame["status_raw"].ne("") & explicit.isna()
    # a rate given only as numerator and denominator: compute it
    ratio = set(lookup.indicators.loc[lookup.indicators["ratio"].astype(bool), "code"])
    can = (state == MISSING) & frame["numerator"].notna() & (frame["denominator"] > 0) \
        & frame["indicator_code"].isin(ratio)
    frame.loc[can, "value"] = (100.0 * frame.loc[can, "numerator"] / frame.loc[can, "denominator"]).round(2)
    state = state.where(~can, OK)
    says_ok = explicit.eq(OK)
    status = state.where(explicit.isna() | (says_ok & state.isin(REFUSED_STATES)), explicit)
    status = status.where(~(says_ok & state.isin([MISSING, NA])), OK_NO_VALUE)
    status = status.where(~bad_status, "bad_status")
    frame["value_state"] = state
    frame["status"] = status
    return frame


def _drop_inapplicable_blanks(frame: pd.DataFrame, lookup: Lookup, problems: list) -> pd.DataFrame:
    """A wide export shows every indicator for every unit; blanks under items that do not apply are not data."""
    kind = frame["unit_code"].map(dict(zip(lookup.units["code"], lookup.units["kind"], strict=False)))
    applies = frame["indicator_code"].map(dict(zip(lookup.indicators["code"], lookup.indicators["applies_to"],
                                                   strict=False)))
    inapplicable = kind.notna() & applies.notna() & (applies != "both") & (applies != kind)
    drop = inapplicable & frame["value_state"].isin([MISSING, NA])
    if drop.any():
        problems.append(problem("val.skipped_not_applicable", n=int(drop.sum())))
    return frame.loc[~drop]
