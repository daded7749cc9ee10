"""The report for a person: one line per problem, in Chinese or English, with a summary, as frames
(`render`, `summary`), terminal lines and the record stored with a batch.

Its downloads (CSV with BOM, XLSX) are written a layer up, by `kaohe.reports.validation_export`, through
`reports.safe`, the one formula-injection guard of the project: the core returns frames, never files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.validation.problems import CHECKS, ERROR, INFO, KINDS, PROBLEM_COLUMNS, WARNING

SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass
class Report:
    problems: pd.DataFrame
    # what a higher layer renders from this report (reports.validation_export's downloads), kept per language
    # so a page rerun does not write the same workbook again
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, parts: list[pd.DataFrame]) -> Report:
        parts = [p for p in parts if p is not None and not p.empty]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PROBLEM_COLUMNS)
        df = df.reindex(columns=PROBLEM_COLUMNS)
        # row numbers are whole numbers everywhere (parts may carry them as floats): "第 5 行", never 5.0
        df["row"] = pd.to_numeric(df["row"], errors="coerce").astype("Int64")
        # a wide row with an unknown unit fails once per indicator column: say it once
        df = df[~df[["check", "row", "column", "value"]].astype(str).duplicated()]
        # a cell that is wrong needs no plausibility question on top
        err = df["severity"].eq(ERROR)
        cells = set(zip(df.loc[err, "row"].astype(str), df.loc[err, "column"].astype(str), strict=True))
        moot = df["kind"].eq("plausibility") & pd.Series(
            [(str(r), str(c)) in cells for r, c in zip(df["row"], df["column"], strict=True)], index=df.index)
        df = df[~moot]
        order = df["severity"].map(SEVERITY_ORDER)
        df = df.assign(_o=order).sort_values(["_o", "row"], kind="stable", na_position="first")
        return cls(df.drop(columns="_o").reset_index(drop=True))

    def filtered(self, severities=None, kinds=None) -> Report:
        df = self.problems
        if severities is not None:
            df = df[df["severity"].isin(list(severities))]
        if kinds is not None:
            df = df[df["kind"].isin(list(kinds))]
        return Report(df)

    def count(self, severity: str) -> int:
        return int((self.problems["severity"] == severity).sum())

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    @property
    def infos(self) -> int:
        return self.count(INFO)

    def checks(self) -> list[str]:
        return sorted(self.problems["check"].unique().tolist())

    def summary_line(self, lang: str | None = None) -> str:
        return t("val.summary.line", lang, errors=self.errors, warnings=self.warnings, infos=self.infos)

    def summary(self, lang: str | None = None) -> pd.DataFrame:
        """Count by severity, kind and check."""
        df = self.problems
        if df.empty:
            return pd.DataFrame(columns=[t("val.col.severity", lang), t("val.col.kind", lang),
                                         t("val.col.problem", lang), t("val.col.count", lang)])
        g = df.groupby(["severity", "kind", "check"], sort=False).size().reset_index(name="n")
        g["_o"] = g["severity"].map(SEVERITY_ORDER) * 100 + g["kind"].map({k: i for i, k in enumerate(KINDS)})
        g = g.sort_values("_o")
        return pd.DataFrame({
            t("val.col.severity", lang): [t(f"val.severity.{s}", lang) for s in g["severity"]],
            t("val.col.kind", lang): [t(f"val.kind.{k}", lang) for k in g["kind"]],
            t("val.col.problem", lang): [_title(c, lang) for c in g["check"]],
            t("val.col.count", lang): g["n"].to_numpy(),
        })

    def render(self, lang: str | None = None, limit: int | None = None) -> pd.DataFrame:
        """One line per problem, words in `lang`."""
        df = self.problems if limit is None else self.problems.head(limit)
        msgs, exp, fix = [], [], []
        for check, params in zip(df["check"], df["params"], strict=True):
            p = params if isinstance(params, dict) else {}
            msgs.append(_safe(check, lang, p))
            # a skipped line has nothing to expect or fix: its check has no such message
            exp.append(_safe(f"{check}.expected", lang, p) if i18n.has(f"{check}.expected") else "")
            fix.append(_safe(f"{check}.fix", lang, p) if i18n.has(f"{check}.fix") else "")
        return pd.DataFrame({
            t("val.col.severity", lang): [t(f"val.severity.{s}", lang) for s in df["severity"]],
            t("val.col.kind", lang): [t(f"val.kind.{k}", lang) for k in df["kind"]],
            t("val.col.row", lang): df["row"].astype("Int64").array,  # whole numbers, blank where none
            t("val.col.column", lang): [_text(c) for c in df["column"]],
            t("val.col.value", lang): [_text(v) for v in df["value"]],
            t("val.col.problem", lang): msgs,
            t("val.col.expected", lang): exp,
            t("val.col.fix", lang): fix,
            t("val.col.check", lang): df["check"].to_numpy(),
        })

    def lines(self, lang: str | None = None, limit: int = 200) -> list[str]:
        """Plain text lines for the terminal: where (row, column, value), what, what it should be, the fix;
        Chinese lines in full-width punctuation."""
        lang = lang or i18n.DEFAULT_LANG
        zh = lang != "en"
        out = []
        for r in self.render(lang, limit).itertuples(index=False):
            sev, _kind, row, col, val, msg, exp, fix, _check = r
            where = []
            if pd.notna(row):
                where.append(("第 {} 行" if zh else "row {}").format(int(row)))
            if col:
                where.append(f"[{col}]")
            if val:
                where.append(f"「{val}」" if zh else f'"{val}"')
            head = " ".join([sev, *where])
            line = f"{head}：{msg}" if zh else f"{head}: {msg}"
            if exp:
                label = t("val.col.expected", lang)
                line += f"（{label}：{exp}）" if zh else f" ({label.lower()}: {exp})"
            if fix:
                line += f" → {fix}"
            out.append(line)
        return out

    def to_record(self, limit: int = 500) -> dict:
        """What is stored with the batch: counts and the first lines (warnings the evaluator accepted)."""
        head = self.problems[self.problems["severity"] != INFO].head(limit)
        return {"errors": self.errors, "warnings": self.warnings, "infos": self.infos,
                "checks": self.checks(),
                "lines": [{**{k: (None if pd.isna(v) else v) for k, v in r.items() if k != "params"},
                           "params": r["params"]} for r in head.to_dict("records")]}


def expectation_counts(gx_result: dict | None) -> pd.DataFrame:
    """The expectations a batch's stored GX run (the import suite and the completeness suite) ran, per
    kind of check (validation.problems.KINDS; None for a check the catalogue does not know): kind, run,
    passed, failed, in the order first met."""
    gx_result = gx_result or {}
    results = list(gx_result.get("results") or []) + list(
        (gx_result.get("completeness") or {}).get("results") or [])
    rows = []
    for res in results:
        check = ((res.get("expectation_config") or {}).get("meta") or {}).get("check")
        rows.append((CHECKS[check][1] if check in CHECKS else None, bool(res.get("success"))))
    if not rows:
        return pd.DataFrame(columns=["kind", "run", "passed", "failed"])
    df = pd.DataFrame(rows, columns=["kind", "ok"])
    g = df.groupby("kind", dropna=False, sort=False)["ok"].agg(["size", "sum"]).reset_index()
    return pd.DataFrame({"kind": g["kind"].to_numpy(), "run": g["size"].astype(int).to_numpy(),
                         "passed": g["sum"].astype(int).to_numpy(),
                         "failed": (g["size"] - g["sum"]).astype(int).to_numpy()})


def _title(check: str, lang) -> str:
    """A check's message without parameters, for the summary."""
    return re.sub(r"\{[^}]*\}", "…", t(check, lang))


def _safe(key: str, lang, params: dict) -> str:
    """The message with its parameters; without them (a line stored by an older release), the
    message with … where the parameters go, never a bare {placeholder}."""
    try:
        return t(key, lang, **params)
    except (KeyError, ValueError, IndexError):
        return _title(key, lang)


def _text(v) -> str:
    if isinstance(v, (bool, np.bool_)):  # an Excel TRUE/FALSE cell, as Excel shows it
        return "TRUE" if v else "FALSE"
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if v is pd.NA:
        return ""
    return str(v)
