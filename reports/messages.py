"""Every string the reports print, Chinese first, registered with kaohe.i18n under "report."."""

from __future__ import annotations

from kaohe.base.i18n import pick, t

__all__ = ["pick", "summary_title", "t", "veto_note"]



def veto_note(reason: str, lang: str) -> str:
    """The veto line; a veto item entered by hand already starts with "一票否决" / "veto"."""
    reason = reason or ""
    label = t("report.veto", lang)  # the engine states a typed label once (metrics.adjust.veto)
    own = reason.casefold().startswith(label.casefold())
    if lang == "en" and own:
        reason = reason[:1].upper() + reason[1:]  # the engine writes "veto: …" mid-sentence style
    return t("report.veto_capped" if own else "report.veto_note", lang, reason=reason)


def summary_title(period: str, lang: str) -> str:
    """月度/季度/年度…考核情况通报: the summary is named after its period."""
    return t("report.summary" if period == "month" else f"report.summary.title.{period}", lang)
