"""An indicator catalogue file (指标目录): read, checked row by row, compared with the catalogue; and the
catalogue written out (CSV or XLSX) in the same form, so that export then import changes nothing.

`prepare()` never writes; `commit()` lands added and changed indicators in one transaction, audited.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from kaohe.base import access
from kaohe.data import catalogue_admin as store
from kaohe.data.audit import frozen_months
from kaohe.data.warehouse import Warehouse
from kaohe.ingest import limits
from kaohe.ingest.admin_table import (
    FileRefused,
    Preview,
    Problem,
    choice,
    diff,
    month_text,
    number,
    read_table,
)
from kaohe.ingest.lookup import key

FIELDS: dict[str, list[str]] = {
    "code": ["指标代码", "代码", "指标编码", "编码", "code", "indicator code"],
    "name_zh": ["指标名称", "名称", "中文名称", "name", "name_zh", "indicator"],
    "name_en": ["英文名称", "英文名", "name_en", "english name"],
    "dimension_zh": ["维度", "考核维度", "维度名称", "dimension", "dimension_zh"],
    "dimension_en": ["维度英文名称", "英文维度", "dimension_en"],
    "applies_to": ["适用对象", "适用", "适用单位", "applies to", "applies_to"],
    "unit": ["计量单位", "单位", "measurement unit", "unit"],
    "direction": ["方向", "指标方向", "direction"],
    "kind": ["指标类型", "类型", "kind", "type"],
    "ratio": ["比率", "是否比率", "ratio"],
    "min": ["下限", "最小值", "有效下限", "min", "minimum"],
    "max": ["上限", "最大值", "有效上限", "max", "maximum"],
    "typical_low": ["常见下限", "typical low", "typical_low"],
    "typical_high": ["常见上限", "typical high", "typical_high"],
    "basis": ["依据", "说明", "basis", "note"],
    "source_system": ["来源系统", "数据来源", "source system", "source_system", "source"],
    "owner_office": ["责任科室", "牵头科室", "主管科室", "owning office", "owner office", "owner_office", "office"],
    "retired_from": ["停用月份", "停用自", "retired from", "retired_from"],
}
REQUIRED = ["code", "name_zh", "dimension_zh", "applies_to", "direction", "kind", "ratio"]
APPLIES_WORDS = {key(w): v for v, words in {
    "street": ["街道", "街道乡镇", "street", "streets"],
    "department": ["部门", "department", "departments"],
    "both": ["全部", "两者", "通用", "街道和部门", "both", "all"],
}.items() for w in words}
DIRECTION_WORDS = {key(w): v for v, words in {
    "higher": ["正向", "越高越好", "越大越好", "higher", "higher is better", "up"],
    "lower": ["逆向", "负向", "越低越好", "越小越好", "lower", "lower is better", "down"],
    "neutral": ["中性", "不评分", "neutral"],
}.items() for w in words}
KIND_WORDS = {key(w): v for v, words in {
    "rate": ["比率", "率", "rate"], "count": ["计数", "数量", "件数", "count"], "days": ["天数", "天", "days"],
    "hours": ["小时", "hours"], "minutes": ["分钟", "minutes"], "per_10k": ["每万人", "万人比", "per_10k"],
    "score": ["得分", "分值", "score"],
}.items() for w in words}
RATIO_WORDS = {key(w): v for v, words in {
    "yes": ["是", "比率", "yes", "y", "true", "1"], "no": ["否", "不是", "no", "n", "false", "0"],
}.items() for w in words}
CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
TEXT = ["name_zh", "name_en", "dimension_zh", "dimension_en", "unit", "basis", "source_system", "owner_office"]
NUMBERS = ["min", "max", "typical_low", "typical_high"]
CHOICES = {"applies_to": APPLIES_WORDS, "direction": DIRECTION_WORDS, "kind": KIND_WORDS, "ratio": RATIO_WORDS}
LABELS = {f: f"cat.field.{f}" for f in FIELDS} | {"code": "report.col.indicator_code",
                                                 "dimension_zh": "report.col.dimension",
                                                 "name_en": "units.field.name_en"}
EXPORT_COLUMNS = [c for c in store.CATALOGUE_COLUMNS if c != "active"]


def check(table, current: dict[str, dict], published: set[str] = frozenset()) -> tuple[list[dict], list[Problem]]:
    cols = table.columns
    problems: list[Problem] = []
    rows: list[dict] = []
    seen: dict[str, int] = {}

    def bad(row_no, f, k, **params):
        problems.append(Problem(k, row_no, cols.get(f, f), params))

    for row_no, cells in table.rows:
        n_before = len(problems)
        out: dict = {}
        code = cells.get("code")
        if code is None:
            bad(row_no, "code", "cat.err.no_code")
        elif not CODE.match(code):
            bad(row_no, "code", "cat.err.bad_code", value=code)
        elif code in seen:
            bad(row_no, "code", "units.err.duplicate", value=code, first=seen[code])
        else:
            seen[code] = row_no
        out["code"] = code
        for f in TEXT:
            out[f] = cells.get(f)
        for f in ("name_zh", "dimension_zh"):
            if f in cols and out[f] is None:
                bad(row_no, f, "cat.err.empty")
        for f, words in CHOICES.items():
            value = choice(cells.get(f), words)
            if f in cols and value is None:
                bad(row_no, f, "cat.err.empty")
            elif value is False:
                bad(row_no, f, f"cat.err.{f}", value=cells.get(f))
            out[f] = None if value is False else value
        if out["ratio"] is not None:
            out["ratio"] = out["ratio"] == "yes"
        for f in NUMBERS:
            value = number(cells.get(f))
            if value is False:
                bad(row_no, f, "cat.err.number", value=cells.get(f))
            out[f] = None if value is False else value
        for low, high in (("min", "max"), ("typical_low", "typical_high")):
            if out[low] is not None and out[high] is not None and out[low] > out[high]:
                bad(row_no, high, "cat.err.range", low=_num(out[low]), high=_num(out[high]))
        retired = month_text(cells.get("retired_from"))
        if retired is False:
            bad(row_no, "retired_from", "units.err.month", value=cells.get("retired_from"))
        out["retired_from"] = retired or None
        before = current.get(code) if code else None
        if before is not None and "retired_from" in cols and out["retired_from"] != before.get("retired_from"):
            hit = _published_between(before.get("retired_from"), out["retired_from"], published)
            if hit:
                bad(row_no, "retired_from", "cat.err.published", month=hit)
        out["active"] = before["active"] if before is not None else True  # not by month: see data.catalogue_admin
        if len(problems) == n_before:
            rows.append(out)
    return rows, problems


def _published_between(old: str | None, new: str | None, published: set[str]) -> str | None:
    """The first published month whose indicators a change of retirement month would change."""
    for month in sorted(published):
        if (old is None or month < old) != (new is None or month < new):
            return month
    return None


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def prepare(data: bytes, name: str, wh: Warehouse, *, max_bytes: int = limits.MAX_UPLOAD_BYTES,
            sheet: str | None = None) -> Preview:
    """Read and check a catalogue file and compare it with the catalogue. Never writes."""
    table = read_table(data, name, FIELDS, REQUIRED, max_bytes=max_bytes, sheet=sheet)
    current = store.catalogue_rows(wh)
    rows, problems = check(table, current, frozen_months(wh))
    if problems:
        raise FileRefused(name, problems)
    present = set(table.columns)
    return diff(name, rows, current, present)


def commit(preview: Preview, wh: Warehouse, *, actor: str) -> int:
    access.require(actor, "catalogue")
    return store.apply_changes(wh, preview.changes, actor=actor, source_name=preview.name)


def export_frame(wh: Warehouse) -> pd.DataFrame:
    """The catalogue as a file would hold it: English column names (read back by import), ratio as
    yes/no, retired indicators included with their month."""
    df = store.frame(wh).reindex(columns=EXPORT_COLUMNS)
    df["ratio"] = df["ratio"].map({True: "yes", False: "no"})
    return df


def export_bytes(wh: Warehouse, suffix: str) -> bytes:
    """The catalogue as .csv (UTF-8 with a byte-order mark, so Excel opens it) or .xlsx."""
    df = export_frame(wh)
    if suffix == ".xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as xw:
            df.to_excel(xw, index=False, sheet_name="indicators")
        return buf.getvalue()
    return df.to_csv(index=False).encode("utf-8-sig")
