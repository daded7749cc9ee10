"""How a file was understood, in words, for the upload page and the terminal."""

from __future__ import annotations

import pandas as pd

from kaohe.base import clock, i18n
from kaohe.base.i18n import t

i18n.register({
    "import.pv.format": ("格式", "Format"),
    "import.pv.layout": ("布局", "Layout"),
    "import.pv.layout.long": ("长表（每行一个单位、指标、月份）", "long (one row per unit, indicator, month)"),
    "import.pv.layout.wide": ("宽表（每个指标一列）", "wide (one column per indicator)"),
    "import.pv.header": ("表头所在行", "Header row"),
    "import.pv.month": ("月份", "Month"),
    "import.pv.month.column": ("{months}（取自「月份」列）", "{months} (from the month column)"),
    "import.pv.month.title": ("{months}（取自标题）", "{months} (from the title)"),
    "import.pv.month.given": ("{months}（导入时指定）", "{months} (given at import)"),
    "import.pv.units": ("识别的单位", "Units matched"),
    "import.pv.units_unknown": ("未识别的单位", "Units not matched"),
    "import.pv.indicators": ("识别的指标", "Indicators matched"),
    "import.pv.rows": ("数据行", "Data rows"),
    "import.pv.rows_detail": ("读取 {read} 行，跳过 {skipped} 行；规范化后 {obs} 个数据项",
                              "{read} read, {skipped} skipped; {obs} values after normalising"),
    "import.pv.columns": ("列的识别", "Columns read as"),
    "import.pv.did_you_mean": ("{raw}（是否为 {names}？）", "{raw} (did you mean {names}?)"),
    "import.pv.status.refused": ("有误（见问题清单）", "refused (see the problems)"),
})

ROLES = {"unit": ("单位", "unit"), "month": ("月份", "month"), "indicator": ("指标", "indicator"),
         "value": ("数值", "value"), "numerator": ("分子", "numerator"), "denominator": ("分母", "denominator"),
         "status": ("状态", "status"), "ignore": ("忽略", "ignored"), "?": ("未识别（忽略）", "not recognised (ignored)")}
i18n.register({f"import.pv.role.{k}": v for k, v in ROLES.items()})

PREVIEW_COLUMNS = {"row": ("行号", "Row"), "unit_raw": ("单位（原文）", "Unit (as written)"),
                   "unit_code": ("单位代码", "Unit code"), "indicator_code": ("指标代码", "Indicator"),
                   "month": ("月份", "Month"), "value_raw": ("数值（原文）", "Value (as written)"),
                   "value": ("数值", "Value"), "numerator": ("分子", "Numerator"),
                   "denominator": ("分母", "Denominator"), "status": ("状态", "Status")}
i18n.register({f"import.pv.col.{k}": v for k, v in PREVIEW_COLUMNS.items()})


def describe(prep, lang: str | None = None) -> list[tuple[str, str]]:
    """(label, text) pairs; empty when the file could not be read at all."""
    u = prep.understanding
    if u is None:
        return []
    months = i18n.sep(lang).join(u.months) or "—"
    zh = (lang or i18n.default_lang()) == "zh"
    colon = "：" if zh else ": "
    fmt = u.fmt.upper() + ((f"（{u.encoding}）" if zh else f" ({u.encoding})") if u.encoding else "") \
        + (f" [{u.sheet}]" if u.sheet else "")
    out = [
        (t("import.pv.format", lang), fmt),
        (t("import.pv.layout", lang), t(f"import.pv.layout.{u.layout}", lang) if u.layout else "—"),
        (t("import.pv.header", lang), str(u.header_row)),
        (t("import.pv.month", lang), t(f"import.pv.month.{u.month_source}", lang, months=months)
         if u.month_source else months),
        (t("import.pv.units", lang), f"{len(u.units_matched)}{colon}" + i18n.sep(lang).join(_unit(c, u, lang) for c in u.units_matched[:40])
         + (" …" if len(u.units_matched) > 40 else "")),
        (t("import.pv.indicators", lang), f"{len(u.indicators_matched)}{colon}" + i18n.sep(lang).join(
            _indicator(c, u, lang) for c in u.indicators_matched)),
        (t("import.pv.rows", lang), t("import.pv.rows_detail", lang, read=u.rows_read, skipped=u.rows_skipped,
                                      obs=0 if prep.frame is None else len(prep.frame))),
        (t("import.pv.columns", lang), ("；" if zh else "; ").join(
            f"{k} → {t(f'import.pv.role.{v}', lang) if v in ROLES else v}" for k, v in u.columns.items())),
    ]
    if u.units_unmatched:
        out.insert(5, (t("import.pv.units_unknown", lang), i18n.sep(lang).join(
            _unmatched(raw, u, lang) for raw in u.units_unmatched[:20])))
    return out


def _unmatched(raw: str, u, lang) -> str:
    """'东湖街（是否为 S01 东湖街道？）': an unmatched unit with the registered names close to it."""
    close = getattr(u, "unit_suggestions", {}).get(raw) or []
    if not close:
        return raw
    return t("import.pv.did_you_mean", lang, raw=raw, names=i18n.sep(lang).join(_unit(c, u, lang) for c in close))


def _unit(code: str, u, lang) -> str:
    """'S01 东湖街道' (or 'S01 Donghu Street'): the code with the register's name, to check the match."""
    name = i18n.pick(*u.unit_names.get(code, ("", "")), lang)  # lang None: the user's language
    return f"{code} {name}" if name and name != code else code


def _indicator(code: str, u, lang) -> str:
    """'HL_SATISFY 诉求满意率': the code with the catalogue's name."""
    name = i18n.pick(*getattr(u, "indicator_names", {}).get(code, ("", "")), lang)
    return f"{code} {name}" if name and name != code else code


def sample_rows(prep, lang: str | None = None, n: int = 50) -> pd.DataFrame:
    if prep.frame is None:
        return pd.DataFrame()
    head = prep.frame.head(n)[list(PREVIEW_COLUMNS)].copy()
    head["row"] = head["row"].astype("Int64")
    # the status in words: 有效, 缺报, 不适用, or refused (the report says why)
    head["status"] = [t(f"status.{s}", lang) if s in ("ok", "na", "missing") else t("import.pv.status.refused", lang)
                      for s in head["status"]]
    return head.rename(columns={k: t(f"import.pv.col.{k}", lang) for k in PREVIEW_COLUMNS})


i18n.register({
    **{f"import.batches.col.{k}": v for k, v in {
        "batch_id": ("批次", "Batch"), "created_at": ("时间", "When"), "actor": ("操作人", "By"),
        "kind": ("类型", "Kind"), "source_name": ("文件", "File"), "rows_written": ("行数", "Rows"),
        "status": ("状态", "Status"), "warnings_accepted": ("已确认警告", "Warnings accepted"),
        "reason": ("理由", "Reason"), "rolled_back_at": ("回滚时间", "Rolled back at"),
        "rolled_back_by": ("回滚人", "Rolled back by")}.items()},
    "import.batches.status.committed": ("有效", "in force"),
    "import.batches.status.rolled_back": ("已回滚", "rolled back"),
    "import.batches.kind.import": ("文件导入", "file import"),
    "import.batches.kind.sample": ("示例数据", "sample data"),
})
BATCH_COLUMNS = ["batch_id", "created_at", "actor", "kind", "source_name", "rows_written", "status",
                 "warnings_accepted", "reason", "rolled_back_at", "rolled_back_by"]


def batch_table(batches: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The batch list for a person (page and `kaohe batches`): headers, status and kind in words,
    times to the minute, blanks instead of None."""
    df = batches.reindex(columns=BATCH_COLUMNS).astype(object)
    df = df.where(df.notna(), None)

    def words(prefix, values):  # a stored code with no words yet is shown as it is
        return [i18n.t_or(f"{prefix}.{v}", "" if v is None else str(v), lang) for v in values]

    def when(values):  # stored in UTC, read in the office's time
        return [clock.local_text(v) for v in values]

    out = df.assign(created_at=when(df["created_at"]), rolled_back_at=when(df["rolled_back_at"]),
                    kind=words("import.batches.kind", df["kind"]), status=words("import.batches.status", df["status"]),
                    **{c: df[c].fillna("") for c in ("reason", "source_name")},
                    actor=[i18n.actor_name(a, lang) for a in df["actor"]],
                    rolled_back_by=["" if a is None else i18n.actor_name(a, lang) for a in df["rolled_back_by"]],
                    warnings_accepted=df["warnings_accepted"].fillna(False).astype(bool))
    return out.rename(columns={c: t(f"import.batches.col.{c}", lang) for c in BATCH_COLUMNS})
