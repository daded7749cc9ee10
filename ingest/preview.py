"""How a file was understood, in words, for the upload page and the terminal."""

from __future__ import annotations

import pandas as pd

from kaohe.base import clock, i18n
from kaohe.base.i18n import t

# the roles a column can be read as (messages import.pv.role.*)
ROLES = ("unit", "month", "indicator", "value", "numerator", "denominator", "status", "ignore", "?")

# the preview's columns (headed by messages import.pv.col.*)
PREVIEW_COLUMNS = ["row", "unit_raw", "unit_code", "indicator_code", "month", "value_raw", "value", "numerator",
                   "denominator", "status"]


def describe(prep, lang: str | None = None) -> list[tuple[str, str]]:
    """(label, text) pairs; empty when the file could not be read at all."""
    u = prep.understanding
    if u is None:
        return []
    months = i18n.sep(lang).join(u.months) or "—"
    zh = (lang or i18n.DEFAULT_LANG) == "zh"
    colon = "：" if zh else ": "
    fmt = u.fmt.upper() + ((f"（{u.encoding}）" if zh else f" ({u.encoding})") if u.encoding else "") \
        + (f" [{u.sheet}]" if u.sheet else "")
    out = [
        (t("import.pv.format", lang), fmt),
        (t("import.pv.layout", lang), t(f"import.pv.layout.{u.layout}", lang) if u.layout else "—"),
        (t("import.pv.header", lang), str(u.header_row)),
        (t("chart.month", lang), t(f"import.pv.month.{u.month_source}", lang, months=months)
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
