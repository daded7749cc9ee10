"""Everything a report reads, gathered once per month so a batch of 343 scorecards reads it once.

All reads go through `metrics.service` (scores) and `data.warehouse.Warehouse` (names, batches);
reports never hold SQL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd

from kaohe.base import clock, i18n
from kaohe.base import months as mo
from kaohe.reports.messages import pick, t

HISTORY_MONTHS = 12


@dataclass
class Context:
    lang: str
    month: str
    period: str
    build: object
    units: pd.DataFrame  # warehouse units, indexed by code
    catalogue: pd.DataFrame  # indicator catalogue, indexed by code
    status: dict
    batches: pd.DataFrame
    unit_batches: dict[str, list[int]] = field(default_factory=dict)
    history: pd.DataFrame | None = None  # month, unit_code, total, rank, n_in_group, grade
    state: object = None  # metrics.publish.PublishedState of (month, period); None: not known
    # who issues the scorecard and when (local date), and while the period is on notice (公示) the
    # appeal line («如有异议，请于 … 前通过……提出申诉»): `issue_facts`
    issuer: str = ""
    issued: str = ""
    appeal_note: str | None = None

    # -- names ------------------------------------------------------------------------
    def unit_name(self, code: str) -> str:
        if code in self.units.index:
            row = self.units.loc[code]
            return pick(row.get("name_zh"), row.get("name_en"), self.lang)
        return code

    def group_name(self, group: str) -> str:
        rows = self.units[self.units["peer_group"] == group]
        if rows.empty:
            return str(group)
        row = rows.iloc[0]
        return pick(row.get("peer_group_zh"), row.get("peer_group_en"), self.lang) or str(group)

    def indicator_name(self, code: str) -> str:
        """From the catalogue in the warehouse (the build carries the same names)."""
        if code in self.catalogue.index:
            row = self.catalogue.loc[code]
            return pick(row.get("name_zh"), row.get("name_en"), self.lang)
        return code

    def indicator_unit(self, code: str) -> str | None:
        if code in self.catalogue.index:
            u = self.catalogue.loc[code].get("unit")
            return u if isinstance(u, str) else None
        return None

    def groups(self) -> list[str]:
        """Peer groups in the order units are listed: streets first, then departments."""
        totals = self.build.totals
        u = self.units.reset_index(drop=True)
        # streets before departments, then by each group's first unit in natural order (S01 < S0013)
        key = u.assign(_k=(u["kind"] != "street").astype(int),
                       _n=u["code"].str.extract(r"(\d+)", expand=False).fillna("0").astype(int))
        order = key.sort_values(["_k", "_n", "code"]).drop_duplicates("peer_group")["peer_group"].tolist()
        present = set(totals["peer_group"])
        return [g for g in order if g in present] + sorted(present - set(order))

    # -- header texts -------------------------------------------------------------------
    def period_text(self) -> str:
        from kaohe.metrics import periods

        label = periods.label(self.period, self.month, self.lang)
        return t(f"report.period.{self.period}", self.lang, label=label)

    def period_short(self) -> str:
        """The period without its kind ("2026-Q3"), for a title that names the kind already."""
        from kaohe.metrics import periods

        return periods.label(self.period, self.month, self.lang)

    def status_text(self) -> str:
        """The figures' label: 未发布（当前数据）, 已发布·第 N 版, 已发布·第 N 版（更正）, or
        当前数据（与已发布的第 N 版不同） when the figures shown are not the published ones."""
        if self.state is not None:
            return self.state.label(self.lang)
        st = self.status or {}
        if not st.get("published"):
            return t("report.status.draft", self.lang)
        if st.get("differs"):
            return t("report.status.differs", self.lang)
        if st.get("revision") and int(st["revision"]) > 1:  # revision 1 is the first publication
            return t("report.status.revision", self.lang, n=st["revision"])
        return t("report.status.published", self.lang)

    def status_notice(self) -> str | None:
        """The warning to show beside figures that differ from the published ones (None: nothing to say)."""
        if self.state is not None:
            return self.state.notice(self.lang)
        return t("report.status.differs", self.lang) if (self.status or {}).get("differs") else None

    def scheme_note(self) -> str | None:
        """'2024-06 无 2024 年考核方案，按 2025 年方案计分' when the scheme is of another year."""
        note = getattr(self.build, "scheme_note", None)
        return note(self.lang) if callable(note) else None

    def scheme_text(self) -> str:
        return t("report.scheme", self.lang, version=getattr(self.build, "scheme_version", ""))

    # -- adjustments and sources in words ---------------------------------------------------
    def evidence_text(self, row) -> str:
        """An adjustment's evidence in the reader's language: the build's evidence_zh/evidence_en
        (metrics.adjust.words) where it has them, else as typed; an older rule evidence
        ("CP_SURVEY = 95.2 >= 95") in words, the indicator by its name."""
        ev = _text(row, f"evidence_{self.lang}") or _text(row, "evidence")
        m = _RULE_EVIDENCE.match(ev)
        if not m:
            return ev
        code, value, op, threshold = m.groups()
        return t("report.adj.rule_evidence", self.lang, indicator=self.indicator_name(code), value=value,
                 op=OP_SIGNS.get(op, op), threshold=threshold)

    def batch_source(self, row) -> str:
        """What a batch holds, in the reader's language: the file's name as it was uploaded, the
        sample district in words with its seed (batches.source_detail; older files named it in
        English in source_name)."""
        name, kind = _text(row, "source_name"), _text(row, "kind")
        if kind == "sample":
            seed = _sample_seed(row.get("source_detail"), name)
            return (t("report.batch.sample", self.lang, seed=seed) if seed is not None
                    else t("report.batch.sample_plain", self.lang))
        if name:
            return name
        return i18n.t_or(f"report.batch.kind.{kind}", t("report.batch.kind_other", self.lang), self.lang)


def _sample_seed(detail, name: str = "") -> str | None:
    """The seed a sample batch was generated with: batches.source_detail's "seed", else one named in
    an old English source name ('sample district (seed 20261)', kept as detail "source")."""
    info = {}
    if isinstance(detail, dict):
        info = detail
    elif isinstance(detail, str) and detail.strip():
        try:
            info = json.loads(detail)
        except ValueError:
            info = {}
        if not isinstance(info, dict):
            info = {}
    seed = info.get("seed")
    if isinstance(seed, int | float) and not isinstance(seed, bool) and float(seed).is_integer():
        return str(int(seed))
    if isinstance(seed, str) and seed.strip().isdigit():
        return seed.strip()
    for text in (info.get("source"), name):
        m = re.search(r"seed (\d+)", text) if isinstance(text, str) else None
        if m:
            return m.group(1)
    return None


# the evidence metrics.adjust writes for the scheme's own bonus and deduction items
_RULE_EVIDENCE = re.compile(r"^\s*([A-Z]{2}_[A-Z0-9_]+)\s*=\s*(\S+)\s*(>=|<=|==|!=|>|<|=)\s*(\S+)\s*$")
OP_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "=": "=", "!=": "≠"}


def adjustment_kind(row, lang: str) -> str:
    """An adjustment's kind in words: the build's kind_zh/kind_en, else from its code."""
    return _text(row, f"kind_{lang}") or kind_text(row.get("kind"), lang)


def adjustment_actor(row, lang: str) -> str:
    """Who entered an adjustment: the build's actor_zh/actor_en, else the actor in words."""
    return _text(row, f"actor_{lang}") or actor_text(row.get("actor", row.get("entered_by")), lang)


def actor_text(actor, lang: str) -> str:
    """Who entered or imported something: the system's own actors in words, people by name."""
    return i18n.actor_name(actor if isinstance(actor, str) else None, lang)


def kind_text(kind, lang: str) -> str:
    """An adjustment's kind in words."""
    return t(f"report.adj.{kind}", lang) if kind in ("bonus", "deduction", "veto") else t("report.adj.kind_other", lang)


def local_date(ts) -> str:
    """A stored (UTC) time as the office's local date."""
    return clock.local_text(ts)[:10]


def _text(row, key) -> str:
    v = row.get(key)
    return v if isinstance(v, str) and v.strip() else ""


def adjustment_reason(row, lang: str) -> str:
    """An adjustment's reason in `lang`: the build's reason_zh/reason_en (metrics.adjust.words: the
    scheme's own items in each language, an entered item's typed text in both), else as typed."""
    return _text(row, f"reason_{lang}") or pick(_text(row, "reason_zh") or _text(row, "reason"),
                                                _text(row, "reason_en"), lang)


def veto_reason(row, lang: str) -> str:
    """A unit's veto reason in `lang` whatever language its build was made in."""
    return pick(_text(row, "veto_reason_zh") or _text(row, "veto_reason"), _text(row, "veto_reason_en"), lang)


def period_label(period: str, month: str) -> str:
    """The period as the engine names it: 2026-10, 2026-Q4, 2026."""
    from kaohe.metrics import periods

    return periods.label(period, month, "en")


def period_months(month: str, period: str) -> list[str]:
    """The months a period ending in `month` covers (for data sources): the engine decides."""
    from kaohe.metrics import periods

    return list(periods.months_of(period, month))


def load(wh, month: str, period: str = "month", lang: str = "zh", build=None, *,
         history: bool = True, units: list[str] | None = None) -> Context:
    # Holding one connection open makes the dozen reads below reuse it instead of each
    # opening the file again (the warehouse closes its shared connection when idle).
    with wh.connect():
        return _load(wh, month, period, lang, build, history, units)


def _load(wh, month, period, lang, build, history, units) -> Context:
    from kaohe.metrics import service

    mo.check(month)
    if build is not None and (getattr(build, "month", month), getattr(build, "period", period)) != (month, period):
        raise ValueError(f"the build given is for {build.period} {build.month}, not {period} {month}")
    # For a month, one build whose history spans twelve months also feeds the trend chart.
    b = build if build is not None else service.build(
        wh, month, period=period, lang=lang, n_history=HISTORY_MONTHS if (history and period == "month") else None)
    unit_frame = wh.units().set_index("code", drop=False)
    catalogue = wh.indicators(active_only=False).set_index("code", drop=False)
    state = _state(wh, month, period)
    if getattr(b, "published_revision", None) is not None:
        # the published figures (a revision rebuilt): named as they were then, labelled as what they are
        unit_frame, catalogue = _names_of(b, unit_frame, catalogue)
        if state is not None:
            state = state.showing_published()
    status = state.as_dict() if state is not None else {"published": False, "revision": None}
    batches = _batches(wh)
    span = period_months(month, period)
    obs = wh.observations(units=units, month_from=span[0], month_to=span[-1])
    unit_batches = {u: sorted({int(x) for x in g.unique()})
                    for u, g in obs.groupby("unit_code")["batch_id"]} if not obs.empty else {}
    ctx = Context(lang=lang, month=month, period=period, build=b, units=unit_frame, catalogue=catalogue,
                  status=status, batches=batches, unit_batches=unit_batches, state=state)
    if history:
        ctx.history = history_frame(wh, month, b)
    return ctx


def issue_facts(ctx: Context, wh) -> Context:
    """Fill in the issuing office (data.office), today's local date and, while (month, period) is on
    notice, the appeal channel and deadline (metrics.appeals.status)."""
    from kaohe.data import office
    from kaohe.metrics import appeals

    ctx.issuer = office.load(wh, ctx.lang).get("issuer", "")
    ctx.issued = clock.today().isoformat()
    try:
        notice = appeals.status(wh, ctx.month, ctx.period)
    except Exception:  # noqa: BLE001 - a warehouse without the publicity table has no notice
        notice = None
    if notice is not None and not notice["passed"]:
        channel = appeals.channel_text(notice, ctx.lang) or t("ap.sc.channel_default", ctx.lang)
        ctx.appeal_note = t("ap.sc.channel", ctx.lang, deadline=notice["deadline"].isoformat(), channel=channel)
    return ctx


def _names_of(b, units: pd.DataFrame, catalogue: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units and indicators named, grouped and kinded as the build has them (a published revision
    keeps the units and catalogue of its day); what it does not hold comes from the warehouse."""
    cols = ["unit_code", "name_zh", "name_en", "kind", "peer_group", "peer_group_zh", "peer_group_en"]
    tot = b.totals.reindex(columns=cols).rename(columns={"unit_code": "code"}).set_index("code", drop=False)
    units = units.reindex(units.index.union(tot.index))
    units.loc[tot.index, tot.columns] = tot.to_numpy()
    ind = b.indicator_names().rename(columns={"indicator_code": "code"}).set_index("code", drop=False)
    known = ind.index.intersection(catalogue.index)
    catalogue = catalogue.copy()
    catalogue.loc[known, ind.columns] = ind.loc[known].to_numpy()
    return units, catalogue


def _state(wh, month: str, period: str):
    """kaohe.metrics.service.published_state: what the figures are against the published ones."""
    from kaohe.metrics import service

    try:
        return service.published_state(wh, month, period)
    except Exception:  # noqa: BLE001 - a warehouse without the publications table is a draft
        return None


def _batches(wh) -> pd.DataFrame:
    """The warehouse's batches, a sample batch with its source_detail (the seed it was made with)."""
    batches = wh.batches()
    if batches.empty or "source_detail" in batches.columns or "kind" not in batches.columns:
        return batches
    batches = batches.copy()
    details = []
    for bid, kind in zip(batches["batch_id"], batches["kind"], strict=True):
        row = wh.batch(int(bid)) if kind == "sample" else None
        details.append((row or {}).get("source_detail"))
    batches["source_detail"] = details
    return batches


HISTORY_COLUMNS = ["month", "unit_code", "total", "rank", "n_in_group", "grade"]


def history_frame(wh, month: str, current=None, n: int = HISTORY_MONTHS) -> pd.DataFrame:
    """Monthly total and rank of every unit over the `n` months ending in `month`.

    One engine build whose history spans the twelve months serves every unit, rather than
    a history per unit, so a batch of 343 scorecards costs one extra build, not 343.
    """
    from kaohe.metrics import service

    available = set(wh.months())
    wanted = [m for m in mo.span(mo.add(month, -(n - 1)), month) if m in available]
    hist = getattr(current, "history", None) if getattr(current, "period", None) == "month" else None
    if hist is None or hist.empty or not set(wanted) <= set(hist["period"]):
        own = hist if getattr(current, "published_revision", None) is not None else None
        hist = service.build(wh, month, period="month", n_history=n).history  # quarter/year: monthly trend
        if own is not None and not own.empty:  # the months a published build scored are its own figures
            hist = pd.concat([hist[~hist["period"].isin(set(own["period"]))], own], ignore_index=True)
    out = hist[hist["period"].isin(wanted)].rename(columns={"period": "month"})
    return out.reindex(columns=HISTORY_COLUMNS).reset_index(drop=True)
